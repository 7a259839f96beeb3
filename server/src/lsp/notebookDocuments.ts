// Jupyter notebooks in the editor, through LSP notebook document sync: the client sends the
// notebook and its cells (notebookDocument/didOpen, didChange, didClose); the Python code cells
// are analysed as one program in cell order (engine/notebook), and each cell gets the
// diagnostics that fall in it, on its own URI, in its own lines. Quick fixes edit the cells the
// fix's edits fall in; a fix that cannot be placed in cells (across a cell boundary, on a magic
// line) is not offered.
import {
  CodeAction, CodeActionKind, CodeActionParams, Connection, Diagnostic, Hover, HoverParams, NotebookCellKind,
  NotebookDocument, NotebookDocuments, NotebookDocumentSyncOptions,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Analyzer } from '../engine/analyzer';
import { notAnalysed } from '../engine/budgets';
import { mergeConfig } from '../engine/config';
import type { Finding } from '../engine/findings';
import { CellFinding, editsByCell, findingsInCells } from '../engine/notebook/cellFindings';
import { CellProgram, cellProgram } from '../engine/notebook/cellProgram';
import type { ProjectAnalysis } from '../workspace/projectAnalysis';
import { DIAGNOSTIC_SOURCE } from '../../../shared/protocol';
import { preferredFix, showDocumentationAction } from './codeActions';
import { findingKey, toDiagnostic } from './diagnostics';
import { diskPathOf, labelPathOf } from './documentPaths';
import { hoverFor } from './hover';
import type { Logger } from './logger';
import { shippedRulePage } from './ruleDocsPage';
import type { ServerSettings } from './settings';
import { DebouncedRuns } from './debouncedRuns';

/** The server capability: Jupyter notebooks, their Python cells. */
export const NOTEBOOK_DOCUMENT_SYNC: NotebookDocumentSyncOptions = {
  notebookSelector: [{ notebook: { notebookType: 'jupyter-notebook' }, cells: [{ language: 'python' }] }],
};

/** What live notebooks need of the language server, and nothing more. */
export interface NotebookHost {
  readonly logger: Logger;
  /** Undefined until the analyser has started. */
  analysis(): { analyzer: Analyzer; project: ProjectAnalysis } | undefined;
  /** A notebook's settings (its URI is the scope, as a text document's is). */
  settingsOf(uri: string): Promise<ServerSettings>;
  sendDiagnostics(uri: string, diagnostics: Diagnostic[], version?: number): Promise<void>;
  /** A notebook closed: what the disk holds (the workspace scan's findings) applies again. */
  notebookClosed(uri: string): void;
}

interface NotebookSnapshot {
  version: number;
  /** The settings it was analysed under (settings read anew make it stale). */
  settings: ServerSettings;
  program: CellProgram;
  /** Program coordinates, fixes included. */
  findings: Finding[];
  /** The same findings in their cells' coordinates (no fixes). */
  inCells: CellFinding[];
  /** Cell index → cell URI, for the code cells analysed. */
  cellUris: Map<number, string>;
}

export class LiveNotebooks {
  private readonly documents = new NotebookDocuments(TextDocument);
  private readonly snapshots = new Map<string, NotebookSnapshot>();
  /** Cell URIs that were sent diagnostics, per notebook (to clear them when cells go). */
  private readonly published = new Map<string, Set<string>>();
  private readonly pending = new DebouncedRuns((uri) => void this.validate(uri));
  private readonly open = new Set<string>();

  constructor(private readonly host: NotebookHost) {}

  listen(connection: Connection): void {
    this.documents.listen(connection);
    this.documents.onDidOpen((notebook) => {
      this.open.add(notebook.uri);
      // Scan Workspace results on the file give way to the cells' own diagnostics.
      void this.host.sendDiagnostics(notebook.uri, []);
      this.schedule(notebook.uri, 0);
    });
    this.documents.onDidChange(({ notebookDocument }) => {
      void this.host.settingsOf(notebookDocument.uri).then((settings) => this.schedule(notebookDocument.uri, settings.debounceMs));
    });
    this.documents.onDidClose((notebook) => {
      this.open.delete(notebook.uri);
      this.pending.cancel(notebook.uri);
      this.snapshots.delete(notebook.uri);
      for (const uri of this.published.get(notebook.uri) ?? []) void this.host.sendDiagnostics(uri, []);
      this.published.delete(notebook.uri);
      this.host.notebookClosed(notebook.uri);
    });
  }

