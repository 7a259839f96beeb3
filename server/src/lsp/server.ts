// The language server: wires documents, settings, diagnostics, code actions and the workspace
// scan to the engine. Every analysis goes through ProjectAnalysis, as the CLI's does.
import {
  CodeActionKind, Connection, DidChangeConfigurationNotification, ErrorCodes, InitializeParams, InitializeResult,
  ResponseError, TextDocumentSyncKind,
} from 'vscode-languageserver';
import { URI } from 'vscode-uri';
import { Analyzer } from '../engine/analyzer';
import { Finding, NOT_ANALYSED } from '../engine/findings';
import { isRuleCode } from '../engine/rules/registry';
import { GrammarLoadError } from '../engine/pythonParser';
import { ProjectAnalysis } from '../workspace/projectAnalysis';
import { innermostFolder } from '../workspace/scanProtocol';
import {
  AnalysisStatusNotification, DIAGNOSTIC_SOURCE, FIX_ALL_KIND, FIX_ALL_REPORT_COMMAND, FixAllReport, FixAllRequest, InitializationOptions, SETTINGS_SECTION,
  SHOW_DOCUMENTATION_COMMAND, ScanRequest,
} from '../../../shared/protocol';
import { codeActionsFor } from './codeActions';
import { ArrivedVersions } from './arrivedVersions';
import { GENERIC_ERROR_PREFIX } from './genericErrorWriter';
import { ConfigurationLog } from './configurationLog';
import { AnalysisServices, analyzeDocumentText, documentFindings } from './documentAnalysis';
import { fixAllInFile, fixAllReport } from './fixAllInFile';
import { documentsWithFixesIn } from './fixDependents';
import { diskPathOf } from './documentPaths';
import { toDiagnostic } from './diagnostics';
import { AnalysisHost } from './analysisHost';
import { DocumentTrees, OpenDocument } from './documentTrees';
import { hoverFor } from './hover';
import { ruleDocsTarget, shippedRulePage } from './ruleDocsPage';
import { Logger } from './logger';
import { WorkspaceScan } from './workspaceScan';
import { LiveNotebooks, NOTEBOOK_DOCUMENT_SYNC } from './notebookDocuments';
import { DEFAULT_DEBOUNCE_MS, ServerSettings } from './settings';
import { SettingsStore } from './settingsStore';
import { DebouncedRuns } from './debouncedRuns';

export interface AnalysisSnapshot {
  version: number;
  findings: Finding[];
  /** Carried over from the previous version (engine/carryOver.ts): a full analysis confirms it once typing stops, and before a fix is offered. */
  carried?: boolean;
  durationMs: number;
}

declare const __VERSION__: string | undefined;
/** package.json's version, set by the build. */
const SERVER_VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : 'dev';

/** Above this, the status item warns that the file is slow to analyse (as vscode-eslint does). */
export const ANALYSIS_BUDGET_MS = 500;
/**
 * How long after findings were carried over (no newer edit since) a full analysis confirms them:
 * long enough that a typist's next keystroke cancels it, short enough to follow a pause at once.
 */
const CONFIRM_CARRIED_MS = 300;

export class GrpcForkGuardServer {
  readonly logger: Logger;
  /** Set once the analyser has started. */
  private services: AnalysisServices | undefined;
  private analyzerFailure: string | undefined;
  private readonly documents: DocumentTrees;
  private readonly snapshots = new Map<string, AnalysisSnapshot>();
  private readonly pending = new DebouncedRuns((uri) => void this.validate(uri));
  private readonly settings: SettingsStore;
  /** Settings a client without workspace/configuration pushed in didChangeConfiguration. */
  private pushedSettings: unknown;
  private workspaceFolders: string[] = [];
  private supportsConfiguration = false;
  private supportsWorkspaceFolders = false;
  private readonly workspaceScan: WorkspaceScan;
  private readonly notebooks: LiveNotebooks;
  /** Analyses open documents in another thread; the server's thread analyses when it cannot start. */
  private readonly analysisHost: AnalysisHost;
  private readonly configurationLog: ConfigurationLog;

