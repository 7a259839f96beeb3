// Renders file reports in the chosen output format (shared by `check` and `run`).
import type { FileReport } from '../workspace/projectAnalysis';
import { readTextFile, sourceByteLimit } from '../workspace/textFiles';
import type { CliOptions } from './args';
import { codeFrameLines } from './codeFrame';
import { notebookCellLines } from './notebookFrames';
import { colourWanted, palette } from './colour';
import { countByRule, statisticsText, toGithub, toJson } from './report';
import { toSarif } from './sarif';
import { toText } from './textOutput';

export function render(options: Pick<CliOptions, 'statistics' | 'format' | 'textStyle'>, reports: FileReport[], cwd: string, checkedFiles: number, version: string): string {
  if (options.statistics) {
    const counts = countByRule(reports);
    if (options.format === 'json') return JSON.stringify(counts, null, 2);
    return counts.length === 0 && checkedFiles === 0 ? 'No Python files were checked.' : statisticsText(counts);
  }
  switch (options.format) {
    case 'json':
      return JSON.stringify(toJson(reports, cwd), null, 2);
    case 'sarif':
      return JSON.stringify(toSarif(reports, cwd, version), null, 2);
    case 'github':
      return toGithub(reports, cwd);
    default:
      return toText(reports, cwd, {
        // Ruff's choice: frames for a person at a terminal, one line each for logs and pipes.
        style: options.textStyle ?? (process.stdout.isTTY ? 'full' : 'concise'),
        colours: palette(colourWanted(process.stdout.isTTY, process.env)),
        sourceOf: (file, cell) => {
          const read = readTextFile(file, { maxBytes: sourceByteLimit(file) });
          if ('refused' in read) return undefined;
          return cell === undefined ? codeFrameLines(read.text) : notebookCellLines(read.text, cell);
        },
        checkedFiles,
      });
  }
}
