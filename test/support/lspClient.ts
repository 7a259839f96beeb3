// A minimal real LSP client for the protocol tests: starts `node dist/server.js --stdio` and
// talks JSON-RPC to it over its standard streams. Nothing is mocked.
import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { MessageConnection, StreamMessageReader, StreamMessageWriter, createMessageConnection } from 'vscode-jsonrpc/node';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { serverJs } from './paths';

export interface TestClient {
  connection: MessageConnection;
  process: ChildProcessWithoutNullStreams;
  stderr: () => string;
  /** Resolves with the next diagnostics published for `uri` that satisfy `accept`. */
  diagnostics(uri: string, accept?: (params: PublishDiagnosticsParams) => boolean, timeoutMs?: number): Promise<PublishDiagnosticsParams>;
  /** The last diagnostics published for `uri`. */
  latest(uri: string): PublishDiagnosticsParams | undefined;
  /** Settings the server receives through workspace/configuration. */
  settings: Record<string, unknown>;
  /** Per-file settings, when set: wins over `settings`. */
  settingsFor?: (scopeUri: string | undefined) => Record<string, unknown>;
  logs: string[];
  /** window/showMessage notifications, as `type: message`. */
  messages: string[];
  shutdown(): Promise<number | null>;
  /** The server's answer to `initialize` (its capabilities). */
  initializeResult?: unknown;
}

/** `rootPath` undefined: a client that opens files with no workspace folder (`cwd`: the server's working directory). */
export async function startServer(rootPath: string | undefined, options: { initializationOptions?: unknown; serverPath?: string; extraFolders?: string[]; cwd?: string } = {}): Promise<TestClient> {
  const child = spawn(process.execPath, [options.serverPath ?? serverJs, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], cwd: options.cwd });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const published: PublishDiagnosticsParams[] = [];
  const waiters: { uri: string; accept: (p: PublishDiagnosticsParams) => boolean; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  const client: TestClient = {
    connection,
    process: child,
    stderr: () => stderr,
    settings: {},
    logs: [],
    messages: [],
    latest(uri) {
      return published.filter((p) => p.uri === uri).at(-1);
    },
    diagnostics(uri, accept = () => true, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching diagnostics for ${uri} within ${timeoutMs} ms; got ${JSON.stringify(published.filter((p) => p.uri === uri).map((p) => p.diagnostics.map((d) => `${d.code}@${d.range.start.line}`)))}`)), timeoutMs);
        waiters.push({ uri, accept, resolve: (p) => { clearTimeout(timer); resolve(p); } });
      });
    },
    async shutdown() {
      await connection.sendRequest('shutdown');
      connection.sendNotification('exit');
      return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    },
  };
  connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
    published.push(params);
    const index = waiters.findIndex((w) => w.uri === params.uri && w.accept(params));
    if (index >= 0) waiters.splice(index, 1)[0].resolve(params);
  });
  connection.onRequest('workspace/configuration', (params: { items: { section?: string; scopeUri?: string }[] }) =>
    params.items.map((item) => client.settingsFor?.(item.scopeUri) ?? client.settings));
  connection.onRequest('client/registerCapability', () => null);
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.onNotification('window/logMessage', (params: { message: string }) => client.logs.push(params.message));
  connection.onNotification('$/progress', () => undefined);
  connection.onNotification('window/showMessage', (params: { type: number; message: string }) => client.messages.push(`${params.type}: ${params.message}`));
  connection.onRequest('window/showDocument', (params: { uri: string; external?: boolean }) => {
    client.messages.push(`showDocument: ${params.uri}${params.external ? ' (external)' : ''}`);
    return { success: true };
  });
  connection.onRequest('window/showMessageRequest', (params: { type: number; message: string }) => {
    client.messages.push(`${params.type}: ${params.message}`);
    return null;
  });
  connection.listen();
  const rootUri = rootPath === undefined ? null : `file://${rootPath}`;
  client.initializeResult = await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri,
    workspaceFolders: rootUri === null ? null : [{ uri: rootUri, name: 'test' }, ...(options.extraFolders ?? []).map((folder) => ({ uri: `file://${folder}`, name: folder }))],
    capabilities: { workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } }, window: { workDoneProgress: true } },
    initializationOptions: options.initializationOptions,
  });
  connection.sendNotification('initialized', {});
  return client;
}

/** Waits (polling) until `condition` holds; fails with `what` after `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
