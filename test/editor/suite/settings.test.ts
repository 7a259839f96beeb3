/// <reference types="mocha" />
// Settings in a real VS Code: changing grpcForkGuard.ignore and grpcForkGuard.severity in the
// workspace's settings changes the diagnostics of an open file, without a reload.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  closeAllEditors, codeOf, openCopy, screenshotOnFailure, setSetting, waitForDiagnostics,
} from '../support/vscode';

const find = (ds: vscode.Diagnostic[], code: string) => ds.find((d) => codeOf(d) === code);

suite('settings', () => {
  teardown(async function () {
    await screenshotOnFailure(this);
    await setSetting('ignore', undefined);
    await setSetting('severity', undefined);
    await closeAllEditors();
  });

  test('grpcForkGuard.ignore and grpcForkGuard.severity take effect without a reload', async () => {
    const editor = await openCopy('pool_worker_channel.py');
    const uri = editor.document.uri;
    const initial = await waitForDiagnostics(uri, (ds) => !!find(ds, 'GF101') && !!find(ds, 'GF102'));
    assert.equal(find(initial, 'GF102')?.severity, vscode.DiagnosticSeverity.Error);

    await setSetting('ignore', ['GF101']);
    const ignored = await waitForDiagnostics(uri, (ds) => !find(ds, 'GF101') && !!find(ds, 'GF102'));
    assert.deepEqual(ignored.map(codeOf), ['GF102']);

    await setSetting('severity', { GF102: 'hint' });
    const hinted = await waitForDiagnostics(uri, (ds) => find(ds, 'GF102')?.severity === vscode.DiagnosticSeverity.Hint);
    assert.deepEqual(hinted.map(codeOf), ['GF102'], 'GF101 stays ignored');

    await setSetting('ignore', undefined);
    await setSetting('severity', undefined);
    const restored = await waitForDiagnostics(
      uri,
      (ds) => !!find(ds, 'GF101') && find(ds, 'GF102')?.severity === vscode.DiagnosticSeverity.Error,
    );
    assert.equal(restored.length, 2);
    assert.equal(editor.document.isDirty, false, 'nothing was edited');
  });
});
