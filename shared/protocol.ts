// The contract between the VS Code client and the language server, declared once: the custom
// request and notification with their payloads, the command ids, the settings section and the
// initialization options. Both bundles import this module; neither side restates a name.
import { NotificationType, RequestType, TextDocumentIdentifier, TextEdit, WorkDoneProgressParams } from 'vscode-languageserver-protocol';

/** The section of VS Code's settings (and of workspace/configuration requests). */
export const SETTINGS_SECTION = 'grpcForkGuard';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

/** Sent in `initialize`: what the server needs before it can ask the client for settings. */
export interface InitializationOptions {
  logLevel?: LogLevel;
}

export interface ScanParams extends WorkDoneProgressParams {}

export interface ScanResult {
  /** Files looked at (read); fewer than `total` when cancelled. */
  files: number;
  total: number;
  /** Files parsed and analysed (the others cannot hold a finding: see prefilter.ts). */
  analysed: number;
  filesWithFindings: number;
  findings: number;
  skipped: number;
  cancelled: boolean;
  elapsedMs: number;
}

/** "Scan Workspace": diagnostics for every Python file of the workspace folders. */
export const ScanRequest = new RequestType<ScanParams, ScanResult, void>('grpcForkGuard/scanWorkspace');

/** After each analysis of an open document: how long it took, against the budget. */
export interface AnalysisStatus {
  uri: string;
  durationMs: number;
  findings: number;
  budgetMs: number;
}

export const AnalysisStatusNotification = new NotificationType<AnalysisStatus>('grpcForkGuard/analysisStatus');

/** The code action kind of "fix all" (fix-on-save), under `source.fixAll`. */
export const FIX_ALL_KIND = 'source.fixAll.grpcForkGuard';

/** "Fix All in File": what fix-all does to a document, and what it removed and left. */
export interface FixAllParams {
  textDocument: TextDocumentIdentifier;
}

export interface FixAllReport {
  uri: string;
  /** The document version the edits apply to (the client applies them only to that version). */
  version: number;
  /** Empty when no fix applies. */
  edits: TextEdit[];
  /** Findings removed, left, and left with only unsafe fixes, per rule code. */
  removed: Record<string, number>;
  left: Record<string, number>;
  unsafeOnly: Record<string, number>;
  /** One sentence for the user: `Fixed 2 problems (GF101: 1, GF102: 1); 0 left.` */
  message: string;
  /** Set when some of what is left needs unsafe fixes: the setting that allows them. */
  unsafeFixesSetting?: string;
}

/** Null when the document is not open or a newer version is on its way. */
export const FixAllRequest = new RequestType<FixAllParams, FixAllReport | null, void>('grpcForkGuard/fixAllInFile');

/**
 * Server-side command carried by the `source.fixAll` action, run after its edit (on save too):
 * logs what the fix-all removed and left, and returns its FixAllReport.
 */
export const FIX_ALL_REPORT_COMMAND = 'grpcForkGuard.server.fixAllReport';

/** Server-side command (workspace/executeCommand): opens the page of the rule code it is given. */
export const SHOW_DOCUMENTATION_COMMAND = 'grpcForkGuard.server.showDocumentation';

/** Commands the client contributes (package.json `contributes.commands`). */
export const ClientCommands = {
  scanWorkspace: 'grpcForkGuard.scanWorkspace',
  fixAllInFile: 'grpcForkGuard.fixAllInFile',
  restartServer: 'grpcForkGuard.restartServer',
  showOutput: 'grpcForkGuard.showOutput',
  runFileWithForkCheck: 'grpcForkGuard.runFileWithForkCheck',
} as const;

/** The `source` of every diagnostic the server publishes. */
export const DIAGNOSTIC_SOURCE = 'grpc-fork-guard';
