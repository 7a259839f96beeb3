// The lines of one notebook cell, for the code frame under a finding in it.
import { readNotebookJson } from '../engine/notebook/notebookJson';
import { codeFrameLines } from './codeFrame';

export function notebookCellLines(text: string, cell: number): string[] | undefined {
  const read = readNotebookJson(text);
  if ('problem' in read) return undefined;
  const found = read.cells.find((c) => c.index === cell);
  return found && codeFrameLines(found.source);
}
