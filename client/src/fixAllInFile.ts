// "gRPC Fork Guard: Fix All in File": asks the server what fix-all does to the active file (the
// fixes `grpc-fork-guard fix` applies), applies it to the version it was computed for, and says
// what went away and what is left, per rule; when what is left needs unsafe fixes, offers the
// setting that allows them.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { FixAllReport, FixAllRequest } from '../../shared/protocol';

const OPEN_SETTING = 'Open Setting';

/** The report of what was done (the command's result, which tests read), or undefined when nothing was. */
export async function fixAllInFile(client: LanguageClient | undefined): Promise<FixAllReport | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (!client || !editor || editor.document.languageId !== 'python') return undefined;
  const { document } = editor;
  const report = await client.sendRequest(FixAllRequest, { textDocument: { uri: client.code2ProtocolConverter.asUri(document.uri) } });
  if (!report) {
    void vscode.window.showInformationMessage('gRPC Fork Guard: the file changed while it was being fixed; run Fix All in File again.');
    return undefined;
  }
  if (report.edits.length) {
    // Edits computed for another version would land in the wrong place.
    if (document.version !== report.version) {
      void vscode.window.showInformationMessage('gRPC Fork Guard: the file changed while it was being fixed; run Fix All in File again.');
      return undefined;
    }
    const edit = new vscode.WorkspaceEdit();
    edit.set(document.uri, await client.protocol2CodeConverter.asTextEdits(report.edits));
    if (!(await vscode.workspace.applyEdit(edit))) {
      void vscode.window.showWarningMessage('gRPC Fork Guard: the fixes could not be applied to the file.');
      return undefined;
    }
  }
  void showReport(report);
  return report;
}

async function showReport(report: FixAllReport): Promise<void> {
  const message = `gRPC Fork Guard: ${report.message}`;
  if (!report.unsafeFixesSetting) {
    await vscode.window.showInformationMessage(message);
    return;
  }
  const choice = await vscode.window.showInformationMessage(message, OPEN_SETTING);
  if (choice === OPEN_SETTING) await vscode.commands.executeCommand('workbench.action.openSettings', report.unsafeFixesSetting);
}
