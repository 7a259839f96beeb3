// "Scan Workspace": runs the shared workspace scanner (worker threads, pre-filter) over every
// workspace folder and publishes diagnostics for files that are not open (Problems panel), as the
// results stream in. Progress goes through LSP work-done progress (files done / total) and the
// scan stops on $/cancelRequest. Afterwards, watched-file events keep those results current:
// a changed file is analysed again, a deleted one loses its diagnostics.
import * as path from 'path';
import { URI } from 'vscode-uri';
import type { CancellationToken, Diagnostic, FileEvent, WorkDoneProgressReporter } from 'vscode-languageserver';
import { FileChangeType } from 'vscode-languageserver';
import type { Finding } from '../engine/findings';
import type { ScanParams, ScanResult } from '../../../shared/protocol';
import type { ProjectAnalysis } from '../workspace/projectAnalysis';
import { catalogRoots } from '../engine/relevance';
import { prefilter } from '../workspace/prefilter';
import { readSourceFile } from '../workspace/textFiles';
import { FileListing } from '../workspace/scanListing';
import { scanWorkspace as runScanner } from '../workspace/workspaceScanner';
import { toDiagnostic } from './diagnostics';
import { isNotebookPath } from '../engine/notebook/notebookInput';
import { analyzeNotebookText, notebookPrefilterBytes } from '../workspace/notebookAnalysis';
import { notebookFileDiagnostic } from './notebookFileDiagnostics';
import { diskPathOf } from './documentPaths';
import type { Logger } from './logger';
import type { ServerSettings } from './settings';

/** What the scan needs of the language server, and nothing more. */
export interface ScanHost {
  readonly logger: Logger;
  /** The workspace folders the scan covers. */
  folders(): readonly string[];
  /** Undefined until the analyser has started. */
  project(): ProjectAnalysis | undefined;
  settingsOfFolder(folderPath: string): Promise<ServerSettings>;
  settingsOfFile(filePath: string): Promise<ServerSettings>;
  /** Open files belong to live analysis: the scan never publishes for them. */
  isOpen(filePath: string): boolean;
  sendDiagnostics(uri: string, diagnostics: Diagnostic[]): void;
  /** Progress under the client's token, or (none given) one the server creates; undefined when the client has none. */
  progress(token: string | number | undefined): Promise<(WorkDoneProgressReporter & { token?: CancellationToken }) | undefined>;
}

/** What is kept of each file of the last scan. */
const enum Scanned {
  /** Parsed and analysed (else the pre-filter showed it cannot hold a finding, or it was skipped). */
  Analysed = 1,
  /** Deleted since (a listing cannot forget a file; this one no longer counts). */
  Gone = 2,
}

export class WorkspaceScan {
  /**
   * Files the last scan listed (and those created since), kept compactly: a workspace of 170,000
   * files would otherwise hold a path and an object for each of them as long as the server runs.
   */
  private scanned = new FileListing();
  private scannedCount = 0;
  /** Files whose diagnostics are non-empty on the client. */
  private readonly published = new Set<string>();
  private running: AbortController | undefined;

  constructor(private readonly host: ScanHost) {}

  async run(params: ScanParams, token: CancellationToken): Promise<ScanResult> {
    // The client's own progress token when it sent one (VS Code shows a notification), else none.
    const reporter = params.workDoneToken ? await this.host.progress(params.workDoneToken) : undefined;
    return this.scan(reporter, token);
  }

  /** The `grpcForkGuard.scanOnStartup` setting: a scan with progress the server creates. */
  async scanOnStartup(): Promise<void> {
    const folder = this.host.folders()[0];
    if (!folder) return;
    const settings = await this.host.settingsOfFolder(folder);
    if (!settings.scanOnStartup) return;
    const reporter = await this.host.progress(undefined);
    await this.scan(reporter, reporter?.token);
  }

