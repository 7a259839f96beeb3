// `grpc-fork-guard run`: its command line, and a program that never imports grpc (no gRPC needed):
// usage errors exit 2 with one line, the program's output and exit code pass through.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { cliJs } from '../support/paths';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-run-cli-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

function cli(args: string[], input = '') {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.PYTHONPATH;
  return spawnSync(process.execPath, [cliJs, ...args], { cwd: scratch, encoding: 'utf8', timeout: 120_000, input, env });
}

test('run without "--" and a command is a usage error', () => {
  for (const args of [['run'], ['run', '--'], ['run', 'python3', 'x.py']]) {
    const result = cli(args);
    assert.equal(result.status, 2, args.join(' '));
    assert.match(result.stderr, /^grpc-fork-guard: error: run (needs a command after "--"|takes the command after "--")/, args.join(' '));
  }
});

test('--output belongs to run', () => {
  const result = cli(['check', '--output', 'x.json', '.']);
  assert.equal(result.status, 2);
  assert.match(result.stderr, /--output is an option of `run` only/);
});

test('options after "--" belong to the program', () => {
  fs.writeFileSync(path.join(scratch, 'args.py'), 'import sys\nprint(sys.argv[1:])\nprint(sys.stdin.read())\nsys.exit(4)\n');
  const result = cli(['run', '--format', 'json', '--', '/usr/bin/python3', 'args.py', '--format', 'sarif', '-h'], 'from stdin');
  assert.equal(result.status, 4, result.stderr);
  const [argsLine, stdinLine, ...rest] = result.stdout.split('\n');
  assert.equal(argsLine, "['--format', 'sarif', '-h']");
  assert.equal(stdinLine, 'from stdin');
  assert.deepEqual(JSON.parse(rest.join('\n')), []);
  assert.match(result.stderr, /never imported grpc/);
});

test('a command that cannot be started says so', () => {
  const result = cli(['run', '--', path.join(scratch, 'no-such-program')]);
  assert.equal(result.status, 2);
  assert.match(result.stderr, /^grpc-fork-guard: error: cannot run .*no-such-program: /m);
});

test('a program killed by a signal gives 128 + the signal number', () => {
  fs.writeFileSync(path.join(scratch, 'killed.py'), 'import os, signal\nos.kill(os.getpid(), signal.SIGTERM)\n');
  const result = cli(['run', '--', '/usr/bin/python3', 'killed.py']);
  assert.equal(result.status, 128 + os.constants.signals.SIGTERM);
});

test('the help lists run', () => {
  assert.match(cli(['--help']).stdout, /grpc-fork-guard run \[--format FORMAT\] \[--output FILE\] -- COMMAND/);
});

// The editor runs this CLI with its own Electron executable and ELECTRON_RUN_AS_NODE=1; the user's
// program must not inherit that (an Electron app it starts would run as plain Node). A CLI under
// plain Node leaves the variable alone: there it is the user's own.
test('under Electron, run keeps the editor\'s ELECTRON_RUN_AS_NODE from the program', () => {
  fs.writeFileSync(path.join(scratch, 'env.py'), 'import os\nprint("ELECTRON_RUN_AS_NODE=%s" % os.environ.get("ELECTRON_RUN_AS_NODE"))\n');
  // Stands in for Electron's Node: the CLI reads process.versions.electron to know where it runs.
  const electron = path.join(scratch, 'as-electron.js');
  fs.writeFileSync(electron, "Object.defineProperty(process.versions, 'electron', { value: '30.0.0', enumerable: true });\n");
  const run = (preload: string[]) => spawnSync(process.execPath, [...preload, cliJs, 'run', '--', '/usr/bin/python3', 'env.py'], {
    cwd: scratch, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1', ELECTRON_RUN_AS_NODE: '1' },
  });
  const underElectron = run(['--require', electron]);
  assert.equal(underElectron.status, 0, underElectron.stderr);
  assert.match(underElectron.stdout, /^ELECTRON_RUN_AS_NODE=None$/m);
  const underNode = run([]);
  assert.equal(underNode.status, 0, underNode.stderr);
  assert.match(underNode.stdout, /^ELECTRON_RUN_AS_NODE=1$/m);
});
