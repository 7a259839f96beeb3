/// <reference types="mocha" />
// Quick fixes and fix-all in a real VS Code: the code actions come through
// vscode.executeCodeActionProvider, are applied with workspace.applyEdit (or by our commands),
// and the text after each fix is compared in full; then the finding must be gone.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { FixAllReport } from '../../../shared/protocol';
import {
  closeAllEditors, codeActions, codeOf, eventually, openCopy, screenshotOnFailure, setSetting,
  waitForDiagnostics, wholeDocument, writeWorkspaceFile,
} from '../support/vscode';

const FIX_ALL = 'source.fixAll.grpcForkGuard';
const has = (code: string) => (ds: vscode.Diagnostic[]) => ds.some((d) => codeOf(d) === code);

/** examples/pool_worker_channel.py after "Create the channel in each worker (Pool initializer) ...". */
const POOL_AFTER_INITIALIZER_FIX = `"""Batch job: a channel made at import time is inherited by every Pool worker (GF101, GF102)."""
import multiprocessing as mp

import grpc

TARGET = "localhost:50051"

channel = grpc.insecure_channel(TARGET)
ping = channel.unary_unary("/echo.Echo/Ping")


def _init_worker_channel():
    """Gives each worker process its own gRPC channel, made after the fork."""
    global channel, ping
    channel = grpc.insecure_channel(TARGET)
    ping = channel.unary_unary("/echo.Echo/Ping")


def handle(item: bytes) -> bytes:
    # Runs in a forked worker, through the parent's channel.
    return ping(item, timeout=5)


def main() -> None:
    ping(b"warm-up", timeout=5)
    channel.close()
    with mp.Pool(processes=4, initializer=_init_worker_channel) as pool:
        print(pool.map(handle, [b"a", b"b", b"c"]))


if __name__ == "__main__":
    main()
`;

/** A file whose one finding (GF101) has a safe fix: the parent is done with the channel before it forks. */
const SAFE_FIX_BEFORE = `import os

import grpc

channel = grpc.insecure_channel("localhost:50051")
channel.unary_unary("/echo.Echo/Ping")(b"hi", timeout=5)
pid = os.fork()
if pid == 0:
    print("child")
`;
const SAFE_FIX_AFTER = SAFE_FIX_BEFORE.replace('pid = os.fork()', 'channel.close()\npid = os.fork()');

async function gf101(editor: vscode.TextEditor): Promise<vscode.Diagnostic> {
  const ds = await waitForDiagnostics(editor.document.uri, (d) => has('GF101')(d) && has('GF102')(d));
  const found = ds.find((d) => codeOf(d) === 'GF101');
  assert.ok(found);
  return found;
}

async function quickFix(editor: vscode.TextEditor, diagnostic: vscode.Diagnostic, titleStart: string): Promise<vscode.CodeAction> {
  const actions = await codeActions(editor.document.uri, diagnostic.range, vscode.CodeActionKind.QuickFix.value);
  const action = actions.find((a) => a.title.startsWith(titleStart));
  assert.ok(action, `a quick fix titled "${titleStart}..." among: ${actions.map((a) => a.title).join(' | ')}`);
  assert.ok(action.edit, 'the quick fix carries its edit');
  return action;
}

