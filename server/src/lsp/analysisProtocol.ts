// Messages between the language server's thread and its analysis thread (analysisWorker.ts).
// Documents are mirrored in the analysis thread by the same open/change/close events the server
// receives, in the same order, so a request names a document by URI and version only.
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import type { MessagePort } from 'worker_threads';
import type { ConfigLayer } from '../engine/config';
import type { Finding } from '../engine/findings';
import type { ServerSettings } from './settings';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export type HostMessage =
  | { type: 'open'; uri: string; languageId: string; version: number; text: string }
  | { type: 'change'; uri: string; version: number; changes: TextDocumentContentChangeEvent[] }
  | { type: 'close'; uri: string }
  | { type: 'invalidate'; filePath: string }
  /** `folder`: the workspace folder holding the file, the project boundary when no marker is found. */
  /** `exact`: walk the whole program, even where the previous version's findings could be carried over. */
  | { type: 'analyze'; id: number; uri: string; version: number; settings: ServerSettings; folder: string | undefined; exact: boolean };

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'log'; level: LogLevel; message: string }
  /** The configuration an analysis of a file on disk used (for the configuration log). */
  | { type: 'config'; projectRoot: string; pyproject: string | undefined; editorLayer: ConfigLayer }
  /** `carried`: the previous version's findings, carried over an edit that cannot change them (engine/carryOver.ts). */
  | { type: 'result'; id: number; version: number; findings: Finding[]; carried: boolean; durationMs: number }
  /** A newer version or a close arrived before the analysis started: nothing was analysed. */
  | { type: 'obsolete'; id: number }
  /** The thread's V8 heap and WebAssembly memory (which never shrinks) are past the budget, after analyses of `documents` documents. */
  | { type: 'overBudget'; bytes: number; documents: number };

export interface AnalysisWorkerInit {
  grammarDir?: string;
  /** The port the host sends on: the worker drains it synchronously to see what made a request obsolete. */
  port: MessagePort;
  /** V8 heap and memory outside it (WebAssembly, buffers) past which the thread asks to be replaced. */
  heapBudgetBytes: number;
}
