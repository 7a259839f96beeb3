// Bundles the client, the language server and the CLI with esbuild, and copies the grammar's
// .wasm files into grammars/ so that they ship beside dist/ in a checkout and in the VSIX.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const watch = process.argv.includes('--watch');
const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

const grammarFiles = [
  ['node_modules/web-tree-sitter/tree-sitter.wasm', 'grammars/tree-sitter.wasm'],
  ['node_modules/tree-sitter-python/tree-sitter-python.wasm', 'grammars/tree-sitter-python.wasm'],
];
fs.mkdirSync(path.join(root, 'grammars'), { recursive: true });
for (const [from, to] of grammarFiles) {
  fs.copyFileSync(path.join(root, from), path.join(root, to));
}

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  absWorkingDir: root,
  define: { __VERSION__: JSON.stringify(version) },
  // The ESM build of web-tree-sitter locates itself with import.meta.url, which a CommonJS bundle lacks.
  alias: { 'web-tree-sitter': './node_modules/web-tree-sitter/tree-sitter.cjs' },
};

const builds = [
  { entryPoints: { client: 'client/src/extension.ts' }, external: ['vscode'] },
  { entryPoints: { server: 'server/src/lsp/main.ts', cli: 'server/src/cli/main.ts' }, banner: { js: '#!/usr/bin/env node' } },
  // The workspace scan's worker threads (server/src/workspace/workspaceScanner.ts loads it from dist/).
  { entryPoints: { scanWorker: 'server/src/workspace/scanWorker.ts' } },
  // The language server's analysis thread (server/src/lsp/analysisHost.ts loads it from dist/).
  { entryPoints: { analysisWorker: 'server/src/lsp/analysisWorker.ts' } },
];

for (const options of builds) {
  const config = { ...common, ...options, outdir: 'dist' };
  if (watch) {
    const context = await esbuild.context(config);
    await context.watch();
  } else {
    await esbuild.build(config);
  }
}
if (!watch) fs.chmodSync(path.join(root, 'dist/cli.js'), 0o755);