  /** Whether `uri` is a cell of an open notebook (its requests are answered here). */
  owns(uri: string): boolean {
    return this.documents.getNotebookCell(uri) !== undefined;
  }

  /** Whether the notebook stored at `filePath` is open (live analysis owns it, not the scan). */
  isOpenFile(filePath: string): boolean {
    return [...this.open].some((uri) => diskPathOf(uri) === filePath);
  }

  revalidateAll(): void {
    this.snapshots.clear();
    for (const uri of this.open) this.schedule(uri, 0);
  }

  async codeActions(params: CodeActionParams): Promise<CodeAction[]> {
    const found = await this.snapshotOfCell(params.textDocument.uri);
    if (!found) return [];
    const { snapshot, cell } = found;
    const only = params.context.only;
    if (only && !only.some((kind) => CodeActionKind.QuickFix === kind || CodeActionKind.QuickFix.startsWith(`${kind}.`))) return [];
    const actions: CodeAction[] = [];
    for (const diagnostic of params.context.diagnostics) {
      if (diagnostic.source !== DIAGNOSTIC_SOURCE) continue;
      const index = snapshot.inCells.findIndex((f) => f.cell === cell && findingKey(f.code, f.range) === findingKey(diagnostic.code, diagnostic.range));
      if (index >= 0) actions.push(...this.quickFixes(snapshot, snapshot.findings[index], diagnostic));
    }
    return actions;
  }

  /** As a text document's hover: the rule, why, the fixes and the rule page, never the message again. */
  async hover(params: HoverParams): Promise<Hover | undefined> {
    const found = await this.snapshotOfCell(params.textDocument.uri);
    if (!found) return undefined;
    const { snapshot, cell } = found;
    const here = snapshot.inCells.flatMap((f, index) => (f.cell === cell ? [{ ...f, fixes: snapshot.findings[index].fixes }] : []));
    return hoverFor(here, params.position, shippedRulePage);
  }

  private quickFixes(snapshot: NotebookSnapshot, finding: Finding, diagnostic: Diagnostic): CodeAction[] {
    const preferred = preferredFix(finding);
    const actions: CodeAction[] = [];
    for (const fix of finding.fixes) {
      const byCell = editsByCell(snapshot.program.spans, fix.edits);
      if (!byCell) continue;
      const changes = Object.fromEntries([...byCell].map(([cell, edits]) => [snapshot.cellUris.get(cell)!, edits]));
      actions.push({
        title: fix.applicability === 'unsafe' && !fix.isSuppression ? `${fix.title} (unsafe)` : fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        isPreferred: fix === preferred,
        edit: { changes },
      });
    }
    actions.push(showDocumentationAction(finding, diagnostic));
    return actions;
  }

  /**
   * The cell's notebook analysed (if stale) under the notebook's settings, awaited as a text
   * document's code actions and hover await its settings; none when the notebook changed meanwhile.
   */
  private async snapshotOfCell(cellUri: string): Promise<{ snapshot: NotebookSnapshot; cell: number } | undefined> {
    const notebook = this.documents.findNotebookDocumentForCell(cellUri);
    if (!notebook) return undefined;
    const settings = await this.host.settingsOf(notebook.uri);
    if (this.documents.getNotebookDocument(notebook.uri) !== notebook || !settings.enable) return undefined;
    const snapshot = this.analyse(notebook, settings);
    const cell = notebook.cells.findIndex((c) => c.document === cellUri);
    return snapshot && cell >= 0 ? { snapshot, cell } : undefined;
  }