  constructor(
    private readonly connection: Connection,
    private readonly grammarDir?: string,
    /** Fed by the message reader; without it nothing is known to be superseded. */
    private readonly arrived = new ArrivedVersions(),
  ) {
    this.logger = new Logger(connection);
    this.configurationLog = new ConfigurationLog(this.logger);
    this.analysisHost = new AnalysisHost(
      (level, message) => this.logger[level](message),
      (resolved, layer) => this.configurationLog.note(resolved, layer),
      grammarDir,
    );
    this.documents = new DocumentTrees(() => this.services?.analyzer, this.analysisHost);
    this.settings = new SettingsStore(
      (scopeUri) => this.supportsConfiguration
        ? this.connection.workspace.getConfiguration({ scopeUri, section: SETTINGS_SECTION })
        : Promise.resolve(this.pushedSettings),
      (_scope, settings) => {
        for (const problem of settings.problems) this.logger.warn(`Settings: ${problem}`);
      },
    );
    this.workspaceScan = new WorkspaceScan({
      logger: this.logger,
      folders: () => this.workspaceFolders,
      project: () => this.services?.project,
      settingsOfFolder: (folder) => this.settings.forFolder(folder),
      settingsOfFile: (filePath) => this.settings.forDocument(URI.file(filePath).toString()),
      isOpen: (filePath) => this.openTextOf(filePath) !== undefined || this.notebooks.isOpenFile(filePath),
      sendDiagnostics: (uri, diagnostics) => void this.connection.sendDiagnostics({ uri, diagnostics }),
      progress: (token) => token === undefined
        ? this.connection.window.createWorkDoneProgress().catch(() => undefined)
        : Promise.resolve(this.connection.window.attachWorkDoneProgress(token)),
    });
    this.notebooks = new LiveNotebooks({
      logger: this.logger,
      analysis: () => this.services,
      settingsOf: (uri) => this.settings.forDocument(uri),
      sendDiagnostics: (uri, diagnostics, version) => this.connection.sendDiagnostics({ uri, version, diagnostics }),
      notebookClosed: (uri) => void this.workspaceScan.documentClosed(uri),
    });
  }

  listen(): void {
    const { connection } = this;
    connection.onInitialize((params) => this.initialize(params));
    connection.onInitialized(() => this.initialized());
    connection.onDidOpenTextDocument(({ textDocument }) => {
      this.documents.open(textDocument.uri, textDocument.languageId, textDocument.version, textDocument.text);
      this.schedule(textDocument.uri, 0);
      this.refreshFixesIn(textDocument.uri);
    });
    connection.onDidChangeTextDocument(({ textDocument, contentChanges }) => {
      this.documents.change(textDocument.uri, textDocument.version, contentChanges);
      void this.settings.forDocument(textDocument.uri).then((settings) => this.schedule(textDocument.uri, settings.debounceMs));
      this.refreshFixesIn(textDocument.uri);
    });
    connection.onDidCloseTextDocument(({ textDocument }) => {
      this.arrived.forget(textDocument.uri);
      this.documents.close(textDocument.uri);
      // Its disk text, not the closed editor's, is what other files' fixes edit now.
      this.refreshFixesIn(textDocument.uri);
      this.snapshots.delete(textDocument.uri);
      this.pending.cancel(textDocument.uri);
      // A closed file keeps no diagnostics unless the workspace scan saw it: then the disk's findings.
      void this.workspaceScan.documentClosed(textDocument.uri);
    });
    this.notebooks.listen(connection);
    connection.onDidChangeConfiguration(({ settings }) => {
      this.pushedSettings = (settings as Record<string, unknown> | null)?.[SETTINGS_SECTION];
      this.settings.clear();
      // The new log level first, so that the analyses this change causes are logged under it.
      void this.applyLogLevel().finally(() => {
        this.revalidateAll();
        this.notebooks.revalidateAll();
      });
    });
    connection.onDidChangeWatchedFiles(({ changes }) => {
      for (const change of changes) {
        const filePath = diskPathOf(change.uri);
        if (filePath) this.services?.project.invalidate(filePath);
        this.documents.invalidated();
        if (filePath) this.analysisHost.invalidate(filePath);
      }
      // An import or a pyproject.toml may have changed what every open file means.
      this.revalidateAll();
      void this.workspaceScan.filesChanged(changes);
    });
    connection.onCodeAction(this.guarded('textDocument/codeAction', async (params) => {
      if (this.notebooks.owns(params.textDocument.uri)) return this.notebooks.codeActions(params);
      // Fixes come from a full analysis: a carried one's fixes may have chosen names from the previous text.
      const ours = params.context.diagnostics.some((d) => d.source === DIAGNOSTIC_SOURCE) || params.context.only !== undefined;
      const current = await this.currentFindings(params.textDocument.uri, ours);
      if (!current) return [];
      return codeActionsFor(params, current.entry.document, current.snapshot.findings, () => this.fixAll(current));
    }));
    connection.onRequest(FixAllRequest, this.guarded(FixAllRequest.method, async ({ textDocument }) => {
      const current = await this.currentFindings(textDocument.uri, true);
      return current ? this.fixAll(current) : null;
    }));
    connection.onExecuteCommand(this.guarded('workspace/executeCommand', async ({ command, arguments: args }) => {
      if (command === FIX_ALL_REPORT_COMMAND) return this.reportFixAll(args?.[0]);
      if (command !== SHOW_DOCUMENTATION_COMMAND) return;
      const code = String(args?.[0] ?? '');
      if (!isRuleCode(code) && code !== NOT_ANALYSED) return;
      const target = ruleDocsTarget(code);
      await connection.window.showDocument({ ...target, takeFocus: true }).catch(() => undefined);
    }));
    connection.onHover(this.guarded('textDocument/hover', async (params) => {
      if (this.notebooks.owns(params.textDocument.uri)) return this.notebooks.hover(params);
      const current = await this.currentFindings(params.textDocument.uri);
      return current ? hoverFor(current.snapshot.findings, params.position, shippedRulePage) : undefined;
    }));
    connection.onRequest(ScanRequest, this.guarded(ScanRequest.method, (params, token) => this.workspaceScan.run(params, token)));
    connection.onShutdown(() => {
      this.pending.cancelAll();
      this.analysisHost.stop();
    });
    connection.listen();
  }

