// What the engine analyses for an `.ipynb` text: the program of its Python code cells, or the
// GF000 notice saying why the file is not a notebook it can read.
import { notAnalysed } from '../budgets';
import type { Finding } from '../findings';
import { CellProgram, cellProgram } from './cellProgram';
import { pythonCodeCells, readNotebookJson } from './notebookJson';

export const NOTEBOOK_EXTENSION = '.ipynb';

export function isNotebookPath(filePath: string): boolean {
  return filePath.toLowerCase().endsWith(NOTEBOOK_EXTENSION);
}

export function programOfNotebook(text: string): { program: CellProgram } | { notice: Finding } {
  const read = readNotebookJson(text);
  if ('problem' in read) return { notice: notAnalysed(`Not analysed: ${read.problem}.`) };
  return { program: cellProgram(pythonCodeCells(read).map((cell) => ({ cell: cell.index, source: cell.source }))) };
}
