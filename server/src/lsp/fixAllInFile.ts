// "Fix All in File" and `source.fixAll.grpcForkGuard`: the fixes `grpc-fork-guard fix` applies
// (pass after pass, each on a fresh analysis, until nothing more applies), as one edit of the
// document, with the counts the CLI reports: findings removed and left, per rule, and those left
// that only an unsafe fix would remove.
import type { Finding, Position, TextEdit } from '../engine/findings';
import { fixText } from '../engine/fixes/fixAll';
import { FixCounts, countFixes, describeFixCounts, total } from '../engine/fixes/fixCounts';
import { FixAllReport, SETTINGS_SECTION } from '../../../shared/protocol';

export interface FileFixAll {
  /** Nothing when no fix applies; else one edit from the first changed line to the last. */
  edits: TextEdit[];
  counts: FixCounts;
  /** One sentence for the user, as the CLI's summary line. */
  message: string;
  /** Titles of the fixes applied, as `GF101: Create ...`. */
  applied: string[];
}

/** The setting that lets fix-all apply unsafe fixes, named where what is left needs it. */
export const UNSAFE_FIXES_SETTING = `${SETTINGS_SECTION}.unsafeFixes`;

/**
 * `findings`: those of `text` (the document's current analysis); `analyse` finds those of a fixed
 * text, as the document would have them.
 */
export function fixAllInFile(text: string, findings: Finding[], analyse: (text: string) => Finding[], unsafe: boolean): FileFixAll {
  // Each text is analysed once: the last pass's analysis is also the count of what is left.
  const analysed = new Map([[text, findings]]);
  const analyseOnce = (source: string) => {
    let result = analysed.get(source);
    if (!result) analysed.set(source, (result = analyse(source)));
    return result;
  };
  const result = fixText(analyseOnce, text, { unsafe });
  const counts = countFixes(findings, analyseOnce(result.text), unsafe);
  const message = describeFixCounts(counts, { fixed: 'Fixed', left: 'left', allowUnsafe: `turn on the ${UNSAFE_FIXES_SETTING} setting to apply them` });
  return { edits: result.text === text ? [] : [replacement(text, result.text)], counts, message, applied: result.applied };
}

/** The fix-all of version `version` of document `uri`, as the protocol carries it. */
export function fixAllReport(uri: string, version: number, fixAll: FileFixAll): FixAllReport {
  const { removed, left, unsafeOnly } = fixAll.counts;
  return {
    uri,
    version,
    edits: fixAll.edits,
    removed: Object.fromEntries(removed),
    left: Object.fromEntries(left),
    unsafeOnly: Object.fromEntries(unsafeOnly),
    message: fixAll.message,
    ...(total(unsafeOnly) > 0 ? { unsafeFixesSetting: UNSAFE_FIXES_SETTING } : {}),
  };
}

/**
 * One edit turning `before` into `after`, covering only the lines between their common first and
 * last lines (so the editor keeps the cursor and folds outside the change).
 */
function replacement(before: string, after: string): TextEdit {
  const old = linesOf(before);
  const next = linesOf(after);
  let head = 0;
  while (head < old.length && head < next.length && old[head] === next[head]) head++;
  let tail = 0;
  while (tail < old.length - head && tail < next.length - head && old[old.length - 1 - tail] === next[next.length - 1 - tail]) tail++;
  return {
    range: { start: positionAfter(old.slice(0, head)), end: positionAfter(old.slice(0, old.length - tail)) },
    newText: next.slice(head, next.length - tail).join(''),
  };
}

/** Lines with their line breaks (`\r\n`, `\r` or `\n`, as LSP counts lines). */
function linesOf(text: string): string[] {
  return text.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
}

/** The position just after these leading lines of a text. */
function positionAfter(lines: string[]): Position {
  const last = lines.at(-1);
  if (last === undefined || /[\r\n]$/.test(last)) return { line: lines.length, character: 0 };
  return { line: lines.length - 1, character: last.length };
}
