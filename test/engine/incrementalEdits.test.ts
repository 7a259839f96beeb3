// What the editor analyses after a run of keystrokes (a tree edited and re-parsed incrementally,
// with what each analysis keeps of a tree) must equal an analysis of the same text from scratch.
// Random edits from a fixed seed, over every fixture of the corpus.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { before, test } from 'node:test';
import { AnalysisOptions, Analyzer } from '../../server/src/engine/analyzer';
import { RULES } from '../../server/src/engine/rules/registry';
import { DocumentTrees } from '../../server/src/lsp/documentTrees';
import { ProjectAnalysis } from '../../server/src/workspace/projectAnalysis';
import { fixtureCorpus } from '../support/fixtureCorpus';
import { grammarDir } from '../support/paths';

const EDITS_PER_FILE = 6;
// Fragments a person types, and some that change what the program means.
const INSERTS = ['x', ' ', '\n', '#', '"', '(', ')', ':', '\n    ', 'grpc', 'fork', 'os.fork()', 'pool', 'close()', 'import os\n', 'def f():\n    pass\n'];

let analyzer: Analyzer;
before(async () => {
  analyzer = await Analyzer.create(grammarDir);
});

/** A small deterministic generator (mulberry32): the same edits on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('incremental analysis after random edits equals an analysis from scratch, on every fixture', () => {
  const corpus = fixtureCorpus(new Set(RULES.map((rule) => rule.code)));
  assert.ok(corpus.length > 50, 'the fixture corpus was found');
  const next = random(13);
  let compared = 0;
  for (const fixture of corpus) {
    const project = new ProjectAnalysis(analyzer, () => fixture.config, fixture.root);
    const resolved = project.configFor(fixture.path);
    const analyse = (text: string, tree?: AnalysisOptions['tree']) => JSON.stringify(
      analyzer.analyze(fixture.path, text, resolved.config, { tree, resolver: project.resolverFor(resolved.projectRoot), runners: [] }).findings,
    );
    const documents = new DocumentTrees(() => analyzer);
    const uri = `file://${fixture.path}`;
    let entry = documents.open(uri, 'python', 1, fs.readFileSync(fixture.path, 'utf8'));
    analyse(entry.document.getText(), () => documents.treeOf(entry));
    for (let version = 2; version < 2 + EDITS_PER_FILE; version++) {
      const text = entry.document.getText();
      const start = Math.floor(next() * (text.length + 1));
      const end = next() < 0.4 ? Math.min(text.length, start + Math.floor(next() * 12)) : start;
      const inserted = next() < 0.7 ? INSERTS[Math.floor(next() * INSERTS.length)] : '';
      const range = { start: entry.document.positionAt(start), end: entry.document.positionAt(end) };
      entry = documents.change(uri, version, [{ range, text: inserted }])!;
      const newText = entry.document.getText();
      const incremental = analyse(newText, () => documents.treeOf(entry));
      const fresh = analyzer.parse(newText);
      try {
        assert.equal(incremental, analyse(newText, fresh), `${fixture.path} after edit ${version - 1} (${JSON.stringify(inserted)} at ${start}..${end})`);
      } finally {
        fresh.delete();
      }
      compared++;
    }
    documents.close(uri);
  }
  assert.equal(compared, corpus.length * EDITS_PER_FILE);
});