suite('quick fixes and fix-all', () => {
  teardown(async function () {
    await screenshotOnFailure(this);
    await setSetting('unsafeFixes', undefined);
    await closeAllEditors();
  });

  test('"Create the channel in each worker (Pool initializer)" rewrites the file and the findings go', async () => {
    const editor = await openCopy('pool_worker_channel.py');
    const action = await quickFix(editor, await gf101(editor), 'Create the channel in each worker (Pool initializer)');
    assert.match(action.title, /\(unsafe\)$/, 'it is marked unsafe');
    assert.ok(await vscode.workspace.applyEdit(action.edit!), 'applyEdit succeeds');
    assert.equal(editor.document.getText(), POOL_AFTER_INITIALIZER_FIX);
    await waitForDiagnostics(editor.document.uri, (ds) => ds.length === 0);
  });

  test('"Ignore GF101 for this line" appends a noqa comment and only GF101 goes', async () => {
    const editor = await openCopy('pool_worker_channel.py');
    const before = editor.document.getText();
    const diagnostic = await gf101(editor);
    const line = diagnostic.range.start.line;
    const action = await quickFix(editor, diagnostic, 'Ignore GF101 for this line');
    assert.ok(await vscode.workspace.applyEdit(action.edit!));
    const expected = before.split('\n');
    expected[line] += '  # noqa: GF101';
    assert.equal(editor.document.getText(), expected.join('\n'));
    assert.equal(editor.document.lineAt(line).text, 'channel = grpc.insecure_channel(TARGET)  # noqa: GF101');
    const after = await waitForDiagnostics(editor.document.uri, (ds) => !has('GF101')(ds));
    assert.deepEqual(after.map(codeOf), ['GF102'], 'GF102 is not silenced by a GF101 comment');
  });

  test(`${FIX_ALL}: no edit when every fix is unsafe and unsafeFixes is off`, async () => {
    const editor = await openCopy('pool_worker_channel.py');
    await gf101(editor);
    const actions = await codeActions(editor.document.uri, wholeDocument(editor.document), FIX_ALL);
    assert.deepEqual(actions.filter((a) => a.edit).map((a) => a.title), [], 'no fix-all edit is offered');
  });

  test(`${FIX_ALL}: applies the unsafe fix once grpcForkGuard.unsafeFixes is on`, async () => {
    const editor = await openCopy('pool_worker_channel.py');
    await gf101(editor);
    await setSetting('unsafeFixes', true);
    // The server reads the setting again after the change; ask until the fix-all edit appears.
    const action = await eventually('a fix-all edit after unsafeFixes = true', async () => {
      const actions = await codeActions(editor.document.uri, wholeDocument(editor.document), FIX_ALL);
      return actions.find((a) => a.edit && a.kind && a.kind.value === FIX_ALL);
    });
    assert.ok(await vscode.workspace.applyEdit(action.edit!));
    assert.equal(editor.document.getText(), POOL_AFTER_INITIALIZER_FIX);
    await waitForDiagnostics(editor.document.uri, (ds) => ds.length === 0);
  });

  test(`${FIX_ALL}: a safe fix is applied with unsafeFixes off`, async () => {
    const uri = await writeWorkspaceFile('fixtures-editor/safe_fix.py', SAFE_FIX_BEFORE);
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    await waitForDiagnostics(uri, has('GF101'));
    const actions = await codeActions(uri, wholeDocument(editor.document), FIX_ALL);
    const action = actions.find((a) => a.edit);
    assert.ok(action, 'a fix-all edit is offered');
    assert.ok(await vscode.workspace.applyEdit(action.edit!));
    assert.equal(editor.document.getText(), SAFE_FIX_AFTER);
    await waitForDiagnostics(uri, (ds) => ds.length === 0);
  });

  test('the "Fix All in File" command applies the safe fixes of the active file', async () => {
    const uri = await writeWorkspaceFile('fixtures-editor/fix_all_command.py', SAFE_FIX_BEFORE);
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    await waitForDiagnostics(uri, has('GF101'));
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('grpcForkGuard.fixAllInFile'));
    const report = await vscode.commands.executeCommand<FixAllReport | undefined>('grpcForkGuard.fixAllInFile');
    assert.equal(editor.document.getText(), SAFE_FIX_AFTER);
    // Counted as the CLI's `fix` counts: findings removed and left, per rule.
    assert.equal(report?.message, 'Fixed 1 problem (GF101: 1); 0 left.');
    await waitForDiagnostics(uri, (ds) => ds.length === 0);
  });

  test('the "Fix All in File" command leaves a file with only unsafe fixes as it is, and says what is left and which setting fixes it', async () => {
    const editor = await openCopy('pool_worker_channel.py');
    const before = editor.document.getText();
    await gf101(editor);
    const report = await vscode.commands.executeCommand<FixAllReport | undefined>('grpcForkGuard.fixAllInFile');
    assert.equal(editor.document.getText(), before);
    // What is left, per rule, and the setting that would fix it.
    assert.equal(report?.message, 'Fixed 0 problems; 2 left (GF101: 1, GF102: 1), with only unsafe fixes: turn on the grpcForkGuard.unsafeFixes setting to apply them.');
    assert.equal(report?.unsafeFixesSetting, 'grpcForkGuard.unsafeFixes');
    assert.equal(editor.document.isDirty, false);
  });
});
