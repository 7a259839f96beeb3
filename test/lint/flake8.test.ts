// Fixed code must be code a maintainer would merge: Debian's flake8 (python3-flake8), with its
// defaults, finds no warning in a fixed file that the original did not have. Every fix of every
// finding, and fix-all with and without unsafe fixes, over the examples, the fixtures and the
// runtime programs. The fixed files are written to a scratch folder and checked by one flake8 run.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Analyzer } from '../../server/src/engine/analyzer';
import { mergeConfig } from '../../server/src/engine/config';
import { applyEdits, fixText } from '../../server/src/engine/fixes/fixAll';
import { preforkRunners } from '../../server/src/workspace/preforkRunners';
import { listPythonFiles } from '../../server/src/workspace/pythonFiles';
import { fixtureConfig } from '../support/fixtureExpectations';
import { examplesDir, fixturesDir, grammarDir, repoRoot } from '../support/paths';

const PYTHON = '/usr/bin/python3';
const flake8Missing = (() => {
  const r = spawnSync(PYTHON, ['-m', 'flake8', '--version'], { stdio: 'ignore', timeout: 60_000 });
  return r.error || r.status !== 0 ? 'needs Debian\'s flake8: apt-get install -y python3-flake8' : undefined;
})();

/** Programs run by imitated pre-forking runners: analysed with the runners found beside them. */
const runnersDir = path.join(repoRoot, 'test', 'runtime', 'runners');

const corpus = [
  ...listPythonFiles(examplesDir, []),
  ...listPythonFiles(fixturesDir, []).filter((f) => !f.includes(`${path.sep}workspaces${path.sep}`)),
  ...listPythonFiles(path.join(repoRoot, 'test', 'runtime', 'programs'), []),
  ...listPythonFiles(runnersDir, []),
];

interface Version {
  source: string;
  label: string;
  file: string;
}

/** flake8's warnings, counted by code, per file. */
function flake8(dir: string): Map<string, Map<string, number>> {
  const r = spawnSync(PYTHON, ['-m', 'flake8', '--jobs=1', '--format=%(path)s\t%(code)s\t%(row)d', '.'], { cwd: dir, encoding: 'utf8', timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
  assert.ok(!r.error && (r.status === 0 || r.status === 1), `flake8 did not run: ${r.error ?? r.stderr}`);
  const counts = new Map<string, Map<string, number>>();
  for (const line of r.stdout.split('\n')) {
    const [file, code, row] = line.split('\t');
    if (!file || !code) continue;
    const key = path.normalize(file);
    // SPEC §3: lines no longer than the file's own longest (E501 counts only beyond that).
    if (code === 'E501' && !beyondOwnLongest(dir, key, Number(row))) continue;
    const perFile = counts.get(key) ?? new Map<string, number>();
    perFile.set(code, (perFile.get(code) ?? 0) + 1);
    counts.set(key, perFile);
  }
  return counts;
}

const longestCache = new Map<string, number>();

function beyondOwnLongest(dir: string, file: string, row: number): boolean {
  const original = path.join(dir, path.dirname(file), 'original.py');
  if (!longestCache.has(original)) longestCache.set(original, Math.max(0, ...fs.readFileSync(original, 'utf8').split(/\r?\n/).map((l) => l.length)));
  const line = fs.readFileSync(path.join(dir, file), 'utf8').split(/\r?\n/)[row - 1] ?? '';
  return line.length > longestCache.get(original)!;
}

describe('lint: fixed files have no flake8 warning the original did not have', { skip: flake8Missing }, () => {
  let analyzer: Analyzer;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-flake8-'));
  before(async () => {
    analyzer = await Analyzer.create(grammarDir);
  });
  after(() => { if (!process.env.GF_KEEP) fs.rmSync(scratch, { recursive: true, force: true }); });

  test('every fix and fix-all, over every fixture', (t) => {
    const versions: Version[] = [];
    corpus.forEach((source, index) => {
      const text = fs.readFileSync(source, 'utf8');
      const config = mergeConfig(fixtureConfig(text));
      const runners = source.startsWith(runnersDir) ? preforkRunners(path.dirname(source), path.dirname(source), []) : undefined;
      const analyse = (t: string) => analyzer.analyze(source, t, config, { runners }).findings;
      const dir = path.join(scratch, String(index));
      fs.mkdirSync(dir);
      const write = (name: string, label: string, content: string) => {
        fs.writeFileSync(path.join(dir, name), content);
        versions.push({ source, label, file: path.join(String(index), name) });
      };
      write('original.py', 'original', text);
      analyse(text).forEach((finding, f) => finding.fixes.forEach((fix, x) => {
        if (fix.isSuppression) return;
        const label = `${finding.code} at ${finding.range.start.line + 1}: "${fix.title}"`;
        write(`fix_${f}_${x}.py`, label, applyEdits(text, fix.edits));
        // Another file the fix edits (gunicorn's configuration) is checked against its own original.
        (fix.otherFiles ?? []).forEach((other, o) => {
          const otherDir = `${index}_${f}_${x}_${o}`;
          fs.mkdirSync(path.join(scratch, otherDir));
          const otherText = fs.readFileSync(other.path, 'utf8');
          fs.writeFileSync(path.join(scratch, otherDir, 'original.py'), otherText);
          fs.writeFileSync(path.join(scratch, otherDir, 'fixed.py'), applyEdits(otherText, other.edits));
          versions.push({ source: other.path, label: `${label}, in ${path.basename(other.path)}`, file: path.join(otherDir, 'fixed.py') });
        });
      }));
      for (const unsafe of [false, true]) write(`fixall_${unsafe}.py`, `fix-all (unsafe=${unsafe})`, fixText(analyse, text, { unsafe }).text);
    });
    const warnings = flake8(scratch);
    const problems: string[] = [];
    for (const version of versions) {
      if (version.label === 'original') continue;
      const original = warnings.get(path.join(path.dirname(version.file), 'original.py')) ?? new Map<string, number>();
      const fixed = warnings.get(version.file) ?? new Map<string, number>();
      const added = [...fixed].filter(([code, n]) => n > (original.get(code) ?? 0)).map(([code, n]) => `${code} +${n - (original.get(code) ?? 0)}`);
      if (added.length) problems.push(`${path.relative(repoRoot, version.source)}: ${version.label}: ${added.join(', ')}`);
    }
    t.diagnostic(`${versions.length} fixed versions checked`);
    assert.deepEqual(problems, [], `new flake8 warnings (fixed copies in ${scratch}):\n${problems.join('\n')}`);
  });
});
