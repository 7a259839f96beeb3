// How the CLI's outputs name a place in a notebook: the cell (1-based, every cell counted, as
// the notebook shows them top to bottom) and the line and column inside it.
import type { Finding, RelatedLocation } from '../engine/findings';
import { cellLabel, cellOf } from '../engine/notebook/cellFindings';

/** "cell 3, line 2, column 5" for a finding or location in a notebook cell; undefined elsewhere. */
export function cellPlace(located: Finding | RelatedLocation): string | undefined {
  const cell = cellOf(located);
  if (cell === undefined) return undefined;
  const { line, character } = located.range.start;
  return `${cellLabel(cell)}, line ${line + 1}, column ${character + 1}`;
}

/** The 1-based cell number the JSON and SARIF outputs carry beside a cell-relative range. */
export function cellNumber(located: Finding | RelatedLocation): number | undefined {
  const cell = cellOf(located);
  return cell === undefined ? undefined : cell + 1;
}

