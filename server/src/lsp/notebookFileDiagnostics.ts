// Scan Workspace results for a notebook that is not open: published on the `.ipynb` file, whose
// lines are JSON, not the cells'. The diagnostic sits at the file's start and its message names the
// cell, line and column; once the notebook is opened its cells get their own diagnostics.
import type { Diagnostic } from 'vscode-languageserver';
import type { Finding } from '../engine/findings';
import { cellLabel, cellOf } from '../engine/notebook/cellFindings';
import { toDiagnostic } from './diagnostics';

export function notebookFileDiagnostic(finding: Finding, uri: string): Diagnostic {
  const diagnostic = toDiagnostic(finding, uri);
  const cell = cellOf(finding);
  if (cell === undefined) return diagnostic;
  const { line, character } = finding.range.start;
  diagnostic.message = `${cellLabel(cell)}, line ${line + 1}, column ${character + 1}: ${diagnostic.message}`;
  diagnostic.range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  // Related places in the notebook are named in the messages already; their cell lines are not the file's.
  diagnostic.relatedInformation = diagnostic.relatedInformation?.filter((_, i) => cellOf(finding.related[i]) === undefined);
  return diagnostic;
}
