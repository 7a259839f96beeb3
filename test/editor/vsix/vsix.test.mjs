// @ts-check
// Packaged-VSIX smoke test: the grpc-fork-guard.vsix that `npm run package` made is installed
// with code-server's CLI into a fresh extensions folder, the workbench starts on that folder
// WITHOUT an extension development path, and a Python file must get our diagnostics. This is
// what catches a `files` list (package.json) that leaves out the grammar or a bundle.
// Run: npm run package && node test/editor/run-node-tests.mjs vsix
// Environment: GFG_EDITOR_VSIX (default grpc-fork-guard.vsix in the repository).

import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { installVsix, makeRunDir, openWorkbench, removeRunDir, screenshot, toolsInstalled } from '../launch/lib.mjs';
import { openFile, screenshotOnFailure, showProblems, waitForSquiggles } from '../support/workbench.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const vsix = resolve(process.env.GFG_EDITOR_VSIX || join(root, 'grpc-fork-guard.vsix'));
const skip = toolsInstalled() ? false : 'editor tools not installed (scripts/editor-tools.sh)';
const EXTENSION_FOLDER = /^grpc-fork-guard\.grpc-fork-guard-/;

/** @type {Awaited<ReturnType<typeof openWorkbench>> | undefined} */
let wb;
/** @type {string | undefined} */
let runDir;
/** @type {string | undefined} */
let workspace;

after(async () => {
  if (wb) await wb.close(); // also removes runDir
  else if (runDir) removeRunDir(runDir);
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

test('the packaged VSIX, installed like a user installs it, reports diagnostics', { skip, timeout: 120_000 }, async (t) => {
  assert.ok(existsSync(vsix), `${vsix} exists (npm run package makes it)`);
  runDir = makeRunDir();
  const output = installVsix(runDir, vsix);
  assert.match(output, /successfully installed/);
  const installed = readdirSync(join(runDir, 'extensions')).filter((n) => EXTENSION_FOLDER.test(n));
  assert.equal(installed.length, 1, 'one grpc-fork-guard folder in the extensions folder');
  t.diagnostic(`installed: ${installed[0]}`);

  workspace = mkdtempSync(join(tmpdir(), 'gfg-editor-vsix-ws-'));
  cpSync(join(root, 'examples'), workspace, { recursive: true });
  // No extensionDevelopmentPath: the only copy of the extension is the installed one.
  wb = await openWorkbench({ folder: workspace, runDir });
  const page = wb.page;
  await screenshotOnFailure(page, 'vsix-smoke', async () => {
    assert.doesNotMatch(await page.title(), /Extension Development Host/);
    await page.locator('.monaco-workbench').click({ position: { x: 600, y: 400 } });
    await openFile(page, 'pool_worker_channel.py', 'insecure_channel');
    const squiggles = await waitForSquiggles(page, (s) => s.warning.length > 0 && s.error.length > 0);
    assert.deepEqual(squiggles.warning, [8]);
    assert.deepEqual(squiggles.error, [14]);
    const problems = await showProblems(page);
    await problems.locator('.monaco-list-row', { hasText: 'GF101' }).first().waitFor();
    await problems.locator('.monaco-list-row', { hasText: 'GF102' }).first().waitFor();
    t.diagnostic(`screenshot: ${await screenshot(page, 'vsix-smoke')}`);
  });
});
