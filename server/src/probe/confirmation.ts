// A run-time finding is confirmed when the static analysis reports the same rule on the same line of
// the same file; the marking goes into the message so that every output format shows it.
import type { Finding } from '../engine/findings';
import type { RuntimeFinding } from './runtimeFindings';

export const CONFIRMED = 'confirmed: `check` reports it too';
export const RUN_TIME_ONLY = 'seen only at run time';

export interface StaticFinding {
  path: string;
  finding: Pick<Finding, 'code' | 'range'>;
}

/** The static finding that confirms a run-time one, if any. */
export function confirmingFinding(runtime: RuntimeFinding, found: readonly StaticFinding[]): StaticFinding | undefined {
  const places = [{ path: runtime.path, line: runtime.finding.range.start.line }, ...(runtime.aliases ?? [])];
  return found.find((s) => s.finding.code === runtime.finding.code && places.some((p) => p.path === s.path && p.line === s.finding.range.start.line));
}

export function markConfirmation(runtime: RuntimeFinding, confirmed: boolean): RuntimeFinding {
  return { ...runtime, finding: { ...runtime.finding, message: `${runtime.finding.message} (${confirmed ? CONFIRMED : RUN_TIME_ONLY})` } };
}
