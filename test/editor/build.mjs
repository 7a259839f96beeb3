// Type-checks and bundles the extension-host test code (test/editor/suite/*.ts) into
// out/test/editor/suite/ with esbuild. `vscode` comes from the editor; mocha is loaded from
// node_modules at run time. Usage: node test/editor/build.mjs [--no-check]
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const outdir = join(root, 'out/test/editor/suite');
const started = Date.now();

if (!process.argv.includes('--no-check')) {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', join(here, 'tsconfig.json')], { stdio: 'inherit' });
  } catch {
    console.error('[editor-build] type errors in test/editor');
    process.exit(1);
  }
}

rmSync(outdir, { recursive: true, force: true });
const suiteDir = join(here, 'suite');
await esbuild.build({
  entryPoints: readdirSync(suiteDir)
    .filter((n) => n.endsWith('.ts'))
    .map((n) => join(suiteDir, n)),
  outdir,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'inline',
  external: ['vscode', 'mocha'],
  logLevel: 'warning',
});
console.log(`[editor-build] out/test/editor/suite built in ${((Date.now() - started) / 1000).toFixed(1)}s`);
