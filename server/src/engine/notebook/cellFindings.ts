// Findings on a notebook's program (cellProgram.ts) moved onto its cells: ranges in the cell's own
// lines with the cell's index beside them, and "line N" in messages named as the user sees it.
import type { Finding, RelatedLocation, TextEdit } from '../findings';
import { CellSpan, spanOfLine, toCellRange } from './cellProgram';

export interface CellRelatedLocation extends RelatedLocation {
  /** Set when the location is in the notebook itself (`path` undefined): its cell index (0-based). */
  cell?: number;
}

export interface CellFinding extends Finding {
  /** The cell index (0-based, every cell kind counted) the range is in; undefined for a notice about the whole notebook. */
  cell?: number;
  related: CellRelatedLocation[];
}

/** The cell of a finding or related location from a notebook, if it has one. */
export function cellOf(located: Finding | RelatedLocation): number | undefined {
  const cell = (located as { cell?: unknown }).cell;
  return typeof cell === 'number' ? cell : undefined;
}

/** How a cell is named to the user: its place in the notebook, counting from 1 like a line. */
export function cellLabel(cell: number): string {
  return `cell ${cell + 1}`;
}

/**
 * The findings with cell-relative ranges. Fixes are left out: their edits are program edits, which
 * only editsByCell can place (and may refuse).
 */
export function findingsInCells(spans: readonly CellSpan[], findings: readonly Finding[]): CellFinding[] {
  return findings.map((finding) => {
    const placed = toCellRange(spans, finding.range);
    return {
      ...finding,
      ...(placed ? { cell: placed.cell, range: placed.range } : {}),
      message: cellLines(spans, finding.message),
      related: finding.related.map((related) => {
        if (related.path !== undefined) return related;
        const where = toCellRange(spans, related.range);
        return where ? { ...related, cell: where.cell, range: where.range, message: cellLines(spans, related.message) } : related;
      }),
      fixes: [],
    };
  });
}

/**
 * "line 13" (a 1-based program line, as the engine's messages name places in the analysed file)
 * becomes "cell 5, line 3". Text in backticks is the user's code and stays as it is.
 */
export function cellLines(spans: readonly CellSpan[], message: string): string {
  return message.split('`').map((part, index) => (index % 2 === 1 ? part : part.replace(/\bline (\d+)\b/g, (whole, digits: string) => {
    const line = Number(digits) - 1;
    const span = spanOfLine(spans, line);
    return span ? `${cellLabel(span.cell)}, line ${line - span.firstLine + 1}` : whole;
  }))).join('`');
}

/**
 * A fix's program edits, each placed in one cell. Undefined when one cannot be placed: it runs
 * across a cell boundary, or touches a line of IPython syntax (the program has a blank where the
 * cell has a magic, so the edit would not mean the same there).
 */
export function editsByCell(spans: readonly CellSpan[], edits: readonly TextEdit[]): Map<number, TextEdit[]> | undefined {
  const placed = new Map<number, TextEdit[]>();
  for (const edit of edits) {
    const span = spanOfLine(spans, edit.range.start.line);
    if (!span || edit.range.end.line >= span.firstLine + span.lineCount) return undefined;
    const start = edit.range.start.line - span.firstLine;
    const end = edit.range.end.line - span.firstLine;
    // Text put before a magic line leaves the magic intact.
    const insertsAtLineStart = start === end && edit.range.start.character === 0 && edit.range.end.character === 0;
    if (!insertsAtLineStart && span.blanked.some((line) => line >= start && line <= end)) return undefined;
    const inCell = { range: { start: { line: start, character: edit.range.start.character }, end: { line: end, character: edit.range.end.character } }, newText: edit.newText };
    placed.set(span.cell, [...(placed.get(span.cell) ?? []), inCell]);
  }
  return placed;
}
