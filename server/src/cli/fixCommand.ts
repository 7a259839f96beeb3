// `grpc-fork-guard fix`: the same fixes as the editor's "Fix all", written back to the files
// (each through a temporary file and a rename, so a file is never left half-written) or shown
// as a unified diff.
import * as fs from 'fs';
import * as path from 'path';
import { createTwoFilesPatch } from 'diff';
import { fixText } from '../engine/fixes/fixAll';
import type { FileReport, ProjectAnalysis } from '../workspace/projectAnalysis';
import { displayPath } from './report';

export interface FixOutcome {
  path: string;
  applied: string[];
  /** Findings left after fixing. */
  remaining: number;
}

export function fixFile(project: ProjectAnalysis, report: FileReport, options: { unsafe: boolean; diff: boolean; cwd: string }, out: (text: string) => void): FixOutcome {
  const original = report.text ?? '';
  const resolved = project.configFor(report.path);
  const unsafe = options.unsafe || resolved.config.unsafeFixes;
  const result = fixText((text) => project.analyzeText(report.path, text, resolved), original, { unsafe });
  const remaining = project.analyzeText(report.path, result.text, resolved).length;
  if (result.text !== original) {
    if (options.diff) {
      const name = displayPath(report.path, options.cwd);
      out(createTwoFilesPatch(`a/${name}`, `b/${name}`, original, result.text));
    } else {
      writeAtomically(report.path, result.text);
    }
  }
  return { path: report.path, applied: result.applied, remaining };
}

function writeAtomically(file: string, text: string): void {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.grpc-fork-guard-${process.pid}.tmp`);
  const mode = fs.statSync(file).mode;
  fs.writeFileSync(temporary, text, { mode });
  fs.renameSync(temporary, file);
}
