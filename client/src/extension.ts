// The VS Code client: starts the bundled language server over IPC, registers the commands,
// shows state in a language status item. All analysis happens in the server.
import * as path from 'path';
import * as vscode from 'vscode';
import {
  CloseAction, ErrorAction, LanguageClient, LanguageClientOptions, ServerOptions, State, TransportKind, WorkDoneProgress,
} from 'vscode-languageclient/node';
import {
  AnalysisStatusNotification, ClientCommands, DIAGNOSTIC_SOURCE, InitializationOptions, SETTINGS_SECTION, ScanRequest, ScanResult,
} from '../../shared/protocol';
import { CrashPolicy } from './crashPolicy';
import { fixAllInFile } from './fixAllInFile';
import { ruleDocsPreview } from './ruleDocsPreview';
import { registerRunWithForkCheck } from './runWithForkCheck';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('gRPC Fork Guard');
  const status = vscode.languages.createLanguageStatusItem('grpcForkGuard.status', { language: 'python' });
  status.name = 'gRPC Fork Guard';
  // The version of the server that runs (it answers `initialize` with it), else the extension's.
  const extensionVersion = String(context.extension.packageJSON.version ?? '');
  const named = () => `gRPC Fork Guard ${client?.initializeResult?.serverInfo?.version ?? extensionVersion}`;
  status.text = `${named()}: starting`;
  status.command = { title: 'Show Output', command: ClientCommands.showOutput };
  context.subscriptions.push(output, status);

  const crashes = new CrashPolicy();
  let crashStatus: string | undefined;
  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6010'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'python' },
      { scheme: 'untitled', language: 'python' },
      // Python cells of Jupyter notebooks: synced as notebooks (the server's notebookDocumentSync);
      // this lets their hover and code action requests reach the server.
      { notebook: 'jupyter-notebook', language: 'python' },
    ],
    outputChannel: output,
    middleware: { window: ruleDocsPreview(context.extensionPath) },
    initializationOptions: { logLevel: vscode.workspace.getConfiguration(SETTINGS_SECTION).get('logLevel') } satisfies InitializationOptions,
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher('**/{*.py,*.ipynb,pyproject.toml}'),
    },
    // A crashed server is restarted a bounded number of times, and the status item says so.
    errorHandler: {
      error: () => ({ action: ErrorAction.Continue }),
      closed: () => {
        const decision = crashes.onCrash();
        crashStatus = decision.status;
        status.text = decision.status;
        status.severity = decision.restart ? vscode.LanguageStatusSeverity.Warning : vscode.LanguageStatusSeverity.Error;
        output.appendLine(decision.status);
        return decision.restart ? { action: CloseAction.Restart } : { action: CloseAction.DoNotRestart, message: decision.status };
      },
    },
  };
  client = new LanguageClient(SETTINGS_SECTION, 'gRPC Fork Guard', serverOptions, clientOptions);
  context.subscriptions.push(client.onDidChangeState(({ newState }) => {
    if (newState === State.Running) crashStatus = undefined;
    status.text = newState === State.Running ? named() : newState === State.Starting ? crashStatus ?? `${named()}: starting` : crashStatus ?? `${named()}: stopped`;
    status.severity = newState === State.Stopped ? vscode.LanguageStatusSeverity.Error : crashStatus ? vscode.LanguageStatusSeverity.Warning : vscode.LanguageStatusSeverity.Information;
  }));
  context.subscriptions.push(vscode.languages.onDidChangeDiagnostics(() => updateCounts(status)));

  context.subscriptions.push(
    vscode.commands.registerCommand(ClientCommands.showOutput, () => output.show(true)),
    vscode.commands.registerCommand(ClientCommands.restartServer, async () => {
      crashes.reset();
      crashStatus = undefined;
      await client?.restart();
    }),
    vscode.commands.registerCommand(ClientCommands.scanWorkspace, () => scanWorkspace()),
    vscode.commands.registerCommand(ClientCommands.fixAllInFile, () => fixAllInFile(client)),
  );
  registerRunWithForkCheck(context);
  await client.start();
  // A file over the analysis budget turns the status item yellow instead of freezing anything.
  context.subscriptions.push(client.onNotification(AnalysisStatusNotification, (report) => {
    if (vscode.window.activeTextEditor?.document.uri.toString() !== report.uri) return;
    const slow = report.durationMs > report.budgetMs;
    status.severity = slow ? vscode.LanguageStatusSeverity.Warning : vscode.LanguageStatusSeverity.Information;
    status.text = slow ? `${named()}: slow (${report.durationMs} ms)` : named();
  }));
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}

function updateCounts(status: vscode.LanguageStatusItem): void {
  let count = 0;
  for (const [, diagnostics] of vscode.languages.getDiagnostics()) {
    count += diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE).length;
  }
  status.detail = `${count} problem${count === 1 ? '' : 's'} in the workspace`;
}

async function scanWorkspace(): Promise<ScanResult | undefined> {
  if (!client) return undefined;
  const running = client;
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'gRPC Fork Guard: scanning workspace', cancellable: true },
    async (progress, cancellation) => {
      const token = `grpcForkGuard-scan-${Date.now()}`;
      let last = 0;
      const listener = running.onProgress(WorkDoneProgress.type, token, (value) => {
        if (value.kind === 'report' || value.kind === 'begin') {
          const percentage = value.percentage ?? last;
          progress.report({ message: value.message, increment: percentage - last });
          last = percentage;
        }
      });
      try {
        const result = await running.sendRequest(ScanRequest, { workDoneToken: token }, cancellation);
        const summary = `${result.findings} problem${result.findings === 1 ? '' : 's'} in ${result.filesWithFindings} of ${result.files} file${result.files === 1 ? '' : 's'}`;
        void vscode.window.showInformationMessage(`gRPC Fork Guard: ${result.cancelled ? 'scan cancelled' : 'scan finished'}: ${summary}.`);
        return result;
      } finally {
        listener.dispose();
      }
    },
  );
}
