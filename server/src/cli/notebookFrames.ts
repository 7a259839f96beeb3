// The lines of one notebook cell, for the code frame under a finding in it.
import { NotebookRead, readNotebookJson } from '../engine/notebook/notebookJson';
import { codeFrameLines } from './codeFrame';

// Findings of one notebook come one after another: its JSON is parsed once for all their frames.
let last: { text: string; read: NotebookRead } | undefined;

export function notebookCellLines(text: string, cell: number): string[] | undefined {
  if (last?.text !== text) last = { text, read: readNotebookJson(text) };
  const { read } = last;
  if ('problem' in read) return undefined;
  const found = read.cells.find((c) => c.index === cell);
  return found && codeFrameLines(found.source);
}
