// Lists the Python files under a folder, skipping excluded folders (SPEC §4 `exclude`) and, for
// the workspace scan, what .gitignore ignores, without descending into them.
import * as fs from 'fs';
import * as path from 'path';
import picomatch from 'picomatch';
import { GitIgnore } from './gitignore';

export function makeExcludeMatcher(patterns: readonly string[]): (relativePath: string) => boolean {
  const matchers = patterns.map((pattern) => {
    // A bare name (".venv") matches that folder or file at any depth, as in Ruff and .gitignore.
    const glob = pattern.includes('/') ? pattern.replace(/^\.\//, '') : `**/${pattern}`;
    return picomatch(glob, { dot: true });
  });
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
  const files: string[] = [];
  const deadline = performance.now() + bound.maxMs;
  let complete = true;
  const visit = (dir: string) => {
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
      if (isExcluded(relative)) continue;
      if (entry.isDirectory()) visit(full);
      else if (entry.isFile() && entry.name.endsWith('.py')) {
        if (files.length >= bound.maxFiles) {
          complete = false;
          return;
        }
        files.push(full);
      }
    }
  };
  visit(root);
  return { files, complete };
}

export interface PythonTree {
  files: string[];
  /** Folders of the tree holding a pyproject.toml (ignored or not). */
  pyprojectDirs: Set<string>;
  /** Entries not listed although they may hold Python files: excluded, ignored, unreadable, links. */
  skipped: Set<string>;
}

/** The workspace scan's listing: `exclude` and .gitignore honoured, and what was left out recorded. */
export function walkPythonTree(root: string, exclude: readonly string[], options: { gitignore?: boolean } = {}): PythonTree {
  const isExcluded = makeExcludeMatcher(exclude);
  const tree: PythonTree = { files: [], pyprojectDirs: new Set(), skipped: new Set() };
  const visit = (dir: string, rules: GitIgnore | undefined) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      tree.skipped.add(dir);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.name === 'pyproject.toml') tree.pyprojectDirs.add(dir);
      const isDirectory = entry.isDirectory();
      if (!isDirectory && !entry.isFile()) {
        tree.skipped.add(full);
        continue;
      }
      if (!isDirectory && !entry.name.endsWith('.py')) continue;
      if (isExcluded(path.relative(root, full)) || rules?.ignores(full, isDirectory)) {
        tree.skipped.add(full);
        continue;
      }
      if (isDirectory) visit(full, rules?.enter(full));
      else tree.files.push(full);
    }
  };
  visit(root, options.gitignore === false ? undefined : GitIgnore.above(root).enter(root));
  return tree;
}
