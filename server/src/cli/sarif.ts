// `--format sarif`: one SARIF 2.1.0 log (OASIS) for code-scanning services such as GitHub's.
// Every rule the engine runs is listed with its documentation page as helpUri; each finding is a
// result whose region uses UTF-16 columns (the engine's unit, declared by columnKind).
// SARIF has no notion of a notebook cell: a finding in a notebook has its region within the cell's
// source and the cell (1-based) in the location's property bag (SARIF §3.8, `properties.cell`),
// the extension point the standard provides for data it does not define.
import * as path from 'path';
import type { Log, ReportingDescriptor, Result } from 'sarif';
import { Finding, NOT_ANALYSED, Severity } from '../engine/findings';
import { REPOSITORY_URL } from '../engine/projectLinks';
import { RULES, ruleDocsUrl } from '../engine/rules/registry';
import type { FileReport } from '../workspace/projectAnalysis';
import { cellNumber } from './cellPlaces';

const LEVEL: Record<Severity, Result.level> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };
const SRCROOT = '%SRCROOT%';

export function toSarif(reports: FileReport[], cwd: string, version: string): Log {
  const rules: ReportingDescriptor[] = RULES.map((rule) => ({
    id: rule.code,
    name: rule.name,
    shortDescription: { text: stripMarkdown(rule.docs.summary) },
    fullDescription: { text: stripMarkdown(rule.docs.whatItDoes) },
    helpUri: ruleDocsUrl(rule.code),
    help: { text: `${stripMarkdown(rule.docs.whyIsThisBad)} See ${ruleDocsUrl(rule.code)}`, markdown: `${rule.docs.whyIsThisBad}\n\n[${rule.code} documentation](${ruleDocsUrl(rule.code)})` },
    defaultConfiguration: { level: LEVEL[rule.defaultSeverity] },
  }));
  rules.push({
    id: NOT_ANALYSED,
    name: 'not-analysed',
    shortDescription: { text: 'The file was not (fully) analysed: too large, too deeply nested, a parser failure or the time budget.' },
    helpUri: ruleDocsUrl(NOT_ANALYSED),
    defaultConfiguration: { level: 'note' },
  });
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const results: Result[] = reports.flatMap((report) => report.findings.map((finding) => ({
    ruleId: finding.code,
    ruleIndex: ruleIndex.get(finding.code),
    level: LEVEL[finding.severity],
    message: { text: finding.message },
    locations: [location(report.path, finding.range, cwd, cellNumber(finding))],
    relatedLocations: finding.related.map((related, id) => ({
      id,
      ...location(related.path ?? report.path, related.range, cwd, cellNumber(related)),
      message: { text: related.message },
    })),
  })));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'grpc-fork-guard', version, informationUri: REPOSITORY_URL, rules } },
      originalUriBaseIds: { [SRCROOT]: { uri: pathToFileUri(cwd, true) } },
      columnKind: 'utf16CodeUnits',
      results,
    }],
  };
}

function location(filePath: string, range: Finding['range'], cwd: string, cell: number | undefined) {
  const relative = path.relative(cwd, filePath);
  const inside = relative && !relative.startsWith('..') && !path.isAbsolute(relative);
  return {
    ...(cell === undefined ? {} : { properties: { cell } }),
    physicalLocation: {
      artifactLocation: inside ? { uri: relative.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: SRCROOT } : { uri: pathToFileUri(filePath, false) },
      // SARIF lines and columns are 1-based; the engine's are 0-based.
      region: { startLine: range.start.line + 1, startColumn: range.start.character + 1, endLine: range.end.line + 1, endColumn: range.end.character + 1 },
    },
  };
}

function pathToFileUri(filePath: string, directory: boolean): string {
  const segments = path.resolve(filePath).split(path.sep).map(encodeURIComponent).join('/');
  const uri = `file://${segments.startsWith('/') ? '' : '/'}${segments}`;
  return directory && !uri.endsWith('/') ? `${uri}/` : uri;
}

function stripMarkdown(text: string): string {
  return text.replace(/`/g, '');
}
