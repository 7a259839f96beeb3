// The real-world suite (test/fixtures/realworld/): reduced programs that keep the shape of code
// people wrote. It is scored as a whole rather than file by file: the engine must reach the
// precision and recall below over the suite, and every fixture it disagrees with is printed.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Analyzer } from '../../server/src/engine/analyzer';
import { RULE_CODES, RULES } from '../../server/src/engine/rules/registry';
import { listPythonFiles } from '../../server/src/workspace/pythonFiles';
import { ProjectAnalysis } from '../../server/src/workspace/projectAnalysis';
import { expectedFindings, fixtureConfig } from '../support/fixtureExpectations';
import { fixturesDir, grammarDir } from '../support/paths';

/** Percent of the engine's findings that the fixtures expect. */
const MIN_PRECISION = 95;
/** Percent of the expected findings that the engine reports. */
const MIN_RECALL = 90;

const realworldDir = path.join(fixturesDir, 'realworld');
const implemented = new Set<string>(RULES.map((rule) => rule.code));

interface Tally {
  expected: number;
  found: number;
  correct: number;
}

interface Disagreement {
  file: string;
  missing: string[];
  unexpected: string[];
}

const tally = new Map<string, Tally>();
const disagreements: Disagreement[] = [];

function bump(code: string, field: keyof Tally): void {
  const row = tally.get(code) ?? { expected: 0, found: 0, correct: 0 };
  row[field]++;
  tally.set(code, row);
}

function total(): Tally {
  const sum = { expected: 0, found: 0, correct: 0 };
  for (const row of tally.values()) {
    sum.expected += row.expected;
    sum.found += row.found;
    sum.correct += row.correct;
  }
  return sum;
}

function precision(row: Tally): number {
  return row.found ? (row.correct / row.found) * 100 : 100;
}

function recall(row: Tally): number {
  return row.expected ? (row.correct / row.expected) * 100 : 100;
}

/** Compares one file's findings with its `# expect` comments; returns nothing, it only records. */
function score(project: ProjectAnalysis, file: string): void {
  const report = project.analyzeFile(file);
  assert.equal(report.skipped, undefined, `fixture could not be read: ${report.skipped}`);
  const keyOf = (line: number, code: string) => `${line + 1}:${code}`;
  const expected = new Set(expectedFindings(report.text ?? '').filter((e) => implemented.has(e.code)).map((e) => keyOf(e.line, e.code)));
  const actual = new Set(report.findings.map((f) => keyOf(f.range.start.line, f.code)));
  const codeOf = (key: string) => key.split(':')[1];
  for (const key of expected) bump(codeOf(key), 'expected');
  for (const key of actual) {
    bump(codeOf(key), 'found');
    if (expected.has(key)) bump(codeOf(key), 'correct');
  }
  const missing = [...expected].filter((k) => !actual.has(k));
  const unexpected = [...actual].filter((k) => !expected.has(k));
  if (missing.length || unexpected.length) disagreements.push({ file: path.relative(realworldDir, file), missing, unexpected });
}

function entries(): { singleFiles: string[]; workspaces: string[] } {
  if (!fs.existsSync(realworldDir)) return { singleFiles: [], workspaces: [] };
  const names = fs.readdirSync(realworldDir).sort();
  return {
    singleFiles: names.filter((n) => n.endsWith('.py')).map((n) => path.join(realworldDir, n)),
    workspaces: names.map((n) => path.join(realworldDir, n)).filter((p) => fs.statSync(p).isDirectory()),
  };
}

let analyzer: Analyzer;
before(async () => {
  analyzer = await Analyzer.create(grammarDir);
});

describe('real-world suite', () => {
  const { singleFiles, workspaces } = entries();

  test('has fixtures', () => {
    assert.ok(singleFiles.length + workspaces.length > 0, `no fixtures under ${realworldDir}`);
  });

  for (const file of singleFiles) {
    test(path.basename(file), () => {
      const project = new ProjectAnalysis(analyzer, () => fixtureConfig(fs.readFileSync(file, 'utf8')), path.dirname(file));
      score(project, file);
    });
  }

  for (const root of workspaces) {
    test(`${path.basename(root)}/`, () => {
      const files = listPythonFiles(root, []);
      assert.ok(files.length > 0, `workspace fixture ${root} has no Python files`);
      for (const file of files) {
        const project = new ProjectAnalysis(analyzer, () => fixtureConfig(fs.readFileSync(file, 'utf8')), root);
        score(project, file);
      }
    });
  }

  test(`precision >= ${MIN_PRECISION}% and recall >= ${MIN_RECALL}% over the suite`, () => {
    const sum = total();
    assert.ok(sum.expected > 0, 'the suite expects no findings at all');
    const measured = `precision ${precision(sum).toFixed(1)}%, recall ${recall(sum).toFixed(1)}% (see the table and disagreements printed below)`;
    assert.ok(precision(sum) >= MIN_PRECISION && recall(sum) >= MIN_RECALL, measured);
  });
});

after(() => {
  const pad = (value: string | number, width: number) => String(value).padStart(width);
  const line = (label: string, row: Tally) =>
    `${label.padEnd(6)} ${pad(row.expected, 8)}  ${pad(row.found, 5)}  ${pad(row.correct, 7)}  ${pad(precision(row).toFixed(1), 8)}%  ${pad(recall(row).toFixed(1), 5)}%`;
  const out = ['', 'Real-world suite: findings expected vs found, by line and code', 'rule   expected  found  correct  precision  recall'];
  for (const [code, row] of [...tally.entries()].sort(([a], [b]) => a.localeCompare(b))) out.push(line(code, row));
  out.push(line('all', total()));
  const unimplemented = RULE_CODES.filter((code) => !implemented.has(code));
  if (unimplemented.length) out.push(`(not implemented yet, so not scored: ${unimplemented.join(', ')})`);
  out.push('', `Fixtures the engine disagrees with: ${disagreements.length}`);
  for (const d of disagreements.sort((a, b) => a.file.localeCompare(b.file))) {
    const parts = [d.missing.length ? `missing ${d.missing.join(' ')}` : '', d.unexpected.length ? `unexpected ${d.unexpected.join(' ')}` : ''].filter(Boolean);
    out.push(`  ${d.file}: ${parts.join('; ')}`);
  }
  console.log(out.join('\n'));
});
