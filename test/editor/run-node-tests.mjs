// @ts-check
// Runs the node:test files of one editor tier (test/editor/<tier>/*.test.mjs) one after the
// other, prints them with the spec reporter and ends with a `N passed, N failed` line.
// Usage: node test/editor/run-node-tests.mjs ui|vsix
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const tier = process.argv[2];
if (!tier) {
  console.error('usage: node test/editor/run-node-tests.mjs <folder under test/editor>');
  process.exit(2);
}
const dir = resolve(here, tier);
const files = readdirSync(dir).filter((n) => n.endsWith('.test.mjs')).sort().map((n) => join(dir, n));

let passed = 0;
let failed = 0;
let skipped = 0;
const stream = run({ files, concurrency: 1 });
// Top-level tests of each file count (nesting 0); a file that fails to load reports as one failure.
stream.on('test:pass', (/** @type {any} */ data) => {
  if (data.nesting !== 0 || data.details?.type === 'suite') return;
  if (data.skip !== undefined || data.todo !== undefined) skipped++;
  else passed++;
});
stream.on('test:fail', (/** @type {any} */ data) => {
  if (data.nesting === 0 && data.details?.type !== 'suite') failed++;
});
const reporter = stream.compose(new spec());
reporter.pipe(process.stdout);
await new Promise((res) => reporter.on('end', res));
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exitCode = failed || !files.length ? 1 : 0;
