// One open document analysed as the editor needs it: its project's configuration under the
// client's settings, imports resolved (open documents' texts first), its tree kept for the next
// keystroke, every problem logged. Runs in the analysis thread (analysisWorker.ts).
import * as path from 'path';
import type { Analyzer } from '../engine/analyzer';
import { notAnalysed } from '../engine/budgets';
import { mergeConfig } from '../engine/config';
import { Finding, NOT_ANALYSED } from '../engine/findings';
import { preforkRunners } from '../workspace/preforkRunners';
import type { ProjectAnalysis } from '../workspace/projectAnalysis';
import type { LogLevel } from './analysisProtocol';
import { diskPathOf, labelPathOf } from './documentPaths';
import type { DocumentTrees, OpenDocument } from './documentTrees';
import type { ServerSettings } from './settings';

export function analyzeDocument(
  analyzer: Analyzer, project: ProjectAnalysis, documents: DocumentTrees, entry: OpenDocument, settings: ServerSettings,
  log: (level: LogLevel, message: string) => void,
): Finding[] {
  const { uri } = entry.document;
  const filePath = diskPathOf(uri);
  const onRuleError = (rule: { code: string }, error: unknown) => log('error', `Rule ${rule.code} failed on ${uri}: ${(error as Error).stack ?? error}`);
  const tree = (deadline: number) => documents.treeOf(entry, deadline);
  const budget = { maxFileBytes: settings.maxFileBytes };
  let findings: Finding[];
  try {
    if (!filePath) {
      // A document the server may not read around (see documentPaths.ts): its text, default configuration, no imports.
      findings = analyzer.analyze(labelPathOf(uri), entry.document.getText(), mergeConfig({}, settings.layer), { tree, budget, onRuleError }).findings;
    } else {
      const resolved = project.configFor(filePath);
      for (const problem of resolved.problems) log('warn', `Configuration: ${problem.file}${problem.key ? ` (${problem.key})` : ''}: ${problem.message}`);
      findings = analyzer.analyze(filePath, entry.document.getText(), resolved.config, {
        tree, budget, onRuleError,
        resolver: project.resolverFor(resolved.projectRoot),
        runners: () => preforkRunners(resolved.projectRoot, path.dirname(filePath), resolved.config.exclude),
      }).findings;
    }
    for (const notice of findings.filter((f) => f.code === NOT_ANALYSED)) log('warn', `${uri}: ${notice.message}`);
  } catch (error) {
    log('error', `Analysis of ${uri} failed: ${(error as Error).stack ?? error}`);
    findings = [notAnalysed(`Could not be analysed: internal error (${(error as Error).message}); see the output channel.`)];
  }
  return findings;
}
