// `grpc-fork-guard fix`: the same fixes as the editor's "Fix all", written back to the files
// (see fileRewrite.ts: atomic, and never over a file that changed since it was read) or shown as
// a unified diff.
import { createTwoFilesPatch } from 'diff';
import { fixText } from '../engine/fixes/fixAll';
import { encodeLikeOriginal, rewriteFile } from '../workspace/fileRewrite';
import type { SourceEncoding } from '../workspace/textFiles';
import type { ProjectAnalysis } from '../workspace/projectAnalysis';
import { FixCounts, countFixes } from '../engine/fixes/fixCounts';
import { displayPath } from './report';

export interface FixTarget {
  path: string;
  /** The file's bytes as read, and their text (BOM dropped). */
  bytes: Buffer;
  text: string;
  /** `utf-8`, or the encoding the file declares (PEP 263): the fixed text is written in it. */
  encoding?: SourceEncoding;
}

export interface FixOutcome {
  path: string;
  applied: string[];
  /** Findings removed and left, per rule (counted by re-analysis, not by fixes applied). */
  counts: FixCounts;
  /** Why the fixed text was not written (the file is unchanged). */
  notWritten?: string;
  /** A hard-linked file is written in place rather than replaced. */
  inPlace?: boolean;
}

export function fixFile(project: ProjectAnalysis, target: FixTarget, options: { unsafe: boolean; diff: boolean; cwd: string }, out: (text: string) => void): FixOutcome {
  const original = target.text;
  const resolved = project.configFor(target.path);
  const unsafe = options.unsafe || resolved.config.unsafeFixes;
  const analyse = (text: string) => project.analyzeText(target.path, text, resolved);
  const before = analyse(original);
  const result = fixText(analyse, original, { unsafe });
  const after = result.text === original ? before : analyse(result.text);
  const counts = countFixes(before, after, unsafe);
  if (result.text === original) return { path: target.path, applied: result.applied, counts };
  if (options.diff) {
    const name = displayPath(target.path, options.cwd);
    out(createTwoFilesPatch(`a/${name}`, `b/${name}`, original, result.text));
    return { path: target.path, applied: result.applied, counts };
  }
  let encoded: Buffer;
  try {
    encoded = encodeLikeOriginal(target.bytes, original, result.text, target.encoding);
  } catch (error) {
    return { path: target.path, applied: [], counts: countFixes(before, before, unsafe), notWritten: (error as Error).message };
  }
  const written = rewriteFile(target.path, target.bytes, encoded);
  if ('notWritten' in written) {
    return { path: target.path, applied: [], counts: countFixes(before, before, unsafe), notWritten: written.notWritten };
  }
  return { path: target.path, applied: result.applied, counts, inPlace: written.written === 'in place' };
}
