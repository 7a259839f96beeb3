// Which import-position rule (E402) the project's linter applies, read from its configuration
// files. The two common linters disagree on the one statement an environment fix must put between
// imports: pycodestyle (flake8) accepts an `if` block there but not a bare call, Ruff accepts
// `os.environ` modifications but ends the import block at any `if`. The fix writes the form the
// project's own linter accepts, so `fix` never adds an E402.
import * as fs from 'fs';
import * as path from 'path';
import type { ImportLint } from '../engine/config';
import { readPyproject } from './projectConfig';
import { MAX_CONFIG_BYTES, readTextFile } from './textFiles';

/** Files that say "this project is linted by Ruff" on their own. */
const RUFF_FILES = ['ruff.toml', '.ruff.toml'];
/** Files that say "flake8" when they hold its section; `.flake8` on its own. */
const FLAKE8_FILES = ['.flake8'];
const FLAKE8_SECTION_FILES = ['setup.cfg', 'tox.ini'];

/**
 * The linter named by the configuration nearest to `filePath`, from its folder up to
 * `projectRoot`: Ruff (ruff.toml, `[tool.ruff]` in pyproject.toml, the ruff pre-commit hook) or
 * pycodestyle (.flake8, a `[flake8]` section); `undefined` when none says.
 */
export function projectImportLint(filePath: string, projectRoot: string): ImportLint | undefined {
  let dir = path.dirname(filePath);
  for (;;) {
    const found = lintNamedIn(dir);
    if (found) return found;
    const parent = path.dirname(dir);
    if (dir === projectRoot || parent === dir || path.relative(projectRoot, dir).startsWith('..')) return undefined;
    dir = parent;
  }
}

/** How long a folder's answer is reused: configFor runs on every keystroke, linter files change rarely. */
const ANSWER_TTL_MS = 5000;
const answers = new Map<string, { at: number; lint: ImportLint | undefined }>();

function lintNamedIn(dir: string): ImportLint | undefined {
  const now = Date.now();
  const known = answers.get(dir);
  if (known && now - known.at < ANSWER_TTL_MS) return known.lint;
  const lint = readLintNamedIn(dir);
  if (answers.size >= 1024) answers.clear();
  answers.set(dir, { at: now, lint });
  return lint;
}

function readLintNamedIn(dir: string): ImportLint | undefined {
  if (RUFF_FILES.some((name) => fs.existsSync(path.join(dir, name)))) return 'ruff';
  // The pyproject.toml as the configuration reader parsed it (cached by modification time).
  if (readPyproject(path.join(dir, 'pyproject.toml')).ruffSection) return 'ruff';
  if (/astral-sh\/ruff-pre-commit|\bid:\s*ruff\b/.test(textOf(path.join(dir, '.pre-commit-config.yaml')))) return 'ruff';
  if (FLAKE8_FILES.some((name) => fs.existsSync(path.join(dir, name)))) return 'pycodestyle';
  if (FLAKE8_SECTION_FILES.some((name) => /^\[(flake8|pycodestyle)\]/m.test(textOf(path.join(dir, name))))) return 'pycodestyle';
  return undefined;
}

function textOf(file: string): string {
  if (!fs.existsSync(file)) return '';
  const read = readTextFile(file, { maxBytes: MAX_CONFIG_BYTES });
  return 'refused' in read ? '' : read.text;
}
