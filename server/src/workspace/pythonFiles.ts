// Lists the Python files under a folder, skipping excluded folders (SPEC §4 `exclude`) without
// descending into them.
import * as fs from 'fs';
import * as path from 'path';
import picomatch from 'picomatch';

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
  const isExcluded = makeExcludeMatcher(exclude);
  const files: string[] = [];
  const visit = (dir: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      const relative = path.relative(root, full);
      if (isExcluded(relative)) continue;
      if (entry.isDirectory()) visit(full);
      else if (entry.isFile() && entry.name.endsWith('.py')) files.push(full);
    }
  };
  visit(root);
  return files;
}
