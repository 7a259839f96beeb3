// Why a run checked no file at all, in words: a bare "All checks passed!" would hide a wrong path,
// an exclude that matches everything, a .gitignore'd folder or files that could not be read.
import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_EXCLUDE, ConfigLayer, mergeConfig } from '../engine/config';
import type { FileReport } from '../workspace/projectAnalysis';
import { nearestPyproject, readPyproject } from '../workspace/projectConfig';
import { walkPythonTree } from '../workspace/pythonFiles';

/** One reason per scanned folder that gave no file, and one for files that could not be read. */
export function whyNothingChecked(folders: { given: string; absolute: string }[], reports: FileReport[], overrides: ConfigLayer): string[] {
  const reasons: string[] = [];
  const unreadable = reports.filter((report) => report.skipped).length;
  if (unreadable > 0) reasons.push(`the ${plural(unreadable, 'Python file')} found could not be read (see the warnings above)`);
  for (const { given: name, absolute: folder } of folders) {
    if (reports.some((report) => report.path.startsWith(`${folder}${path.sep}`))) continue;
    const all = walkPythonTree(folder, [], { gitignore: false }).files.length;
    if (all === 0) {
      reasons.push(`no Python files under ${name}`);
      continue;
    }
    const pyproject = nearestPyproject(folder);
    const exclude = mergeConfig(pyproject && fs.existsSync(pyproject) ? readPyproject(pyproject).layer : {}, overrides).exclude;
    const kept = walkPythonTree(folder, exclude, { gitignore: false }).files.length;
    const excluded = all - kept;
    const excludeWords = `\`exclude\` (${exclude.every((entry) => DEFAULT_EXCLUDE.includes(entry)) ? `by default ${DEFAULT_EXCLUDE.join(', ')}` : exclude.join(', ')})`;
    const every = all === 1 ? `the only Python file under ${name} is` : `all ${all} Python files under ${name} are`;
    if (kept === 0) reasons.push(`${every} excluded by ${excludeWords}`);
    else if (excluded === 0) reasons.push(`${every} ignored by .gitignore`);
    else reasons.push(`the ${plural(all, 'Python file')} under ${name} are excluded by ${excludeWords} (${excluded}) or ignored by .gitignore (${kept})`);
  }
  return reasons;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
