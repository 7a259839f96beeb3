// The language server's side of the analysis thread (analysisWorker.ts): forwards document events
// and answers "the findings of this version" with a promise, so the server's thread never waits
// on an analysis. A request that a newer version overtakes resolves to undefined. When the thread
// cannot start (no bundle beside the server, a grammar that fails), the server analyses in its
// own thread as before.
import * as fs from 'fs';
import * as path from 'path';
import { MessageChannel, MessagePort, Worker } from 'worker_threads';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { notAnalysed } from '../engine/budgets';
import type { ConfigLayer } from '../engine/config';
import type { Finding } from '../engine/findings';
import type { AnalysisWorkerInit, HostMessage, LogLevel, WorkerMessage } from './analysisProtocol';
import type { ServerSettings } from './settings';

const MAX_RESTARTS = 3;

/**
 * When the analysis thread is replaced to give its memory back. Its WebAssembly heap never shrinks
 * and V8 keeps the pages its collections freed, so a thread that analysed many documents (each
 * with its import closure) holds what the largest of them needed plus the walks' garbage, long
 * after those documents were last analysed. A new thread holds only the open documents' text.
 */
export interface ThreadReplacement {
  /** The thread's V8 heap and WebAssembly memory past which it asks to be replaced at rest (a fresh one holds about 50 MB). */
  heapBudgetBytes: number;
  /** The same figure past which it is replaced in a burst, as soon as no request waits on it. */
  burstBudgetBytes: number;
  /**
   * How long the thread must have had nothing to do first: a pause, not the gap between two
   * keystrokes. The new thread starts in about 60 ms and re-parses on its first analysis what the
   * old one kept, so it is replaced at rest, and only after it analysed more than
   * `manyDocuments` documents: typing in a few never replaces it. Past `burstBudgetBytes` after
   * that many (a burst of documents opened), it is replaced as soon as no request waits on it;
   * a thread started so serves the end of the burst, and is replaced at rest once it analysed
   * more than one document.
   */
  quietMs: number;
  /** As many as the analysis thread keeps trees for (analysisWorker.ts). */
  manyDocuments: number;
}

const REPLACEMENT: ThreadReplacement = { heapBudgetBytes: 80 * 1024 * 1024, burstBudgetBytes: 192 * 1024 * 1024, quietMs: 1_500, manyDocuments: 8 };

export interface OffThreadSnapshot {
  version: number;
  findings: Finding[];
  /** Carried over from the previous version (engine/carryOver.ts), not found by a walk of this one. */
  carried: boolean;
  durationMs: number;
}

interface Pending {
  uri: string;
  version: number;
  /** An exact request is answered by an exact analysis only (a carried one would not do). */
  exact: boolean;
  promise: Promise<OffThreadSnapshot | undefined>;
  resolve: (snapshot: OffThreadSnapshot | undefined) => void;
}

