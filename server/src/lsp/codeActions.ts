// Fixes → LSP code actions: one quick fix per engine fix, attached to its diagnostic, the best
// safe fix preferred; plus `source.fixAll.grpcForkGuard` for fix-on-save (fixAllInFile.ts).
import { CodeAction, CodeActionKind, CodeActionParams, Diagnostic } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { URI } from 'vscode-uri';
import type { Finding, Fix, TextEdit } from '../engine/findings';
import { applyEdits, fixAllEdits } from '../engine/fixes/fixAll';
import { DIAGNOSTIC_SOURCE, FIX_ALL_KIND, FIX_ALL_REPORT_COMMAND, FixAllReport, SHOW_DOCUMENTATION_COMMAND } from '../../../shared/protocol';
import { findingKey, toDiagnostic } from './diagnostics';

/** Fix-all of the document, computed only when a fix-all action is asked for. */
export type FixAllOf = () => FixAllReport;

export function codeActionsFor(params: CodeActionParams, document: TextDocument, findings: Finding[], fixAll: FixAllOf): CodeAction[] {
  const only = params.context.only;
  const wants = (kind: string) => !only || only.some((requested) => kind === requested || kind.startsWith(`${requested}.`));
  const actions: CodeAction[] = [];
  if (wants(CodeActionKind.QuickFix)) {
    const byKey = new Map(findings.map((finding) => [findingKey(finding.code, finding.range), finding]));
    for (const diagnostic of params.context.diagnostics) {
      if (diagnostic.source !== DIAGNOSTIC_SOURCE) continue;
      const finding = byKey.get(findingKey(diagnostic.code, diagnostic.range));
      if (finding) actions.push(...quickFixes(finding, diagnostic, document.uri, findings));
    }
  }
  if (wants(FIX_ALL_KIND) && only) {
    const report = fixAll();
    if (report.edits.length) {
      // The command runs after the edit (on save too) and says what went away and what is left.
      const { edits, ...counts } = report;
      actions.push({
        title: 'gRPC Fork Guard: fix all auto-fixable problems',
        kind: FIX_ALL_KIND,
        edit: { changes: { [document.uri]: edits } },
        command: { title: 'Report what fix-all did', command: FIX_ALL_REPORT_COMMAND, arguments: [counts] },
      });
    }
  }
  return actions;
}

/** The family each diagnostic gets, as vscode-eslint does: its fixes, fix all of the rule, ignore, docs. */
function quickFixes(finding: Finding, diagnostic: Diagnostic, uri: string, findings: Finding[]): CodeAction[] {
  const preferred = preferredFix(finding);
  const actions: CodeAction[] = finding.fixes.filter((fix) => !fix.isSuppression).map((fix) => ({
    title: fix.applicability === 'unsafe' ? `${fix.title} (unsafe)` : fix.title,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    isPreferred: fix === preferred,
    edit: { changes: fixChanges(uri, fix) },
  }));
  const sameRule = findings.filter((f) => f.code === finding.code && preferredFix(f));
  if (sameRule.length > 1) {
    actions.push({
      title: `Fix all ${finding.code} problems in this file`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diagnostic],
      edit: { changes: { [uri]: fixAllEdits(sameRule, { unsafe: false }) } },
    });
  }
  for (const fix of finding.fixes.filter((f) => f.isSuppression)) {
    actions.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], edit: { changes: { [uri]: fix.edits } } });
  }
  actions.push(showDocumentationAction(finding, diagnostic));
  return actions;
}

/** The action that opens the rule's page (every finding's family ends with it). */
export function showDocumentationAction(finding: Finding, diagnostic: Diagnostic): CodeAction {
  return {
    title: `Show documentation for ${finding.code}`,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    command: { title: `Show documentation for ${finding.code}`, command: SHOW_DOCUMENTATION_COMMAND, arguments: [finding.code] },
  };
}

/** The fix's edits by document: the analysed one, and any other file it edits (gunicorn's configuration). */
function fixChanges(uri: string, fix: Fix): Record<string, TextEdit[]> {
  const changes: Record<string, TextEdit[]> = { [uri]: fix.edits };
  for (const other of fix.otherFiles ?? []) changes[URI.file(other.path).toString()] = other.edits;
  return changes;
}

/** The best safe fix that removes the hazard (never a suppression). */
export function preferredFix(finding: Finding): Fix | undefined {
  return finding.fixes.find((fix) => fix.applicability === 'safe' && !fix.isSuppression);
}

export { applyEdits, toDiagnostic };
