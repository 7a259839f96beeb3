// CLI tier: only regular files are read. FIFOs, sockets and devices (directly or behind a symbolic
// link) are skipped with a warning and never opened for a blocking read; every run here is bounded
// by a timeout, so a hang fails the test. Also: folders named x.py, symbolic link loops, links out
// of the scanned folder, files deleted during a scan, odd file names, an oversized pyproject.toml.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { readSourceFile, readTextFile } from '../../server/src/workspace/textFiles';
import { cliJs } from '../support/paths';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-special-'));
const HAZARD = 'import os, grpc\nch = grpc.insecure_channel("x")\nos.fork()\n';
const STACK = /^\s+at |at .*\.js:\d+/m;

function run(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [cliJs, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  assert.equal(result.signal, null, `the CLI hung and was killed: ${result.stderr}`);
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function folder(name: string): string {
  const dir = path.join(scratch, name);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

function mkfifo(file: string): void {
  const made = spawnSync('mkfifo', [file]);
  assert.equal(made.status, 0, 'mkfifo failed');
}

function findingPaths(stdout: string): string[] {
  return (JSON.parse(stdout) as { path: string }[]).map((f) => f.path).sort();
}

after(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('special files', () => {
  test('a FIFO named .py in a scanned folder is skipped with a warning, and the scan finishes', () => {
    const dir = folder('fifo-tree');
    fs.writeFileSync(path.join(dir, 'real.py'), HAZARD);
    mkfifo(path.join(dir, 'pipe.py'));
    const result = run(['check', '.', '--format', 'json'], dir);
    assert.equal(result.code, 1, result.stderr);
    assert.deepEqual(findingPaths(result.stdout), ['real.py']);
    assert.match(result.stderr, /warning: pipe\.py skipped: not a regular file \(a FIFO\)/);
  });

  test('a FIFO named on the command line is skipped, not opened for a blocking read', () => {
    const dir = folder('fifo-named');
    mkfifo(path.join(dir, 'pipe.py'));
    fs.writeFileSync(path.join(dir, 'real.py'), HAZARD);
    const result = run(['check', 'pipe.py', 'real.py'], dir);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /warning: pipe\.py skipped: not a regular file \(a FIFO\)/);
    assert.match(result.stdout, /real\.py:2:6: GF101/);
    const fixed = run(['fix', 'pipe.py'], dir);
    assert.equal(fixed.code, 0, fixed.stderr);
  });

  test('evil.py -> /dev/zero is skipped, in a folder and named', () => {
    const dir = folder('devzero');
    fs.symlinkSync('/dev/zero', path.join(dir, 'evil.py'));
    fs.writeFileSync(path.join(dir, 'real.py'), HAZARD);
    const scanned = run(['check', '.'], dir);
    assert.equal(scanned.code, 1, scanned.stderr);
    assert.match(scanned.stderr, /warning: evil\.py skipped: a symbolic link to a character device, not followed/);
    const named = run(['check', 'evil.py'], dir);
    assert.equal(named.code, 0, named.stderr);
    assert.match(named.stderr, /warning: evil\.py skipped: not a regular file \(a character device\)/);
  });

  test('a socket named .py is skipped', async () => {
    const dir = folder('socket');
    const socketPath = path.join(dir, 'sock.py');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    try {
      const child = spawn(process.execPath, [cliJs, 'check', '.'], { cwd: dir, timeout: 60_000 });
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
      assert.equal(signal, null, 'the CLI hung');
      assert.equal(code, 0, stderr);
      assert.match(stderr, /warning: sock\.py skipped: not a regular file \(a socket\)/);
    } finally {
      server.close();
    }
  });

  test('pyproject.toml and .gitignore that are FIFOs do not hang the scan', () => {
    const dir = folder('fifo-config');
    fs.mkdirSync(path.join(dir, '.git'));
    mkfifo(path.join(dir, 'pyproject.toml'));
    mkfifo(path.join(dir, '.gitignore'));
    fs.writeFileSync(path.join(dir, 'real.py'), HAZARD);
    const result = run(['check', '.'], dir);
    assert.equal(result.code, 2, 'an unreadable pyproject.toml is a configuration error');
    assert.match(result.stderr, /configuration error in pyproject\.toml: not read: not a regular file \(a FIFO\)/);
    assert.match(result.stdout, /real\.py:2:6: GF101/);
  });

  test('runner files that are FIFOs (Procfile, gunicorn.conf.py) are not read', () => {
    const dir = folder('fifo-runner');
    mkfifo(path.join(dir, 'Procfile'));
    mkfifo(path.join(dir, 'gunicorn.conf.py'));
    fs.symlinkSync('/dev/zero', path.join(dir, 'Dockerfile'));
    fs.writeFileSync(path.join(dir, 'app.py'), 'import grpc\nch = grpc.insecure_channel("x")\n');
    const result = run(['check', 'app.py'], dir);
    assert.equal(result.code, 0, result.stderr);
  });

  test('an imported module that is a FIFO is not read', () => {
    const dir = folder('fifo-import');
    mkfifo(path.join(dir, 'helpers.py'));
    fs.writeFileSync(path.join(dir, 'main.py'), `import helpers\n${HAZARD}`);
    const result = run(['check', 'main.py'], dir);
    assert.equal(result.code, 1, result.stderr);
  });
});

describe('odd trees', () => {
  test('a folder named x.py is not read as a file', () => {
    const dir = folder('dir-py');
    fs.mkdirSync(path.join(dir, 'pkg.py'));
    fs.writeFileSync(path.join(dir, 'pkg.py', 'inner.py'), HAZARD);
    fs.writeFileSync(path.join(dir, 'main.py'), 'import pkg\nx = 1\n');
    const result = run(['check', '.', '--format', 'json'], dir);
    assert.equal(result.code, 1, result.stderr);
    assert.deepEqual(findingPaths(result.stdout), ['pkg.py/inner.py']);
    assert.doesNotMatch(result.stderr, /error/);
  });

  test('symbolic link loops do not hang and are reported', () => {
    const dir = folder('loops');
    fs.symlinkSync('b.py', path.join(dir, 'a.py'));
    fs.symlinkSync('a.py', path.join(dir, 'b.py'));
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.symlinkSync('..', path.join(dir, 'sub', 'up'));
    fs.writeFileSync(path.join(dir, 'sub', 'real.py'), HAZARD);
    const result = run(['check', '.', '--format', 'json'], dir);
    assert.equal(result.code, 1, result.stderr);
    assert.deepEqual(findingPaths(result.stdout), ['sub/real.py']);
    assert.match(result.stderr, /a\.py skipped: a symbolic link loop/);
    const named = run(['check', 'a.py'], dir);
    assert.equal(named.code, 2);
    assert.equal(named.stderr, 'grpc-fork-guard: error: a.py: a symbolic link loop\n');
  });

  test('a symbolic link out of the scanned folder is not followed', () => {
    const outside = folder('outside');
    fs.writeFileSync(path.join(outside, 'secret.py'), HAZARD);
    const dir = folder('inside');
    fs.symlinkSync(path.join(outside, 'secret.py'), path.join(dir, 'leak.py'));
    fs.symlinkSync(outside, path.join(dir, 'linkdir'));
    fs.writeFileSync(path.join(dir, 'ok.py'), 'x = 1\n');
    const result = run(['check', '.', '--format', 'json'], dir);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(findingPaths(result.stdout), []);
    assert.match(result.stderr, /leak\.py skipped: a symbolic link leading outside the scanned folder, not followed/);
  });

  test('an imported module behind a link out of the project is not read', () => {
    const outside = folder('outside-module');
    fs.writeFileSync(path.join(outside, 'helpers.py'), 'x = 1\n');
    const project = folder('project-with-link');
    fs.writeFileSync(path.join(project, 'pyproject.toml'), '[project]\nname = "p"\n');
    fs.symlinkSync(path.join(outside, 'helpers.py'), path.join(project, 'helpers.py'));
    fs.writeFileSync(path.join(project, 'inside.py'), 'x = 1\n');
    assert.deepEqual(readTextFile(path.join(project, 'helpers.py'), { maxBytes: 1000, within: project }), { refused: 'a symbolic link leading outside the project' });
    assert.ok('text' in readTextFile(path.join(project, 'inside.py'), { maxBytes: 1000, within: project }));
    // A module found outside the project by its own path (an importer's folder) is still read.
    assert.ok('text' in readTextFile(path.join(outside, 'helpers.py'), { maxBytes: 1000, within: project }));
  });

  test('the analysis does not follow an import through a link out of the project', () => {
    const outside = folder('outside-clients');
    fs.writeFileSync(path.join(outside, 'clients.py'), 'import grpc\nchannel = grpc.insecure_channel("x")\n');
    const linked = folder('linked-project');
    fs.writeFileSync(path.join(linked, 'pyproject.toml'), '[project]\nname = "p"\n');
    fs.symlinkSync(path.join(outside, 'clients.py'), path.join(linked, 'clients.py'));
    fs.writeFileSync(path.join(linked, 'main.py'), 'import os\nimport clients\nos.fork()\n');
    // The same project with a real copy of the module reports the import-time channel.
    const copied = folder('copied-project');
    fs.writeFileSync(path.join(copied, 'pyproject.toml'), '[project]\nname = "p"\n');
    fs.copyFileSync(path.join(outside, 'clients.py'), path.join(copied, 'clients.py'));
    fs.writeFileSync(path.join(copied, 'main.py'), 'import os\nimport clients\nos.fork()\n');
    assert.equal(run(['check', 'main.py'], copied).code, 1);
    const result = run(['check', 'main.py'], linked);
    assert.equal(result.code, 0, result.stdout);
  });

  test('paths with spaces and newlines work; a name that is not UTF-8 is reported, not a crash', () => {
    const dir = folder('names');
    fs.writeFileSync(path.join(dir, 'with space.py'), HAZARD);
    fs.writeFileSync(path.join(dir, 'new\nline.py'), HAZARD);
    fs.writeFileSync(Buffer.concat([Buffer.from(`${dir}/bad`), Buffer.from([0xff]), Buffer.from('.py')]), HAZARD);
    const result = run(['check', '.', '--format', 'json'], dir);
    assert.equal(result.code, 1, result.stderr);
    assert.deepEqual(findingPaths(result.stdout), ['new\nline.py', 'with space.py']);
    assert.match(result.stderr, /bad\uFFFD\.py skipped: its name is not valid UTF-8/);
    const fixed = run(['fix', '.'], dir);
    assert.equal(fixed.code, 0, fixed.stderr);
    assert.match(fs.readFileSync(path.join(dir, 'new\nline.py'), 'utf8'), /ch\.close\(\)/);
  });

  test('files deleted and created during a scan do not crash it', { timeout: 180_000 }, async () => {
    const dir = folder('churn');
    for (let i = 0; i < 400; i++) fs.writeFileSync(path.join(dir, `f${i}.py`), i % 7 === 0 ? HAZARD : 'x = 1\n');
    // A second process deletes and recreates files for as long as the scan runs.
    const churn = spawn(process.execPath, ['-e', `
      const fs = require('fs'), path = require('path');
      const dir = ${JSON.stringify(dir)};
      for (let round = 0; ; round++) for (let i = 0; i < 400; i++) {
        const f = path.join(dir, 'f' + i + '.py');
        try { if ((i + round) % 2) fs.rmSync(f, { force: true }); else fs.writeFileSync(f, 'import grpc\\n'); } catch {}
        try { fs.writeFileSync(path.join(dir, 'new' + (i % 50) + '.py'), 'y = 2\\n'); } catch {}
      }`], { stdio: 'ignore' });
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        const child = spawn(process.execPath, [cliJs, 'check', '.', '--format', 'json'], { cwd: dir, timeout: 60_000 });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk) => (stdout += chunk));
        child.stderr.on('data', (chunk) => (stderr += chunk));
        const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
        assert.equal(signal, null, 'the scan hung');
        assert.ok(code === 0 || code === 1, `exit ${code}: ${stderr}`);
        assert.doesNotMatch(stderr, /internal error/);
        assert.ok(Array.isArray(JSON.parse(stdout)));
      }
    } finally {
      churn.kill();
    }
  });

  test('a file deleted between listing and reading is skipped with a reason', () => {
    const dir = folder('gone');
    const read = readSourceFile(path.join(dir, 'never-there.py'));
    assert.deepEqual(read, { refused: 'does not exist (deleted?)' });
  });

  test('a 10 MB pyproject.toml is refused with a clear message', () => {
    const dir = folder('bigconf');
    fs.writeFileSync(path.join(dir, 'pyproject.toml'), `[tool.grpc-fork-guard]\nselect = ["GF1"]\n${'# padding\n'.repeat(1024 * 1024)}`);
    fs.writeFileSync(path.join(dir, 'a.py'), HAZARD);
    const result = run(['check', '.'], dir);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^grpc-fork-guard: configuration error in pyproject\.toml: not read: larger than 1 MB$/m);
    assert.match(result.stdout, /a\.py:2:6: GF101/);
    assert.doesNotMatch(result.stderr, STACK);
  });
});