  private schedule(uri: string, delayMs: number): void {
    this.pending.schedule(uri, delayMs);
  }

  private async validate(uri: string): Promise<void> {
    const notebook = this.documents.getNotebookDocument(uri);
    if (!notebook) return;
    const settings = await this.host.settingsOf(uri);
    if (this.documents.getNotebookDocument(uri) !== notebook) return;
    const snapshot = settings.enable ? this.analyse(notebook, settings) : undefined;
    const sent = new Set<string>();
    for (const [index, cell] of notebook.cells.entries()) {
      const document = this.documents.getCellTextDocument(cell);
      if (!document) continue;
      const diagnostics = (snapshot?.inCells ?? []).filter((f) => f.cell === index).map((f) => this.toCellDiagnostic(f, cell.document, snapshot!));
      if (diagnostics.length === 0 && !this.published.get(uri)?.has(cell.document)) continue;
      if (diagnostics.length) sent.add(cell.document);
      await this.host.sendDiagnostics(cell.document, diagnostics, document.version);
    }
    // Cells that had diagnostics and are gone now.
    for (const old of this.published.get(uri) ?? []) {
      if (!sent.has(old) && !notebook.cells.some((c) => c.document === old)) void this.host.sendDiagnostics(old, []);
    }
    this.published.set(uri, sent);
  }

  private toCellDiagnostic(finding: CellFinding, cellUri: string, snapshot: NotebookSnapshot): Diagnostic {
    const diagnostic = toDiagnostic(finding, cellUri);
    // A related place in another cell is shown in that cell.
    diagnostic.relatedInformation?.forEach((info, i) => {
      const cell = finding.related[i]?.cell;
      const uri = cell === undefined ? undefined : snapshot.cellUris.get(cell);
      if (uri) info.location.uri = uri;
    });
    return diagnostic;
  }

  /**
   * A notebook on disk is analysed in its project (configuration, imports); one the server may not
   * read around (untitled, remote: documentPaths.ts) from its text alone; both under the notebook's
   * settings, passed in as a text document's are (documentAnalysis.ts).
   */
  private findingsOf(uri: string, text: string, analysis: { analyzer: Analyzer; project: ProjectAnalysis }, settings: ServerSettings): Finding[] {
    const filePath = diskPathOf(uri);
    if (filePath) return analysis.project.analyzeText(filePath, text, analysis.project.configFor(filePath, settings.layer));
    const result = analysis.analyzer.analyze(labelPathOf(uri), text, mergeConfig({}, settings.layer), { budget: { maxFileBytes: settings.maxFileBytes } });
    result.tree?.delete();
    return result.findings;
  }

  /** The findings of the notebook's current version, analysing it if they are stale. */
  private analyse(notebook: NotebookDocument, settings: ServerSettings): NotebookSnapshot | undefined {
    const cached = this.snapshots.get(notebook.uri);
    if (cached && cached.version === notebook.version && cached.settings === settings) return cached;
    const analysis = this.host.analysis();
    if (!analysis) return undefined;
    const cellUris = new Map<number, string>();
    const cells: { cell: number; source: string }[] = [];
    for (const [index, cell] of notebook.cells.entries()) {
      const document = this.documents.getCellTextDocument(cell);
      if (cell.kind !== NotebookCellKind.Code || document?.languageId !== 'python') continue;
      cellUris.set(index, cell.document);
      cells.push({ cell: index, source: document.getText() });
    }
    const program = cellProgram(cells);
    let findings: Finding[];
    try {
      findings = this.findingsOf(notebook.uri, program.text, analysis, settings);
    } catch (error) {
      this.host.logger.error(`Analysis of ${notebook.uri} failed: ${(error as Error).stack ?? error}`);
      findings = [notAnalysed(`Could not be analysed: internal error (${(error as Error).message}); see the output channel.`)];
    }
    const snapshot = { version: notebook.version, settings, program, findings, inCells: findingsInCells(program.spans, findings), cellUris };
    this.snapshots.set(notebook.uri, snapshot);
    return snapshot;
  }
}