  private async scan(reporter: WorkDoneProgressReporter | undefined, token: CancellationToken | undefined): Promise<ScanResult> {
    const { host } = this;
    const result: ScanResult = { files: 0, total: 0, analysed: 0, filesWithFindings: 0, findings: 0, skipped: 0, cancelled: false, elapsedMs: 0 };
    if (!host.project()) return result;
    this.running?.abort();
    const controller = new AbortController();
    this.running = controller;
    const subscription = token?.onCancellationRequested(() => controller.abort());
    // A $/cancelRequest that arrived before the request ran: the token is already cancelled.
    if (token?.isCancellationRequested) controller.abort();
    const roots = [];
    for (const folder of host.folders()) {
      const settings = await host.settingsOfFolder(folder);
      if (settings.enable) roots.push({ path: folder, layer: settings.layer });
    }
    const previous = this.scanned;
    this.scanned = new FileListing();
    this.scannedCount = 0;
    let begun = false;
    try {
      const summary = await runScanner({
        roots,
        rootIsProject: true,
        signal: controller.signal,
        onProgress: (done, total) => {
          result.total = total;
          if (!reporter) return;
          if (!begun) {
            begun = true;
            reporter.begin('gRPC Fork Guard: scanning workspace', 0, `0/${total} files`, true);
          }
          reporter.report(total ? Math.round((done / total) * 100) : 0, `${done}/${total} files`);
        },
        onReport: (report) => {
          this.record(report.path, report.analysed);
          if (report.skipped) host.logger.info(`Scan: ${report.path} skipped: ${report.skipped}`);
          this.publish(report.path, report.findings);
        },
      });
      Object.assign(result, {
        files: summary.files, analysed: summary.analysed, filesWithFindings: summary.filesWithFindings,
        findings: summary.findings, skipped: summary.skipped, cancelled: summary.cancelled, elapsedMs: Math.round(summary.elapsedMs),
      });
      // Files that are gone (or now excluded) keep no diagnostics from an earlier scan; a
      // cancelled scan keeps what the earlier one knew of the files it did not reach.
      if (summary.cancelled) {
        for (let id = 0; id < previous.size; id++) {
          const filePath = previous.pathOf(id);
          if (!previous.hasFlag(id, Scanned.Gone) && !this.state(filePath)) this.record(filePath, previous.hasFlag(id, Scanned.Analysed));
        }
      } else {
        for (const filePath of [...this.published]) {
          if (this.state(filePath)) continue;
          this.published.delete(filePath);
          this.clear(filePath);
        }
      }
    } catch (error) {
      host.logger.error(`Scan failed: ${(error as Error).stack ?? error}`);
    } finally {
      subscription?.dispose();
      if (this.running === controller) this.running = undefined;
      if (reporter) {
        if (!begun) reporter.begin('gRPC Fork Guard: scanning workspace', 0, '0/0 files', true);
        reporter.done();
      }
    }
    host.logger.info(`Scan ${result.cancelled ? 'cancelled' : 'finished'}: ${result.files}/${result.total} files read, ${result.analysed} analysed, ${result.findings} finding(s) in ${result.elapsedMs} ms`);
    return result;
  }

  /** Watched files changed on disk: files of the last scan are analysed again or cleared. */
  async filesChanged(changes: FileEvent[]): Promise<void> {
    if (this.scannedCount === 0) return;
    for (const change of changes) {
      const filePath = diskPathOf(change.uri);
      if (!filePath || !(filePath.endsWith('.py') || isNotebookPath(filePath))) continue;
      const state = this.state(filePath);
      if (change.type === FileChangeType.Deleted) {
        this.forget(filePath);
        if (this.published.delete(filePath)) this.clear(filePath);
        continue;
      }
      if (!state && !(change.type === FileChangeType.Created && this.inWorkspace(filePath))) continue;
      if (this.host.isOpen(filePath)) continue;
      const findings = await this.reanalyse(filePath, state);
      this.record(filePath, findings !== undefined);
      this.publish(filePath, findings ?? []);
    }
  }

