// Renders a rule's documentation (kept in its module) as the Markdown page docs/rules/GFxxx.md.
import type { Rule } from './rule';

export function renderRuleDoc(rule: Rule): string {
  const { docs } = rule;
  const sections = [
    `# ${rule.code} ${rule.name}`,
    `${docs.summary}\n\nDefault severity: **${rule.defaultSeverity}**.`,
    `## What it does\n\n${docs.whatItDoes}`,
    `## Why is this bad?\n\n${docs.whyIsThisBad}`,
    `## Example\n\n\`\`\`python\n${docs.example}\n\`\`\``,
    `## Use instead\n\n\`\`\`python\n${docs.useInstead}\n\`\`\``,
    `## Fixes\n\n${docs.fixes}`,
  ];
  if (docs.fixSafety) sections.push(`## Fix safety\n\n${docs.fixSafety}`);
  if (docs.options) sections.push(`## Options\n\n${docs.options}`);
  sections.push(
    `## How to silence it\n\n` +
    `- On one line: \`# noqa: ${rule.code}\` at the end of the line where the diagnostic starts.\n` +
    `- In one file: \`# grpc-fork-guard: disable=${rule.code}\` on a line of its own.\n` +
    `- In a project: \`ignore = ["${rule.code}"]\` under \`[tool.grpc-fork-guard]\` in pyproject.toml, or the \`grpcForkGuard.ignore\` setting.`,
  );
  if (docs.references?.length) sections.push(`## References\n\n${docs.references.map((r) => `- <${r}>`).join('\n')}`);
  return `<!-- Generated from server/src/engine/rules by "npm run docs"; edit the rule module, not this file. -->\n\n${sections.join('\n\n')}\n`;
}
