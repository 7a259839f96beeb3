// Output formats of `grpc-fork-guard check`.
import * as path from 'path';
import type { Finding } from '../engine/findings';
import type { FileReport } from '../workspace/projectAnalysis';

export interface JsonFinding {
  path: string;
  code: string;
  severity: string;
  message: string;
  range: Finding['range'];
  related: { path: string; range: Finding['range']; message: string }[];
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
      code: finding.code,
      severity: finding.severity,
      message: finding.message,
      range: finding.range,
      related: finding.related.map((related) => ({
        path: displayPath(related.path ?? report.path, cwd),
        range: related.range,
        message: related.message,
      })),
      fixes: finding.fixes.map((fix) => fix.title),
    })));
}

/** Ruff-style lines: `path:line:col: CODE message`, 1-based, then a summary. */
export function toText(reports: FileReport[], cwd: string): string {
  const lines: string[] = [];
  let count = 0;
  for (const report of reports) {
    for (const finding of report.findings) {
      count++;
      const { line, character } = finding.range.start;
      lines.push(`${displayPath(report.path, cwd)}:${line + 1}:${character + 1}: ${finding.code} ${finding.message}`);
    }
  }
  lines.push(count === 0 ? 'All checks passed!' : `Found ${count} problem${count === 1 ? '' : 's'}.`);
  return lines.join('\n');
}
