// Builds the test files with esbuild and runs them with node's test runner, tier by tier.
// Usage: node scripts/runTests.mjs [tier ...]   (tiers: engine cli protocol neovim runtime lint; default all)
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const allTiers = ['engine', 'cli', 'protocol', 'neovim', 'runtime', 'lint'];
const tiers = process.argv.slice(2).length ? process.argv.slice(2) : allTiers;

const entryPoints = tiers.flatMap((tier) => {
  const dir = path.join(root, 'test', tier);
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.endsWith('.test.ts')).map((f) => path.join(dir, f));
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
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=2', ...files], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, GF_REPO_ROOT: root },
});
process.exit(result.status ?? 1);
