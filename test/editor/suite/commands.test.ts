/// <reference types="mocha" />
// Our commands in a real VS Code: Scan Workspace reports files no editor has opened, Restart
// Server brings the diagnostics back.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  EXTENSION_ID, closeAllEditors, codeOf, eventually, openCopy, readWorkspaceFile, screenshotOnFailure, waitForDiagnostics,
  writeWorkspaceFile,
} from '../support/vscode';

interface ScanResult {
  files: number;
  filesWithFindings: number;
  findings: number;
  skipped: number;
  cancelled: boolean;
}

const codes = (ds: vscode.Diagnostic[]) => ds.map(codeOf).sort();

suite('commands', () => {
  teardown(async function () {
    await screenshotOnFailure(this);
    await closeAllEditors();
  });

  test('our commands are registered once the extension is active', async () => {
    await openCopy('pool_worker_channel.py'); // activation: onLanguage:python
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    await eventually('activation', () => (ext?.isActive ? true : undefined));
    const all = await vscode.commands.getCommands(true);
    for (const id of ['grpcForkGuard.scanWorkspace', 'grpcForkGuard.fixAllInFile', 'grpcForkGuard.restartServer', 'grpcForkGuard.showOutput', 'grpcForkGuard.runFileWithForkCheck']) {
      assert.ok(all.includes(id), `${id} is registered`);
    }
  });

  test('"Scan Workspace" publishes diagnostics for files that were never opened', async function () {
    this.timeout(60_000);
    // Fresh files written behind the editor's back: no editor or document has ever held them.
    const pool = await writeWorkspaceFile('never-opened/batch_pool.py', await readWorkspaceFile('pool_worker_channel.py'));
    const server = await writeWorkspaceFile('never-opened/pool_server.py', await readWorkspaceFile('server_process_pool.py'));
    const clean = await writeWorkspaceFile('never-opened/clean.py', 'import grpc\n\nchannel = grpc.insecure_channel("localhost:1")\n');
    const isOpen = (uri: vscode.Uri) => vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString());
    for (const uri of [pool, server, clean]) {
      assert.ok(!isOpen(uri), `${uri.path} is not open`);
      assert.deepEqual(vscode.languages.getDiagnostics(uri), [], `${uri.path} has no diagnostics before the scan`);
    }

    const result = await vscode.commands.executeCommand<ScanResult>('grpcForkGuard.scanWorkspace');
    assert.ok(result, 'the command returns the scan result');
    assert.equal(result.cancelled, false);
    const onDisk = await vscode.workspace.findFiles('**/*.py');
    assert.equal(result.files, onDisk.length, 'every Python file of the workspace is scanned');
    assert.ok(result.findings >= 3);

    assert.deepEqual(codes(await waitForDiagnostics(pool, (ds) => ds.length >= 2)), ['GF101', 'GF102']);
    assert.deepEqual(codes(await waitForDiagnostics(server, (ds) => ds.length >= 1)), ['GF204']);
    assert.deepEqual(vscode.languages.getDiagnostics(clean), [], 'a file without a fork gets none');
    for (const uri of [pool, server]) assert.ok(!isOpen(uri), `${uri.path} is still not open`);
  });

  test('"Restart Server" restarts the language server and the diagnostics come back', async function () {
    this.timeout(60_000);
    const editor = await openCopy('pool_worker_channel.py');
    const uri = editor.document.uri;
    await waitForDiagnostics(uri, (ds) => ds.some((d) => codeOf(d) === 'GF101'));
    // Record what the Problems view would see for this file while the server restarts.
    const seen: string[][] = [];
    const sub = vscode.languages.onDidChangeDiagnostics((e) => {
      if (e.uris.some((u) => u.toString() === uri.toString())) {
        seen.push(codes(vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'grpc-fork-guard')));
      }
    });
    try {
      await vscode.commands.executeCommand('grpcForkGuard.restartServer');
      const back = await waitForDiagnostics(uri, (ds) => seen.length > 0 && ds.length >= 2, 30_000);
      assert.deepEqual(codes(back), ['GF101', 'GF102']);
      assert.ok(seen.length > 0, 'the restarted server published again');
    } finally {
      sub.dispose();
    }
    // The new server answers requests too.
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(7, 12));
    assert.ok((hovers ?? []).length > 0, 'hover answers after the restart');
  });
});
