// Open documents found by the file on disk they hold (lsp/documentTrees.ts): what imports of an
// open module read instead of the disk.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { DocumentTrees } from '../../server/src/lsp/documentTrees';

test('an open document is found by its file; of two URIs naming one file, the first opened, then the other', () => {
  const trees = new DocumentTrees(() => undefined);
  trees.open('file:///work/app/a.py', 'python', 1, 'first');
  trees.open('file:///work/app/%61.py', 'python', 1, 'second');
  trees.open('untitled:Untitled-1', 'python', 1, 'not on disk');
  assert.equal(trees.atDiskPath('/work/app/a.py')?.document.getText(), 'first');
  trees.close('file:///work/app/a.py');
  assert.equal(trees.atDiskPath('/work/app/a.py')?.document.getText(), 'second');
  trees.close('file:///work/app/%61.py');
  assert.equal(trees.atDiskPath('/work/app/a.py'), undefined);
  assert.equal(trees.atDiskPath('Untitled-1'), undefined);
});

test('an edited document is found with its current text, and a reopened one with its new text', () => {
  const trees = new DocumentTrees(() => undefined);
  trees.open('file:///work/app/b.py', 'python', 1, 'x = 1\n');
  trees.change('file:///work/app/b.py', 2, [{ range: { start: { line: 0, character: 4 }, end: { line: 0, character: 5 } }, text: '2' }]);
  assert.equal(trees.atDiskPath('/work/app/b.py')?.document.getText(), 'x = 2\n');
  trees.open('file:///work/app/b.py', 'python', 1, 'reopened\n');
  assert.equal(trees.atDiskPath('/work/app/b.py')?.document.getText(), 'reopened\n');
});
