// CLI tier: the bundled `dist/cli.js` as CI would run it.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { cliJs, examplesDir, repoRoot } from '../support/paths';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-cli-'));

function run(args: string[], cwd = scratch) {
  const result = spawnSync(process.execPath, [cliJs, ...args], { cwd, encoding: 'utf8', timeout: 170_000, maxBuffer: 64 * 1024 * 1024 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function write(relative: string, content: string | Buffer): string {
  const file = path.join(scratch, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

after(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('grpc-fork-guard check', () => {
  test('exits 0 and says so on a clean file', () => {
    write('clean/ok.py', 'import grpc\n\ndef main():\n    return grpc.insecure_channel("x")\n');
    const result = run(['check', 'clean/ok.py']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /All checks passed!/);
  });

  test('exits 1 with Ruff-style lines when there are findings', () => {
    const result = run(['check', 'examples/pool_worker_channel.py'], repoRoot);
    assert.equal(result.code, 1, result.stderr);
    const lines = result.stdout.trim().split('\n');
    assert.match(lines[0], /^examples\/pool_worker_channel\.py:8:11: GF101 gRPC channel `channel` is created before the fork at line 19/);
    assert.match(lines[1], /^examples\/pool_worker_channel\.py:14:12: GF102 /);
    assert.equal(lines.at(-1), 'Found 2 problems.');
  });

  test('--format json prints one array in the documented shape', () => {
    const result = run(['check', 'examples/pool_worker_channel.py', '--format', 'json'], repoRoot);
    assert.equal(result.code, 1);
    const findings = JSON.parse(result.stdout);
    assert.ok(Array.isArray(findings));
    assert.equal(findings.length, 2);
    const [first] = findings;
    assert.deepEqual(Object.keys(first).sort(), ['code', 'fixes', 'message', 'path', 'range', 'related', 'severity']);
    assert.equal(first.path, 'examples/pool_worker_channel.py');
    assert.equal(first.code, 'GF101');
    assert.equal(first.severity, 'warning');
    assert.deepEqual(first.range, { start: { line: 7, character: 10 }, end: { line: 7, character: 39 } });
    assert.deepEqual(first.related[0].range.start, { line: 18, character: 9 });
    assert.equal(first.related[0].path, 'examples/pool_worker_channel.py');
    assert.ok(first.fixes.includes('Ignore GF101 for this line'));
  });

  test('a directory is scanned recursively and excluded folders are skipped', () => {
    write('tree/app/jobs.py', 'import os, grpc\nch = grpc.insecure_channel("x")\nos.fork()\n');
    write('tree/.venv/lib/site.py', 'import os, grpc\nch = grpc.insecure_channel("x")\nos.fork()\n');
    const result = run(['check', 'tree', '--format', 'json']);
    assert.equal(result.code, 1);
    assert.deepEqual(JSON.parse(result.stdout).map((f: { path: string }) => f.path), ['tree/app/jobs.py']);
  });

  test('a path that does not exist exits 2 with a clear message', () => {
    const result = run(['check', 'no/such/file.py']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /path does not exist: no\/such\/file\.py/);
  });

  test('usage errors exit 2', () => {
    assert.equal(run(['check', '--format', 'xml']).code, 2);
    assert.equal(run(['check', '--select', 'E501']).code, 2);
    assert.equal(run(['lint']).code, 2);
    assert.match(run(['check', '--format', 'xml']).stderr, /unknown format "xml"/);
  });

  test('a file that is not UTF-8 is skipped with a warning, not a crash', () => {
    write('latin1/old.py', Buffer.from([0x23, 0x20, 0xe9, 0xe8, 0x0a, 0x78, 0x20, 0x3d, 0x20, 0x31, 0x0a]));
    write('latin1/bad.py', 'import os, grpc\nch = grpc.insecure_channel("x")\nos.fork()\n');
    const result = run(['check', 'latin1', '--format', 'json']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /latin1\/old\.py skipped: not valid UTF-8/);
    assert.equal(JSON.parse(result.stdout).length, 1);
  });

  test('--select and --ignore filter rules, with prefixes', () => {
    assert.equal(run(['check', 'examples', '--select', 'GF203', '--format', 'json'], repoRoot).stdout.includes('GF101'), false);
    const ignored = JSON.parse(run(['check', 'examples', '--ignore', 'GF1', '--format', 'json'], repoRoot).stdout);
    assert.ok(ignored.length > 0 && ignored.every((f: { code: string }) => !f.code.startsWith('GF1')));
  });

  test('--target-python 3.14 stops reporting the default start method on Linux; os.fork still counts', () => {
    write('version/pool.py', 'import grpc\nfrom multiprocessing import Pool\nch = grpc.insecure_channel("x")\nPool(2)\n');
    assert.equal(run(['check', 'version/pool.py']).code, 1);
    assert.equal(run(['check', 'version/pool.py', '--target-python', '3.14']).code, 0);
    assert.equal(run(['check', 'version/pool.py', '--target-platform', 'darwin']).code, 0);
  });

  test('bad configuration names the file and key, still reports, and exits 2', () => {
    write('badconf/pyproject.toml', '[tool.grpc-fork-guard]\nignore = ["GF999"]\ncolour = "blue"\nselect = ["GF1"]\n');
    write('badconf/a.py', 'import os, grpc\nch = grpc.insecure_channel("x")\nos.fork()\n');
    const result = run(['check', 'badconf']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /configuration error in badconf\/pyproject\.toml \(tool\.grpc-fork-guard\.ignore\): unknown rule code "GF999"/);
    assert.match(result.stderr, /\(tool\.grpc-fork-guard\.colour\): unknown key/);
    assert.match(result.stdout, /GF101/);
  });

  test('invalid TOML is reported once with the file name', () => {
    write('badtoml/pyproject.toml', '[tool.grpc-fork-guard\nselect = 1\n');
    write('badtoml/a.py', 'x = 1\n');
    const result = run(['check', 'badtoml']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /badtoml\/pyproject\.toml: invalid TOML/);
  });

  test('a missing or corrupt grammar gives one clear error and exit 2, not a crash', () => {
    const install = path.join(scratch, 'broken-install');
    fs.mkdirSync(path.join(install, 'dist'), { recursive: true });
    fs.mkdirSync(path.join(install, 'grammars'), { recursive: true });
    fs.copyFileSync(cliJs, path.join(install, 'dist', 'cli.js'));
    write('grammar/a.py', 'x = 1\n');
    const missing = spawnSync(process.execPath, [path.join(install, 'dist', 'cli.js'), 'check', 'grammar'], { cwd: scratch, encoding: 'utf8' });
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /grammar could not be loaded: .*tree-sitter\.wasm is missing/);
    fs.copyFileSync(path.join(repoRoot, 'grammars', 'tree-sitter.wasm'), path.join(install, 'grammars', 'tree-sitter.wasm'));
    fs.writeFileSync(path.join(install, 'grammars', 'tree-sitter-python.wasm'), 'not wasm');
    const corrupt = spawnSync(process.execPath, [path.join(install, 'dist', 'cli.js'), 'check', 'grammar'], { cwd: scratch, encoding: 'utf8' });
    assert.equal(corrupt.status, 2);
    assert.match(corrupt.stderr, /grammar could not be loaded from .*may be corrupt/);
    assert.doesNotMatch(corrupt.stderr, /at .*\.js:\d+/, 'no stack trace for a user-facing error');
  });

  test('reports nothing on Debian\'s Python standard library (a large real-world negative corpus)', { timeout: 180_000 }, () => {
    const stdlib = '/usr/lib/python3.11';
    assert.ok(fs.existsSync(stdlib), `${stdlib} is missing: this test expects Debian 12's python3.11`);
    const result = run(['check', stdlib, '--format', 'json']);
    const findings = JSON.parse(result.stdout) as { path: string; code: string; range: { start: { line: number } } }[];
    assert.deepEqual(findings.map((f) => `${f.path}:${f.range.start.line + 1} ${f.code}`), []);
    assert.equal(result.code, 0, result.stderr);
  });

  test('the examples folder reports every implemented hazard and leaves the safe example clean', () => {
    const findings = JSON.parse(run(['check', examplesDir, '--format', 'json']).stdout) as { path: string; code: string }[];
    assert.ok(!findings.some((f) => f.path.endsWith('safe_pool_initializer.py')));
    for (const code of ['GF101', 'GF102', 'GF103', 'GF201', 'GF203', 'GF204']) {
      assert.ok(findings.some((f) => f.code === code), `no ${code} in examples`);
    }
  });
});