  /**
   * A request handler whose failures reach the client as a generic error: the stack goes to the
   * output channel only (it names files and internals the client has no use for).
   */
  private guarded<P, R, T>(method: string, handler: (params: P, token: T) => R | Promise<R>): (params: P, token: T) => Promise<R> {
    return async (params, token) => {
      try {
        return await handler(params, token);
      } catch (error) {
        if (error instanceof ResponseError) throw error;
        this.logger.error(`${method} failed: ${(error as Error)?.stack ?? error}`);
        throw new ResponseError(ErrorCodes.InternalError, `${GENERIC_ERROR_PREFIX} ${method}; see its output for details.`);
      }
    };
  }

  private async initialize(params: InitializeParams): Promise<InitializeResult> {
    this.supportsConfiguration = Boolean(params.capabilities?.workspace?.configuration);
    this.supportsWorkspaceFolders = Boolean(params.capabilities?.workspace?.workspaceFolders);
    this.workspaceFolders = this.diskFolders((params.workspaceFolders ?? []).map((folder) => folder?.uri));
    if (this.workspaceFolders.length === 0 && params.rootUri) this.workspaceFolders = this.diskFolders([params.rootUri]);
    const options = params.initializationOptions as InitializationOptions | undefined;
    this.logger.setLevel(options?.logLevel);
    try {
      const analyzer = await Analyzer.create(this.grammarDir);
      // No default overrides: each analysis passes its document's settings to configFor.
      const project = new ProjectAnalysis(analyzer, () => ({}), (filePath) => this.folderOf(filePath), (filePath) => this.openTextOf(filePath));
      this.services = { analyzer, project, trees: this.documents, logger: this.logger, onConfig: (resolved, layer) => this.configurationLog.note(resolved, layer) };
    } catch (error) {
      // Without a grammar the server stays up and says so once, instead of crashing in a loop.
      this.analyzerFailure = error instanceof GrammarLoadError ? error.message : `The analyser failed to start: ${(error as Error).message}`;
    }
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        notebookDocumentSync: NOTEBOOK_DOCUMENT_SYNC,
        hoverProvider: true,
        executeCommandProvider: { commands: [SHOW_DOCUMENTATION_COMMAND, FIX_ALL_REPORT_COMMAND] },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND], resolveProvider: false },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'grpc-fork-guard', version: SERVER_VERSION },
    };
  }

  private initialized(): void {
    if (this.analyzerFailure) {
      this.logger.error(this.analyzerFailure);
      void this.connection.window.showErrorMessage(`gRPC Fork Guard: ${this.analyzerFailure}`);
    } else {
      this.logger.info(`gRPC Fork Guard server ${SERVER_VERSION} started (Node ${process.version}; workspace: ${this.workspaceFolders.join(', ') || 'none'})`);
    }
    void this.applyLogLevel();
    if (this.supportsConfiguration) void this.connection.client.register(DidChangeConfigurationNotification.type, { section: SETTINGS_SECTION });
    // vscode-languageserver throws here when the client cannot send these events.
    if (this.supportsWorkspaceFolders) this.connection.workspace.onDidChangeWorkspaceFolders((event) => {
      const removed = new Set(this.diskFolders(event.removed.map((f) => f.uri)));
      this.workspaceFolders = this.workspaceFolders.filter((f) => !removed.has(f)).concat(this.diskFolders(event.added.map((f) => f.uri)));
    });
    if (!this.analyzerFailure) void this.workspaceScan.scanOnStartup();
  }

  /** `grpcForkGuard.logLevel` is window-scoped: read without a resource, applied at once. */
  private async applyLogLevel(): Promise<void> {
    const { logLevel } = await this.settings.forWindow();
    if (logLevel && logLevel !== this.logger.level) {
      this.logger.setLevel(logLevel);
      this.logger.info(`Log level: ${logLevel}`);
    }
  }

  /** Folders the server may scan: a non-file or escaping URI is refused, with a warning. */
  private diskFolders(uris: unknown[]): string[] {
    return uris.flatMap((uri) => {
      const folder = typeof uri === 'string' ? diskPathOf(uri) : undefined;
      if (!folder) this.logger.warn(`Workspace folder ${JSON.stringify(uri)} is not a local folder: it is not scanned.`);
      return folder ? [folder] : [];
    });
  }

  /**
   * The innermost workspace folder holding a file (multi-root); none for a file outside them, whose
   * project is then found from the file alone (never the server's working directory).
   */
  private folderOf(filePath: string): string | undefined {
    return innermostFolder(this.workspaceFolders, filePath);
  }


  private schedule(uri: string, delayMs: number): void {
    this.pending.schedule(uri, delayMs);
  }

  /** The documents whose fixes edit `uri`'s file were made against its old text (fixDependents.ts). */
  private refreshFixesIn(uri: string): void {
    const filePath = diskPathOf(uri);
    if (!filePath) return;
    for (const dependent of documentsWithFixesIn(filePath, this.snapshots)) {
      if (dependent === uri) continue;
      this.snapshots.delete(dependent);
      this.schedule(dependent, DEFAULT_DEBOUNCE_MS);
    }
  }

  private revalidateAll(): void {
    this.snapshots.clear();
    for (const entry of this.documents.all()) this.schedule(entry.document.uri, DEFAULT_DEBOUNCE_MS);
  }

  private async validate(uri: string): Promise<void> {
    const entry = this.documents.get(uri);
    if (!entry) return;
    const settings = await this.settings.forDocument(uri);
    if (this.documents.get(uri) !== entry) return;
    // A newer version (or the close) is queued: the run it schedules analyses that instead.
    if (this.arrived.supersedes(uri, entry.document.version)) return;
    // A run for a version already analysed confirms findings carried over to it (scheduled below).
    const earlier = this.snapshots.get(uri);
    const confirming = earlier?.version === entry.document.version && earlier.carried === true;
    const snapshot = await this.analyzeOffThread(entry, settings, confirming);
    if (!snapshot || this.documents.get(uri) !== entry) return;
    if (snapshot.carried) this.schedule(uri, CONFIRM_CARRIED_MS);
    if (confirming && sameFindings(earlier.findings, snapshot.findings)) return;
    await this.connection.sendDiagnostics({
      uri,
      version: snapshot.version,
      diagnostics: snapshot.findings.map((finding) => toDiagnostic(finding, uri)),
    });
    void this.connection.sendNotification(AnalysisStatusNotification, { uri, durationMs: snapshot.durationMs, findings: snapshot.findings.length, budgetMs: ANALYSIS_BUDGET_MS });
  }

  /**
   * The findings of an open document's current version (analysed now if stale) with the settings
   * they were found under; none when the document is unknown or a newer version is on its way
   * (edits computed for a replaced version would land in the wrong place).
   */
  private async currentFindings(uri: string, exact = false): Promise<{ entry: OpenDocument; snapshot: AnalysisSnapshot; settings: ServerSettings } | undefined> {
    const entry = this.documents.get(uri);
    if (!entry) return undefined;
    const settings = await this.settings.forDocument(uri);
    if (this.documents.get(uri) !== entry || this.arrived.supersedes(uri, entry.document.version)) return undefined;
    const cached = this.snapshots.get(uri);
    const usable = cached?.version === entry.document.version && !(exact && cached.carried);
    const snapshot = usable ? cached : await this.analyzeOffThread(entry, settings, exact);
    // The analysis answers for the version asked; a newer one arrived meanwhile gets its own.
    if (!snapshot || this.documents.get(uri) !== entry || snapshot.version !== entry.document.version) return undefined;
    return { entry, snapshot, settings };
  }

  /**
   * Analyses the document under `settings` in the analysis thread (analysisHost.ts) when it runs,
   * else here; keeps the result as its snapshot. Undefined when a newer version overtook this one.
   */
  private async analyzeOffThread(entry: OpenDocument, settings: ServerSettings, exact = false): Promise<AnalysisSnapshot | undefined> {
    if (!settings.enable || !this.services || !(await this.analysisHost.start())) return this.analyzeWith(entry, settings, exact);
    const { uri, version } = entry.document;
    const filePath = diskPathOf(uri);
    const snapshot = await this.analysisHost.analyze(uri, version, settings, filePath && this.folderOf(filePath), exact);
    if (!snapshot || this.documents.get(uri) !== entry) return undefined;
    this.logAnalysis(uri, version, snapshot);
    return this.keep(uri, snapshot);
  }

  /** Analyses the document under `settings` and keeps the result as its snapshot. */
  private analyzeWith(entry: OpenDocument, settings: ServerSettings, exact = false): AnalysisSnapshot | undefined {
    const { uri, version } = entry.document;
    if (!settings.enable) return this.keep(uri, { version, findings: [], durationMs: 0 });
    const services = this.services;
    if (!services) return undefined;
    const started = Date.now();
    const { findings, carried } = documentFindings(services, entry, settings, exact);
    const snapshot = { version, findings, carried, durationMs: Date.now() - started };
    this.logAnalysis(uri, version, snapshot);
    return this.keep(uri, snapshot);
  }

  private logAnalysis(uri: string, version: number, { findings, durationMs, carried }: AnalysisSnapshot): void {
    const how = carried ? ', carried over from the previous version' : '';
    this.logger.debug(`Analysed ${uri} (version ${version}) in ${durationMs} ms: ${findings.length} finding(s)${how}`);
    if (durationMs > ANALYSIS_BUDGET_MS) this.logger.warn(`Analysing ${uri} took ${durationMs} ms (budget ${ANALYSIS_BUDGET_MS} ms)`);
  }

  private keep(uri: string, snapshot: AnalysisSnapshot): AnalysisSnapshot {
    this.snapshots.set(uri, snapshot);
    return snapshot;
  }

  /** What fix-all does to the document's current version (fixAllInFile.ts), analysed on this thread. */
  private fixAll({ entry, snapshot, settings }: { entry: OpenDocument; snapshot: AnalysisSnapshot; settings: ServerSettings }): FixAllReport {
    const { uri, version } = entry.document;
    const services = this.services;
    const analyse = (text: string) => (services ? analyzeDocumentText(services, uri, text, settings) : []);
    const fixAll = fixAllInFile(entry.document.getText(), snapshot.findings, analyse, settings.layer.unsafeFixes === true);
    if (fixAll.applied.length) this.logger.debug(`Fix all of ${uri} (version ${version}): ${fixAll.applied.join('; ')}`);
    return fixAllReport(uri, version, fixAll);
  }

  /** The `source.fixAll` action's command, after its edit: the counts go to the log, and back to the client. */
  private reportFixAll(report: unknown): FixAllReport | undefined {
    const { uri, message } = (report ?? {}) as Partial<FixAllReport>;
    if (typeof uri !== 'string' || typeof message !== 'string') return undefined;
    this.logger.info(`Fix all of ${uri}: ${message}`);
    return report as FixAllReport;
  }

  private openTextOf(filePath: string): string | undefined {
    for (const entry of this.documents.all()) {
      if (diskPathOf(entry.document.uri) === filePath) return entry.document.getText();
    }
    return undefined;
  }

}

/** Whether a confirming analysis found what was already published (then nothing is sent again). */
function sameFindings(a: Finding[], b: Finding[]): boolean {
  return a.length === b.length && JSON.stringify(a) === JSON.stringify(b);
}
