// CLI tier, notebooks: `.ipynb` files checked when named and when found in a folder, positions
// reported as cells in every format, and `fix` rewriting only the cells it changes.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { cliJs, fixturesDir } from '../support/paths';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-cli-notebooks-'));
const fixtureText = fs.readFileSync(path.join(fixturesDir, 'notebooks', 'pubsub_pool.ipynb'), 'utf8');

function run(args: string[]) {
  const result = spawnSync(process.execPath, [cliJs, ...args], { cwd: scratch, encoding: 'utf8', timeout: 170_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function write(relative: string, content: string): string {
  const file = path.join(scratch, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

after(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('notebooks in the CLI', () => {
  test('an explicit .ipynb path is checked; text positions read cell, line, column with the cell\'s code frame', () => {
    write('named/pool.ipynb', fixtureText);
    const result = run(['check', '--output-format', 'full', 'named/pool.ipynb']);
    assert.equal(result.code, 1, result.stderr);
    const lines = result.stdout.split('\n');
    assert.match(lines[0], /^named\/pool\.ipynb:cell 4, line 1, column 13: GF101 gRPC client `publisher` is created before the fork at cell 7, line 2 /);
    assert.equal(lines[2], '1 | publisher = pubsub_v1.PublisherClient()', 'the frame shows the cell\'s own lines');
    assert.match(lines[3], /^ {2}\| {13}\^+ GF101$/);
    assert.ok(lines.some((l) => /^named\/pool\.ipynb:cell 6, line 2, column 12: GF102 /.test(l)), result.stdout);
    assert.match(result.stdout, /Found 2 problems\./);
  });

  test('a folder walk includes notebooks, and the pre-filter reads their cells, not their JSON', () => {
    // The only trigger is `from google.cloud import ...` (a catalog root), which in the JSON is a quoted string.
    write('walk/sub/pool.ipynb', fixtureText);
    write('walk/clean.ipynb', JSON.stringify({ cells: [{ cell_type: 'code', metadata: {}, source: ['print("grpc-free")\n'] }], metadata: {}, nbformat: 4, nbformat_minor: 5 }));
    const result = run(['check', '--format', 'json', 'walk']);
    assert.equal(result.code, 1, result.stderr);
    const findings = JSON.parse(result.stdout) as { path: string; cell?: number; code: string; range: { start: { line: number; character: number } }; related: { cell?: number; range: { start: { line: number } } }[] }[];
    assert.deepEqual(findings.map((f) => `${f.path}:${f.code}:cell ${f.cell}:${f.range.start.line}:${f.range.start.character}`), [
      'walk/sub/pool.ipynb:GF101:cell 4:0:12',
      'walk/sub/pool.ipynb:GF102:cell 6:1:11',
    ]);
    assert.deepEqual(findings[0].related.map((r) => [r.cell, r.range.start.line]), [[7, 1]]);
  });

  test('SARIF regions are within the cell and the cell is in the location\'s property bag', () => {
    const result = run(['check', '--format', 'sarif', 'named/pool.ipynb']);
    const log = JSON.parse(result.stdout);
    const [first] = log.runs[0].results;
    assert.equal(first.ruleId, 'GF101');
    assert.deepEqual(first.locations[0].properties, { cell: 4 });
    assert.deepEqual(first.locations[0].physicalLocation.region, { startLine: 1, startColumn: 13, endLine: 1, endColumn: 40 });
    assert.equal(first.relatedLocations[0].properties.cell, 7);
  });

  test('GitHub annotations name the cell in the message, not a line of the JSON', () => {
    const result = run(['check', '--format', 'github', 'named/pool.ipynb']);
    const [first] = result.stdout.split('\n');
    assert.match(first, /^::warning file=named\/pool\.ipynb,title=GF101::cell 4, line 1, column 13: GF101 /);
  });

  test('a notebook larger than the source-file limit because of its outputs is still checked', () => {
    const notebook = JSON.parse(fixtureText);
    notebook.cells[6].outputs.push({ data: { 'image/png': 'A'.repeat(6 * 1024 * 1024) }, metadata: {}, output_type: 'display_data' });
    write('large/plots.ipynb', JSON.stringify(notebook, null, 1));
    const result = run(['check', '--output-format', 'concise', 'large/plots.ipynb']);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /^large\/plots\.ipynb:cell 4, line 1, column 13: GF101 /);
    assert.doesNotMatch(result.stderr, /skipped/);
  });

  test('a malformed notebook is a GF000 notice, not a crash', () => {
    write('broken/nb.ipynb', '{"cells": [');
    const result = run(['check', '--output-format', 'concise', 'broken/nb.ipynb']);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /^broken\/nb\.ipynb:1:1: GF000 Not analysed: not a Jupyter notebook: the file is not valid JSON/);
    assert.equal(result.stderr, '');
  });

  test('fix rewrites only the changed cells\' sources and keeps the rest of the JSON', () => {
    const file = write('fix/pool.ipynb', fixtureText);
    const result = run(['fix', '--unsafe-fixes', 'fix/pool.ipynb']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /Fixed 2 problems/);
    const before = JSON.parse(fixtureText);
    const after = JSON.parse(fs.readFileSync(file, 'utf8'));
    const changed = after.cells.map((cell: { source: string[] }, i: number) => JSON.stringify(cell.source) !== JSON.stringify(before.cells[i].source));
    assert.deepEqual(changed, [false, false, true, true, false, false, true]);
    assert.match(after.cells[6].source.join(''), /^!gcloud pubsub topics list\nwith mp\.Pool\(processes=4, initializer=_init_worker_publisher\) as pool:/, 'the shell escape is kept');
    for (const [i, cell] of after.cells.entries()) after.cells[i] = { ...cell, source: before.cells[i].source };
    assert.deepEqual(after, before, 'outputs, metadata and every other cell unchanged');
    const again = run(['check', 'fix/pool.ipynb']);
    assert.equal(again.code, 0, again.stdout);
  });
});
