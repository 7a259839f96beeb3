// The language server: wires documents, settings, diagnostics, code actions and the workspace
// scan to the engine. Every analysis goes through ProjectAnalysis, as the CLI's does.
import * as path from 'path';
import {
  CodeActionKind, Connection, DidChangeConfigurationNotification, ErrorCodes, InitializeParams, InitializeResult,
  NotificationType, ResponseError, TextDocumentSyncKind, WorkDoneProgressReporter,
} from 'vscode-languageserver';
import { Analyzer } from '../engine/analyzer';
import { notAnalysed } from '../engine/budgets';
import { mergeConfig } from '../engine/config';
import { Finding, NOT_ANALYSED, isRuleCode } from '../engine/findings';
import { GrammarLoadError } from '../engine/pythonParser';
import { preforkRunners } from '../workspace/preforkRunners';
import { ProjectAnalysis } from '../workspace/projectAnalysis';
import { innermostFolder } from '../workspace/scanProtocol';
import { FIX_ALL_KIND, SHOW_DOCUMENTATION_COMMAND, codeActionsFor } from './codeActions';
import { ruleDocsUrl } from '../engine/rules/registry';
import { ArrivedVersions } from './arrivedVersions';
import { GENERIC_ERROR_PREFIX } from './genericErrorWriter';
import { diskPathOf, labelPathOf } from './documentPaths';
import { toDiagnostic } from './diagnostics';
import { AnalysisHost } from './analysisHost';
import { DocumentTrees, OpenDocument } from './documentTrees';
import { hoverFor } from './hover';
import { Logger } from './logger';
import { ScanRequest, WorkspaceScan } from './workspaceScan';
import { DEFAULT_DEBOUNCE_MS, ServerSettings, readClientSettings } from './settings';

export interface AnalysisSnapshot {
  version: number;
  findings: Finding[];
  durationMs: number;
}

/** Above this, the status item warns that the file is slow to analyse (as vscode-eslint does). */
export const ANALYSIS_BUDGET_MS = 500;

export interface AnalysisStatus {
  uri: string;
  durationMs: number;
  findings: number;
  budgetMs: number;
}

export const AnalysisStatusNotification = new NotificationType<AnalysisStatus>('grpcForkGuard/analysisStatus');

export class GrpcForkGuardServer {
  readonly logger: Logger;
  private analyzer: Analyzer | undefined;
  private analyzerFailure: string | undefined;
  readonly documents: DocumentTrees;
  private readonly snapshots = new Map<string, AnalysisSnapshot>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly settingsCache = new Map<string, Promise<ServerSettings>>();
  private workspaceFolders: string[] = [];
  private supportsConfiguration = false;
  private supportsWorkspaceFolders = false;
  private project: ProjectAnalysis | undefined;
  /** Settings of the document being analysed, read by the project's override callback. */
  private currentLayer: ServerSettings['layer'] = {};
  private readonly workspaceScan = new WorkspaceScan(this);
  private readonly analysisHost: AnalysisHost;

  constructor(
    readonly connection: Connection,
    private readonly grammarDir?: string,
    /** Fed by the message reader; without it nothing is known to be superseded. */
    private readonly arrived = new ArrivedVersions(),
  ) {
    this.logger = new Logger(connection);
    this.analysisHost = new AnalysisHost((level, message) => this.logger[level](message), grammarDir);
    this.documents = new DocumentTrees(() => this.analyzer, this.analysisHost);
  }

