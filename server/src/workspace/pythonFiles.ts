// Lists the Python files under a folder (the workspace scan's listing: Jupyter notebooks too),
// skipping excluded folders (SPEC §4 `exclude`) and, for the workspace scan, what .gitignore
// ignores, without descending into them.
import * as fs from 'fs';
import * as path from 'path';
import picomatch from 'picomatch';
import { GitIgnore } from './gitignore';
import { isInside, kindOf } from './textFiles';
import { isNotebookPath } from '../engine/notebook/notebookInput';

/** A bare name (".venv") matches that folder or file at any depth, as in Ruff and .gitignore. */
function excludeGlob(pattern: string): string {
  return pattern.includes('/') ? pattern.replace(/^(\.\/)+/, '') : `**/${pattern}`;
}

/**
 * The usable `exclude` entries, and a message for each other one: an empty entry, one naming the
 * project folder itself or matching every path (it would exclude everything), a broken glob.
 */
export function checkExcludePatterns(patterns: readonly string[]): { valid: string[]; problems: string[] } {
  const valid: string[] = [];
  const problems: string[] = [];
  for (const pattern of patterns) {
    const problem = excludePatternProblem(pattern);
    if (problem) problems.push(`entry ${JSON.stringify(pattern)} ignored: ${problem}`);
    else valid.push(pattern);
  }
  return { valid, problems };
}

function excludePatternProblem(pattern: string): string | undefined {
  if (pattern.trim() === '') return 'an empty pattern would exclude everything';
  const glob = excludeGlob(pattern.trim());
  if (glob === '' || glob === '.' || glob === '/' || glob === '**/.' || glob === '**/./') return 'it names the project folder itself, which would exclude everything';
  let match: picomatch.Matcher;
  try {
    match = picomatch(glob, { dot: true, strictBrackets: true });
  } catch (error) {
    return `not a valid glob (${(error as Error).message.split(' - ')[0]})`;
  }
  if (match('a.py') && match('some/folder/b.py')) return 'it matches every path, which would exclude everything';
  return undefined;
}

export function makeExcludeMatcher(patterns: readonly string[]): (relativePath: string) => boolean {
  // Bad entries were reported where the configuration was read; here they are only left out.
  const matchers = checkExcludePatterns(patterns).valid.map((pattern) => picomatch(excludeGlob(pattern), { dot: true }));
  return (relativePath) => {
    const normalized = relativePath.split(path.sep).join('/');
    return matchers.some((match) => match(normalized) || match(`${normalized}/`));
  };
}

export function listPythonFiles(root: string, exclude: readonly string[]): string[] {
  return listPythonFilesWithin(root, exclude, { maxFiles: Infinity, maxMs: Infinity }).files;
}

export interface Bound {
  maxFiles: number;
  maxMs: number;
}

/** A listing that stops once it holds `maxFiles` files or has taken `maxMs`; `complete` says whether it finished. */
export function listPythonFilesWithin(root: string, exclude: readonly string[], bound: Bound): { files: string[]; complete: boolean } {
  const isExcluded = makeExcludeMatcher(exclude);
  // What git ignores (build output, tool folders, data) is not part of the project's code: the
  // bounded search skips it, as the workspace scan does.
  const gitignore = GitIgnore.above(root);
  const files: string[] = [];
  const deadline = performance.now() + bound.maxMs;
  let complete = true;
  const visit = (dir: string, rules: GitIgnore) => {
    if (files.length >= bound.maxFiles || performance.now() > deadline) {
      complete = false;
      return;
    }
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (!complete) return;
      const full = path.join(dir, entry.name);
      const relative = path.relative(root, full);
      if (isExcluded(relative) || rules.ignores(full, entry.isDirectory())) continue;
      if (entry.isDirectory()) visit(full, rules.enter(full));
      else if (entry.isFile() && entry.name.endsWith('.py')) {
        if (files.length >= bound.maxFiles) {
          complete = false;
          return;
        }
        files.push(full);
      }
    }
  };
  visit(root, gitignore.enter(root));
  return { files, complete };
}

export interface PythonTree {
  files: string[];
  /** Folders of the tree holding a pyproject.toml (ignored or not). */
  pyprojectDirs: Set<string>;
  /** Entries not listed although they may hold Python files: excluded, ignored, unreadable, links. */
  skipped: Set<string>;
  /** `.py` entries that are not regular files (FIFOs, devices, links out of the folder, ...), with why: warned about. */
  refused: Map<string, string>;
}

