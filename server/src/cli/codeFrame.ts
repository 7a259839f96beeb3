// The code frame under a finding in `--output-format full`: the finding's line between its
// neighbours, a gutter of line numbers, and carets under the reported range.
import type { Range } from '../engine/findings';
import type { Palette } from './colour';

const TAB = '    ';

/** Source text made safe and even for a terminal: tabs as spaces, control characters visible. */
function printable(text: string): string {
  return text.replace(/\t/g, TAB).replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, '\uFFFD');
}

/** The lines of a file as the engine counts them (only \n ends a line; a \r before it is not shown). */
export function codeFrameLines(text: string): string[] {
  return text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

export function codeFrame(lines: string[], range: Range, label: string, colours: Palette): string[] {
  const row = range.start.line;
  if (row < 0 || row >= lines.length) return [];
  const first = Math.max(0, row - 1);
  const last = Math.min(lines.length - 1, row + 1);
  const width = String(last + 1).length;
  const blankGutter = colours.gutter(`${' '.repeat(width)} |`);
  const numbered = (index: number) => {
    const text = printable(lines[index]);
    return `${colours.gutter(`${String(index + 1).padStart(width)} |`)}${text ? ` ${text}` : ''}`;
  };
  const line = lines[row];
  const start = Math.min(range.start.character, line.length);
  // A range reaching past this line is underlined to the line's end; an empty one gets one caret.
  const end = range.end.line === row ? Math.min(Math.max(range.end.character, start), line.length) : line.length;
  const indent = printable(line.slice(0, start)).length;
  const carets = Math.max(1, printable(line.slice(start, end)).length);
  const frame = [blankGutter];
  for (let index = first; index <= last; index++) {
    frame.push(numbered(index));
    if (index === row) frame.push(`${blankGutter} ${' '.repeat(indent)}${colours.marker(`${'^'.repeat(carets)} ${label}`)}`);
  }
  frame.push(blankGutter);
  return frame;
}