  listen(): void {
    const { connection } = this;
    connection.onInitialize((params) => this.initialize(params));
    connection.onInitialized(() => this.initialized());
    connection.onDidOpenTextDocument(({ textDocument }) => {
      this.documents.open(textDocument.uri, textDocument.languageId, textDocument.version, textDocument.text);
      this.schedule(textDocument.uri, 0);
    });
    connection.onDidChangeTextDocument(({ textDocument, contentChanges }) => {
      this.documents.change(textDocument.uri, textDocument.version, contentChanges);
      void this.settingsFor(textDocument.uri).then((settings) => this.schedule(textDocument.uri, settings.debounceMs));
    });
    connection.onDidCloseTextDocument(({ textDocument }) => {
      this.arrived.forget(textDocument.uri);
      this.documents.close(textDocument.uri);
      this.snapshots.delete(textDocument.uri);
      clearTimeout(this.timers.get(textDocument.uri));
      this.timers.delete(textDocument.uri);
      // A closed file keeps no diagnostics unless the workspace scan saw it: then the disk's findings.
      void this.workspaceScan.documentClosed(textDocument.uri);
    });
    connection.onDidChangeConfiguration(() => {
      this.settingsCache.clear();
      this.revalidateAll();
    });
    connection.onDidChangeWatchedFiles(({ changes }) => {
      for (const change of changes) {
        const filePath = diskPathOf(change.uri);
        if (filePath) this.project?.invalidate(filePath);
        if (filePath) this.analysisHost.invalidate(filePath);
      }
      // An import or a pyproject.toml may have changed what every open file means.
      this.revalidateAll();
      void this.workspaceScan.filesChanged(changes);
    });
    connection.onCodeAction(this.guarded('textDocument/codeAction', async (params) => {
      const entry = this.documents.get(params.textDocument.uri);
      // Edits computed for a version the client has already replaced would land in the wrong place.
      if (!entry || this.arrived.supersedes(entry.document.uri, entry.document.version)) return [];
      const snapshot = await this.analyzeNow(entry);
      if (snapshot?.version !== entry.document.version) return [];
      return codeActionsFor(params, entry.document, snapshot?.findings ?? [], this.fixAllContext(entry));
    }));
    connection.onExecuteCommand(this.guarded('workspace/executeCommand', async ({ command, arguments: args }) => {
      if (command !== SHOW_DOCUMENTATION_COMMAND) return;
      const code = String(args?.[0] ?? '');
      if (!isRuleCode(code) && code !== NOT_ANALYSED) return;
      await connection.window.showDocument({ uri: ruleDocsUrl(code), external: true }).catch(() => undefined);
    }));
    connection.onHover(this.guarded('textDocument/hover', async (params) => {
      const entry = this.documents.get(params.textDocument.uri);
      if (entry && this.arrived.supersedes(entry.document.uri, entry.document.version)) return undefined;
      const snapshot = entry && await this.analyzeNow(entry);
      return snapshot && snapshot.version === entry.document.version ? hoverFor(snapshot.findings, params.position) : undefined;
    }));
    connection.onRequest(ScanRequest, this.guarded(ScanRequest.method, (params, token) => this.workspaceScan.run(params, token)));
    connection.onShutdown(() => {
      for (const timer of this.timers.values()) clearTimeout(timer);
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
    const options = params.initializationOptions as { logLevel?: string } | undefined;
    this.logger.setLevel(options?.logLevel);
    try {
      this.analyzer = await Analyzer.create(this.grammarDir);
      this.project = new ProjectAnalysis(this.analyzer, () => this.currentLayer, (filePath) => this.folderOf(filePath), (filePath) => this.openTextOf(filePath));
    } catch (error) {
      // Without a grammar the server stays up and says so once, instead of crashing in a loop.
      this.analyzerFailure = error instanceof GrammarLoadError ? error.message : `The analyser failed to start: ${(error as Error).message}`;
    }
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        executeCommandProvider: { commands: [SHOW_DOCUMENTATION_COMMAND] },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND], resolveProvider: false },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'grpc-fork-guard', version: typeof __VERSION__ === 'string' ? __VERSION__ : 'dev' },
    };
  }

  private initialized(): void {
    if (this.analyzerFailure) {
      this.logger.error(this.analyzerFailure);
      void this.connection.window.showErrorMessage(`gRPC Fork Guard: ${this.analyzerFailure}`);
    } else {
      this.logger.info(`gRPC Fork Guard server started (workspace: ${this.workspaceFolders.join(', ') || 'none'})`);
    }
    if (this.supportsConfiguration) void this.connection.client.register(DidChangeConfigurationNotification.type, undefined);
    // vscode-languageserver throws here when the client cannot send these events.
    if (this.supportsWorkspaceFolders) this.connection.workspace.onDidChangeWorkspaceFolders((event) => {
      const removed = new Set(this.diskFolders(event.removed.map((f) => f.uri)));
      this.workspaceFolders = this.workspaceFolders.filter((f) => !removed.has(f)).concat(this.diskFolders(event.added.map((f) => f.uri)));
    });
    if (!this.analyzerFailure) void this.workspaceScan.scanOnStartup();
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
  folderOf(filePath: string): string | undefined {
    return innermostFolder(this.workspaceFolders, filePath);
  }

  get folders(): string[] {
    return this.workspaceFolders;
  }

  get projectAnalysis(): ProjectAnalysis | undefined {
    return this.project;
  }

  settingsFor(uri: string): Promise<ServerSettings> {
    let cached = this.settingsCache.get(uri);
    if (!cached) {
      cached = this.supportsConfiguration
        ? this.connection.workspace.getConfiguration({ scopeUri: uri, section: 'grpcForkGuard' }).then(
          (raw) => readClientSettings(raw),
          () => readClientSettings(undefined),
        )
        : Promise.resolve(readClientSettings(undefined));
      cached.then((settings) => {
        this.logger.setLevel((settings as unknown as { logLevel?: string }).logLevel);
        for (const problem of settings.problems) this.logger.warn(`Settings: ${problem}`);
      }, () => undefined);
      this.settingsCache.set(uri, cached);
    }
    return cached;
  }

  /** Runs `work` with the settings of `uri` in force for ProjectAnalysis. */
  withSettings<T>(settings: ServerSettings, work: () => T): T {
    const previous = this.currentLayer;
    this.currentLayer = settings.layer;
    try {
      return work();
    } finally {
      this.currentLayer = previous;
    }
  }

  private schedule(uri: string, delayMs: number): void {
    clearTimeout(this.timers.get(uri));
    this.timers.set(uri, setTimeout(() => {
      this.timers.delete(uri);
      void this.validate(uri);
    }, delayMs));
  }

  private revalidateAll(): void {
    this.snapshots.clear();
    for (const entry of this.documents.all()) this.schedule(entry.document.uri, DEFAULT_DEBOUNCE_MS);
  }

  private async validate(uri: string): Promise<void> {
    const entry = this.documents.get(uri);
    if (!entry) return;
    const settings = await this.settingsFor(uri);
    if (this.documents.get(uri) !== entry) return;
    // A newer version (or the close) is queued: the run it schedules analyses that instead.
    if (this.arrived.supersedes(uri, entry.document.version)) return;
    const snapshot = settings.enable ? await this.analyzeOffThread(entry, settings) : { version: entry.document.version, findings: [], durationMs: 0 };
    if (!snapshot || this.documents.get(uri) !== entry) return;
    await this.connection.sendDiagnostics({
      uri,
      version: snapshot.version,
      diagnostics: snapshot.findings.map((finding) => toDiagnostic(finding, uri)),
    });
    void this.connection.sendNotification(AnalysisStatusNotification, { uri, durationMs: snapshot.durationMs, findings: snapshot.findings.length, budgetMs: ANALYSIS_BUDGET_MS });
  }

  /** Findings for the document's current version, analysing now if they are stale. */
  analyzeNow(entry: OpenDocument): Promise<AnalysisSnapshot | undefined> {
    const snapshot = this.snapshots.get(entry.document.uri);
    if (snapshot && snapshot.version === entry.document.version) return Promise.resolve(snapshot);
    // Code actions follow diagnostics, so the document's settings are normally known by now.
    return this.analyzeOffThread(entry, this.lastSettings.get(entry.document.uri) ?? readClientSettings(undefined));
  }

  /** In the analysis thread (analysisHost.ts) when it runs, else here; undefined when a newer version overtook this one. */
  private async analyzeOffThread(entry: OpenDocument, settings: ServerSettings): Promise<AnalysisSnapshot | undefined> {
    if (!this.analyzer || !(await this.analysisHost.start())) return this.analyzeWith(entry, settings);
    const { uri, version } = entry.document;
    const filePath = diskPathOf(uri);
    const snapshot = await this.analysisHost.analyze(uri, version, settings, filePath && this.folderOf(filePath));
    this.lastSettings.set(uri, settings);
    if (snapshot && this.documents.get(uri) === entry) this.snapshots.set(uri, snapshot);
    return snapshot;
  }

  private readonly lastSettings = new Map<string, ServerSettings>();

  private analyzeWith(entry: OpenDocument, settings: ServerSettings): AnalysisSnapshot | undefined {
    this.lastSettings.set(entry.document.uri, settings);
    const project = this.project;
    const analyzer = this.analyzer;
    if (!project || !analyzer) return undefined;
    const { uri, version } = entry.document;
    const filePath = diskPathOf(uri);
    const started = Date.now();
    let findings: Finding[] = [];
    try {
      findings = !filePath ? this.analyzeTextOnly(entry, settings) : this.withSettings(settings, () => {
        const resolved = project.configFor(filePath);
        for (const problem of resolved.problems) this.logger.warn(`Configuration: ${problem.file}${problem.key ? ` (${problem.key})` : ''}: ${problem.message}`);
        // The tree is parsed only when the text is within the budgets (size, nesting).
        return analyzer.analyze(filePath, entry.document.getText(), resolved.config, {
          tree: (deadline) => this.documents.treeOf(entry, deadline),
          budget: { maxFileBytes: settings.maxFileBytes },
          resolver: project.resolverFor(resolved.projectRoot),
          runners: () => preforkRunners(resolved.projectRoot, path.dirname(filePath), resolved.config.exclude),
          onRuleError: (rule, error) => this.logger.error(`Rule ${rule.code} failed on ${uri}: ${(error as Error).stack ?? error}`),
        }).findings;
      });
      for (const notice of findings.filter((f) => f.code === NOT_ANALYSED)) this.logger.warn(`${uri}: ${notice.message}`);
    } catch (error) {
      this.logger.error(`Analysis of ${uri} failed: ${(error as Error).stack ?? error}`);
      findings = [notAnalysed(`Could not be analysed: internal error (${(error as Error).message}); see the output channel.`)];
    }
    const durationMs = Date.now() - started;
    this.logger.debug(`Analysed ${uri} (version ${version}) in ${durationMs} ms: ${findings.length} finding(s)`);
    if (durationMs > ANALYSIS_BUDGET_MS) this.logger.warn(`Analysing ${uri} took ${durationMs} ms (budget ${ANALYSIS_BUDGET_MS} ms)`);
    const snapshot = { version, findings, durationMs };
    this.snapshots.set(uri, snapshot);
    return snapshot;
  }

  /** A document the server may not read around (see documentPaths.ts): its text, default configuration, no imports. */
  private analyzeTextOnly(entry: OpenDocument, settings: ServerSettings): Finding[] {
    const { uri } = entry.document;
    return this.analyzer!.analyze(labelPathOf(uri), entry.document.getText(), mergeConfig({}, settings.layer), {
      tree: (deadline) => this.documents.treeOf(entry, deadline),
      budget: { maxFileBytes: settings.maxFileBytes },
      onRuleError: (rule, error) => this.logger.error(`Rule ${rule.code} failed on ${uri}: ${(error as Error).stack ?? error}`),
    }).findings;
  }

  private fixAllContext(entry: OpenDocument) {
    const settings = this.lastSettings.get(entry.document.uri);
    return { unsafeFixes: settings?.layer.unsafeFixes === true };
  }

  private openTextOf(filePath: string): string | undefined {
    for (const entry of this.documents.all()) {
      if (diskPathOf(entry.document.uri) === filePath) return entry.document.getText();
    }
    return undefined;
  }

  isOpen(filePath: string): boolean {
    return this.openTextOf(filePath) !== undefined;
  }

  reportProgress(progress: WorkDoneProgressReporter, done: number, total: number): void {
    progress.report(total ? Math.round((done / total) * 100) : 0, `${done}/${total} files`);
  }
}

declare const __VERSION__: string | undefined;
