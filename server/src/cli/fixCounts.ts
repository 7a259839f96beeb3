// What a fix run reports per file: the findings the fixes removed, per rule, and those left that
// only an unsafe fix would remove. Shared by the fix of a Python file and of a notebook.
import type { Finding } from '../engine/findings';

/** How many findings of each rule the fixes removed (a fix can remove several, GF101 with its GF102). */
export function removedPerRule(before: Finding[], after: Finding[]): Map<string, number> {
  const removed = new Map<string, number>();
  for (const finding of before) removed.set(finding.code, (removed.get(finding.code) ?? 0) + 1);
  for (const finding of after) removed.set(finding.code, (removed.get(finding.code) ?? 0) - 1);
  for (const [code, n] of removed) if (n <= 0) removed.delete(code);
  return removed;
}

/** A finding that `--unsafe-fixes` would fix and a plain run leaves. */
export function onlyUnsafeFixes(finding: Finding): boolean {
  const fixes = finding.fixes.filter((f) => !f.isSuppression);
  return fixes.length > 0 && fixes.every((f) => f.applicability === 'unsafe');
}
