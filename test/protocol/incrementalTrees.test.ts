// The server's incremental trees must equal a fresh parse after any sequence of edits: a wrong
// edit offset silently corrupts the tree (a real bug: offsets were read after the text changed).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { Analyzer } from '../../server/src/engine/analyzer';
import { DocumentTrees } from '../../server/src/lsp/documentTrees';
import { examplesDir, grammarDir } from '../support/paths';

let analyzer: Analyzer;
before(async () => {
  analyzer = await Analyzer.create(grammarDir);
});

/** A small deterministic generator, so a failure replays exactly. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

const SNIPPETS = ['  # noqa: GF101', '\n', 'x', '😀', '\r\n', '    pass\n', 'grpc.insecure_channel("a")', '(', ')', '"""', ''];

test('incremental edits keep the tree identical to a fresh parse (400 random edits per example)', () => {
  for (const name of fs.readdirSync(examplesDir).filter((f) => f.endsWith('.py'))) {
    const next = random(name.length * 7919);
    const trees = new DocumentTrees(() => analyzer);
    const uri = `file:///${name}`;
    const entry = trees.open(uri, 'python', 1, fs.readFileSync(path.join(examplesDir, name), 'utf8'));
    trees.treeOf(entry);
    for (let version = 2; version < 402; version++) {
      const text = entry.document.getText();
      const start = Math.floor(next() * (text.length + 1));
      const end = Math.min(text.length, start + Math.floor(next() * 20));
      const insert = SNIPPETS[Math.floor(next() * SNIPPETS.length)];
      // Never split a surrogate pair or a CRLF: editors do not produce such ranges.
      if (/[\uDC00-\uDFFF\n]/.test(text[start] ?? '') && /[\uD800-\uDBFF\r]/.test(text[start - 1] ?? '')) continue;
      if (/[\uDC00-\uDFFF\n]/.test(text[end] ?? '') && /[\uD800-\uDBFF\r]/.test(text[end - 1] ?? '')) continue;
      trees.change(uri, version, [{ range: { start: entry.document.positionAt(start), end: entry.document.positionAt(end) }, text: insert }]);
      if (version % 10 !== 0) continue;
      const incremental = trees.treeOf(entry)!;
      const fresh = analyzer.parse(entry.document.getText());
      assert.equal(incremental.rootNode.toString(), fresh.rootNode.toString(), `${name}, version ${version}`);
      assert.equal(incremental.rootNode.endIndex, fresh.rootNode.endIndex, `${name}, version ${version}`);
      fresh.delete();
    }
    trees.close(uri);
  }
});