/** What the workspace scan's listing meets, told as it is met (the scan keeps it compactly, see scanListing.ts). */
export interface PythonTreeVisitor {
  /** A Python file listed: its folder (as walked) and its name. */
  file(dir: string, name: string): void;
  /** An entry not listed although it may hold Python files: excluded, ignored, unreadable, a link. */
  skipped(entry: string): void;
  /** A `.py` entry that is no regular file (a FIFO, a device, a link out of the folder, ...), with why: warned about. */
  refused(entry: string, reason: string): void;
  /** A folder of the tree holding a pyproject.toml (ignored or not). */
  pyprojectDir(dir: string): void;
}

/** The workspace scan's listing, collected (for callers that count or list the files). */
export function walkPythonTree(root: string, exclude: readonly string[], options: { gitignore?: boolean } = {}): PythonTree {
  const tree: PythonTree = { files: [], pyprojectDirs: new Set(), skipped: new Set(), refused: new Map() };
  visitPythonTree(root, exclude, {
    file: (dir, name) => tree.files.push(path.join(dir, name)),
    skipped: (entry) => tree.skipped.add(entry),
    refused: (entry, reason) => tree.refused.set(entry, reason),
    pyprojectDir: (dir) => tree.pyprojectDirs.add(dir),
  }, options);
  return tree;
}

/**
 * The workspace scan's listing: `exclude` and .gitignore honoured, and what was left out told too.
 * A folder's files are told before its subfolders are entered, so that they come together.
 */
export function visitPythonTree(root: string, exclude: readonly string[], visitor: PythonTreeVisitor, options: { gitignore?: boolean } = {}): void {
  const isExcluded = makeExcludeMatcher(exclude);
  const visit = (dir: string, rules: GitIgnore | undefined) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      visitor.skipped(dir);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subfolders: string[] = [];
    for (const entry of entries) {
      if (entry.name === 'pyproject.toml') visitor.pyprojectDir(dir);
      const isDirectory = entry.isDirectory();
      const isPython = entry.name.endsWith('.py') || isNotebookPath(entry.name);
      if (!isDirectory && !isPython && entry.isFile()) continue;
      const full = path.join(dir, entry.name);
      // Symbolic links are not followed (no loops, nothing outside the folder); other special
      // entries are never opened. Either may hide a module, so both count as skipped.
      if (!isDirectory && !entry.isFile()) {
        visitor.skipped(full);
        if (isPython && !isExcluded(path.relative(root, full)) && !rules?.ignores(full, false)) {
          const reason = specialEntryReason(full, entry, root);
          if (reason) visitor.refused(full, reason);
        }
        continue;
      }
      if (isExcluded(path.relative(root, full)) || rules?.ignores(full, isDirectory)) {
        visitor.skipped(full);
        continue;
      }
      // Node gives names as UTF-8 strings: a name that is not UTF-8 comes back altered and cannot be opened by it.
      if (entry.name.includes('\uFFFD') && !fs.existsSync(full)) {
        visitor.skipped(full);
        visitor.refused(full, 'its name is not valid UTF-8, so it cannot be opened');
        continue;
      }
      if (isDirectory) subfolders.push(full);
      else visitor.file(dir, entry.name);
    }
    for (const folder of subfolders) visit(folder, rules?.enter(folder));
  };
  visit(root, options.gitignore === false ? undefined : GitIgnore.above(root).enter(root));
}

/**
 * Why a `.py` entry that is no regular file is worth a warning, or undefined when it is not: a
 * link to a regular file inside the folder (the file is scanned under its own name).
 */
function specialEntryReason(full: string, entry: fs.Dirent, root: string): string | undefined {
  if (!entry.isSymbolicLink()) return `not a regular file (${entry.isFIFO() ? 'a FIFO' : entry.isSocket() ? 'a socket' : entry.isCharacterDevice() ? 'a character device' : entry.isBlockDevice() ? 'a block device' : 'unknown type'})`;
  try {
    const target = fs.statSync(full);
    if (!target.isFile()) return `a symbolic link to ${kindOf(target)}, not followed`;
    if (!isInside(fs.realpathSync.native(full), fs.realpathSync.native(root))) return 'a symbolic link leading outside the scanned folder, not followed';
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ELOOP' ? 'a symbolic link loop' : 'a broken symbolic link';
  }
}
