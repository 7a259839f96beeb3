// `--format text`: one line per finding (`path:line:col: CODE message`, 1-based; in a notebook
// `path:cell N, line L, column C: CODE message`), with a code frame under each in the full style,
// then a summary line.
import type { FileReport } from '../workspace/projectAnalysis';
import { codeFrame } from './codeFrame';
import type { Palette } from './colour';
import { displayPath } from './report';
import { cellOf } from '../engine/notebook/cellFindings';
import { cellPlace } from './cellPlaces';

export const TEXT_STYLES = ['full', 'concise'] as const;
export type TextStyle = (typeof TEXT_STYLES)[number];

export interface TextOptions {
  style: TextStyle;
  colours: Palette;
  /** The lines of a file with findings (of one cell of a notebook), for code frames (undefined when it cannot be read). */
  sourceOf(path: string, cell?: number): string[] | undefined;
  /** Files read and checked; none means the summary must not say that checks passed. */
  checkedFiles: number;
}

export function toText(reports: FileReport[], cwd: string, options: TextOptions): string {
  const { colours } = options;
  const lines: string[] = [];
  let count = 0;
  for (const report of reports) {
    if (report.findings.length === 0) continue;
    const name = displayPath(report.path, cwd);
    const full = options.style === 'full';
    const source = full ? options.sourceOf(report.path) : undefined;
    for (const finding of report.findings) {
      count++;
      const { line, character } = finding.range.start;
      const colon = colours.punctuation(':');
      const place = cellPlace(finding) ?? `${line + 1}${colon}${character + 1}`;
      lines.push(`${colours.path(name)}${colon}${place}${colon} ${colours.code(finding.code)} ${finding.message}`);
      const cell = cellOf(finding);
      const frameSource = cell === undefined ? source : full ? options.sourceOf(report.path, cell) : undefined;
      if (frameSource) lines.push(...codeFrame(frameSource, finding.range, finding.code, colours), '');
    }
  }
  if (count > 0) lines.push(`Found ${count} problem${count === 1 ? '' : 's'}.`);
  else lines.push(options.checkedFiles === 0 ? 'No Python files were checked.' : 'All checks passed!');
  return lines.join('\n');
}
