/// <reference types="mocha" />
// Diagnostics in a real VS Code: open a Python file from examples/ and the language server's
// findings arrive in vscode.languages.getDiagnostics with the fields SPEC §2 asks for.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  EXTENSION_ID, closeAllEditors, codeOf, openCopy, openPython, ours, screenshotOnFailure, sleep, waitForDiagnostics, workspaceFile,
} from '../support/vscode';

const hasCode = (code: string) => (ds: vscode.Diagnostic[]) => ds.some((d) => codeOf(d) === code);

suite('diagnostics in the editor', () => {
  teardown(async function () {
    await screenshotOnFailure(this);
    await closeAllEditors();
  });

  test('opening a Python file activates the extension', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is loaded as the development extension`);
    await openPython('pool_worker_channel.py');
    const deadline = Date.now() + 15_000;
    while (!ext.isActive && Date.now() < deadline) await sleep(100);
    assert.ok(ext.isActive, 'activated by a Python file');
  });

  test('pool_worker_channel.py: GF101 and GF102 with source, range, severity, related information', async () => {
    const editor = await openPython('pool_worker_channel.py');
    const uri = editor.document.uri;
    const ds = await waitForDiagnostics(uri, (d) => hasCode('GF101')(d) && hasCode('GF102')(d));

    const gf101 = ds.find((d) => codeOf(d) === 'GF101');
    assert.ok(gf101);
    assert.equal(gf101.severity, vscode.DiagnosticSeverity.Warning);
    // The range is the creating call, not the whole line.
    assert.equal(editor.document.getText(gf101.range), 'grpc.insecure_channel(TARGET)');
    assert.match(gf101.message, /channel/);
    assert.ok(gf101.relatedInformation?.length, 'related information points at the fork site');
    assert.ok(
      gf101.relatedInformation.some((r) => editor.document.lineAt(r.location.range.start.line).text.includes('mp.Pool')),
      'a related location is the mp.Pool(...) line',
    );
    const code = gf101.code;
    assert.ok(typeof code === 'object' && code !== null, 'code carries a codeDescription link');
    assert.match(code.target.toString(), /GF101/);

    const gf102 = ds.find((d) => codeOf(d) === 'GF102');
    assert.ok(gf102);
    assert.equal(gf102.severity, vscode.DiagnosticSeverity.Error);
  });

  test('every example shows the same rule codes in the editor as the CLI reports', async function () {
    this.timeout(120_000);
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    const folder = workspaceFile('.').fsPath;
    // The CLI from the same build; in a desktop VS Code process.execPath is Electron, run as Node.
    const cli = spawnSync(process.execPath, [path.join(ext.extensionPath, 'dist/cli.js'), 'check', '.', '--format', 'json'], {
      cwd: folder,
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      encoding: 'utf8',
    });
    assert.ok(cli.status === 0 || cli.status === 1, `CLI exit ${cli.status}: ${cli.stderr}`); // 1 = findings
    const json = cli.stdout;
    const expected = new Map<string, string[]>();
    for (const f of JSON.parse(json) as { path: string; code: string }[]) {
      const name = path.basename(f.path);
      expected.set(name, [...(expected.get(name) ?? []), f.code].sort());
    }
    assert.ok(expected.size >= 3, `the CLI finds hazards in several examples (${[...expected.keys()].join(', ')})`);
    const uris = (await vscode.workspace.findFiles('*.py')).sort((a, b) => a.path.localeCompare(b.path));
    // Open them all (the client syncs open documents, shown or not), then compare each.
    const docs = await Promise.all(uris.map((u) => vscode.workspace.openTextDocument(u)));
    for (const doc of docs) {
      const want = expected.get(path.basename(doc.uri.path)) ?? [];
      if (want.length) await waitForDiagnostics(doc.uri, (ds) => ds.length >= want.length);
    }
    await sleep(1500); // give the server time to publish anything unexpected, e.g. in clean files
    for (const doc of docs) {
      const name = path.basename(doc.uri.path);
      assert.deepEqual(ours(doc.uri).map(codeOf).sort(), expected.get(name) ?? [], `codes in ${name}`);
    }
  });

  test('diagnostics follow edits before the file is saved', async () => {
    const editor = await openCopy('pool_worker_channel.py');
    const uri = editor.document.uri;
    await waitForDiagnostics(uri, hasCode('GF101'));
    const line = editor.document.lineAt(7);
    assert.equal(line.text, 'channel = grpc.insecure_channel(TARGET)');
    // Make the channel lazily in the worker instead: the import-time channel is gone.
    await editor.edit((b) => b.replace(line.range, 'channel = None'));
    await waitForDiagnostics(uri, (ds) => !hasCode('GF101')(ds));
    await vscode.commands.executeCommand('undo');
    await waitForDiagnostics(uri, hasCode('GF101'));
    assert.equal(editor.document.isDirty, false, 'undo brings back the saved text');
  });

  // This caught a real bug: the server read edit offsets after applying the change, which
  // corrupted the incremental tree (see test/protocol/incrementalTrees.test.ts).
  test('after an edit is undone the file has all its findings again (GF101 and GF102)', async () => {
    const editor = await openCopy('pool_worker_channel.py');
    const uri = editor.document.uri;
    await waitForDiagnostics(uri, (ds) => hasCode('GF101')(ds) && hasCode('GF102')(ds));
    await editor.edit((b) => b.insert(editor.document.lineAt(7).range.end, '  # noqa: GF101'));
    await sleep(500);
    await vscode.commands.executeCommand('undo');
    await waitForDiagnostics(uri, (ds) => hasCode('GF101')(ds) && hasCode('GF102')(ds));
  });

  test('quick fixes are offered for GF101 at its range', async () => {
    const editor = await openPython('pool_worker_channel.py');
    const [gf101] = (await waitForDiagnostics(editor.document.uri, hasCode('GF101'))).filter((d) => codeOf(d) === 'GF101');
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      editor.document.uri,
      gf101.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    // The vscode.executeCodeActionProvider command does not return an action's `diagnostics`,
    // so match on what it does return: kind and title.
    const titles = (actions ?? []).map((a) => a.title);
    assert.ok(titles.length > 0, 'quick fixes are offered at the GF101 range');
    assert.ok((actions ?? []).every((a) => a.kind && vscode.CodeActionKind.QuickFix.contains(a.kind)));
    assert.ok(titles.some((t) => t.includes('GF101')), `one of them names GF101: ${titles.join(' | ')}`);
  });
});
