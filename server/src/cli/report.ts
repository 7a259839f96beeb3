// Output formats of `grpc-fork-guard check`.
import * as path from 'path';
import { Finding, NOT_ANALYSED, RuleCode } from '../engine/findings';
import { ruleByCode } from '../engine/rules/registry';
import type { FileReport } from '../workspace/projectAnalysis';
import { cellNumber, cellPlace } from './cellPlaces';

export interface JsonFinding {
  path: string;
  /** In a notebook: the cell (1-based, every cell counted); `range` is then within the cell's source. */
  cell?: number;
  code: string;
  severity: string;
  message: string;
  range: Finding['range'];
  related: { path: string; cell?: number; range: Finding['range']; message: string }[];
  fixes: string[];
}

/** Paths as given, or relative to the current folder when they are inside it. */
export function displayPath(filePath: string, cwd: string): string {
  const relative = path.relative(cwd, filePath);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : filePath;
}

export function toJson(reports: FileReport[], cwd: string): JsonFinding[] {
  return reports.flatMap((report) =>
    report.findings.map((finding) => ({
      path: displayPath(report.path, cwd),
      ...withCell(cellNumber(finding)),
      code: finding.code,
      severity: finding.severity,
      message: finding.message,
      range: finding.range,
      related: finding.related.map((related) => ({
        path: displayPath(related.path ?? report.path, cwd),
        ...withCell(cellNumber(related)),
        range: related.range,
        message: related.message,
      })),
      fixes: finding.fixes.map((fix) => fix.title),
    })));
}

function withCell(cell: number | undefined): { cell?: number } {
  return cell === undefined ? {} : { cell };
}

/**
 * GitHub Actions workflow commands (`::error file=...,line=...::message`): each finding becomes
 * an annotation on the pull request. Errors are `error`, warnings `warning`, the rest `notice`.
 */
export function toGithub(reports: FileReport[], cwd: string): string {
  const level = { error: 'error', warning: 'warning', information: 'notice', hint: 'notice' } as const;
  const lines: string[] = [];
  for (const report of reports) {
    for (const finding of report.findings) {
      const { start, end } = finding.range;
      // A notebook's lines are not the file's (the file is JSON): the annotation is on the file, the cell in the message.
      const place = cellPlace(finding);
      const properties = [
        `file=${escapeProperty(displayPath(report.path, cwd))}`,
        ...(place ? [] : [`line=${start.line + 1}`, `col=${start.character + 1}`, `endLine=${end.line + 1}`, `endColumn=${end.character + 1}`]),
        `title=${escapeProperty(finding.code)}`,
      ];
      lines.push(`::${level[finding.severity]} ${properties.join(',')}::${escapeData(`${place ? `${place}: ` : ''}${finding.code} ${finding.message}`)}`);
    }
  }
  return lines.join('\n');
}

function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export interface RuleCount {
  code: string;
  name: string;
  count: number;
}

/** `--statistics`: findings per rule, most frequent first. */
export function countByRule(reports: FileReport[]): RuleCount[] {
  const counts = new Map<string, number>();
  for (const report of reports) for (const finding of report.findings) counts.set(finding.code, (counts.get(finding.code) ?? 0) + 1);
  return [...counts].map(([code, count]) => ({ code, name: code === NOT_ANALYSED ? 'not-analysed' : ruleByCode(code as RuleCode)?.name ?? '', count }))
    .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
}

export function statisticsText(counts: RuleCount[]): string {
  if (counts.length === 0) return 'All checks passed!';
  const width = Math.max(...counts.map((c) => String(c.count).length));
  return counts.map((c) => `${String(c.count).padStart(width)}\t${c.code}\t${c.name}`).join('\n');
}