export class AnalysisHost {
  private worker: Worker | undefined;
  private port: MessagePort | undefined;
  private ready: Promise<boolean> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** The documents' events since they were opened, replayed into a new thread after a crash. */
  private readonly opened = new Map<string, Extract<HostMessage, { type: 'open' }>>();
  private crashes = 0;
  /** What the thread said it holds, once past the budget: it is replaced when idle (see ThreadReplacement). */
  private overBudget: { bytes: number; documents: number } | undefined;
  /** The thread was started in a burst of documents, by a replacement that did not wait for rest. */
  private startedInBurst = false;
  private quietTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: (level: LogLevel, message: string) => void,
    /** Told the configuration each analysis in the thread used (the server's configuration log). */
    private readonly onConfig: (resolved: { projectRoot: string; pyproject: string | undefined }, editorLayer: ConfigLayer) => void,
    private readonly grammarDir?: string,
    private readonly script = path.join(__dirname, 'analysisWorker.js'),
    private readonly replacement: ThreadReplacement = REPLACEMENT,
  ) {}

  /** Whether analyses run in the analysis thread; false when it could not start. */
  start(): Promise<boolean> {
    if (this.ready) return this.ready;
    if (process.env.GRPC_FORK_GUARD_ANALYSIS_THREAD === 'off' || !fs.existsSync(this.script)) return (this.ready = Promise.resolve(false));
    const channel = new MessageChannel();
    const init: AnalysisWorkerInit = { grammarDir: this.grammarDir, port: channel.port2, heapBudgetBytes: this.replacement.heapBudgetBytes };
    const worker = new Worker(this.script, { workerData: init, transferList: [channel.port2] });
    this.worker = worker;
    this.port = channel.port1;
    this.ready = new Promise<boolean>((resolve) => {
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'ready') resolve(true);
        else if (message.type === 'failed') {
          this.log('warn', `The analysis thread could not start (${message.message}): analysing on the server's thread.`);
          resolve(false);
          void worker.terminate();
        } else if (message.type !== 'overBudget' || this.worker === worker) this.received(message);
      });
      worker.on('error', (error) => this.log('error', `The analysis thread failed: ${error.stack ?? error}`));
      worker.on('exit', (code) => {
        resolve(false);
        if (this.worker !== worker) return;
        this.stopped(code);
      });
    });
    for (const open of this.opened.values()) this.post(open);
    return this.ready;
  }

  open(uri: string, languageId: string, version: number, text: string): void {
    const message = { type: 'open' as const, uri, languageId, version, text };
    this.cancelReplacement();
    this.opened.set(uri, message);
    this.post(message);
  }

  change(uri: string, version: number, changes: TextDocumentContentChangeEvent[], text: () => string): void {
    this.cancelReplacement();
    const opened = this.opened.get(uri);
    // What a new thread replays: the text as it is now.
    if (opened) this.opened.set(uri, { ...opened, version, text: text() });
    this.post({ type: 'change', uri, version, changes });
  }

  close(uri: string): void {
    this.opened.delete(uri);
    this.post({ type: 'close', uri });
  }

  invalidate(filePath: string): void {
    this.post({ type: 'invalidate', filePath });
  }

  /** The findings of `version` of `uri`; undefined when a newer version overtook it, or the thread is not running. */
  analyze(uri: string, version: number, settings: ServerSettings, folder: string | undefined, exact = false): Promise<OffThreadSnapshot | undefined> {
    for (const pending of this.pending.values()) if (pending.uri === uri && pending.version === version && (pending.exact || !exact)) return pending.promise;
    // Work arrived: the thread is not at rest.
    this.cancelReplacement();
    const id = this.nextId++;
    let resolve!: Pending['resolve'];
    const promise = new Promise<OffThreadSnapshot | undefined>((r) => (resolve = r));
    this.pending.set(id, { uri, version, exact, promise, resolve });
    this.post({ type: 'analyze', id, uri, version, settings, folder, exact });
    return promise;
  }

  stop(): void {
    this.cancelReplacement();
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
    for (const pending of this.pending.values()) pending.resolve(undefined);
    this.pending.clear();
  }

  private post(message: HostMessage): void {
    this.port?.postMessage(message);
  }

  private received(message: WorkerMessage): void {
    if (message.type === 'log') {
      this.log(message.level, message.message);
      return;
    }
    if (message.type === 'config') {
      this.onConfig({ projectRoot: message.projectRoot, pyproject: message.pyproject }, message.editorLayer);
      return;
    }
    if (message.type === 'overBudget') {
      this.overBudget = { bytes: message.bytes, documents: message.documents };
      this.replaceWhenIdle();
      return;
    }
    if (message.type !== 'result' && message.type !== 'obsolete') return;
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    pending.resolve(message.type === 'result' ? { version: message.version, findings: message.findings, carried: message.carried, durationMs: message.durationMs } : undefined);
    this.replaceWhenIdle();
  }

  /** Arms the replacement for when the thread has had nothing to do for long enough (see ThreadReplacement). */
  private replaceWhenIdle(): void {
    const over = this.overBudget;
    if (!over || this.pending.size > 0 || !this.worker) return;
    const many = over.documents > this.replacement.manyDocuments;
    const urgent = many && over.bytes > this.replacement.burstBudgetBytes;
    if (!many && !(this.startedInBurst && over.documents > 1)) return;
    this.cancelReplacement();
    this.quietTimer = setTimeout(() => this.replace(urgent), urgent ? 0 : this.replacement.quietMs);
    // A pending replacement never keeps the server's process alive.
    this.quietTimer.unref();
  }

  private cancelReplacement(): void {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.quietTimer = undefined;
  }

  /** A new thread with the open documents, its heap small again; the old one ends. Only when no request waits. */
  private replace(inBurst: boolean): void {
    this.quietTimer = undefined;
    if (this.overBudget === undefined || this.pending.size > 0 || !this.worker) return;
    this.overBudget = undefined;
    this.startedInBurst = inBurst;
    const old = this.worker;
    this.log('info', 'The analysis thread\'s memory grew past its budget: replacing it.');
    this.worker = undefined;
    this.port = undefined;
    this.ready = undefined;
    void old.terminate();
    void this.start();
  }

  /** The thread ended (a crash no guard caught): its requests get a notice, and a new thread starts with the open documents. */
  private stopped(code: number): void {
    this.cancelReplacement();
    this.overBudget = undefined;
    this.startedInBurst = false;
    this.log('error', `The analysis thread stopped (exit code ${code}); starting a new one.`);
    this.worker = undefined;
    this.port = undefined;
    this.ready = undefined;
    for (const pending of this.pending.values()) {
      pending.resolve({ version: pending.version, findings: [notAnalysed('Could not be analysed: the analysis thread stopped; see the output channel.')], carried: false, durationMs: 0 });
    }
    this.pending.clear();
    // A document that ends every thread it meets: the server's own thread analyses, with its guards.
    if (++this.crashes > MAX_RESTARTS) {
      this.log('error', 'The analysis thread stopped too often: analysing on the server\'s thread from now on.');
      this.ready = Promise.resolve(false);
      return;
    }
    void this.start();
  }
}
