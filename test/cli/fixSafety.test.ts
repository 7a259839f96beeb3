// CLI tier: `fix` never loses data. Real files in a temporary folder, compared by hash: the file's
// mode, owner, BOM and line endings survive; links are written through; a read-only file, a file
// that changed after it was read, a deleted file or an unwritable folder is reported in one line
// and left as it was; two runs at once leave every file either fixed or untouched.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { encodeLikeOriginal, rewriteFile } from '../../server/src/workspace/fileRewrite';
import { cliJs } from '../support/paths';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-fixsafety-'));
const HAZARD = 'import os, grpc\nch = grpc.insecure_channel("x")\nos.fork()\n';
const FIXED = 'import os, grpc\nch = grpc.insecure_channel("x")\nch.close()\nos.fork()\n';
const STACK = /at .*\.js:\d+|^\s+at /m;

function run(args: string[], cwd: string, extra: { uid?: number; gid?: number } = {}) {
  const result = spawnSync(process.execPath, [cliJs, ...args], { cwd, encoding: 'utf8', timeout: 120_000, ...extra });
  assert.equal(result.signal, null, `the CLI did not finish: ${result.stderr}`);
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function folder(name: string): string {
  const dir = path.join(scratch, name);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

function hash(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function hashOf(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

function leftovers(dir: string): string[] {
  return fs.readdirSync(dir).filter((name) => name.includes('.tmp'));
}

after(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('fix keeps what it does not change', () => {
  test('the file mode and owner are kept', () => {
    const dir = folder('mode');
    const file = path.join(dir, 'job.py');
    fs.writeFileSync(file, HAZARD);
    fs.chmodSync(file, 0o751);
    const asRoot = process.getuid?.() === 0;
    if (asRoot) fs.chownSync(file, 1234, 5678);
    const before = fs.statSync(file);
    const result = run(['fix', '.'], dir);
    assert.equal(result.code, 0, result.stderr);
    const afterFix = fs.statSync(file);
    assert.equal(fs.readFileSync(file, 'utf8'), FIXED);
    assert.equal(afterFix.mode & 0o7777, 0o751);
    assert.notEqual(afterFix.ino, before.ino, 'replaced by a rename, not rewritten in place');
    if (asRoot) assert.deepEqual([afterFix.uid, afterFix.gid], [1234, 5678]);
    assert.deepEqual(leftovers(dir), []);
  });

  test('CRLF line endings and the UTF-8 BOM are kept', () => {
    const dir = folder('encoding');
    fs.writeFileSync(path.join(dir, 'crlf.py'), HAZARD.replace(/\n/g, '\r\n'));
    fs.writeFileSync(path.join(dir, 'bom.py'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(HAZARD)]));
    fs.writeFileSync(path.join(dir, 'lf.py'), HAZARD);
    const result = run(['fix', '.'], dir);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(hash(path.join(dir, 'crlf.py')), hashOf(FIXED.replace(/\n/g, '\r\n')));
    assert.equal(hash(path.join(dir, 'bom.py')), hashOf(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(FIXED)])));
    assert.equal(hash(path.join(dir, 'lf.py')), hashOf(FIXED));
  });

  test('lone-CR line endings are kept by the encoder the fix writes with', () => {
    const original = 'a = 1\rb = 2\r';
    const encoded = encodeLikeOriginal(Buffer.from(original), original, 'a = 1\rnew()\nb = 2\r');
    assert.equal(encoded.toString('utf8'), 'a = 1\rnew()\rb = 2\r');
    // Mixed endings are left as the fix made them: there is no single style to keep.
    const mixed = 'a\r\nb\n';
    assert.equal(encodeLikeOriginal(Buffer.from(mixed), mixed, 'a\r\nx\nb\n').toString(), 'a\r\nx\nb\n');
  });

  test('a symbolic link is written through: the link stays a link and its target is fixed', () => {
    const dir = folder('symlink');
    fs.writeFileSync(path.join(dir, 'real.txt'), HAZARD);
    fs.symlinkSync('real.txt', path.join(dir, 'linked.py'));
    const result = run(['fix', 'linked.py'], dir);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(fs.lstatSync(path.join(dir, 'linked.py')).isSymbolicLink());
    assert.equal(fs.readlinkSync(path.join(dir, 'linked.py')), 'real.txt');
    assert.equal(hash(path.join(dir, 'real.txt')), hashOf(FIXED));
    assert.deepEqual(leftovers(dir), []);
  });

  test('a hard-linked file is written in place, keeping the link, and says so', () => {
    const dir = folder('hardlink');
    fs.writeFileSync(path.join(dir, 'a.py'), HAZARD);
    fs.linkSync(path.join(dir, 'a.py'), path.join(dir, 'b.py'));
    const inode = fs.statSync(path.join(dir, 'a.py')).ino;
    const result = run(['fix', '.'], dir);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /a\.py: written in place to keep its other hard links/);
    assert.equal(fs.statSync(path.join(dir, 'a.py')).ino, inode);
    assert.equal(fs.statSync(path.join(dir, 'b.py')).ino, inode);
    assert.equal(hash(path.join(dir, 'b.py')), hashOf(FIXED));
    assert.doesNotMatch(result.stderr, /not fixed/, 'the second name of the same file is not a failure');
  });
});

describe('fix reports what it cannot do, and changes nothing there', () => {
  test('a read-only file is reported, not forced', () => {
    const dir = folder('readonly');
    const file = path.join(dir, 'ro.py');
    fs.writeFileSync(file, HAZARD);
    fs.chmodSync(file, 0o444);
    const result = run(['fix', '.'], dir);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^grpc-fork-guard: error: ro\.py not fixed \(left unchanged\): the file is read-only$/m);
    assert.equal(hash(file), hashOf(HAZARD));
    assert.equal(fs.statSync(file).mode & 0o777, 0o444);
    assert.doesNotMatch(result.stderr, STACK);
  });

  test('a folder that cannot be written to is reported in one line, and no temporary file is left', () => {
    // Root may write anywhere: the CLI then runs as nobody over files nobody owns.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-rofolder-'));
    try {
      fs.writeFileSync(path.join(dir, 'job.py'), HAZARD);
      const asRoot = process.getuid?.() === 0;
      if (asRoot) fs.chownSync(path.join(dir, 'job.py'), 65534, 65534);
      if (asRoot) fs.chownSync(dir, 65534, 65534);
      fs.chmodSync(dir, 0o555);
      const result = run(['fix', '.'], dir, asRoot ? { uid: 65534, gid: 65534 } : {});
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /^grpc-fork-guard: error: job\.py not fixed \(left unchanged\): cannot create a file in its folder: permission denied$/m);
      assert.doesNotMatch(result.stderr, STACK);
      assert.equal(hash(path.join(dir, 'job.py')), hashOf(HAZARD));
      assert.deepEqual(leftovers(dir), []);
    } finally {
      fs.chmodSync(dir, 0o755);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a file changed between read and write is not overwritten, and the temporary file is removed', () => {
    const dir = folder('changed');
    const file = path.join(dir, 'job.py');
    fs.writeFileSync(file, HAZARD);
    const read = fs.readFileSync(file);
    // Someone saves the file while the fix is being computed.
    fs.writeFileSync(file, `${HAZARD}# edited meanwhile\n`);
    const result = rewriteFile(file, read, Buffer.from(FIXED));
    assert.deepEqual(result, { notWritten: 'it changed since it was read' });
    assert.equal(hash(file), hashOf(`${HAZARD}# edited meanwhile\n`));
    assert.deepEqual(fs.readdirSync(dir), ['job.py']);
  });

  test('the same holds for a hard-linked file written in place', () => {
    const dir = folder('changed-hardlink');
    const file = path.join(dir, 'job.py');
    fs.writeFileSync(file, HAZARD);
    fs.linkSync(file, path.join(dir, 'other.py'));
    const read = fs.readFileSync(file);
    fs.writeFileSync(file, 'x = 1\n');
    assert.deepEqual(rewriteFile(file, read, Buffer.from(FIXED)), { notWritten: 'it changed since it was read' });
    assert.equal(hash(path.join(dir, 'other.py')), hashOf('x = 1\n'));
  });

  test('a file deleted after it was read is reported, not recreated', () => {
    const dir = folder('deleted');
    const file = path.join(dir, 'job.py');
    fs.writeFileSync(file, HAZARD);
    const read = fs.readFileSync(file);
    fs.rmSync(file);
    const result = rewriteFile(file, read, Buffer.from(FIXED));
    assert.ok('notWritten' in result && /does not exist/.test(result.notWritten), JSON.stringify(result));
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  test('a file replaced by a FIFO after it was read is reported without blocking', () => {
    const dir = folder('became-fifo');
    const file = path.join(dir, 'job.py');
    fs.writeFileSync(file, HAZARD);
    const read = fs.readFileSync(file);
    fs.rmSync(file);
    spawnSync('mkfifo', [file]);
    assert.deepEqual(rewriteFile(file, read, Buffer.from(FIXED)), { notWritten: 'no longer a regular file' });
    assert.ok(fs.statSync(file).isFIFO());
  });

  test('a successful rewrite leaves no temporary file and the new bytes exactly', () => {
    const dir = folder('plain');
    const file = path.join(dir, 'job.py');
    fs.writeFileSync(file, HAZARD);
    assert.deepEqual(rewriteFile(file, fs.readFileSync(file), Buffer.from(FIXED)), { written: 'replaced' });
    assert.deepEqual(fs.readdirSync(dir), ['job.py']);
    assert.equal(hash(file), hashOf(FIXED));
  });
});

describe('two fix runs at once', () => {
  test('leave every file either fixed or untouched, never truncated or mixed', { timeout: 240_000 }, async () => {
    const dir = folder('concurrent');
    const count = 150;
    for (let i = 0; i < count; i++) fs.writeFileSync(path.join(dir, `m${i}.py`), HAZARD);
    const start = () => new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [cliJs, 'fix', '.'], { cwd: dir, timeout: 200_000 });
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    const results = await Promise.all([start(), start()]);
    for (const result of results) {
      assert.ok(result.code === 0 || result.code === 2, `exit ${result.code}: ${result.stderr}`);
      assert.doesNotMatch(result.stderr, /internal error/);
      // A run that lost the race says so for that file and leaves it to the other run.
      for (const line of result.stderr.split('\n').filter((l) => l.includes('not fixed'))) assert.match(line, /it changed since it was read|replaced while being read/);
    }
    const allowed = new Set([hashOf(HAZARD), hashOf(FIXED)]);
    for (let i = 0; i < count; i++) assert.ok(allowed.has(hash(path.join(dir, `m${i}.py`))), `m${i}.py is neither the original nor the fix`);
    // Each file was fixed by one run or the other.
    for (let i = 0; i < count; i++) assert.equal(hash(path.join(dir, `m${i}.py`)), hashOf(FIXED));
    assert.deepEqual(leftovers(dir), []);
  });
});
