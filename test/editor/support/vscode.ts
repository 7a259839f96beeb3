// Helpers for tests that run inside the VS Code extension host.
/// <reference types="mocha" />
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'grpc-fork-guard.grpc-fork-guard';
export const SOURCE = 'grpc-fork-guard';

export function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  return vscode.Uri.joinPath(folder.uri, name);
}

export async function openPython(name: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(workspaceFile(name));
  assert.equal(doc.languageId, 'python', `${name} opens as Python`);
  return vscode.window.showTextDocument(doc);
}

/** The rule code of a diagnostic, whether given as a string or as { value, target }. */
export function codeOf(d: vscode.Diagnostic): string {
  const c = d.code;
  return String(typeof c === 'object' && c !== null ? c.value : c);
}

export function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE);
}

/**
 * Resolves with our diagnostics for `uri` once `accept` returns true for them; rejects after
 * `timeoutMs` with what was last seen.
 */
export function waitForDiagnostics(
  uri: vscode.Uri,
  accept: (diagnostics: vscode.Diagnostic[]) => boolean,
  timeoutMs = 15_000,
): Promise<vscode.Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const current = ours(uri);
      if (!accept(current)) return false;
      done();
      resolve(current);
      return true;
    };
    const sub = vscode.languages.onDidChangeDiagnostics((e) => {
      if (e.uris.some((u) => u.toString() === uri.toString())) check();
    });
    const timer = setTimeout(() => {
      done();
      const seen = ours(uri).map((d) => `${codeOf(d)}@${d.range.start.line}:${d.range.start.character}`);
      reject(new Error(`diagnostics for ${uri.path} not as expected after ${timeoutMs}ms; last seen: [${seen.join(', ')}]`));
    }, timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      sub.dispose();
    };
    check();
  });
}

export async function closeAllEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a value other than undefined; rejects after `timeoutMs`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await sleep(200);
  }
}

/** Code actions of one kind (e.g. quickfix, source.fixAll.grpcForkGuard) for a range. */
export async function codeActions(uri: vscode.Uri, range: vscode.Range, kind: string): Promise<vscode.CodeAction[]> {
  return (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, range, kind)) ?? [];
}

/** The whole text of a document as a range. */
export function wholeDocument(doc: vscode.TextDocument): vscode.Range {
  return new vscode.Range(0, 0, doc.lineCount, 0);
}

/** Sets (or with `undefined` removes) a grpcForkGuard.* setting in the workspace's settings. */
export async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('grpcForkGuard').update(key, value, vscode.ConfigurationTarget.Workspace);
}

/**
 * Writes a file into the workspace folder from the extension host's side (the editor has never
 * opened it) and returns its URI.
 */
export async function writeWorkspaceFile(name: string, text: string): Promise<vscode.Uri> {
  const uri = workspaceFile(name);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  return uri;
}

/** Text of a workspace file as saved on disk. */
export async function readWorkspaceFile(name: string): Promise<string> {
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(workspaceFile(name)));
}

/** The line printed (after the console tag) to ask the launcher for a screenshot. */
export const SCREENSHOT_REQUEST = 'gfg-screenshot-request ';

/**
 * Call first in a `teardown` (as `screenshotOnFailure(this)`): when the test just failed, asks
 * the launcher (test/editor/launch/code-web, which watches the console) to save a screenshot of
 * the workbench as it is now, before the teardown closes the editors, and waits for the file.
 * Does nothing in the download route, where no launcher listens.
 */
export async function screenshotOnFailure(ctx: Mocha.Context): Promise<void> {
  const test = ctx.currentTest;
  const dir = process.env.GFG_EDITOR_RESULTS_DIR;
  if (!test || test.state !== 'failed' || !dir || !process.env.GFG_EDITOR_CONSOLE_TAG) return;
  const name = `editor-failure-${test.fullTitle().replace(/[^\w.-]+/g, '-').slice(0, 80)}-${Date.now()}.png`;
  const file = path.join(dir, name);
  console.log(`${SCREENSHOT_REQUEST}${file}`);
  const deadline = Date.now() + 10_000;
  while (!fs.existsSync(file) && Date.now() < deadline) await sleep(100);
  console.log(fs.existsSync(file) ? `  screenshot: ${file}` : '  (no screenshot arrived)');
}

/**
 * Opens a fresh copy of a workspace file (under `editor-copies/`) in an editor. Tests that edit
 * use their own copy, so an edit (even undone) cannot change what a later test sees. The name
 * is random: each test file is bundled with its own copy of this module.
 */
export async function openCopy(name: string): Promise<vscode.TextEditor> {
  const copy = `editor-copies/${name.replace(/\.py$/, '')}_${randomBytes(4).toString('hex')}.py`;
  const uri = await writeWorkspaceFile(copy, await readWorkspaceFile(name));
  const doc = await vscode.workspace.openTextDocument(uri);
  assert.equal(doc.languageId, 'python', `${copy} opens as Python`);
  return vscode.window.showTextDocument(doc);
}
