// Findings → LSP diagnostics (SPEC §2: code, source, codeDescription, relatedInformation).
import { URI } from 'vscode-uri';
import { Diagnostic, DiagnosticSeverity } from 'vscode-languageserver';
import type { Finding, Severity } from '../engine/findings';
import { ruleDocsUrl } from '../engine/rules/registry';
import { DIAGNOSTIC_SOURCE } from '../../../shared/protocol';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toDiagnostic(finding: Finding, uri: string): Diagnostic {
  const diagnostic: Diagnostic = {
    range: finding.range,
    severity: SEVERITY[finding.severity],
    code: finding.code,
    codeDescription: { href: ruleDocsUrl(finding.code) },
    source: DIAGNOSTIC_SOURCE,
    message: finding.message,
    relatedInformation: finding.related.map((related) => ({
      location: { uri: related.path ? URI.file(related.path).toString() : uri, range: related.range },
      message: related.message,
    })),
  };
  return diagnostic;
}

/** The key that ties a diagnostic the client sends back to the finding it came from. */
export function findingKey(code: unknown, range: Finding['range']): string {
  return `${String(code)}@${range.start.line}:${range.start.character}-${range.end.line}:${range.end.character}`;
}
