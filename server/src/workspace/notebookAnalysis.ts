// Analysing an `.ipynb` file from disk: its Python cells as one program (engine/notebook), the
// findings moved onto the cells. Shared by the workspace scan's workers, the CLI and the server.
import { CellFinding, findingsInCells } from '../engine/notebook/cellFindings';
import { programOfNotebook } from '../engine/notebook/notebookInput';
import type { ProjectAnalysis, ResolvedConfig } from './projectAnalysis';

export function analyzeNotebookText(project: ProjectAnalysis, filePath: string, text: string, resolved?: ResolvedConfig): CellFinding[] {
  const input = programOfNotebook(text);
  if ('notice' in input) return [input.notice];
  return findingsInCells(input.program.spans, project.analyzeText(filePath, input.program.text, resolved));
}

/**
 * The bytes the pre-filter reads for a notebook: its program, not its JSON (where a cell's lines
 * are quoted strings and an `import` statement no longer starts a line). A file that is no
 * notebook passes, so that its notice is reported.
 */
export function notebookPrefilterBytes(text: string): Buffer | undefined {
  const input = programOfNotebook(text);
  return 'notice' in input ? undefined : Buffer.from(input.program.text);
}
