// The analysis of one open document: its text, the settings it is analysed under, and nothing
// else of the server's state. Configuration is passed in (the document's editor settings over
// its pyproject.toml), as vscode-eslint passes each document's settings to its validation, so
// the same call runs in the analysis thread (analysisWorker.ts) and, as the fallback, on the
// server's thread.
import * as path from 'path';
import type { AnalysisOptions, AnalysisResult, Analyzer } from '../engine/analyzer';
import type { Tree } from 'web-tree-sitter';
import { notAnalysed } from '../engine/budgets';
import { mergeConfig } from '../engine/config';
import { Finding, NOT_ANALYSED } from '../engine/findings';
import { preforkRunners } from '../workspace/preforkRunners';
import type { ProjectAnalysis, ResolvedConfig } from '../workspace/projectAnalysis';
import { diskPathOf, labelPathOf } from './documentPaths';
import type { DocumentTrees, OpenDocument } from './documentTrees';
import type { Logger } from './logger';
import type { ServerSettings } from './settings';

/** Where an analysis logs: the server's output channel, or the analysis thread's messages to it. */
export type AnalysisLog = Pick<Logger, 'error' | 'warn' | 'info' | 'debug'>;

/** What an analysis needs of the server (or of the analysis thread): built once the analyser has started. */
export interface AnalysisServices {
  analyzer: Analyzer;
  project: ProjectAnalysis;
  trees: DocumentTrees;
  logger: AnalysisLog;
  /** Told the configuration each analysis of a file on disk used, and the editor's layer over it. */
  onConfig?: (resolved: ResolvedConfig, editorLayer: ServerSettings['layer']) => void;
}

/** Findings for the document's current text under `settings`. Throws only on internal errors. */
export function analyzeDocument(services: AnalysisServices, entry: OpenDocument, settings: ServerSettings, exact = false): DocumentFindings {
  const { trees } = services;
  // The previous version's findings may be carried over only when nothing but this text changed since.
  const settingsKey = JSON.stringify(settings);
  const world = trees.worldMark(entry);
  const previous = entry.carry;
  const from = !exact && previous && previous.settingsKey === settingsKey && previous.world === world ? previous.basis : undefined;
  entry.carry = undefined;
  // The tree is parsed only when the text is within the budgets (size, nesting).
  const result = documentResult(services, entry.document.uri, entry.document.getText(), settings, (deadline?: number) => trees.treeOf(entry, deadline), { from });
  if (result.basis) entry.carry = { basis: result.basis, settingsKey, world };
  return { findings: result.findings, carried: result.carried === true };
}

/** An open document's findings, and whether they were carried over from its previous version (engine/carryOver.ts). */
export interface DocumentFindings {
  findings: Finding[];
  carried: boolean;
}

/**
 * Findings for `text` as the document `uri` would have them under `settings` (a fix's result,
 * before it is applied). Without `tree` the text is parsed here and its tree freed after.
 */
export function analyzeDocumentText(services: AnalysisServices, uri: string, text: string, settings: ServerSettings, tree?: (deadline: number) => Tree | undefined): Finding[] {
  return documentResult(services, uri, text, settings, tree).findings;
}

/** The engine's result for the document's text, with its file's configuration, imports and runners. */
function documentResult(
  services: AnalysisServices, uri: string, text: string, settings: ServerSettings, tree?: (deadline: number) => Tree | undefined, carryOver?: AnalysisOptions['carryOver'],
): AnalysisResult {
  const { analyzer, project, logger } = services;
  const filePath = diskPathOf(uri);
  const onRuleError = (rule: { code: string }, error: unknown) => logger.error(`Rule ${rule.code} failed on ${uri}: ${(error as Error).stack ?? error}`);
  const budget = { maxFileBytes: settings.maxFileBytes };
  const freed = (result: AnalysisResult) => {
    if (!tree) result.tree?.delete();
    return result;
  };
  if (!filePath) {
    // A document the server may not read around (see documentPaths.ts): its text, no pyproject.toml, no imports.
    return freed(analyzer.analyze(labelPathOf(uri), text, mergeConfig({}, settings.layer), { tree, budget, onRuleError, carryOver }));
  }
  const resolved = project.configFor(filePath, settings.layer);
  services.onConfig?.(resolved, settings.layer);
  for (const problem of resolved.problems) logger.warn(`Configuration: ${problem.file}${problem.key ? ` (${problem.key})` : ''}: ${problem.message}`);
  return freed(analyzer.analyze(filePath, text, resolved.config, {
    tree,
    budget,
    resolver: project.resolverFor(resolved.projectRoot),
    runners: () => preforkRunners(resolved.projectRoot, path.dirname(filePath), resolved.config.exclude, undefined, project.openText),
    onRuleError,
    carryOver,
  }));
}

/** analyzeDocument as the editor shows it: an internal error becomes a notice on the file, and every notice is logged. */
export function documentFindings(services: AnalysisServices, entry: OpenDocument, settings: ServerSettings, exact = false): DocumentFindings {
  const { uri } = entry.document;
  try {
    const result = analyzeDocument(services, entry, settings, exact);
    for (const notice of result.findings.filter((f) => f.code === NOT_ANALYSED)) services.logger.warn(`${uri}: ${notice.message}`);
    return result;
  } catch (error) {
    services.logger.error(`Analysis of ${uri} failed: ${(error as Error).stack ?? error}`);
    return { findings: [notAnalysed(`Could not be analysed: internal error (${(error as Error).message}); see the output channel.`)], carried: false };
  }
}
