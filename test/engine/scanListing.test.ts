// The workspace scan's compact listing (workspace/scanListing.ts): what it answers must be what a
// Map of full paths would answer, whatever order files come in.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { FileListing } from '../../server/src/workspace/scanListing';

test('the listing answers for every file it holds and for no other, in any order of adding', () => {
  const listing = new FileListing();
  const added: [string, string, number][] = [
    ['/w/a', '__init__.py', 0], ['/w/a', 'b.py', 0], ['/w/a', 'c.py', 0],
    ['/w/a/sub', 'd.py', 0],
    // A second scanned folder holding /w/a: new names come out of order, known ones are refused.
    ['/w/a', 'b.py', 1], ['/w/a', 'a0.py', 1], ['/w/a', 'zz.py', 1],
    ['/', 'top.py', 2],
  ];
  const ids = added.map(([dir, name, root]) => listing.add(dir, name, root));
  assert.deepEqual(ids, [0, 1, 2, 3, undefined, 4, 5, 6]);
  assert.equal(listing.size, 7);
  const paths = ['/w/a/__init__.py', '/w/a/b.py', '/w/a/c.py', '/w/a/sub/d.py', '/w/a/a0.py', '/w/a/zz.py', '/top.py'];
  paths.forEach((filePath, id) => {
    assert.equal(listing.idOf(filePath), id, filePath);
    assert.equal(listing.pathOf(id), filePath);
    assert.equal(listing.folderOf(id), path.dirname(filePath));
    assert.equal(listing.nameOf(id), path.basename(filePath));
  });
  assert.deepEqual(paths.map((_, id) => listing.rootOf(id)), [0, 0, 0, 0, 1, 1, 2]);
  for (const absent of ['/w/a/d.py', '/w/a/sub/b.py', '/w/b.py', '/w/a', 'b.py', '/w/a/b.pyi', '/x.py']) assert.equal(listing.has(absent), false, absent);
});

test('flags are per file and can be set and cleared', () => {
  const listing = new FileListing();
  for (let i = 0; i < 3000; i++) listing.add(`/w/d${i % 7}`, `f${String(i).padStart(5, '0')}.py`, 0);
  listing.setFlag(5, 1);
  listing.setFlag(5, 4);
  listing.setFlag(2999, 2);
  assert.equal(listing.hasFlag(5, 1), true);
  assert.equal(listing.hasFlag(5, 2), false);
  assert.equal(listing.hasFlag(2999, 2), true);
  listing.clearFlag(5, 1);
  assert.equal(listing.hasFlag(5, 1), false);
  assert.equal(listing.hasFlag(5, 4), true);
  // Files of one folder that do not come together are still found.
  assert.equal(listing.idOf('/w/d3/f00010.py'), 10);
  assert.equal(listing.idOf('/w/d3/f00011.py'), undefined);
});
