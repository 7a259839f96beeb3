// Hover on a flagged object: what the hazard is, why it breaks, which fixes exist, and a link to
// the rule's page.
import type { Hover, Position } from 'vscode-languageserver';
import type { Finding } from '../engine/findings';
import { ruleByCode, ruleDocsUrl } from '../engine/rules/registry';

function contains(finding: Finding, position: Position): boolean {
  const { start, end } = finding.range;
  const afterStart = position.line > start.line || (position.line === start.line && position.character >= start.character);
  const beforeEnd = position.line < end.line || (position.line === end.line && position.character <= end.character);
  return afterStart && beforeEnd;
}

export function hoverFor(findings: Finding[], position: Position): Hover | undefined {
  const here = findings.filter((finding) => contains(finding, position));
  if (here.length === 0) return undefined;
  const sections = here.map((finding) => {
    const rule = ruleByCode(finding.code);
    const fixes = finding.fixes.filter((fix) => !fix.isSuppression).map((fix) => `- ${fix.title}${fix.applicability === 'unsafe' ? ' *(unsafe)*' : ''}`);
    return [
      `**${finding.code}** ${rule?.name ?? ''} — ${finding.message}`,
      rule ? rule.docs.whyIsThisBad : '',
      fixes.length ? `Fixes:\n${fixes.join('\n')}` : 'No automatic fix applies here; see the rule page.',
      `[${finding.code} documentation](${ruleDocsUrl(finding.code)}) · silence with \`# noqa: ${finding.code}\``,
    ].filter(Boolean).join('\n\n');
  });
  return { contents: { kind: 'markdown', value: sections.join('\n\n---\n\n') } };
}
