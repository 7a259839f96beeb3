// CLI tier: results do not depend on the working directory (SPEC §2). The project and package
// roots come from the files: the same workspace checked from inside, from its parent and from `/`
// gives the same findings, and a lone file with no project marker above it is its own project.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { RULES } from '../../server/src/engine/rules/registry';
import { fixtureCorpus } from '../support/fixtureCorpus';
import { cliJs, fixturesDir } from '../support/paths';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-roots-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

interface JsonFinding {
  path: string;
  code: string;
  range: { start: { line: number } };
  related: { path: string; range: { start: { line: number } } }[];
}

/** A hang fails the test instead of blocking the run (the brief's bound for a lone file: 10 s). */
function check(target: string, cwd: string, timeout = 60_000) {
  const result = spawnSync(process.execPath, [cliJs, 'check', target, '--format', 'json'], { cwd, encoding: 'utf8', timeout });
  assert.equal(result.error, undefined, `check ${target} from ${cwd} did not finish: ${result.error}`);
  assert.equal(result.status, 1, `exit ${result.status} from ${cwd}: ${result.stderr}`);
  return JSON.parse(result.stdout) as JsonFinding[];
}

/** Findings with their paths made relative to `root`, so runs from different folders compare. */
function normalized(findings: JsonFinding[], cwd: string, root: string): string[] {
  const relative = (p: string) => path.relative(root, path.resolve(cwd, p));
  return findings.map((f) => JSON.stringify({
    ...f, path: relative(f.path), related: f.related.map((r) => ({ ...r, path: relative(r.path) })),
  })).sort();
}

test('a workspace gives the same findings from inside it, from its parent and from /', () => {
  // A copy outside the repository: no .git or pyproject.toml above it, as in a fresh checkout of an app.
  const workspace = path.join(scratch, 'parent', 'project_roots');
  fs.cpSync(path.join(fixturesDir, 'workspaces', 'project_roots'), workspace, { recursive: true });
  const parent = path.dirname(workspace);
  const runs = [
    { cwd: workspace, target: '.' },
    { cwd: parent, target: 'project_roots' },
    { cwd: '/', target: workspace },
  ].map(({ cwd, target }) => normalized(check(target, cwd), cwd, workspace));
  const summary = runs[0].map((line) => {
    const f = JSON.parse(line) as JsonFinding;
    return `${f.path}:${f.range.start.line + 1}:${f.code}`;
  });
  // The package's absolute self-import, the back/ gunicorn app and the Celery submodule import.
  assert.deepEqual(summary, ['back/app.py:6:GF104', 'pkgdir/pkg/main.py:6:GF101', 'worker/inventory/clients.py:4:GF104']);
  assert.deepEqual(runs[1], runs[0]);
  assert.deepEqual(runs[2], runs[0]);
});

test('a package folder checked from its parent keeps its absolute self-imports', () => {
  const workspace = path.join(scratch, 'single', 'project_roots');
  fs.cpSync(path.join(fixturesDir, 'workspaces', 'project_roots'), workspace, { recursive: true });
  const fromInside = normalized(check('.', path.join(workspace, 'pkgdir')), path.join(workspace, 'pkgdir'), workspace);
  const fromParent = normalized(check('pkgdir', workspace), workspace, workspace);
  const fromRoot = normalized(check(path.join(workspace, 'pkgdir', 'pkg'), '/'), '/', workspace);
  assert.equal(fromInside.length, 1);
  assert.match(fromInside[0], /"code":"GF101"/);
  assert.deepEqual(fromParent, fromInside);
  assert.deepEqual(fromRoot, fromInside);
});

test('a lone file with no project marker above it, checked from /, is its own project and finishes', () => {
  const file = path.join(scratch, 'x', 'y', 'job.py');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, [
    'import grpc',
    'from multiprocessing import Process',
    '',
    'channel = grpc.insecure_channel("localhost:50051")',
    '',
    'def work():',
    '    pass',
    '',
    'if __name__ == "__main__":',
    '    Process(target=work).start()',
    '',
  ].join('\n'));
  const findings = check(file, '/', 10_000);
  assert.deepEqual(findings.map((f) => `${path.resolve('/', f.path)}:${f.range.start.line + 1}:${f.code}`), [`${file}:4:GF101`]);
});

test('the whole fixture folder checked in one run from / gives every fixture its expected findings', () => {
  // Each workspace's runner files sit in its own folder, below the repository's project root.
  const corpus = fixtureCorpus(new Set(RULES.map((r) => r.code))).filter((f) => Object.keys(f.config).length === 0);
  const found = new Map<string, string[]>();
  for (const finding of check(fixturesDir, '/', 180_000)) {
    const file = path.resolve('/', finding.path);
    found.set(file, [...(found.get(file) ?? []), `${finding.range.start.line + 1}:${finding.code}`]);
  }
  const mismatches = corpus
    .map((f) => ({ f, actual: [...new Set(found.get(f.path) ?? [])].sort() }))
    .filter(({ f, actual }) => JSON.stringify(actual) !== JSON.stringify(f.expected))
    .map(({ f, actual }) => `${path.relative(fixturesDir, f.path)}: expected [${f.expected}] got [${actual}]`);
  assert.deepEqual(mismatches, []);
  assert.ok(corpus.length > 100);
});
