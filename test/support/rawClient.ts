// A byte-level LSP client for the protocol-robustness and hostile-input tests: it starts the real
// bundled server (`node dist/server.js --stdio`), frames messages itself so that several can go in
// one write (the server then sees them queued together) and so that broken frames can be sent, and
// bounds every wait with a timeout so that a hang fails instead of stalling the run.
import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { StreamMessageReader } from 'vscode-jsonrpc/node';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { serverJs } from './paths';

/** How long any one request may take before the test calls it a hang. */
export const ANSWER_BOUND_MS = 20_000;

export interface JsonRpcMessage {
  jsonrpc: '2.0';
  id?: number | string | null;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

export interface ServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class RawClient {
  readonly process: ChildProcessWithoutNullStreams;
  readonly published: PublishDiagnosticsParams[] = [];
  readonly logs: string[] = [];
  /** Settings answered to workspace/configuration. */
  settings: Record<string, unknown> = {};
  readonly exited: Promise<ServerExit>;
  private stderrText = '';
  private nextId = 1;
  private readonly pending = new Map<number | string, (message: JsonRpcMessage) => void>();
  private readonly waiters: { accept: (p: PublishDiagnosticsParams) => boolean; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  private exitState: ServerExit | undefined;

  constructor(serverPath = serverJs) {
    this.process = spawn(process.execPath, [serverPath, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.process.stderr.on('data', (chunk) => (this.stderrText += chunk));
    // Writes to a server that has gone are the test's business (it checks `exited`), not a crash.
    this.process.stdin.on('error', () => undefined);
    this.exited = new Promise((resolve) => this.process.on('exit', (code, signal) => {
      this.exitState = { code, signal };
      resolve(this.exitState);
    }));
    new StreamMessageReader(this.process.stdout).listen((message) => this.receive(message as JsonRpcMessage));
  }

  get stderr(): string {
    return this.stderrText;
  }

  get exitedWith(): ServerExit | undefined {
    return this.exitState;
  }

  get pid(): number {
    return this.process.pid!;
  }

  /** Resident memory of the server process in kB (Linux /proc), undefined once it is gone. */
  rssKb(): number | undefined {
    try {
      const match = /VmRSS:\s*(\d+)\s*kB/.exec(fs.readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      return match ? Number(match[1]) : undefined;
    } catch {
      return undefined;
    }
  }

  static frame(message: unknown): Buffer {
    const body = Buffer.from(JSON.stringify(message), 'utf8');
    return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]);
  }

  writeRaw(bytes: Buffer | string): void {
    if (!this.process.stdin.writable) return;
    this.process.stdin.write(bytes);
  }

  /** Several messages in a single write. */
  send(...messages: JsonRpcMessage[]): void {
    this.writeRaw(Buffer.concat(messages.map((m) => RawClient.frame(m))));
  }

  notification(method: string, params?: unknown): JsonRpcMessage {
    return { jsonrpc: '2.0', method, params };
  }

  notify(method: string, params?: unknown): void {
    this.send(this.notification(method, params));
  }

  /** A request message and the promise of its response, not yet sent (for `send`). */
  requestMessage(method: string, params?: unknown, boundMs = ANSWER_BOUND_MS): { message: JsonRpcMessage; response: Promise<JsonRpcMessage> } {
    const id = this.nextId++;
    const message: JsonRpcMessage = { jsonrpc: '2.0', id, method, params };
    return { message, response: this.responseTo(id, method, boundMs) };
  }

  /** Resolves with the whole response (result or error); rejects on a hang or if the server exits. */
  request(method: string, params?: unknown, boundMs = ANSWER_BOUND_MS): Promise<JsonRpcMessage> {
    const { message, response } = this.requestMessage(method, params, boundMs);
    this.send(message);
    return response;
  }

  /** Resolves with the response to a request sent by hand (raw bytes) with this id. */
  responseTo(id: number | string, method: string, boundMs = ANSWER_BOUND_MS): Promise<JsonRpcMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no answer to ${method} (id ${id}) within ${boundMs} ms: the server hangs`));
      }, boundMs);
      void this.exited.then((exit) => {
        if (!this.pending.has(id)) return;
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new Error(`the server exited (code ${exit.code}, signal ${exit.signal}) before answering ${method}; stderr: ${this.stderrText.slice(-2000)}`));
      });
      this.pending.set(id, (response) => {
        clearTimeout(timer);
        resolve(response);
      });
    });
  }

  async initialize(rootPath: string, initializationOptions?: unknown): Promise<JsonRpcMessage> {
    const rootUri = `file://${rootPath}`;
    const response = await this.request('initialize', {
      processId: process.pid,
      rootUri,
      workspaceFolders: [{ uri: rootUri, name: 'root' }],
      capabilities: { workspace: { configuration: true, workspaceFolders: true }, window: { workDoneProgress: true } },
      initializationOptions,
    });
    this.notify('initialized', {});
    return response;
  }

  /** The next diagnostics for `uri` that `accept` takes; rejects after `boundMs`. */
  diagnostics(uri: string, accept: (p: PublishDiagnosticsParams) => boolean = () => true, boundMs = ANSWER_BOUND_MS): Promise<PublishDiagnosticsParams> {
    return this.diagnosticsWhere((p) => p.uri === uri && accept(p), boundMs, () => `${uri}; versions published: ${this.publishedFor(uri).map((p) => p.version)}`);
  }

  /** The next diagnostics, for any document, that `accept` takes. */
  diagnosticsWhere(accept: (p: PublishDiagnosticsParams) => boolean, boundMs = ANSWER_BOUND_MS, describe = () => 'the condition'): Promise<PublishDiagnosticsParams> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching diagnostics for ${describe()} within ${boundMs} ms`)), boundMs);
      this.waiters.push({ accept, resolve: (p) => { clearTimeout(timer); resolve(p); } });
    });
  }

  publishedFor(uri: string): PublishDiagnosticsParams[] {
    return this.published.filter((p) => p.uri === uri);
  }

  /** shutdown then exit; resolves with how the process ended. */
  async shutdown(): Promise<ServerExit> {
    await this.request('shutdown');
    this.notify('exit');
    return this.waitForExit();
  }

  /** How the process ended; rejects if it is still running after `boundMs`. */
  waitForExit(boundMs = ANSWER_BOUND_MS): Promise<ServerExit> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the server did not exit within ${boundMs} ms`)), boundMs);
      void this.exited.then((exit) => {
        clearTimeout(timer);
        resolve(exit);
      });
    });
  }

  kill(): void {
    if (this.exitState === undefined) this.process.kill('SIGKILL');
  }

  private receive(message: JsonRpcMessage): void {
    if (message.method === undefined) {
      const resolve = message.id !== undefined && message.id !== null ? this.pending.get(message.id) : undefined;
      if (resolve) {
        this.pending.delete(message.id!);
        resolve(message);
      }
      return;
    }
    if (message.id !== undefined) {
      this.send({ jsonrpc: '2.0', id: message.id, result: this.answer(message) });
      return;
    }
    if (message.method === 'textDocument/publishDiagnostics') {
      const params = message.params as PublishDiagnosticsParams;
      this.published.push(params);
      const index = this.waiters.findIndex((w) => w.accept(params));
      if (index >= 0) this.waiters.splice(index, 1)[0].resolve(params);
    } else if (message.method === 'window/logMessage' || message.method === 'window/showMessage') {
      this.logs.push((message.params as { message: string }).message);
    }
  }

  /** Answers to the server's own requests. */
  private answer(message: JsonRpcMessage): unknown {
    if (message.method === 'workspace/configuration') {
      return (message.params as { items: unknown[] }).items.map(() => this.settings);
    }
    return null;
  }
}
