// @ts-check
// `npm run test:editor` after the builds: runs every real-editor tier, each to its end even when
// an earlier one failed, and closes with one line per tier and the total `N passed, N failed`.
//   extension host - test/editor/run.mjs (mocha suite inside VS Code's extension host)
//   ui             - test/editor/ui/ (playwright-core on the workbench)
//   vsix           - npm run package, then test/editor/vsix/ (the packaged VSIX installed)
// Environment: GFG_EDITOR_TIERS=host,ui,vsix (which tiers to run; default all).
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** @type {{ id: string, name: string, steps: string[][] }[]} */
const TIERS = [
  { id: 'host', name: 'extension host', steps: [[process.execPath, 'test/editor/run.mjs']] },
  { id: 'ui', name: 'ui', steps: [[process.execPath, 'test/editor/run-node-tests.mjs', 'ui']] },
  {
    id: 'vsix',
    name: 'packaged vsix',
    steps: [[npm, 'run', '--silent', 'package'], [process.execPath, 'test/editor/run-node-tests.mjs', 'vsix']],
  },
];
const wanted = (process.env.GFG_EDITOR_TIERS || 'host,ui,vsix').split(',').map((s) => s.trim());

/**
 * Runs a command with its output passed through; resolves with the exit code and the last
 * `N passed, N failed` line it printed.
 * @param {string[]} argv
 */
function run(argv) {
  return new Promise((res) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let summary = '';
    let pending = '';
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (/^\d+ passed, \d+ failed/.test(line)) summary = line;
    });
    child.stderr.on('data', (d) => process.stderr.write(d));
    child.on('close', (code) => {
      if (/^\d+ passed, \d+ failed/.test(pending)) summary = pending;
      res({ code: code ?? 1, summary });
    });
  });
}

const results = [];
const started = Date.now();
for (const tier of TIERS.filter((t) => wanted.includes(t.id))) {
  const t0 = Date.now();
  console.log(`\n=== editor tier: ${tier.name} ===`);
  let code = 0;
  let summary = '';
  for (const step of tier.steps) {
    ({ code, summary } = /** @type {{ code: number, summary: string }} */ (await run(step)));
    if (code !== 0) break;
  }
  const m = /^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?/.exec(summary);
  // A tier that failed without reporting tests (e.g. packaging failed) counts as one failure.
  const passed = m ? Number(m[1]) : 0;
  const skipped = m?.[3] ? Number(m[3]) : 0;
  const failed = m ? Number(m[2]) : code !== 0 ? 1 : 0;
  results.push({ name: tier.name, code, passed, failed: code !== 0 && failed === 0 ? 1 : failed, skipped, seconds: (Date.now() - t0) / 1000 });
}

console.log('\n=== editor tiers ===');
for (const r of results) {
  const skips = r.skipped ? `, ${r.skipped} skipped` : '';
  console.log(`${r.name.padEnd(16)} ${r.code === 0 ? 'ok  ' : 'FAIL'} ${r.passed} passed, ${r.failed} failed${skips}  (${r.seconds.toFixed(1)}s)`);
}
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
const skipped = results.reduce((n, r) => n + r.skipped, 0);
console.log(`total ${((Date.now() - started) / 1000).toFixed(1)}s; screenshots in test-results/`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(results.some((r) => r.code !== 0) ? 1 : 0);
