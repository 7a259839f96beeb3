// A notebook's Python code cells as one program, in cell order, as the kernel runs them top to
// bottom: the cells' lines joined, IPython syntax blanked (ipythonSyntax.ts). Every cell keeps its
// line count and columns, so a program position maps to one (cell, line, column) and back.
import type { Position, Range } from '../findings';
import { blankIPythonSyntax } from './ipythonSyntax';

export interface ProgramCell {
  /** The cell's index in the notebook (0-based, every cell kind counted). */
  cell: number;
  source: string;
}

export interface CellSpan {
  cell: number;
  /** The program line where the cell's first line is. */
  firstLine: number;
  lineCount: number;
  /** UTF-16 length of the cell's last line (where a range that runs past the cell is cut). */
  lastLineLength: number;
  /** Lines of the cell (0-based) that held IPython syntax: edits there are refused. */
  blanked: number[];
}

export interface CellProgram {
  text: string;
  /** One per code cell, in program order. */
  spans: CellSpan[];
}

export interface CellPosition {
  cell: number;
  line: number;
  character: number;
}

export function cellProgram(cells: readonly ProgramCell[]): CellProgram {
  const lines: string[] = [];
  const spans: CellSpan[] = [];
  for (const { cell, source } of cells) {
    const { lines: cellLines, blanked } = blankIPythonSyntax(source);
    const original = source.split('\n');
    spans.push({ cell, firstLine: lines.length, lineCount: cellLines.length, lastLineLength: original[original.length - 1].length, blanked });
    lines.push(...cellLines);
  }
  return { text: lines.join('\n'), spans };
}

/** The span holding a program line (binary search); undefined past the program's end. */
export function spanOfLine(spans: readonly CellSpan[], line: number): CellSpan | undefined {
  let low = 0;
  let high = spans.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const span = spans[middle];
    if (line < span.firstLine) high = middle - 1;
    else if (line >= span.firstLine + span.lineCount) low = middle + 1;
    else return span;
  }
  return undefined;
}

export function toCellPosition(spans: readonly CellSpan[], position: Position): CellPosition | undefined {
  const span = spanOfLine(spans, position.line);
  return span && { cell: span.cell, line: position.line - span.firstLine, character: position.character };
}

/** A program range in its start's cell; a range running on into the next cell ends at its cell's end. */
export function toCellRange(spans: readonly CellSpan[], range: Range): { cell: number; range: Range } | undefined {
  const span = spanOfLine(spans, range.start.line);
  if (!span) return undefined;
  const start = { line: range.start.line - span.firstLine, character: range.start.character };
  const endLine = range.end.line - span.firstLine;
  const end = endLine < span.lineCount ? { line: endLine, character: range.end.character } : { line: span.lineCount - 1, character: span.lastLineLength };
  return { cell: span.cell, range: { start, end } };
}

export function fromCellPosition(spans: readonly CellSpan[], cell: number, position: Position): Position | undefined {
  const span = spans.find((s) => s.cell === cell);
  if (!span || position.line < 0 || position.line >= span.lineCount) return undefined;
  return { line: span.firstLine + position.line, character: position.character };
}
