// CLI tier: a source file in the encoding its PEP 263 comment declares is read as Python reads it
// (checked, and fixed in that same encoding when it is Latin-1); an encoding the fix cannot write
// back leaves the file untouched with a reason; an unknown one is named. A file with a syntax
// error says where, and still gets the findings of the parts that parse.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { cliJs } from '../support/paths';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-encodings-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

function run(args: string[]) {
  const result = spawnSync(process.execPath, [cliJs, ...args], { cwd: scratch, encoding: 'utf8', timeout: 60_000 });
  assert.equal(result.signal, null, `the CLI hung and was killed: ${result.stderr}`);
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function write(name: string, latin1Text: string): string {
  const file = path.join(scratch, name);
  fs.writeFileSync(file, Buffer.from(latin1Text, 'latin1'));
  return file;
}

const BODY = 'import grpc, os\nchannel = grpc.insecure_channel("x")\nos.fork()\n';

test('a Latin-1 file is checked, and fixed in Latin-1', () => {
  const file = write('latin.py', `# -*- coding: latin-1 -*-\nname = "Jos\xe9"\n${BODY}`);
  const checked = run(['check', '--output-format', 'concise', 'latin.py']);
  assert.equal(checked.code, 1, checked.stderr);
  assert.match(checked.stdout, /latin\.py:4:11: GF101/);
  const fixed = run(['fix', '--unsafe-fixes', 'latin.py']);
  assert.equal(fixed.code, 0, fixed.stderr);
  const bytes = fs.readFileSync(file);
  assert.ok(bytes.includes(Buffer.from('"Jos\xe9"', 'latin1')), 'the Latin-1 byte of é was not kept');
  assert.match(bytes.toString('latin1'), /channel\.close\(\)/);
  assert.equal(run(['check', 'latin.py']).code, 0);
});

test('a file in an encoding fixes cannot write back is checked and left untouched by fix, with the reason', () => {
  const file = write('sjis.py', `# coding: shift_jis\nname = "\x82\xa0"\n${BODY}`);
  const before = fs.readFileSync(file);
  assert.match(run(['check', '--output-format', 'concise', 'sjis.py']).stdout, /sjis\.py:4:11: GF101/);
  const fixed = run(['fix', '--unsafe-fixes', 'sjis.py']);
  assert.match(fixed.stderr, /not fixed \(left unchanged\): fixes are written only to UTF-8 and Latin-1 files \(this one declares shift-jis\)/);
  assert.deepEqual(fs.readFileSync(file), before);
});

test('an undeclared or unknown encoding is named, not guessed', () => {
  write('plain.py', `name = "\xe9"\n${BODY}`);
  assert.match(run(['check', 'plain.py']).stderr, /plain\.py skipped: not valid UTF-8/);
  write('odd.py', `# coding: klingon\nname = "\xe9"\n${BODY}`);
  assert.match(run(['check', 'odd.py']).stderr, /odd\.py skipped: it declares an encoding Node cannot decode: klingon/);
});

test('a syntax error is reported at its line, and the rest of the file is still checked', () => {
  write('broken.py', 'import grpc\nimport os\nchannel = grpc.insecure_channel("x")\ndef f(:\n    pass\nos.fork()\n');
  const checked = run(['check', '--output-format', 'concise', 'broken.py']);
  assert.equal(checked.code, 1);
  assert.match(checked.stdout, /broken\.py:3:11: GF101/);
  assert.match(checked.stdout, /broken\.py:4:\d+: GF000 Syntax error at line 4/);
});
