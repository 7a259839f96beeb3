// Where a file's project and package roots are, judged from the file's own path (SPEC §2): never
// from the working directory, so `check` gives the same answer from any folder.
import * as fs from 'fs';
import * as path from 'path';

/** Files that mark the root of a Python project. */
export const PROJECT_MARKERS = ['pyproject.toml', 'setup.cfg', 'setup.py', '.git'];

/** How long a folder's "holds a marker" answer is reused (the language server outlives edits). */
const MARKER_TTL_MS = 5000;
const markerCache = new Map<string, { at: number; marked: boolean }>();

function holdsMarker(dir: string): boolean {
  const hit = markerCache.get(dir);
  if (hit && Date.now() - hit.at < MARKER_TTL_MS) return hit.marked;
  const marked = PROJECT_MARKERS.some((name) => fs.existsSync(path.join(dir, name)));
  markerCache.set(dir, { at: Date.now(), marked });
  return marked;
}

/** A marker file was added or removed (the language server's watched files): answer afresh. */
export function forgetProjectMarkers(): void {
  markerCache.clear();
}

/**
 * The project root of a file: the nearest folder at or above the file's folder that holds a
 * project marker. `boundary` (a language server's workspace folder, a test's fixture folder) is
 * taken as the project when the walk reaches it without finding one. With neither, the folder
 * the file's package is imported from: its own folder, or the one above its outermost package.
 */
export function projectRootOf(filePath: string, boundary?: string, exists: (p: string) => boolean = fs.existsSync): string {
  const start = path.dirname(filePath);
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (holdsMarker(dir)) return dir;
    if (boundary !== undefined && dir === boundary) return dir;
    if (path.dirname(dir) === dir) break;
  }
  return packageRootOf(start, exists);
}

/**
 * The folder absolute imports of a module in `dir` start from: the parent of the outermost folder
 * in the unbroken `__init__.py` chain above `dir` (`dir` itself when it is not a package).
 */
export function packageRootOf(dir: string, exists: (p: string) => boolean = fs.existsSync): string {
  let root = dir;
  while (exists(path.join(root, '__init__.py'))) {
    const parent = path.dirname(root);
    if (parent === root) break;
    root = parent;
  }
  return root;
}

/** The folders an absolute import in a module of `dir` is looked up in, as Python's sys.path would hold them. */
export function importBases(dir: string, projectRoot: string, exists: (p: string) => boolean = fs.existsSync): string[] {
  const bases = [dir, packageRootOf(dir, exists), projectRoot, path.join(projectRoot, 'src')];
  return bases.filter((base, index) => bases.indexOf(base) === index);
}

/** The folders from `dir` up to `root`, both included (only `root` when `dir` is not inside it). */
export function foldersUpTo(dir: string, root: string): string[] {
  const relative = path.relative(root, dir);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return [root];
  const folders: string[] = [];
  for (let at = dir; ; at = path.dirname(at)) {
    folders.push(at);
    if (at === root || path.dirname(at) === at) break;
  }
  return folders;
}
