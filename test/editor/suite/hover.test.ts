/// <reference types="mocha" />
// Hover in a real VS Code: on a flagged call it names the rule and links the rule's page; the
// "Show documentation" quick fix opens the page shipped in the extension in the Markdown preview.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  closeAllEditors, codeActions, codeOf, eventually, openCopy, screenshotOnFailure, waitForDiagnostics,
} from '../support/vscode';

const DOCS = 'https://github.com/grpc-fork-guard/grpc-fork-guard/blob/main/docs/rules/';

function hoverText(hovers: vscode.Hover[] | undefined): string {
  return (hovers ?? [])
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : c.value))
    .join('\n');
}

suite('hover', () => {
  teardown(async function () {
    await screenshotOnFailure(this);
    await closeAllEditors();
  });

  test('hover on a flagged call shows the rule code and its documentation link', async () => {
    const editor = await openCopy('pool_worker_channel.py');
    const uri = editor.document.uri;
    const ds = await waitForDiagnostics(uri, (d) => d.some((x) => codeOf(x) === 'GF101'));
    const gf101 = ds.find((d) => codeOf(d) === 'GF101')!;
    const inside = gf101.range.start.translate(0, 5);
    const text = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, inside));
    assert.match(text, /\*\*GF101\*\*/, `the hover names GF101: ${text.slice(0, 200)}`);
    assert.ok(text.includes(`${DOCS}GF101.md`), 'the hover links the GF101 page');
    assert.match(text, /noqa: GF101/);
  });

  test('no hover from us away from a finding', async () => {
    const editor = await openCopy('pool_worker_channel.py');
    await waitForDiagnostics(editor.document.uri, (d) => d.length > 0);
    // Line 1 is the module docstring: nothing flagged there.
    const text = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, new vscode.Position(0, 5)));
    assert.doesNotMatch(text, /GF\d{3}/);
  });

  test('"Show documentation for GF101" opens the shipped rule page in the Markdown preview', async function () {
    this.timeout(30_000);
    const editor = await openCopy('pool_worker_channel.py');
    const uri = editor.document.uri;
    const gf101 = (await waitForDiagnostics(uri, (d) => d.some((x) => codeOf(x) === 'GF101'))).find((d) => codeOf(d) === 'GF101')!;
    const docs = (await codeActions(uri, gf101.range, 'quickfix')).find((a) => a.title === 'Show documentation for GF101');
    assert.ok(docs?.command, 'the quick fix carries the documentation command');
    await vscode.commands.executeCommand(docs.command.command, ...(docs.command.arguments ?? []));
    const previewLabel = (tab: vscode.Tab) => tab.input instanceof vscode.TabInputWebview && /GF101\.md/.test(tab.label) ? tab.label : undefined;
    const label = await eventually('the GF101 preview tab', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).map(previewLabel).find(Boolean));
    assert.match(label, /Preview GF101\.md/);
  });
});
