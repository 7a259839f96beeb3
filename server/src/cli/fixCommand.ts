// `grpc-fork-guard fix`: the same fixes as the editor's "Fix all", written back to the files
// (see fileRewrite.ts: atomic, and never over a file that changed since it was read) or shown as
// a unified diff.
import { createTwoFilesPatch } from 'diff';
import { fixText } from '../engine/fixes/fixAll';
import { encodeLikeOriginal, rewriteFile } from '../workspace/fileRewrite';
import type { ProjectAnalysis } from '../workspace/projectAnalysis';
import { displayPath } from './report';

export interface FixTarget {
  path: string;
  /** The file's bytes as read, and their text (BOM dropped). */
  bytes: Buffer;
  text: string;
}

export interface FixOutcome {
  path: string;
  applied: string[];
  /** Findings left after fixing. */
  remaining: number;
  /** Why the fixed text was not written (the file is unchanged). */
  notWritten?: string;
  /** A hard-linked file is written in place rather than replaced. */
  inPlace?: boolean;
}

export function fixFile(project: ProjectAnalysis, target: FixTarget, options: { unsafe: boolean; diff: boolean; cwd: string }, out: (text: string) => void): FixOutcome {
  const original = target.text;
  const resolved = project.configFor(target.path);
  const unsafe = options.unsafe || resolved.config.unsafeFixes;
  const result = fixText((text) => project.analyzeText(target.path, text, resolved), original, { unsafe });
  const remaining = project.analyzeText(target.path, result.text, resolved).length;
  if (result.text === original) return { path: target.path, applied: result.applied, remaining };
  if (options.diff) {
    const name = displayPath(target.path, options.cwd);
    out(createTwoFilesPatch(`a/${name}`, `b/${name}`, original, result.text));
    return { path: target.path, applied: result.applied, remaining };
  }
  const written = rewriteFile(target.path, target.bytes, encodeLikeOriginal(target.bytes, original, result.text));
  if ('notWritten' in written) {
    return { path: target.path, applied: [], remaining: project.analyzeText(target.path, original, resolved).length, notWritten: written.notWritten };
  }
  return { path: target.path, applied: result.applied, remaining, inPlace: written.written === 'in place' };
}
