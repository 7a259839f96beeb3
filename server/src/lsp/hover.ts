// Hover on a flagged object: which rule, why it breaks, which fixes exist, and a link to the
// rule's page.
import type { Hover, Position } from 'vscode-languageserver';
import { URI } from 'vscode-uri';
import { Finding, FindingCode, NOT_ANALYSED } from '../engine/findings';
import { ruleByCode, ruleDocsUrl } from '../engine/rules/registry';

function contains(finding: Finding, position: Position): boolean {
  const { start, end } = finding.range;
  const afterStart = position.line > start.line || (position.line === start.line && position.character >= start.character);
  const beforeEnd = position.line < end.line || (position.line === end.line && position.character <= end.character);
  return afterStart && beforeEnd;
}

/**
 * The hover adds what the diagnostic does not say: VS Code already shows the diagnostic's message
 * above any hover, so this gives the rule's name, why the pattern breaks, the fixes that apply here
 * and the rule page; never the message again.
 */
export function hoverFor(findings: Finding[], position: Position, shippedPage: (code: FindingCode) => string | undefined = () => undefined): Hover | undefined {
  const here = findings.filter((finding) => contains(finding, position));
  if (here.length === 0) return undefined;
  const sections = here.map((finding) => {
    if (finding.code === NOT_ANALYSED) return `**${finding.code}** not analysed\n\n[Parser and budgets](${ruleDocsUrl(finding.code)})`;
    const rule = ruleByCode(finding.code);
    const fixes = finding.fixes.filter((fix) => !fix.isSuppression).map((fix) => `- ${messageMarkdown(fix.title)}${fix.applicability === 'unsafe' ? ' *(unsafe)*' : ''}`);
    return [
      `**${finding.code}** ${rule?.name ?? ''}`.trimEnd(),
      rule ? rule.docs.whyIsThisBad : '',
      fixes.length ? `Fixes:\n${fixes.join('\n')}` : 'No automatic fix applies here; see the rule page.',
      `[${finding.code} documentation](${ruleDocsUrl(finding.code)})${offlineLink(shippedPage(finding.code))} · silence with \`# noqa: ${finding.code}\``,
    ].filter(Boolean).join('\n\n');
  });
  return { contents: { kind: 'markdown', value: sections.join('\n\n---\n\n') } };
}

/** The page shipped in the package, for when the web page cannot be reached. */
function offlineLink(page: string | undefined): string {
  return page ? ` ([offline copy](${URI.file(page).toString()}))` : '';
}

/**
 * A message or fix title as inert Markdown. They quote the file (names, string values), which must
 * never render as a link, an image or HTML: the text between backticks becomes a code span (which
 * holds no backtick, so it cannot end early) and every other ASCII punctuation is escaped.
 */
export function messageMarkdown(text: string): string {
  const parts = text.replace(/[\r\n]+/g, ' ').split('`');
  // An odd number of backticks leaves the last part outside any span.
  const closed = parts.length % 2 === 1 ? parts.length : parts.length - 1;
  return parts.map((part, index) => {
    const inSpan = index % 2 === 1 && index < closed;
    if (!inSpan) return escapeMarkdown(index % 2 === 1 ? `\`${part}` : part);
    return part.trim() ? `\`${part}\`` : escapeMarkdown(`\`${part}\``);
  }).join('');
}

function escapeMarkdown(text: string): string {
  return text.replace(/[!-/:-@[-`{-~]/g, '\\$&');
}
