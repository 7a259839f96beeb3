// `grpc-fork-guard fix` on a notebook: the fixes of its program are applied cell by cell, and only
// the changed cells' `source` values are rewritten in the JSON (notebookSource.ts). A fix whose
// edits cannot be placed in one cell's own text (across cells, on a magic line) is not applied.
import { createTwoFilesPatch } from 'diff';
import { Finding, NOT_ANALYSED, TextEdit } from '../engine/findings';
import { applyEdits, chosenFix, fixAllEdits } from '../engine/fixes/fixAll';
import { editsByCell } from '../engine/notebook/cellFindings';
import { CellProgram, cellProgram } from '../engine/notebook/cellProgram';
import { pythonCodeCells, readNotebookJson } from '../engine/notebook/notebookJson';
import { withCellSources } from '../engine/notebook/notebookSource';
import { encodeLikeOriginal, rewriteFile } from '../workspace/fileRewrite';
import type { ProjectAnalysis } from '../workspace/projectAnalysis';
import type { FixOutcome, FixTarget } from './fixCommand';
import { countFixes } from '../engine/fixes/fixCounts';
import { displayPath } from './report';

const MAX_PASSES = 5;

export function fixNotebook(project: ProjectAnalysis, target: FixTarget, options: { unsafe: boolean; diff: boolean; cwd: string }, out: (text: string) => void): FixOutcome {
  const read = readNotebookJson(target.text);
  // An unreadable notebook is left as it is, counted as one problem left.
  if ('problem' in read) return { path: target.path, applied: [], counts: { removed: new Map(), left: new Map([[NOT_ANALYSED, 1]]), unsafeOnly: new Map() } };
  const resolved = project.configFor(target.path);
  const unsafe = options.unsafe || resolved.config.unsafeFixes;
  const sources = new Map(pythonCodeCells(read).map((cell) => [cell.index, cell.source]));
  const analyse = (): { program: CellProgram; findings: Finding[] } => {
    const program = cellProgram([...sources].map(([cell, source]) => ({ cell, source })));
    return { program, findings: project.analyzeText(target.path, program.text, resolved) };
  };
  const first = analyse();
  let last = first;
  const applied: string[] = [];
  const changed = new Set<number>();
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const placeable = last.findings.map((finding) => ({ ...finding, fixes: finding.fixes.filter((fix) => editsByCell(last.program.spans, fix.edits)) }));
    const edits = fixAllEdits(placeable, { unsafe });
    if (edits.length === 0) break;
    const byCell = editsByCell(last.program.spans, edits);
    if (!byCell) break;
    let any = false;
    for (const [cell, cellEdits] of byCell) {
      const before = sources.get(cell)!;
      const after = applyEdits(before, cellEdits);
      if (after !== before) {
        sources.set(cell, after);
        changed.add(cell);
        any = true;
      }
    }
    if (!any) break;
    applied.push(...titlesOf(placeable, edits, unsafe));
    last = analyse();
  }
  const counts = countFixes(first.findings, last.findings, unsafe);
  if (changed.size === 0) return { path: target.path, applied, counts };
  const fixed = withCellSources(target.text, new Map([...changed].map((cell) => [cell, sources.get(cell)!])));
  const untouched = { path: target.path, applied: [], counts: countFixes(first.findings, first.findings, unsafe) };
  if (fixed === undefined) return { ...untouched, notWritten: "the notebook's cells could not be located in its JSON text" };
  if (options.diff) {
    const name = displayPath(target.path, options.cwd);
    out(createTwoFilesPatch(`a/${name}`, `b/${name}`, target.text, fixed));
    return { path: target.path, applied, counts };
  }
  const written = rewriteFile(target.path, target.bytes, encodeLikeOriginal(target.bytes, target.text, fixed));
  if ('notWritten' in written) return { ...untouched, notWritten: written.notWritten };
  return { path: target.path, applied, counts, inPlace: written.written === 'in place' };
}

/** The titles of the fixes whose edits "fix all" took (each fix once). */
function titlesOf(findings: Finding[], taken: TextEdit[], unsafe: boolean): string[] {
  const edits = new Set(taken);
  const seen = new Set<unknown>();
  const titles: string[] = [];
  for (const finding of findings) {
    const fix = chosenFix(finding, { unsafe });
    if (!fix || seen.has(fix) || fix.edits.length === 0 || !fix.edits.every((edit) => edits.has(edit))) continue;
    seen.add(fix);
    titles.push(`${finding.code}: ${fix.title}`);
  }
  return titles;
}
