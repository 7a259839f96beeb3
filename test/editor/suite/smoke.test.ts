/// <reference types="mocha" />
// Proves the route end to end: a Python file opened in a real workbench activates the extension
// under test (activation event onLanguage:python) and its command runs.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'grpc-fork-guard-tests.gfg-editor-smoke';

function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  return vscode.Uri.joinPath(folder.uri, name);
}

suite('smoke: editor route', () => {
  test('a workspace folder is open', () => {
    const folders = vscode.workspace.workspaceFolders ?? [];
    assert.equal(folders.length, 1);
    assert.ok(path.basename(folders[0].uri.path).length > 0);
  });

  test('opening a .py file activates the extension under test', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is loaded as the development extension`);
    assert.equal(ext.isActive, false, 'not active before a Python file is opened');
    const doc = await vscode.workspace.openTextDocument(workspaceFile('hazard.py'));
    await vscode.window.showTextDocument(doc);
    assert.equal(doc.languageId, 'python');
    const deadline = Date.now() + 15_000;
    while (!ext.isActive && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok(ext.isActive, 'extension activated on the Python file');
    assert.ok(ext.exports.pythonDocuments >= 1, 'a Python document was open when it activated');
    assert.equal(await vscode.commands.executeCommand('gfgSmoke.ping'), 'pong');
  });
});
