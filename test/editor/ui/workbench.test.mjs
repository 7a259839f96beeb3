// @ts-check
// UI end-to-end test: drives a real VS Code workbench (VS Code server from .tools/, headless
// chromium through playwright-core) the way a user would. Run: node test/editor/run-node-tests.mjs ui
// The steps share one workbench and run in order: open a file, squiggles, Problems panel,
// Ctrl+. quick fix, Scan Workspace. Screenshots go to test-results/: named ones for the README,
// ui-failure-*.png whenever a step fails (what the workbench showed at that moment).
// The extension under test is the repository (build it first: npm run build); the workspace is
// a fresh copy of examples/.

import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openWorkbench, screenshot, toolsInstalled } from '../launch/lib.mjs';
import {
  ACTIVE_EDITOR, editorText, goToLine, openFile, openQuickFixMenu, runCommand, screenshotOnFailure, showProblems, waitForSquiggles,
} from '../support/workbench.mjs';

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

/**
 * One step of the walk-through, with a screenshot if it fails.
 * @param {string} name
 * @param {(page: any, t: import('node:test').TestContext) => Promise<void>} work
 */
function step(name, work) {
  test(name, { skip, timeout: 90_000 }, async (t) => {
    const page = wb?.page;
    assert.ok(page, 'the workbench is open');
    await screenshotOnFailure(page, name.replace(/\W+/g, '-').slice(0, 40), () => work(page, t));
  });
}

// examples/pool_worker_channel.py: GF101 (warning) on line 8, GF102 (error) on line 14.
const FILE = 'pool_worker_channel.py';
// Files with findings that this walk-through never opens: Scan Workspace must report them.
const NEVER_OPENED = ['server_process_pool.py', 'port_options_misplaced.py', 'server_before_fork.py'];

step('open an examples/ file and see squiggles at the lines of the findings', async (page) => {
  await page.locator('.monaco-workbench').click({ position: { x: 600, y: 400 } });
  await openFile(page, FILE, 'insecure_channel');
  assert.match(await editorText(page), /channel = grpc\.insecure_channel\(TARGET\)/);
  assert.match(await page.locator('.statusbar').innerText(), /Python/);
  const squiggles = await waitForSquiggles(page, (s) => s.warning.length > 0 && s.error.length > 0);
  assert.deepEqual(squiggles.warning, [8], 'GF101: a warning squiggle on line 8 only');
  assert.deepEqual(squiggles.error, [14], 'GF102: an error squiggle on line 14 only');
});

step('the Problems panel lists the GF codes', async (page, t) => {
  const problems = await showProblems(page);
  await problems.locator('.monaco-list-row', { hasText: 'GF101' }).first().waitFor();
  await problems.locator('.monaco-list-row', { hasText: 'GF102' }).first().waitFor();
  const text = await problems.innerText();
  assert.match(text, /\[Ln 8, Col 11\]/);
  assert.match(text, /\[Ln 14, Col 12\]/);
  t.diagnostic(`screenshot: ${await screenshot(page, 'ui-problems-panel')}`);
});

step('Ctrl+. on the GF101 line shows our quick fixes; "Create the channel ..." removes the squiggle', async (page, t) => {
  await page.locator('.tab', { hasText: FILE }).click();
  await goToLine(page, 8, 12);
  const menu = await openQuickFixMenu(page);
  const create = menu.locator('.monaco-list-row', { hasText: 'Create the channel in each worker (Pool initializer)' });
  await create.first().waitFor();
  const titles = await menu.innerText();
  for (const title of ['Create the channel in each worker (Pool initializer)', 'Ignore GF101 for this line']) {
    assert.ok(titles.includes(title), `the menu offers "${title}": ${JSON.stringify(titles)}`);
  }
  t.diagnostic(`screenshot: ${await screenshot(page, 'quick-fix-menu')}`);
  await create.first().click();
  await menu.waitFor({ state: 'hidden' });
  await page.locator(`${ACTIVE_EDITOR} .view-lines`).filter({ hasText: 'def _init_worker_channel():' }).waitFor();
  assert.match(await editorText(page), /def _init_worker_channel\(\):\n\s+"""Gives each worker process its own gRPC channel/);
  // The Pool call is on line 26 now: bring it into view.
  await goToLine(page, 26, 1);
  assert.match(await editorText(page), /channel\.close\(\)\n\s+with mp\.Pool\(processes=4, initializer=_init_worker_channel\) as pool:/);
  // The fix removes the hazard: no squiggle left in the file.
  const squiggles = await waitForSquiggles(page, (s) => s.warning.length === 0 && s.error.length === 0);
  assert.deepEqual(squiggles, { error: [], warning: [], info: [], hint: [] });
  t.diagnostic(`screenshot: ${await screenshot(page, 'ui-after-quick-fix')}`);
});

step('"gRPC Fork Guard: Scan Workspace" from the command palette lists problems of files never opened', async (page, t) => {
  const problems = await showProblems(page);
  await runCommand(page, 'View: Toggle Maximized Panel');
  for (const name of NEVER_OPENED) {
    assert.equal(await page.locator('.tab', { hasText: name }).count(), 0, `${name} has no tab`);
    assert.equal(await problems.locator('.monaco-list-row', { hasText: name }).count(), 0, `no problems of ${name} before the scan`);
  }
  await runCommand(page, 'gRPC Fork Guard: Scan Workspace');
  for (const name of NEVER_OPENED) {
    await problems.locator('.monaco-list-row', { hasText: name }).first().waitFor();
  }
  const text = await problems.innerText();
  for (const code of ['GF203', 'GF204', 'GF201']) assert.match(text, new RegExp(code));
  for (const name of NEVER_OPENED) assert.equal(await page.locator('.tab', { hasText: name }).count(), 0, `${name} still has no tab`);
  // The file fixed in the step before is clean now: it is not among the files with problems.
  assert.equal(await problems.locator('.monaco-list-row', { hasText: FILE }).count(), 0);
  t.diagnostic(`screenshot: ${await screenshot(page, 'scan-workspace')}`);
});
