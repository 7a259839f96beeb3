// Fix snapshots: each rule's fixtures in, the exact diff of every fix out. Each non-suppression fix
// is applied alone (with the engine's own applyEdits) and its unified diff compared with
// test/engine/fixSnapshots/<rule>.snap.md, one Markdown file per rule folder so a reviewer reads
// the diffs, plus workspaces.snap.md, where a runner's fix also edits its configuration file.
// `UPDATE_SNAPSHOTS=1` rewrites the files instead of comparing.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import { createTwoFilesPatch } from 'diff';
import { Analyzer } from '../../server/src/engine/analyzer';
import type { Fix, TextEdit } from '../../server/src/engine/findings';
import { applyEdits } from '../../server/src/engine/fixes/fixAll';
import { listPythonFiles } from '../../server/src/workspace/pythonFiles';
import { ProjectAnalysis } from '../../server/src/workspace/projectAnalysis';
import { fixtureConfig } from '../support/fixtureExpectations';
import { fixturesDir, grammarDir, repoRoot } from '../support/paths';

const UPDATE_COMMAND = 'UPDATE_SNAPSHOTS=1 node scripts/runTests.mjs engine --only=fixSnapshots';
const snapshotDir = path.join(repoRoot, 'test', 'engine', 'fixSnapshots');
const updating = process.env.UPDATE_SNAPSHOTS === '1';

interface Snapshot {
  /** `path:line code "title"`: unique within a rule's file. */
  key: string;
  applicability: string;
  diff: string;
}

let analyzer: Analyzer;
before(async () => {
  analyzer = await Analyzer.create(grammarDir);
});

/** Snapshot groups: each rule's fixture folder, analysed file by file, and the workspaces (where runner fixes edit a second file), each analysed as a project. */
interface Group {
  name: string;
  files: string[];
  /** The folder taken as a file's project. */
  boundary: (file: string) => string;
}

function groups(): Group[] {
  if (!fs.existsSync(fixturesDir)) return [];
  const rules = fs.readdirSync(fixturesDir).filter((name) => /^GF[1-3]\d\d$/.test(name)).sort().map((name) => ({
    name,
    files: listPythonFiles(path.join(fixturesDir, name), []).sort(),
    boundary: (file: string) => path.dirname(file),
  }));
  const workspacesDir = path.join(fixturesDir, 'workspaces');
  if (!fs.existsSync(workspacesDir)) return rules;
  const workspaces = {
    name: 'workspaces',
    files: listPythonFiles(workspacesDir, []).sort(),
    boundary: (file: string) => path.join(workspacesDir, path.relative(workspacesDir, file).split(path.sep)[0]),
  };
  return [...rules, workspaces];
}

function slash(file: string): string {
  return path.relative(repoRoot, file).split(path.sep).join('/');
}

function unifiedDiff(file: string, before: string, edits: TextEdit[]): string {
  const name = slash(file);
  const patch = createTwoFilesPatch(`a/${name}`, `b/${name}`, before, applyEdits(before, edits));
  // The first line is a row of '=' that says nothing.
  return patch.replace(/^=+\n/, '');
}

function fixDiff(file: string, text: string, fix: Fix): string {
  const parts = [unifiedDiff(file, text, fix.edits)];
  for (const other of fix.otherFiles ?? []) {
    const otherText = fs.existsSync(other.path) ? fs.readFileSync(other.path, 'utf8') : '';
    parts.push(unifiedDiff(other.path, otherText, other.edits));
  }
  return parts.join('');
}

function snapshotsOf(group: Group): Snapshot[] {
  const snapshots: Snapshot[] = [];
  for (const file of group.files) {
    const text = fs.readFileSync(file, 'utf8');
    const project = new ProjectAnalysis(analyzer, () => fixtureConfig(text), group.boundary(file));
    const report = project.analyzeFile(file);
    assert.equal(report.skipped, undefined, `${slash(file)} could not be read: ${report.skipped}`);
    const findings = [...report.findings].sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.code.localeCompare(b.code));
    const seen = new Map<string, number>();
    for (const finding of findings) {
      for (const fix of finding.fixes.filter((f) => !f.isSuppression)) {
        const base = `${slash(file)}:${finding.range.start.line + 1} ${finding.code} "${fix.title}"`;
        // Two findings of one code on one line may offer the same fix; number the repeats.
        const count = (seen.get(base) ?? 0) + 1;
        seen.set(base, count);
        snapshots.push({ key: count === 1 ? base : `${base} #${count}`, applicability: fix.applicability, diff: fixDiff(file, text, fix) });
      }
    }
  }
  return snapshots;
}

function fenceFor(diff: string): string {
  const longest = Math.max(2, ...(diff.match(/`+/g) ?? []).map((run) => run.length));
  return '`'.repeat(longest + 1);
}

function render(folder: string, snapshots: Snapshot[]): string {
  const lines = [
    `# ${folder} fix snapshots`,
    '',
    `Every non-suppression fix offered on the fixtures in test/fixtures/${folder}, applied alone. Generated: update with \`${UPDATE_COMMAND}\` and review the diff.`,
    '',
  ];
  for (const { key, applicability, diff } of snapshots) {
    const fence = fenceFor(diff);
    lines.push(`## ${key}`, '', `Applicability: ${applicability}`, '', `${fence}diff`, diff.replace(/\n$/, ''), fence, '');
  }
  return lines.join('\n');
}

/** The sections of a snapshot file by heading, so a failure names the fixes that changed. */
function parse(markdown: string): Map<string, string> {
  const sections = new Map<string, string>();
  for (const section of markdown.split(/^## /m).slice(1)) {
    const newline = section.indexOf('\n');
    sections.set(section.slice(0, newline), section.slice(newline + 1));
  }
  return sections;
}

describe('fix snapshots', () => {
  for (const group of groups()) {
    test(group.name, () => {
      const snapshotFile = path.join(snapshotDir, `${group.name}.snap.md`);
      const actual = render(group.name, snapshotsOf(group));
      if (updating) {
        fs.mkdirSync(snapshotDir, { recursive: true });
        fs.writeFileSync(snapshotFile, actual);
        return;
      }
      const hint = `run \`${UPDATE_COMMAND}\` and review the changed diffs`;
      assert.ok(fs.existsSync(snapshotFile), `no fix snapshot ${slash(snapshotFile)}: ${hint}`);
      const stored = fs.readFileSync(snapshotFile, 'utf8');
      if (stored === actual) return;
      const want = parse(stored);
      const got = parse(actual);
      const missing = [...got.keys()].filter((k) => !want.has(k));
      const gone = [...want.keys()].filter((k) => !got.has(k));
      const changed = [...got.keys()].filter((k) => want.has(k) && want.get(k) !== got.get(k));
      const report = [
        ...missing.map((k) => `  new fix: ${k}`),
        ...gone.map((k) => `  no longer offered: ${k}`),
        ...changed.map((k) => `  changed: ${k}\n${got.get(k)}`),
      ];
      assert.fail(`fix snapshot ${slash(snapshotFile)} is stale (${hint}):\n${report.join('\n') || '  the file differs outside the snapshots (header or order)'}`);
    });
  }
});
