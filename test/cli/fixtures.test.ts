// Every fixture through the bundled CLI: the findings of `check --format json` must equal the
// fixture's `# expect:` comments, as in the engine tier. Workspaces are checked as directories;
// a fixture with a `# fixture:` configuration is checked in a copy beside a pyproject.toml
// holding that configuration.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { RULES } from '../../server/src/engine/rules/registry';
import { fixtureCorpus, pyprojectFor } from '../support/fixtureCorpus';
import { cliJs, fixturesDir } from '../support/paths';

const implemented = new Set<string>(RULES.map((r) => r.code));
const corpus = fixtureCorpus(implemented);
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-cli-fixtures-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

function check(target: string, cwd: string): Map<string, string[]> {
  const result = spawnSync(process.execPath, [cliJs, 'check', target, '--format', 'json'], { cwd, encoding: 'utf8', maxBuffer: 32 * 1024 * 1024 });
  assert.ok(result.status === 0 || result.status === 1, `exit ${result.status}: ${result.stderr}`);
  const byFile = new Map<string, string[]>();
  for (const finding of JSON.parse(result.stdout) as { path: string; code: string; range: { start: { line: number } } }[]) {
    const file = path.resolve(cwd, finding.path);
    byFile.set(file, [...(byFile.get(file) ?? []), `${finding.range.start.line + 1}:${finding.code}`]);
  }
  return byFile;
}

test('every fixture without configuration, in one run over the fixture folder', () => {
  const plain = corpus.filter((f) => Object.keys(f.config).length === 0);
  const roots = [...new Set(plain.map((f) => f.root))];
  const mismatches: string[] = [];
  for (const root of roots) {
    const found = check(root, root);
    for (const fixture of plain.filter((f) => f.root === root)) {
      const actual = [...new Set(found.get(fixture.path) ?? [])].sort();
      if (JSON.stringify(actual) !== JSON.stringify(fixture.expected)) {
        mismatches.push(`${path.relative(fixturesDir, fixture.path)}: expected [${fixture.expected}] got [${actual}]`);
      }
    }
  }
  assert.deepEqual(mismatches, []);
  assert.ok(plain.length > 0);
});

test('every fixture with a # fixture: configuration, through a pyproject.toml', () => {
  const configured = corpus.filter((f) => Object.keys(f.config).length > 0 && !path.relative(fixturesDir, f.path).startsWith('workspaces'));
  const mismatches: string[] = [];
  for (const fixture of configured) {
    const dir = fs.mkdtempSync(path.join(scratch, 'case-'));
    const copy = path.join(dir, path.basename(fixture.path));
    fs.copyFileSync(fixture.path, copy);
    fs.writeFileSync(path.join(dir, 'pyproject.toml'), pyprojectFor(fixture.config));
    const actual = [...new Set(check(copy, dir).get(copy) ?? [])].sort();
    if (JSON.stringify(actual) !== JSON.stringify(fixture.expected)) {
      mismatches.push(`${path.relative(fixturesDir, fixture.path)}: expected [${fixture.expected}] got [${actual}]`);
    }
  }
  assert.deepEqual(mismatches, []);
});
