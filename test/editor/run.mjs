// @ts-check
// Runs the extension-host test suite (out/test/editor/suite, built by build.mjs) in a real
// VS Code through @vscode/test-electron's runTests. Two routes, same suite:
//   offline  - the VS Code server from .tools/ in headless chromium (test/editor/launch/code-web);
//              the default when scripts/editor-tools.sh has installed the tools
//   download - runTests downloads VS Code (needs internet and a display, e.g. xvfb-run)
// Environment: GFG_EDITOR_ROUTE=offline|download, GFG_EDITOR_VSCODE_VERSION (download route),
// GFG_EDITOR_EXTENSION (extension folder under test; default the repository, built with
// `npm run build`), GFG_EDITOR_WORKSPACE (folder copied as the workspace; default examples/),
// GFG_EDITOR_GREP (mocha grep).

import { cpSync, existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';
import { toolsInstalled } from './launch/lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');

// The VS Code inside code-server@4.139.1 is 1.139.1; the download route uses the same version.
const VSCODE_VERSION = process.env.GFG_EDITOR_VSCODE_VERSION || '1.139.1';

const route = process.env.GFG_EDITOR_ROUTE || (toolsInstalled() ? 'offline' : 'download');
const extensionDevelopmentPath = resolve(process.env.GFG_EDITOR_EXTENSION || root);
const workspaceSource = resolve(process.env.GFG_EDITOR_WORKSPACE || join(root, 'examples'));
const extensionTestsPath = join(root, 'out/test/editor/suite/index.js');

if (!existsSync(extensionTestsPath)) {
  console.error(`${extensionTestsPath} is missing: run node test/editor/build.mjs first`);
  process.exit(2);
}
if (extensionDevelopmentPath === root && !existsSync(join(root, 'dist/client.js'))) {
  console.error('dist/client.js is missing: run npm run build first');
  process.exit(2);
}

/** A fresh copy of the workspace folder: editors may save into it, the originals stay as they are. */
function makeWorkspace() {
  const ws = mkdtempSync(join(tmpdir(), 'gfg-editor-ws-'));
  cpSync(workspaceSource, ws, { recursive: true });
  mkdirSync(join(ws, '.vscode'), { recursive: true });
  writeFileSync(
    join(ws, '.vscode/settings.json'),
    JSON.stringify({ 'files.autoSave': 'off', 'files.hotExit': 'off' }, null, 2),
  );
  return ws;
}

// The suite's `N passed, N failed` line comes through runTests' copy of the editor's output;
// remember it and repeat it last, after the launcher's own lines, as this tier's summary.
const SUMMARY = /^(\d+) passed, (\d+) failed.*$/m;
let summary = '';
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = /** @type {typeof process.stdout.write} */ ((chunk, ...rest) => {
  const m = SUMMARY.exec(String(chunk));
  if (m) summary = m[0];
  return write(chunk, .../** @type {any[]} */ (rest));
});

const started = Date.now();
const workspace = makeWorkspace();
console.log(`[editor-tests] route: ${route}; extension: ${extensionDevelopmentPath}; workspace: ${workspace}`);
let code = 0;
try {
  await runTests({
    vscodeExecutablePath: route === 'offline' ? join(here, 'launch/code-web') : undefined,
    version: VSCODE_VERSION,
    extensionDevelopmentPath,
    extensionTestsPath,
    launchArgs: [workspace, '--disable-extensions'],
    extensionTestsEnv: { GFG_EDITOR_TEST_ROUTE: route },
  });
} catch (e) {
  console.error(`[editor-tests] failed: ${e instanceof Error ? e.message : String(e)}`);
  code = 1;
} finally {
  rmSync(workspace, { recursive: true, force: true });
}
console.log(`[editor-tests] ${code ? 'FAILED' : 'passed'} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
// A run that ended before the suite reported (server, browser or extension host trouble) counts as one failure.
console.log(summary ? `\n${summary}` : '\n0 passed, 1 failed (the suite did not report)');
process.exit(code);
