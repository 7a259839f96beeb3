// Finds the pyproject.toml that governs a file (the nearest one above it) and reads its
// configuration layer, cached by path and modification time.
import * as fs from 'fs';
import * as path from 'path';
import { ParsedConfigFile, parsePyproject } from '../engine/configFile';

const cache = new Map<string, { mtimeMs: number; parsed: ParsedConfigFile }>();

export function nearestPyproject(fromPath: string, stopAt?: string): string | undefined {
  let dir = fs.existsSync(fromPath) && fs.statSync(fromPath).isDirectory() ? fromPath : path.dirname(fromPath);
  for (;;) {
    const candidate = path.join(dir, 'pyproject.toml');
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir || (stopAt && path.relative(stopAt, dir).startsWith('..'))) return undefined;
    dir = parent;
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
  let parsed: ParsedConfigFile;
  try {
    parsed = parsePyproject(fs.readFileSync(file, 'utf8'), file);
  } catch (error) {
    parsed = { layer: {}, problems: [{ file, message: `cannot be read: ${(error as Error).message}` }], hasSection: false };
  }
  cache.set(file, { mtimeMs: stat.mtimeMs, parsed });
  return parsed;
}
