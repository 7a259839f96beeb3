// Hostile files through the real bundled CLI (dist/cli.js): whatever the input, it ends within the
// bound with exit code 0, 1 or 2 and a clear message, never a JavaScript stack trace.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FUZZ_ITERATIONS, FUZZ_SEED, deeplyNested, fixtureSample, mutate, prng, randomBytes, replay } from '../support/fuzzKit';
import { cliJs } from '../support/paths';

const random = prng(FUZZ_SEED ^ 0xc11);
const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-fuzz-cli-'));
const CLI_BOUND_MS = 120_000;
const STACK = /\n\s+at .+:\d+:\d+|internal error/;
let runs = 0;
const started = Date.now();

function runCli(caseName: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cliJs, ...args], { cwd: workspace, encoding: 'utf8', timeout: CLI_BOUND_MS, maxBuffer: 256 * 1024 * 1024 });
  runs++;
  assert.equal(result.error, undefined, `the CLI did not finish within ${CLI_BOUND_MS} ms (${result.error?.message}) ${replay(caseName)}`);
  assert.equal(result.signal, null, `the CLI died of ${result.signal} ${replay(caseName)}`);
  assert.ok([0, 1, 2].includes(result.status!), `exit code ${result.status} ${replay(caseName)}\n${result.stderr.slice(-2000)}`);
  assert.doesNotMatch(result.stderr, STACK, `a stack trace on stderr ${replay(caseName)}`);
  return result;
}

function write(name: string, content: string | Buffer): string {
  const file = path.join(workspace, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

describe(`CLI: hostile files (seed ${FUZZ_SEED})`, () => {
  before(() => {
    for (let i = 0; i < 5 * FUZZ_ITERATIONS; i++) write(`random/bytes${i}.py`, randomBytes(random, 4096));
    for (const file of fixtureSample(random, 25)) write(`mutated/${path.basename(path.dirname(file))}_${path.basename(file)}`, mutate(random, fs.readFileSync(file, 'utf8')));
    write('unicode/bom.py', '\uFEFFimport grpc\r\nimport os\rch = grpc.insecure_channel("😀")\nos.fork()\f\n');
    write('unicode/invalid_utf8.py', Buffer.from([0x69, 0x6d, 0x70, 0x6f, 0x72, 0x74, 0x20, 0xc3, 0x28, 0x0a]));
    write('unicode/nul.py', 'import grpc\0\nx = 1\n');
    write('unicode/surrogates.py', 'x = "\ud800"\n');
    write('big/one_mb_line.py', `x = "${'a'.repeat(1024 * 1024)}"\n`);
    write('big/imports.py', 'import grpc\n'.repeat(100_000));
    write('big/twenty_mb.py', 'import grpc\nch = grpc.insecure_channel("h")\n'.repeat(Math.ceil((20 * 1024 * 1024) / 44)));
    write('recursion/mutual.py', 'import grpc, os\nch = grpc.insecure_channel("h")\ndef a(n):\n    b(n)\n    os.fork()\ndef b(n):\n    a(n)\n    ch.close()\na(3)\n');
    write('pyproject.toml', random() < 0.5 ? '[tool.grpc-fork-guard]\nselect = [' : `[tool.grpc-fork-guard]\n${randomBytes(random, 200).toString('latin1')}`);
  });

  after(() => {
    fs.rmSync(workspace, { recursive: true, force: true });
    console.log(`fuzz (CLI): ${runs} runs in ${((Date.now() - started) / 1000).toFixed(1)} s, seed ${FUZZ_SEED}, iterations ${FUZZ_ITERATIONS}`);
  });

  test('a directory of hostile files, in every output format', () => {
    runCli('directory scan', ['check', '.']);
    // The other formats over the mutated files only: the whole directory takes seconds per run.
    for (const format of ['json', 'sarif', 'github']) runCli(`mutated files, --format ${format}`, ['check', 'mutated', 'unicode', '--format', format]);
    runCli('mutated files, statistics', ['check', 'mutated', '--statistics']);
  });

  test('the 20 MB file is refused with a clear message', () => {
    const result = runCli('20 MB file', ['check', 'big/twenty_mb.py']);
    assert.match(result.stderr, /twenty_mb\.py skipped: larger than/);
  });

  for (const kind of ['parentheses', 'brackets', 'lambda', 'chain', 'sum', 'if', 'def', 'with'] as const) {
    test(`nesting: ${kind}`, () => {
      const depth = kind === 'chain' || kind === 'sum' ? 20_000 : 10_000;
      runCli(`${kind} ${depth} deep`, ['check', write(`nested/${kind}.py`, deeplyNested(kind, depth))]);
    });
  }

  test('fix and diff on mutated files never lose a file', () => {
    const copy = path.join(workspace, 'fixcopy');
    fs.cpSync(path.join(workspace, 'mutated'), copy, { recursive: true });
    runCli('fix --diff', ['fix', 'fixcopy', '--diff']);
    runCli('fix', ['fix', 'fixcopy', '--unsafe-fixes']);
    assert.equal(fs.readdirSync(copy).length, fs.readdirSync(path.join(workspace, 'mutated')).length);
  });

  test('nonsense command lines', () => {
    for (const args of [['check', '--format', 'nope', 'unicode'], ['--no-such-flag'], ['check', 'does/not/exist'], ['fix', 'unicode/bom.py', '--diff'], ['check', '--select', 'GF999', 'unicode']]) {
      runCli(`arguments ${JSON.stringify(args)}`, args);
    }
  });
});
