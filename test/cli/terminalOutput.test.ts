// The CLI as a person at a terminal meets it: colour (NO_COLOR / FORCE_COLOR), code frames
// (--output-format full / concise), words for a run that checked nothing, "did you mean" for a
// mistyped option or command, and --target-python limited to Python 3.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { cliJs } from '../support/paths';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-terminal-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));
const ESC = '\x1b[';
const JOBS = 'import os\nimport grpc\n\nchannel = grpc.insecure_channel("localhost:50051")\nos.fork()\n';

function write(relative: string, content: string | Buffer): string {
  const file = path.join(scratch, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

/** The CLI with stdout and stderr on pipes; colour only from the given variables. */
function run(args: string[], colourEnv: Record<string, string> = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, ...colourEnv };
  for (const name of ['NO_COLOR', 'FORCE_COLOR']) if (!(name in colourEnv)) delete env[name];
  const result = spawnSync(process.execPath, [cliJs, ...args], { cwd: scratch, env, encoding: 'utf8', timeout: 120_000 });
  assert.equal(result.error, undefined);
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

write('jobs.py', JOBS);

describe('colour', () => {
  test('FORCE_COLOR=1 colours the path and the rule code of each finding', () => {
    const { code, stdout } = run(['check', 'jobs.py'], { FORCE_COLOR: '1' });
    assert.equal(code, 1);
    assert.ok(stdout.startsWith(`${ESC}1mjobs.py${ESC}0m${ESC}36m:${ESC}0m4${ESC}36m:${ESC}0m11${ESC}36m:${ESC}0m ${ESC}1;31mGF101${ESC}0m gRPC channel`), JSON.stringify(stdout));
  });

  test('NO_COLOR=1, a pipe, FORCE_COLOR=0 and the machine formats give no escape codes', () => {
    assert.ok(!run(['check', 'jobs.py'], { NO_COLOR: '1' }).stdout.includes(ESC));
    assert.ok(!run(['check', 'jobs.py']).stdout.includes(ESC));
    assert.ok(!run(['check', 'jobs.py'], { FORCE_COLOR: '0' }).stdout.includes(ESC));
    for (const format of ['json', 'sarif', 'github']) {
      assert.ok(!run(['check', 'jobs.py', '--format', format], { FORCE_COLOR: '1' }).stdout.includes(ESC), format);
    }
  });

  test('FORCE_COLOR wins over NO_COLOR', () => {
    assert.ok(run(['check', 'jobs.py'], { FORCE_COLOR: '1', NO_COLOR: '1' }).stdout.includes(`${ESC}1;31mGF101`));
  });

  // util-linux's script (Debian: bsdutils, always installed) gives the CLI a terminal.
  test('on a terminal the default is colour and code frames', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm' };
    delete env.NO_COLOR;
    delete env.FORCE_COLOR;
    const result = spawnSync('script', ['-qec', `"${process.execPath}" "${cliJs}" check jobs.py`, '/dev/null'], { cwd: scratch, env, encoding: 'utf8', timeout: 120_000 });
    assert.equal(result.error, undefined);
    assert.match(result.stdout, /\x1b\[1;31mGF101\x1b\[0m/);
    assert.match(result.stdout, /\x1b\[1;31m\^{40} GF101\x1b\[0m/);
  });
});

describe('--output-format', () => {
  test('full puts the line, its neighbours and carets under the range below each finding', () => {
    const { code, stdout } = run(['check', 'jobs.py', '--output-format', 'full'], { NO_COLOR: '1' });
    assert.equal(code, 1);
    assert.equal(stdout, [
      'jobs.py:4:11: GF101 gRPC channel `channel` is created before the fork at line 5 (`os.fork()`); the child inherits its threads and sockets.',
      '  |',
      '3 |',
      '4 | channel = grpc.insecure_channel("localhost:50051")',
      '  |           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ GF101',
      '5 | os.fork()',
      '  |',
      '',
      'Found 1 problem.',
      '',
    ].join('\n'));
  });

  test('full keeps the carets under the range after a tab, and shows control characters safely', () => {
    write('tabbed.py', 'import os\nimport grpc\n\nif True:\n\tchannel = grpc.insecure_channel("x")  # \x1b[2J\nos.fork()\n');
    const { stdout } = run(['check', 'tabbed.py', '--output-format', 'full'], { NO_COLOR: '1' });
    const lines = stdout.split('\n');
    const source = lines.findIndex((line) => line.startsWith('5 |'));
    assert.equal(lines[source], '5 |     channel = grpc.insecure_channel("x")  # \uFFFD[2J');
    assert.equal(lines[source + 1], '  |               ^^^^^^^^^^^^^^^^^^^^^^^^^^ GF101');
    assert.ok(!stdout.includes('\x1b'));
  });

  test('concise (the default on a pipe) is one line per finding', () => {
    const concise = run(['check', 'jobs.py', '--output-format', 'concise'], { NO_COLOR: '1' });
    assert.equal(concise.stdout, run(['check', 'jobs.py']).stdout);
    assert.equal(concise.stdout.split('\n').length, 3);
    assert.doesNotMatch(concise.stdout, /^ *\|/m);
  });

  test('takes the machine formats too, and refuses to disagree with --format', () => {
    assert.equal(run(['check', 'jobs.py', '--output-format', 'json']).stdout, run(['check', 'jobs.py', '--format', 'json']).stdout);
    const both = run(['check', 'jobs.py', '--format', 'json', '--output-format', 'full']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--format json and --output-format full disagree/);
  });
});

describe('a run that checked nothing says why', () => {
  const nothing = (args: string[]) => {
    const result = run(['check', ...args]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'No Python files were checked.\n');
    assert.doesNotMatch(result.stdout + result.stderr, /All checks passed/);
    return result.stderr;
  };

  test('no Python files under the path', () => {
    write('docs-only/README.md', '# hello\n');
    assert.match(nothing(['docs-only']), /warning: nothing was checked: no Python files under docs-only$/m);
  });

  test('every Python file excluded (by default or by pyproject.toml)', () => {
    write('venv-only/.venv/lib/site.py', JOBS);
    assert.match(nothing(['venv-only']), /the only Python file under venv-only is excluded by `exclude` \(by default \.venv, venv,/);
    write('configured/pyproject.toml', '[tool.grpc-fork-guard]\nexclude = ["generated"]\n');
    write('configured/generated/a_pb2.py', JOBS);
    write('configured/generated/b_pb2.py', JOBS);
    assert.match(nothing(['configured']), /all 2 Python files under configured are excluded by `exclude` \(generated\)/);
  });

  test('every Python file ignored by .gitignore', () => {
    write('ignored/.gitignore', 'build/\n');
    write('ignored/build/lib/jobs.py', JOBS);
    assert.equal(spawnSync('git', ['init', '-q'], { cwd: path.join(scratch, 'ignored'), timeout: 30_000 }).status, 0);
    assert.match(nothing(['ignored']), /the only Python file under ignored is ignored by \.gitignore/);
  });

  test('only files that cannot be read', () => {
    write('latin1/legacy.py', Buffer.from('# caf\xe9\nimport grpc\n', 'latin1'));
    const stderr = nothing(['latin1']);
    assert.match(stderr, /warning: latin1\/legacy\.py skipped: /);
    assert.match(stderr, /nothing was checked: the 1 Python file found could not be read/);
    assert.equal(run(['check', 'latin1', '--statistics']).stdout, 'No Python files were checked.\n');
  });

  test('a clean run still says that all checks passed', () => {
    write('fine/ok.py', 'import grpc\n');
    const result = run(['check', 'fine']);
    assert.equal(result.stdout, 'All checks passed!\n');
    assert.equal(result.stderr, '');
  });
});

describe('usage mistakes', () => {
  const usage = (args: string[]) => {
    const result = run(args);
    assert.equal(result.code, 2);
    return result.stderr.split('\n')[0];
  };

  test('an unknown option or command names the nearest one', () => {
    assert.equal(usage(['check', '--fix']), 'grpc-fork-guard: error: unknown option "--fix"; did you mean the `fix` command (grpc-fork-guard fix ...)?');
    assert.equal(usage(['check', '--selct', 'GF1']), 'grpc-fork-guard: error: unknown option "--selct"; did you mean `--select`?');
    assert.equal(usage(['check', '--exit-zer0']), 'grpc-fork-guard: error: unknown option "--exit-zer0"; did you mean `--exit-zero`?');
    assert.equal(usage(['chekc', '.']), 'grpc-fork-guard: error: unknown command "chekc" (expected "check", "fix" or "run"); did you mean `check`?');
    assert.equal(usage(['check', '--format', 'sarf']), 'grpc-fork-guard: error: unknown format "sarf" (expected text, json, sarif, github); did you mean "sarif"?');
    assert.match(usage(['check', '--qqqqqq']), /unknown option "--qqqqqq" \(a path that starts with "-" goes after "--"\)$/);
  });

  test('--target-python takes Python 3 versions only', () => {
    for (const version of ['2.7', '4.0', '3', '3.12.1', 'python3.12', '3.x']) {
      assert.match(usage(['check', 'jobs.py', '--target-python', version]), /--target-python expects a Python 3 version such as 3\.12/, version);
    }
    assert.equal(run(['check', 'jobs.py', '--target-python', '3.13']).code, 1);
  });
});
