// What a fix run reports: the findings the fixes removed, per rule, the findings left, per rule,
// and those left that only an unsafe fix would remove. Counted by comparing the analysis before
// and after (not by fixes applied: one fix can remove a GF101 and its GF102). Shared by the CLI's
// `fix` (files and notebooks) and the editor's "Fix All in File".
import type { Finding } from '../findings';

export interface FixCounts {
  /** Findings that went away, per rule. */
  removed: Map<string, number>;
  /** Findings left after fixing, per rule. */
  left: Map<string, number>;
  /** Findings left whose only fixes are unsafe, per rule (none when unsafe fixes were allowed). */
  unsafeOnly: Map<string, number>;
}

export function countFixes(before: Finding[], after: Finding[], unsafeAllowed: boolean): FixCounts {
  return {
    removed: removedPerRule(before, after),
    left: perRule(after),
    unsafeOnly: unsafeAllowed ? new Map() : perRule(after.filter(onlyUnsafeFixes)),
  };
}

/** How many findings of each rule the fixes removed (a fix can remove several, GF101 with its GF102). */
export function removedPerRule(before: Finding[], after: Finding[]): Map<string, number> {
  const removed = perRule(before);
  for (const finding of after) removed.set(finding.code, (removed.get(finding.code) ?? 0) - 1);
  for (const [code, n] of removed) if (n <= 0) removed.delete(code);
  return removed;
}

/** A finding that unsafe fixes would fix and a plain run leaves. */
export function onlyUnsafeFixes(finding: Finding): boolean {
  const fixes = finding.fixes.filter((f) => !f.isSuppression);
  return fixes.length > 0 && fixes.every((f) => f.applicability === 'unsafe');
}

export function total(counts: Map<string, number>): number {
  let sum = 0;
  for (const n of counts.values()) sum += n;
  return sum;
}

/** `GF101: 1, GF102: 2`, rules in order. */
export function listPerRule(counts: Map<string, number>): string {
  return [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([code, n]) => `${code}: ${n}`).join(', ');
}

/** Adds `more` into `into` (the counts of several files). */
export function addCounts(into: Map<string, number>, more: Map<string, number>): void {
  for (const [code, n] of more) into.set(code, (into.get(code) ?? 0) + n);
}

function perRule(findings: Finding[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const finding of findings) counts.set(finding.code, (counts.get(finding.code) ?? 0) + 1);
  return counts;
}

/** The words a surface uses: `Fixed` / `Would fix`, `remaining` / `left`, and how its user allows unsafe fixes. */
export interface CountWords {
  fixed: string;
  left: string;
  allowUnsafe: string;
}

/**
 * One sentence: `Fixed 2 problems (GF101: 1, GF102: 1); 1 remaining (GF201: 1).`, and when some
 * of what is left has only unsafe fixes, which and how to allow them.
 */
export function describeFixCounts(counts: FixCounts, words: CountWords): string {
  const fixed = total(counts.removed);
  const left = total(counts.left);
  const unsafe = total(counts.unsafeOnly);
  const plural = (n: number) => `${n} problem${n === 1 ? '' : 's'}`;
  let sentence = `${words.fixed} ${plural(fixed)}${fixed ? ` (${listPerRule(counts.removed)})` : ''}; ${left} ${words.left}${left ? ` (${listPerRule(counts.left)})` : ''}`;
  if (unsafe === left && unsafe > 0) sentence += `, with only unsafe fixes: ${words.allowUnsafe}`;
  else if (unsafe > 0) sentence += `; ${unsafe} of them ha${unsafe === 1 ? 's' : 've'} only unsafe fixes (${listPerRule(counts.unsafeOnly)}): ${words.allowUnsafe}`;
  return `${sentence}.`;
}
