// Every reader of file content runs in linear time: each case feeds one reader ~200 KB shaped to
// make a backtracking regular expression (or a rescanning loop) take minutes, in a child process
// with a time limit, so a regression fails the test by timing out instead of hanging the run.
// The cases reuse this bundle: the child runs one case (GF_LINEAR_CASE) and exits.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { Analyzer } from '../../server/src/engine/analyzer';
import { defaultConfig } from '../../server/src/engine/config';
import { nestingRefusal } from '../../server/src/engine/nestingDepth';
import { importedModules } from '../../server/src/workspace/diskModules';
import { readImports } from '../../server/src/engine/importReader';
import { codeRunnerFactOf, preforkRunners } from '../../server/src/workspace/preforkRunners';
import { grammarDir } from '../support/paths';

const N = 200_000;

/** Each case returns something to check, so that a reader that gives up early also fails. */
const CASES: Record<string, () => Promise<unknown> | unknown> = {
  // The pre-filter's `from ... import` reader: dotted words that end in a word no dot joins.
  fromReader: () => readImports(Buffer.from(`from x${'.x'.repeat(N / 2)} y import z\n`)).length,
  fromReaderBlanks: () => readImports(Buffer.from(`from ${' . x'.repeat(N / 4)} y import z\n`)).length,
  // Backslash continuations: one logical line of many statements, each rescanned by a naive reader.
  continuedImports: () => readImports(Buffer.from(`import a${', b \\\n'.repeat(N / 5)}\n`)).length,
  continuedPrefix: () => readImports(Buffer.from(`${'x = 1 \\\n'.repeat(N / 8)}from m import n\n`)),
  continuedImportLines: () => readImports(Buffer.from(`${'import a \\\n'.repeat(N / 11)}\n`)).length,
  manyImportsOneLine: () => readImports(Buffer.from(`${'import a;'.repeat(N / 9)}\n`)).length,
  importWords: () => readImports(Buffer.from(`${'import '.repeat(N / 7)}\n`)).length,
  // The file-level directive: a code list of blanks that ends in a character the list cannot hold.
  suppressionDirective: async () => {
    const analyzer = await Analyzer.create(grammarDir);
    const text = `# grpc-fork-guard: disable=A${' '.repeat(N)}!\nimport os, grpc\nch = grpc.insecure_channel("x")\nos.fork()\n`;
    return analyzer.analyze('/p/x.py', text, defaultConfig()).findings.map((f) => f.code);
  },
  // diskModules' import reader: blanks between `from` and something that is no module.
  diskImportReader: () => importedModules(`from${' '.repeat(N)}x\nimport y\n`),
  // The Celery / Functions Framework hint: many blank lines (a multi-line `^\s*` rescans them).
  codeRunnerHint: () => codeRunnerFactOf('/p/tasks.py', `${'\n'.repeat(N)}task = 1\n`) ?? 'none',
  // Command files and uwsgi.ini: blanks, then a line separator that `.` cannot match.
  commandFiles: () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-linear-'));
    try {
      fs.writeFileSync(path.join(root, 'Dockerfile'), `CMD${' '.repeat(N)}x\u2028y\n`);
      fs.writeFileSync(path.join(root, 'Procfile'), `web:${' '.repeat(N)}x\u2028y\n${'a \\\n'.repeat(N / 4)}\n`);
      fs.writeFileSync(path.join(root, 'docker-compose.yml'), `  command:${' '.repeat(N)}x\u2028y\n`);
      fs.writeFileSync(path.join(root, 'uwsgi.ini'), `[uwsgi]\nmodule=${' '.repeat(N)}x\u2028y\n`);
      return preforkRunners(root, root, []).length;
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  },
  nestingGuard: () => nestingRefusal(`${'(['.repeat(N / 4)}${'"'.repeat(N / 2)}`) ?? 'none',
};

const chosen = process.env.GF_LINEAR_CASE;
if (chosen) {
  void Promise.resolve(CASES[chosen]()).then((result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  }, (error) => {
    process.stderr.write(`${(error as Error).stack}\n`);
    process.exit(1);
  });
} else {
  describe('readers of file content run in linear time', () => {
    for (const name of Object.keys(CASES)) {
      test(name, () => {
        // A linear reader needs well under a second; a quadratic one, minutes.
        const result = spawnSync(process.execPath, [__filename], { env: { ...process.env, GF_LINEAR_CASE: name }, encoding: 'utf8', timeout: 30_000 });
        assert.equal(result.signal, null, `${name} did not finish within 30 s: a reader backtracks or rescans`);
        assert.equal(result.status, 0, result.stderr);
        assert.ok(result.stdout.trim().length > 0);
      });
    }
  });

  test('the rewritten readers still read what they read before', () => {
    assert.ok(readImports(Buffer.from('from a . b import c\n')).includes('a.b.c'));
    assert.ok(readImports(Buffer.from('try:from r import s\n')).includes('r.s'));
    assert.ok(readImports(Buffer.from('x = 1; from m import n\n')).includes('m.n'));
    assert.ok(!readImports(Buffer.from('from a b import c\n')).includes('a.c'));
    const modules = importedModules('from .pkg import a, b\nimport c.d as e\n');
    for (const module of ['.pkg', '.pkg.a', '.pkg.b', 'c.d']) assert.ok(modules.includes(module), module);
    assert.equal(codeRunnerFactOf('/p/tasks.py', '\n\n   from celery import Celery\n')?.runner, 'celery');
  });
}
