// Loaded into every test file's process (runTests.mjs passes it with --import): once the file's
// tests have all finished, a handle one of them left open (a server a failed test started) may
// keep the process alive for ever; this ends it a few seconds later, with the exit code the test
// runner set. It replaces --test-force-exit, which exits at once and can drop the results of the
// file's last tests before the runner reads them, so a run reported fewer tests than ran, at
// exit 0 (nodejs/node#64833).
import { after } from 'node:test';

const GRACE_MS = 10_000;

after(() => {
  // Unreferenced: a file whose handles all close ends as soon as they do, not after the grace.
  setTimeout(() => process.exit(), GRACE_MS).unref();
});
