// The project's linter is read from its configuration files, nearest first, so that a fix writing
// between imports uses the form that linter accepts (see workspace/projectLinter.ts).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { projectImportLint } from '../../server/src/workspace/projectLinter';

const scratch = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gf-project-linter-')));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

function write(relative: string, content = ''): string {
  const file = path.join(scratch, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

test('each file that names a linter is read as that linter', () => {
  const cases: [string, string, string | undefined][] = [
    ['ruff.toml', 'line-length = 100\n', 'ruff'],
    ['.ruff.toml', '', 'ruff'],
    ['pyproject.toml', '[project]\nname = "x"\n\n[tool.ruff.lint]\nselect = ["E"]\n', 'ruff'],
    ['pyproject.toml', '[tool.ruff]\nline-length = 88\n', 'ruff'],
    ['.pre-commit-config.yaml', 'repos:\n  - repo: https://github.com/astral-sh/ruff-pre-commit\n    rev: v0.6.0\n    hooks:\n      - id: ruff\n', 'ruff'],
    ['.flake8', '[flake8]\nmax-line-length = 100\n', 'pycodestyle'],
    ['setup.cfg', '[metadata]\nname = x\n\n[flake8]\nignore = W503\n', 'pycodestyle'],
    ['tox.ini', '[tox]\nenvlist = py3\n[flake8]\nmax-line-length = 99\n', 'pycodestyle'],
    ['pyproject.toml', '[tool.black]\nline-length = 88\n', undefined],
    ['setup.cfg', '[metadata]\nname = x\n', undefined],
  ];
  cases.forEach(([name, content, expected], index) => {
    write(`case${index}/${name}`, content);
    const file = write(`case${index}/pkg/job.py`, 'import grpc\n');
    assert.equal(projectImportLint(file, path.join(scratch, `case${index}`)), expected, `${name}: ${content}`);
  });
});

test('the configuration nearest to the file wins, and the search stops at the project root', () => {
  write('nested/pyproject.toml', '[tool.ruff]\n');
  write('nested/legacy/.flake8', '[flake8]\n');
  const legacy = write('nested/legacy/tool.py');
  const modern = write('nested/app/main.py');
  assert.equal(projectImportLint(legacy, path.join(scratch, 'nested')), 'pycodestyle');
  assert.equal(projectImportLint(modern, path.join(scratch, 'nested')), 'ruff');
  // A ruff.toml above the project root belongs to another project.
  write('outer/ruff.toml');
  const inner = write('outer/inner/job.py');
  assert.equal(projectImportLint(inner, path.join(scratch, 'outer', 'inner')), undefined);
});
