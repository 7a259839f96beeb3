// action.yml: a composite action whose inputs and commands exist in the CLI it runs.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { FORMATS, USAGE } from '../../server/src/cli/args';
import { cliJs, repoRoot } from '../support/paths';

// js-yaml comes with the dev tools (mocha's dependency); the test only needs load().
// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml: { load(text: string): unknown } = require('js-yaml');

interface Step { name?: string; id?: string; if?: string; uses?: string; run?: string; shell?: string; with?: Record<string, string>; env?: Record<string, string> }
interface Action { name: string; inputs: Record<string, { default?: string; required?: boolean; description: string }>; runs: { using: string; steps: Step[] } }

const action = yaml.load(fs.readFileSync(path.join(repoRoot, 'action.yml'), 'utf8')) as Action;
const steps = action.runs.steps;
const checkStep = steps.find((step) => step.id === 'check');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-action-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** Runs the check step's script as the runner would: bash, the inputs in env, a GITHUB_OUTPUT file. */
function runCheckStep(inputs: { paths: string; format: string }) {
  const output = path.join(scratch, `output-${inputs.format}`);
  fs.writeFileSync(output, '');
  const env = { ...process.env, NO_COLOR: '1', GITHUB_OUTPUT: output, GF_CLI: cliJs, GF_PATHS: inputs.paths, GF_FORMAT: inputs.format, GF_SARIF_FILE: 'results.sarif' };
  const result = spawnSync('bash', ['-e', '-c', checkStep!.run!], { cwd: scratch, env, encoding: 'utf8', timeout: 120_000 });
  assert.equal(result.error, undefined);
  return { code: result.status, stdout: result.stdout, outputs: fs.readFileSync(output, 'utf8') };
}

describe('GitHub Action (action.yml)', () => {
  test('is a composite action with paths, format and sarif-file inputs', () => {
    assert.equal(action.runs.using, 'composite');
    assert.deepEqual(Object.keys(action.inputs).sort(), ['format', 'paths', 'sarif-file']);
    assert.equal(action.inputs.paths.default, '.');
    assert.equal(action.inputs.format.default, 'github');
    for (const step of steps.filter((s) => s.run)) assert.equal(step.shell, 'bash', `${step.name} needs a shell`);
  });

  test('runs the CLI\'s check command with options the CLI has, in both formats', () => {
    assert.ok(checkStep?.run, 'no check step');
    assert.match(checkStep.env?.GF_CLI ?? '', /dist\/cli\.js$/);
    const commands = checkStep.run.split('\n').filter((line) => line.includes('node "$GF_CLI"'));
    assert.equal(commands.length, 2);
    for (const command of commands) {
      assert.match(command, /node "\$GF_CLI" check \$GF_PATHS --format (github|sarif)/);
      for (const option of command.match(/--[a-z-]+/g) ?? []) assert.ok(USAGE.includes(option), `${option} is not in the CLI's usage`);
      const format = /--format (\w+)/.exec(command)![1];
      assert.ok((FORMATS as readonly string[]).includes(format), `${format} is not a CLI format`);
    }
    // Inputs reach the script through env, never spliced into it.
    assert.doesNotMatch(checkStep.run, /\$\{\{/);
  });

  test('uploads the SARIF file with codeql-action only for format sarif, then fails on findings', () => {
    const upload = steps.find((step) => step.uses?.startsWith('github/codeql-action/upload-sarif@'));
    assert.ok(upload, 'no upload-sarif step');
    assert.equal(upload.if, "inputs.format == 'sarif'");
    assert.equal(upload.with?.sarif_file, '${{ inputs.sarif-file }}');
    const fail = steps.at(-1)!;
    assert.match(fail.if ?? '', /steps\.check\.outputs\.exit-code == '1'/);
    assert.match(fail.run ?? '', /exit 1/);
  });

  test('the check step, run by bash, annotates or writes SARIF and records the exit code', () => {
    fs.writeFileSync(path.join(scratch, 'jobs.py'), 'import os\nimport grpc\n\nchannel = grpc.insecure_channel("localhost:50051")\nos.fork()\n');
    fs.writeFileSync(path.join(scratch, 'ok.py'), 'import grpc\n');
    const annotated = runCheckStep({ paths: 'jobs.py ok.py', format: 'github' });
    assert.equal(annotated.code, 1);
    assert.match(annotated.stdout, /^::warning file=jobs\.py,line=4,col=11,.*title=GF101::GF101 /m);
    const sarif = runCheckStep({ paths: 'jobs.py ok.py', format: 'sarif' });
    assert.equal(sarif.code, 0, 'the upload step must still run');
    assert.equal(sarif.outputs.trim(), 'exit-code=1');
    const log = JSON.parse(fs.readFileSync(path.join(scratch, 'results.sarif'), 'utf8'));
    assert.deepEqual(log.runs[0].results.map((r: { ruleId: string }) => r.ruleId), ['GF101']);
    const wrong = runCheckStep({ paths: '.', format: 'xml' });
    assert.equal(wrong.code, 2);
    assert.match(wrong.stdout, /format must be github or sarif/);
  });
});
