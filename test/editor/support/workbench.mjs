// @ts-check
// What a user does and sees in the VS Code workbench, for playwright-core tests (ui/, vsix/):
// open a file through Quick Open, run a command from the palette, read the squiggles of the
// active editor by line number, read the Problems panel.

import { screenshot } from '../launch/lib.mjs';

/** @typedef {any} Page a playwright Page */

/** The active editor of the workbench. */
export const ACTIVE_EDITOR = '.editor-group-container.active .monaco-editor';

/**
 * Runs `work`; when it throws, saves a screenshot of what the workbench shows at that moment
 * (test-results/ui-failure-<name>-<time>.png) before passing the error on.
 * @template T
 * @param {Page} page
 * @param {string} name
 * @param {() => Promise<T>} work
 * @returns {Promise<T>}
 */
export async function screenshotOnFailure(page, name, work) {
  try {
    return await work();
  } catch (e) {
    const file = await screenshot(page, `ui-failure-${name}-${new Date().toISOString()}`).catch(() => undefined);
    console.error(file ? `screenshot of the failing step: ${file}` : 'no screenshot of the failing step');
    // Notifications often say why (e.g. the language server could not load its grammar).
    const toasts = await page.locator('.notification-toast').allInnerTexts().catch(() => []);
    for (const text of toasts) console.error(`notification: ${text.replace(/\s+/g, ' ').trim()}`);
    throw e;
  }
}

/**
 * Runs a command through the command palette (F1), as a user would.
 * @param {Page} page
 * @param {string} title the title shown in the palette, e.g. "gRPC Fork Guard: Scan Workspace"
 */
export async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden' });
}

/**
 * Opens a workspace file through Quick Open (Ctrl+P) and waits for its tab and text.
 * @param {Page} page
 * @param {string} name file name
 * @param {string} someText text the file shows near its top
 */
export async function openFile(page, name, someText) {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.tab.active', { hasText: name }).waitFor();
  await page.locator(`${ACTIVE_EDITOR} .view-lines`).filter({ hasText: someText }).waitFor();
}

/**
 * Text of the visible lines of the active editor (monaco renders spaces as U+00A0).
 * @param {Page} page
 */
export async function editorText(page) {
  const text = await page.locator(`${ACTIVE_EDITOR} .view-lines`).innerText();
  return text.replace(/\u00a0/g, ' ');
}

/**
 * Line numbers (1-based, as the gutter shows them) of the squiggles in the active editor, by
 * kind. Each squiggle is matched to the gutter line number at the same height.
 * @param {Page} page
 * @returns {Promise<{ error: number[], warning: number[], info: number[], hint: number[] }>}
 */
export async function squiggleLines(page) {
  return page.evaluate((/** @type {string} */ editorSelector) => {
    // Runs in the page (the test's tsconfig has no DOM types).
    /** @type {any} */
    const editor = /** @type {any} */ (globalThis).document.querySelector(editorSelector);
    /** @type {{ error: number[], warning: number[], info: number[], hint: number[] }} */
    const out = { error: [], warning: [], info: [], hint: [] };
    if (!editor) return out;
    const numbers = [...editor.querySelectorAll('.margin-view-overlays .line-numbers')].map((/** @type {any} */ el) => {
      const r = el.getBoundingClientRect();
      return { top: r.top, bottom: r.bottom, line: Number(el.textContent?.trim()) };
    });
    for (const kind of /** @type {const} */ (['error', 'warning', 'info', 'hint'])) {
      for (const el of editor.querySelectorAll(`.view-overlays .squiggly-${kind}`)) {
        const r = el.getBoundingClientRect();
        const middle = (r.top + r.bottom) / 2;
        const hit = numbers.find((n) => n.top <= middle && middle < n.bottom);
        if (hit && !out[kind].includes(hit.line)) out[kind].push(hit.line);
      }
      out[kind].sort((a, b) => a - b);
    }
    return out;
  }, ACTIVE_EDITOR);
}

/**
 * Waits until `accept` holds for the squiggles of the active editor; returns them.
 * @param {Page} page
 * @param {(s: Awaited<ReturnType<typeof squiggleLines>>) => boolean} accept
 * @param {number} [timeoutMs]
 */
export async function waitForSquiggles(page, accept, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let last = await squiggleLines(page);
  while (!accept(last)) {
    if (Date.now() > deadline) throw new Error(`squiggles not as expected after ${timeoutMs}ms; last seen ${JSON.stringify(last)}`);
    await page.waitForTimeout(200);
    last = await squiggleLines(page);
  }
  return last;
}

/**
 * Moves the cursor with Go to Line (Ctrl+G), e.g. goToLine(page, 8, 12).
 * @param {Page} page
 * @param {number} line 1-based
 * @param {number} column 1-based
 */
export async function goToLine(page, line, column) {
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  // In the web workbench Ctrl+G opens Quick Open with ':' (go to line) typed in.
  await input.fill(`:${line}:${column}`);
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden' });
  await page.locator('.statusbar', { hasText: `Ln ${line}, Col ${column}` }).waitFor();
}

/**
 * Shows the Problems panel and returns its locator.
 * @param {Page} page
 */
export async function showProblems(page) {
  await runCommand(page, 'Problems: Focus on Problems View');
  const problems = page.locator('.markers-panel-container');
  await problems.waitFor({ state: 'visible' });
  return problems;
}

/**
 * Opens the quick-fix menu at the cursor with Ctrl+. and returns its locator. Waits for the
 * lightbulb first, and presses again if the menu does not come (a key press that arrives while
 * the editor is still taking focus is lost).
 * @param {Page} page
 */
export async function openQuickFixMenu(page) {
  await page.locator(`${ACTIVE_EDITOR} .lightBulbWidget`).waitFor({ state: 'visible' });
  const menu = page.locator('.action-widget:not(.action-list-submenu-panel)');
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('Control+.');
    try {
      await menu.waitFor({ state: 'visible', timeout: 3_000 });
      return menu;
    } catch (e) {
      if (attempt === 3) throw e;
    }
  }
}
