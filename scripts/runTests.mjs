// Builds the test files with esbuild and runs them with node's test runner, tier by tier.
// Usage: node scripts/runTests.mjs [tier ...] [--iterations=N]
//   tiers: engine cli protocol neovim runtime probe lint fuzz (default all); --iterations sets FUZZ_ITERATIONS
//   for the hostile-input tier unless the environment already does (`npm run fuzz` is the long run);
//   --only=WORD keeps the test files whose name contains WORD (for a quick run while working).
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const allTiers = ['engine', 'cli', 'protocol', 'neovim', 'runtime', 'probe', 'lint', 'fuzz'];
const args = process.argv.slice(2);
const iterations = args.find((a) => a.startsWith('--iterations='))?.slice('--iterations='.length);
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const named = args.filter((a) => !a.startsWith('--'));
const tiers = named.length ? named : allTiers;

const entryPoints = tiers.flatMap((tier) => {
  const dir = path.join(root, 'test', tier);
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir)
    .filter((f) => f.endsWith('.test.ts') && (!only || f.includes(only)))
    .map((f) => path.join(dir, f));
});

const outdir = path.join(root, 'out', 'test');
fs.rmSync(outdir, { recursive: true, force: true });
await esbuild.build({
  entryPoints,
  outbase: path.join(root, 'test'),
  outdir,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'inline',
  logLevel: 'warning',
  external: ['vscode'],
  alias: { 'web-tree-sitter': './node_modules/web-tree-sitter/tree-sitter.cjs' },
  define: { __VERSION__: '"test"' },
});

const files = entryPoints.map((file) => path.join(outdir, path.relative(path.join(root, 'test'), file)).replace(/\.ts$/, '.js'));
// A test that hangs fails after 10 minutes instead of blocking the run, and a handle a failed test
// left open (a server it started) never keeps a test file from ending (testExitWatchdog.mjs).
const watchdog = path.join(root, 'scripts', 'testExitWatchdog.mjs');
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=2', '--test-timeout=600000', '--import', watchdog, ...files], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, GF_REPO_ROOT: root, ...(iterations && !process.env.FUZZ_ITERATIONS ? { FUZZ_ITERATIONS: iterations } : {}) },
});
process.exit(result.status ?? 1);
