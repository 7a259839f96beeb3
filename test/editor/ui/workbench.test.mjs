// @ts-check
// UI end-to-end test: drives a real VS Code workbench (VS Code server from .tools/, headless
// chromium through playwright-core) the way a user would. Run: node --test test/editor/ui/
// Screenshots go to test-results/ (always at the end of a test, and on failure).
// The extension under test is the repository (build it first: npm run build); the workspace is
// a fresh copy of examples/.

import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openWorkbench, screenshot, toolsInstalled } from '../launch/lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const extension = resolve(process.env.GFG_EDITOR_EXTENSION || root);
const skip = toolsInstalled() ? false : 'editor tools not installed (scripts/editor-tools.sh)';

/** @type {Awaited<ReturnType<typeof openWorkbench>> | undefined} */
let wb;
/** @type {string} */
let workspace;

before(async () => {
  if (skip) return;
  workspace = mkdtempSync(join(tmpdir(), 'gfg-editor-ui-ws-'));
  cpSync(join(root, 'examples'), workspace, { recursive: true });
  wb = await openWorkbench({ folder: workspace, extensionDevelopmentPaths: [extension] });
});

after(async () => {
  await wb?.close();
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

/** Runs a command through the command palette (F1), as a user would. */
async function runCommand(/** @type {any} */ page, /** @type {string} */ title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
  await page.keyboard.press('Enter');
}

/** Text of the visible lines of the active editor (monaco renders spaces as U+00A0). */
async function editorText(/** @type {any} */ page) {
  const text = await page.locator('.editor-group-container.active .monaco-editor .view-lines').innerText();
  return text.replace(/\u00a0/g, ' ');
}

test('open a Python file, read the editor, see the finding in the Problems panel', { skip, timeout: 120_000 }, async (t) => {
  const page = wb?.page;
  assert.ok(page);
  try {
    // Open the file from the workspace folder through Quick Open.
    await page.locator('.monaco-workbench').click({ position: { x: 600, y: 400 } });
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill('pool_worker_channel.py');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'pool_worker_channel.py' }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.tab.active', { hasText: 'pool_worker_channel.py' }).waitFor();

    const lines = page.locator('.editor-group-container.active .monaco-editor .view-lines');
    await lines.filter({ hasText: 'insecure_channel' }).waitFor();
    assert.match(await editorText(page), /channel = grpc\.insecure_channel\(TARGET\)/);
    assert.match(await page.locator('.statusbar').innerText(), /Python/);

    // The language server's warning shows as a squiggle in the editor...
    await page.locator('.editor-group-container.active .squiggly-warning').first().waitFor({ timeout: 30_000 });

    // ...and as rows in the Problems panel.
    await runCommand(page, 'Problems: Focus on Problems View');
    const problems = page.locator('.markers-panel-container');
    await problems.waitFor({ state: 'visible' });
    await problems.locator('.monaco-list-row', { hasText: 'GF101' }).first().waitFor();
    const text = await problems.innerText();
    assert.match(text, /GF102/);
    t.diagnostic(`problems panel: ${JSON.stringify(text.slice(0, 300))}`);
    t.diagnostic(`screenshot: ${await screenshot(page, 'ui-problems-panel')}`);
  } catch (e) {
    await screenshot(page, `ui-failure-${new Date().toISOString()}`).catch(() => {});
    throw e;
  }
});
