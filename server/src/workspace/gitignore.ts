// .gitignore semantics for the workspace scan, through the `ignore` package (the matcher ESLint
// and many other tools use): each .gitignore applies to paths below its own folder, and a deeper
// file's verdict (including `!negation`) overrides a shallower one, as in git. The .gitignore
// files above the scanned folder count up to the repository's root (the folder holding `.git`);
// outside a repository only the scanned tree's own .gitignore files apply.
import * as fs from 'fs';
import * as path from 'path';
import ignore, { Ignore } from 'ignore';
import { MAX_CONFIG_BYTES, readTextFile } from './textFiles';

interface Layer {
  base: string;
  rules: Ignore;
}

export class GitIgnore {
  private constructor(private readonly layers: Layer[]) {}

  /** The rules in force at `dir` from its ancestors up to the repository root. */
  static above(dir: string): GitIgnore {
    const chain: string[] = [];
    let current = path.dirname(dir);
    let inRepository = fs.existsSync(path.join(dir, '.git'));
    while (!inRepository) {
      chain.push(current);
      if (fs.existsSync(path.join(current, '.git'))) {
        inRepository = true;
        break;
      }
      const parent = path.dirname(current);
      if (parent === current) break;
      current = parent;
    }
    let rules = new GitIgnore([]);
    if (!inRepository) return rules;
    for (const ancestor of chain.reverse()) rules = rules.enter(ancestor);
    return rules;
  }

  /** The rules in force inside `dir`: these plus `dir/.gitignore`, if any. */
  enter(dir: string): GitIgnore {
    const read = readTextFile(path.join(dir, '.gitignore'), { maxBytes: MAX_CONFIG_BYTES });
    if ('refused' in read) return this;
    return new GitIgnore([...this.layers, { base: dir, rules: ignore().add(read.text) }]);
  }

  ignores(fullPath: string, isDirectory: boolean): boolean {
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const { base, rules } = this.layers[i];
      const relative = path.relative(base, fullPath).split(path.sep).join('/');
      if (!relative || relative.startsWith('..')) continue;
      const verdict = rules.test(isDirectory ? `${relative}/` : relative);
      if (verdict.ignored) return true;
      if (verdict.unignored) return false;
    }
    return false;
  }
}
