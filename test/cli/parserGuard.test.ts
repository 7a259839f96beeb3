// CLI tier: a file too deep to parse safely is reported (GF000) in every format and fails the
// check, and it never hides the findings of the other files, named or scanned by the workers.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { cliJs } from '../support/paths';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-guard-'));
const BAD = 'import multiprocessing\nimport grpc\nch = grpc.insecure_channel("x")\nmultiprocessing.Process(target=print).start()\n';

function nestedIfs(levels: number): string {
  let text = 'import grpc\n';
  for (let i = 0; i < levels; i++) text += `${' '.repeat(i)}if x:\n`;
  return `${text}${' '.repeat(levels)}pass\n`;
}

function run(args: string[]) {
  const result = spawnSync(process.execPath, [cliJs, ...args], { cwd: scratch, encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

fs.writeFileSync(path.join(scratch, 'deep.py'), nestedIfs(520));
fs.writeFileSync(path.join(scratch, 'chain.py'), `import grpc\nx = ${Array(20_000).fill('1').join(' + ')}\n`);
fs.writeFileSync(path.join(scratch, 'bad.py'), BAD);

after(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('files past the nesting guard', () => {
  test('check deep.py bad.py: bad.py is still reported, deep.py gets GF000, exit 1', () => {
    const { code, stdout } = run(['check', 'deep.py', 'bad.py']);
    assert.equal(code, 1);
    assert.match(stdout, /^bad\.py:3:6: GF101 /m);
    assert.match(stdout, /^deep\.py:1:1: GF000 Not analysed: its blocks are nested more than 100 levels deep/m);
    assert.match(stdout, /Found 2 problems\./);
  });

  test('a 20,000-term operator chain is a notice, not "All checks passed!"', () => {
    const { code, stdout } = run(['check', 'chain.py']);
    assert.equal(code, 1);
    assert.match(stdout, /^chain\.py:1:1: GF000 .*chains more than 1000 operators/m);
    assert.doesNotMatch(stdout, /All checks passed/);
  });

  test('--exit-zero keeps exit 0', () => {
    assert.equal(run(['check', 'deep.py', '--exit-zero']).code, 0);
  });

  test('json and sarif carry the notice', () => {
    const json = JSON.parse(run(['check', 'deep.py', 'bad.py', '--format', 'json']).stdout) as { path: string; code: string; severity: string }[];
    assert.deepEqual(json.map((f) => [f.path, f.code]), [['bad.py', 'GF101'], ['deep.py', 'GF000']]);
    assert.equal(json[1].severity, 'information');
    const sarif = JSON.parse(run(['check', 'deep.py', '--format', 'sarif']).stdout);
    const [result] = sarif.runs[0].results;
    assert.equal(result.ruleId, 'GF000');
    assert.equal(result.level, 'note');
    assert.equal(sarif.runs[0].tool.driver.rules[result.ruleIndex].id, 'GF000');
  });

  test('a scanned folder with a deep file still reports every buggy file', () => {
    const folder = path.join(scratch, 'project');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'a_deep.py'), nestedIfs(520));
    for (let i = 0; i < 40; i++) fs.writeFileSync(path.join(folder, `bug_${String(i).padStart(2, '0')}.py`), BAD);
    const json = JSON.parse(run(['check', 'project', '--format', 'json']).stdout) as { path: string; code: string }[];
    assert.equal(json.filter((f) => f.code === 'GF101').length, 40);
    assert.deepEqual(json.filter((f) => f.code === 'GF000').map((f) => f.path), [path.join('project', 'a_deep.py')]);
  });

  test('a deep module the checked file imports is not parsed; the importer is still analysed', () => {
    const folder = path.join(scratch, 'imports');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'deepmod.py'), nestedIfs(520));
    fs.writeFileSync(path.join(folder, 'main.py'), `import deepmod\n${BAD}`);
    const { code, stdout } = run(['check', path.join('imports', 'main.py')]);
    assert.equal(code, 1);
    assert.match(stdout, /^imports\/main\.py:4:6: GF101 /m);
    assert.doesNotMatch(stdout, /GF000/);
  });
});