  /** What the last scan (or a change since) left of a file: undefined when it did not list it. */
  private state(filePath: string): { analysed: boolean } | undefined {
    const id = this.scanned.idOf(filePath);
    if (id === undefined || this.scanned.hasFlag(id, Scanned.Gone)) return undefined;
    return { analysed: this.scanned.hasFlag(id, Scanned.Analysed) };
  }

  private record(filePath: string, analysed: boolean): void {
    const known = this.scanned.idOf(filePath);
    const id = known ?? this.scanned.add(path.dirname(filePath), path.basename(filePath), 0)!;
    if (known === undefined || this.scanned.hasFlag(id, Scanned.Gone)) this.scannedCount++;
    this.scanned.clearFlag(id, Scanned.Gone | Scanned.Analysed);
    if (analysed) this.scanned.setFlag(id, Scanned.Analysed);
  }

  private forget(filePath: string): void {
    const id = this.scanned.idOf(filePath);
    if (id === undefined || this.scanned.hasFlag(id, Scanned.Gone)) return;
    this.scanned.setFlag(id, Scanned.Gone);
    this.scannedCount--;
  }

  /** A document was closed: its diagnostics fall back to what the disk holds, if the scan saw it. */
  async documentClosed(uri: string): Promise<void> {
    const filePath = diskPathOf(uri);
    const state = filePath === undefined ? undefined : this.state(filePath);
    if (!filePath || !state) {
      this.host.sendDiagnostics(uri, []);
      return;
    }
    this.published.add(filePath);
    this.publish(filePath, (await this.reanalyse(filePath, state)) ?? []);
  }

  /**
   * One file, on the main thread: parsed only when the pre-filter lets it through, it was analysed
   * before, or one of its imports resolves to a file the last scan analysed.
   */
  private async reanalyse(filePath: string, state: { analysed: boolean } | undefined): Promise<Finding[] | undefined> {
    const project = this.host.project();
    if (!project) return undefined;
    const settings = await this.host.settingsOfFile(filePath);
    if (!settings.enable) return [];
    const resolved = project.configFor(filePath, settings.layer);
    const read = readSourceFile(filePath);
    if ('refused' in read) return undefined;
    const notebook = isNotebookPath(filePath);
    const bytes = notebook ? notebookPrefilterBytes(read.text()) : read.bytes;
    if (notebook && !bytes) return analyzeNotebookText(project, filePath, read.text(), resolved);
    const verdict = prefilter(bytes!, catalogRoots(resolved.config.channelFactories));
    const resolver = project.resolverFor(resolved.projectRoot);
    const importsAnalysed = () => verdict.imports.some((module) => {
      const target = resolver.resolve(filePath, module);
      return target !== undefined && this.state(target)?.analysed === true;
    });
    if (!verdict.mayReport && !state?.analysed && !importsAnalysed()) return undefined;
    project.invalidate(filePath);
    return notebook ? analyzeNotebookText(project, filePath, read.text(), resolved) : project.analyzeText(filePath, read.text(), resolved);
  }

  private inWorkspace(filePath: string): boolean {
    return this.host.folders().some((folder) => filePath.startsWith(folder + path.sep));
  }

  private clear(filePath: string): void {
    if (this.host.isOpen(filePath)) return;
    this.host.sendDiagnostics(URI.file(filePath).toString(), []);
  }

  /** Sends diagnostics unless the file is open (live analysis owns it) or nothing would change. */
  private publish(filePath: string, findings: Finding[]): void {
    // Nothing to send and nothing to clear first: most of a scan's files, and isOpen looks at every open document.
    if (findings.length === 0 && !this.published.has(filePath)) return;
    if (this.host.isOpen(filePath)) return;
    if (findings.length > 0) this.published.add(filePath);
    else this.published.delete(filePath);
    const uri = URI.file(filePath).toString();
    const convert = isNotebookPath(filePath) ? notebookFileDiagnostic : toDiagnostic;
    this.host.sendDiagnostics(uri, findings.map((f) => convert(f, uri)));
  }
}
