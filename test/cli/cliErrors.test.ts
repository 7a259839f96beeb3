// CLI tier: the CLI never shows a stack trace. A reader that goes away (`| head -1`) ends the run
// quietly; a full disk is one line and exit 2 (also with --exit-zero); an internal error is one
// line and exit 2, its stack only with --verbose; bad `exclude` entries are configuration
// messages naming the file and key, and never exclude everything.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { readClientSettings } from '../../server/src/lsp/settings';
import { makeExcludeMatcher } from '../../server/src/workspace/pythonFiles';
import { cliJs, repoRoot } from '../support/paths';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-clierrors-'));
const HAZARD = 'import os, grpc\nch = grpc.insecure_channel("x")\nos.fork()\n';
const STACK = /^\s+at |at .*\.js:\d+/m;

function folder(name: string): string {
  const dir = path.join(scratch, name);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

function run(args: string[], cwd: string, stdout: 'pipe' | number = 'pipe', cli = cliJs) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', timeout: 60_000, stdio: ['ignore', stdout, 'pipe'] });
  assert.equal(result.signal, null, `the CLI did not finish: ${result.stderr}`);
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A tree whose JSON report is far larger than a pipe's buffer. */
const bigTree = (() => {
  let dir: string | undefined;
  return () => {
    if (!dir) {
      dir = folder('big');
      for (let i = 0; i < 300; i++) fs.writeFileSync(path.join(dir, `m${i}.py`), HAZARD);
    }
    return dir;
  };
})();

after(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('output errors', () => {
  test('a reader that stops reading (| head -1) ends the run quietly', async () => {
    const dir = bigTree();
    const child = spawn(process.execPath, [cliJs, 'check', '.', '--format', 'json'], { cwd: dir, timeout: 60_000 });
    let stderr = '';
    let firstChunk = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.once('data', (chunk) => {
      firstChunk = String(chunk);
      child.stdout.destroy();
    });
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
    assert.equal(signal, null, 'the CLI hung or was killed');
    assert.ok(firstChunk.startsWith('['));
    assert.ok(code === 0 || code === 1, `exit ${code}`);
    assert.equal(stderr, '', 'nothing on stderr, no stack');
  });

  test('the same through a shell pipeline into head -1', () => {
    const dir = bigTree();
    const result = spawnSync('bash', ['-c', `"${process.execPath}" "${cliJs}" check . --format json 2>stderr.txt | head -1; echo "\${PIPESTATUS[0]}"`], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    assert.equal(result.signal, null);
    const [first, status] = result.stdout.trim().split('\n');
    assert.equal(first, '[');
    assert.ok(status === '0' || status === '1', `exit ${status}`);
    assert.equal(fs.readFileSync(path.join(dir, 'stderr.txt'), 'utf8'), '');
  });

  test('a full disk (> /dev/full) is one clear line and exit 2, also with --exit-zero', { skip: !fs.existsSync('/dev/full') }, () => {
    const dir = bigTree();
    for (const extra of [[], ['--exit-zero'], ['--statistics']]) {
      const full = fs.openSync('/dev/full', 'w');
      try {
        const result = run(['check', '.', ...extra], dir, full);
        assert.equal(result.code, 2, `${extra}: ${result.stderr}`);
        assert.equal(result.stderr, 'grpc-fork-guard: error: cannot write the output: no space left on the device\n');
      } finally {
        fs.closeSync(full);
      }
    }
  });

  test('an internal error is one line and exit 2; --verbose adds the stack', () => {
    // An install without its scan worker script: the scan itself fails, not the user's input.
    const install = folder('no-worker');
    fs.mkdirSync(path.join(install, 'dist'), { recursive: true });
    fs.cpSync(path.join(repoRoot, 'grammars'), path.join(install, 'grammars'), { recursive: true });
    fs.copyFileSync(cliJs, path.join(install, 'dist', 'cli.js'));
    const dir = folder('internal');
    fs.writeFileSync(path.join(dir, 'a.py'), HAZARD);
    const cli = path.join(install, 'dist', 'cli.js');
    const plain = run(['check', '.'], dir, 'pipe', cli);
    assert.equal(plain.code, 2);
    assert.equal(plain.stderr.trim().split('\n').length, 1, plain.stderr);
    assert.match(plain.stderr, /^grpc-fork-guard: error: internal error: .*\(run with --verbose for details\)\n$/);
    assert.doesNotMatch(plain.stderr, STACK);
    const verbose = run(['check', '.', '--verbose'], dir, 'pipe', cli);
    assert.equal(verbose.code, 2);
    assert.match(verbose.stderr, /internal error: /);
    assert.match(verbose.stderr, /^\s+at /m, 'the stack with --verbose');
  });
});

describe('bad exclude entries', () => {
  for (const [entry, message] of [
    ['', 'an empty pattern would exclude everything'],
    ['./', 'it names the project folder itself, which would exclude everything'],
    ['.', 'it names the project folder itself, which would exclude everything'],
    ['[abc', 'not a valid glob (Missing closing: "]")'],
    ['**', 'it matches every path, which would exclude everything'],
  ]) {
    test(`exclude = [${JSON.stringify(entry)}] is a configuration message; the entry is ignored`, () => {
      const dir = folder(`exclude-${Buffer.from(entry).toString('hex')}`);
      fs.writeFileSync(path.join(dir, 'pyproject.toml'), `[tool.grpc-fork-guard]\nexclude = [${JSON.stringify(entry)}, "skipme"]\n`);
      fs.writeFileSync(path.join(dir, 'a.py'), HAZARD);
      fs.mkdirSync(path.join(dir, 'skipme'));
      fs.writeFileSync(path.join(dir, 'skipme', 'b.py'), HAZARD);
      const result = run(['check', '.', '--format', 'json'], dir);
      assert.equal(result.code, 2);
      assert.equal(result.stderr, `grpc-fork-guard: configuration error in pyproject.toml (tool.grpc-fork-guard.exclude): entry ${JSON.stringify(entry)} ignored: ${message}\n`);
      // Not "exclude everything": a.py is still checked; the good entry still applies.
      assert.deepEqual((JSON.parse(result.stdout) as { path: string }[]).map((f) => f.path), ['a.py']);
    });
  }

  test('the editor settings report the same entries and drop them', () => {
    const settings = readClientSettings({ exclude: ['', 'build', '{a,b'] });
    assert.deepEqual(settings.layer.exclude, ['build']);
    assert.deepEqual(settings.problems, [
      'grpcForkGuard.exclude: entry "" ignored: an empty pattern would exclude everything',
      'grpcForkGuard.exclude: entry "{a,b" ignored: not a valid glob (Missing closing: "}")',
    ]);
  });

  test('the matcher itself never throws on a bad entry and never matches everything because of one', () => {
    const matches = makeExcludeMatcher(['', './', '[', 'build']);
    assert.equal(matches('app/main.py'), false);
    assert.equal(matches('build'), true);
  });
});
