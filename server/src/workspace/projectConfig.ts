// Finds the pyproject.toml that governs a file (the nearest one above it) and reads its
// configuration layer, cached by path and modification time.
import * as fs from 'fs';
import * as path from 'path';
import { ParsedConfigFile, parsePyproject } from '../engine/configFile';
import { checkExcludePatterns } from './pythonFiles';
import { MAX_CONFIG_BYTES, readTextFile } from './textFiles';

const cache = new Map<string, { mtimeMs: number; parsed: ParsedConfigFile }>();

export function nearestPyproject(fromPath: string, stopAt?: string): string | undefined {
  let dir = isDirectory(fromPath) ? fromPath : path.dirname(fromPath);
  for (;;) {
    const candidate = path.join(dir, 'pyproject.toml');
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir || (stopAt && path.relative(stopAt, dir).startsWith('..'))) return undefined;
    dir = parent;
  }
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    return false;
  }
}

export function readPyproject(file: string): ParsedConfigFile {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return { layer: {}, problems: [], hasSection: false };
  }
  const cached = cache.get(file);
  if (cached && cached.mtimeMs === stat.mtimeMs) return cached.parsed;
  const read = readTextFile(file, { maxBytes: MAX_CONFIG_BYTES });
  const parsed: ParsedConfigFile = 'refused' in read
    ? { layer: {}, problems: [{ file, message: `not read: ${read.refused}` }], hasSection: false }
    : withCheckedExclude(parsePyproject(read.text, file), file);
  cache.set(file, { mtimeMs: stat.mtimeMs, parsed });
  return parsed;
}

/** Bad `exclude` entries (empty, the project folder itself, broken globs) are reported and dropped. */
function withCheckedExclude(parsed: ParsedConfigFile, file: string): ParsedConfigFile {
  if (!parsed.layer.exclude) return parsed;
  const checked = checkExcludePatterns(parsed.layer.exclude);
  if (checked.problems.length === 0) return parsed;
  return {
    ...parsed,
    layer: { ...parsed.layer, exclude: checked.valid },
    problems: [...parsed.problems, ...checked.problems.map((message) => ({ file, key: 'tool.grpc-fork-guard.exclude', message }))],
  };
}
