// Every fixture under test/fixtures states its expected findings inline; this test analyses each
// one the way the CLI does and compares (line, code) pairs. A new case is a new file.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Analyzer } from '../../server/src/engine/analyzer';
import type { ConfigLayer } from '../../server/src/engine/config';
import { RULE_CODES, RULES } from '../../server/src/engine/rules/registry';
import { listPythonFiles } from '../../server/src/workspace/pythonFiles';
import { ProjectAnalysis } from '../../server/src/workspace/projectAnalysis';
import { Expectation, expectedFindings, fixtureConfig } from '../support/fixtureExpectations';
import { fixturesDir, grammarDir } from '../support/paths';

const implemented = new Set<string>(RULES.map((rule) => rule.code));
const tally = new Map<string, { expected: number; found: number; truePositives: number }>();

function count(code: string, field: 'expected' | 'found' | 'truePositives') {
  const row = tally.get(code) ?? { expected: 0, found: 0, truePositives: 0 };
  row[field]++;
  tally.set(code, row);
}

function key(e: Expectation): string {
  return `${e.line + 1}:${e.code}`;
}

let analyzer: Analyzer;
before(async () => {
  analyzer = await Analyzer.create(grammarDir);
});

function check(project: ProjectAnalysis, file: string): void {
  const report = project.analyzeFile(file);
  assert.equal(report.skipped, undefined, `fixture could not be read: ${report.skipped}`);
  const expected = expectedFindings(report.text ?? '').filter((e) => implemented.has(e.code));
  const actual = report.findings.map((f) => ({ line: f.range.start.line, code: f.code as string }));
  const expectedKeys = new Set(expected.map(key));
  const actualKeys = new Set(actual.map(key));
  for (const e of expectedKeys) count(e.split(':')[1], 'expected');
  for (const a of actualKeys) {
    count(a.split(':')[1], 'found');
    if (expectedKeys.has(a)) count(a.split(':')[1], 'truePositives');
  }
  const missing = [...expectedKeys].filter((k) => !actualKeys.has(k));
  const unexpected = [...actualKeys].filter((k) => !expectedKeys.has(k));
  const messages = report.findings.map((f) => `  ${f.range.start.line + 1}:${f.range.start.character + 1} ${f.code} ${f.message}`).join('\n');
  assert.deepEqual({ missing, unexpected }, { missing: [], unexpected: [] }, `findings differ from the # expect comments (line:code)\nactual findings:\n${messages}`);
}

function fixtureFiles(): string[] {
  if (!fs.existsSync(fixturesDir)) return [];
  // workspaces/ are analysed as projects below; realworld/ has its own test with a score threshold.
  const separate = [`workspaces${path.sep}`, `realworld${path.sep}`];
  return listPythonFiles(fixturesDir, []).filter((f) => !separate.some((dir) => path.relative(fixturesDir, f).startsWith(dir)));
}

describe('fixtures', () => {
  for (const file of fixtureFiles()) {
    const name = path.relative(fixturesDir, file);
    test(name, () => {
      let layer: ConfigLayer = {};
      const project = new ProjectAnalysis(analyzer, () => layer, path.dirname(file));
      layer = fixtureConfig(fs.readFileSync(file, 'utf8'));
      check(project, file);
    });
  }
});

describe('fixture workspaces', () => {
  const workspacesDir = path.join(fixturesDir, 'workspaces');
  const workspaces = fs.existsSync(workspacesDir) ? fs.readdirSync(workspacesDir).filter((d) => fs.statSync(path.join(workspacesDir, d)).isDirectory()) : [];
  for (const workspace of workspaces) {
    const root = path.join(workspacesDir, workspace);
    for (const file of listPythonFiles(root, [])) {
      test(`${workspace}/${path.relative(root, file)}`, () => {
        const project = new ProjectAnalysis(analyzer, () => fixtureConfig(fs.readFileSync(file, 'utf8')), root);
        check(project, file);
      });
    }
  }
});

after(() => {
  const rows = [...tally.entries()].sort(([a], [b]) => a.localeCompare(b));
  const lines = ['', 'Precision and recall over the fixtures (findings expected vs found, by line and code):', 'rule   expected  found  correct  precision  recall'];
  for (const [code, row] of rows) {
    const precision = row.found ? (row.truePositives / row.found) * 100 : 100;
    const recall = row.expected ? (row.truePositives / row.expected) * 100 : 100;
    lines.push(`${code}  ${String(row.expected).padStart(8)}  ${String(row.found).padStart(5)}  ${String(row.truePositives).padStart(7)}  ${precision.toFixed(1).padStart(8)}%  ${recall.toFixed(1).padStart(5)}%`);
  }
  const missing = RULE_CODES.filter((code) => !implemented.has(code));
  if (missing.length) lines.push(`(not implemented yet, so not checked: ${missing.join(', ')})`);
  console.log(lines.join('\n'));
});
