// Findings carried across an edit instead of walking the whole program again (issue 13).
//
// A module-level function (or a method of a module-level class) that no walk entered and whose
// words make it worth no walk has an empty summary: it creates, closes, forks and writes nothing the rules see, and nothing reads it but
// the `def` that binds its name. An edit inside its body that leaves it so (its header, its place
// in the module and every other line unchanged; no word a rule follows, no name that would make it
// worth walking, nothing the rules or the entry points read from the whole file's text) leaves the
// walk, and so the findings, as they were: they are the previous version's, moved by the lines
// the edit added or removed. Anything else, or any doubt, is a full analysis.
//
// What is not proved here: fixes that choose among names used anywhere in the file (a fresh name,
// "used nowhere else") are the previous version's. The editor asks for a full analysis before it
// offers a fix, and once typing stops (lsp/server.ts), so a carried fix is never applied.
import type { Node, Tree } from 'web-tree-sitter';
import { Finding, NOT_ANALYSED, Position, Range } from './findings';
import { FORK_TARGET_PATTERN } from './model/entryPoints';
import { CELERY_SCANNED_WORDS } from './model/runners';
import { REPORT_NEEDS, relevanceTest } from './relevance';

/** What an analysis leaves for carrying its findings over to the document's next version. */
export interface CarryOverBasis {
  /** The text the findings are for. */
  text: string;
  /** The engine configuration they were found under, as JSON. */
  configKey: string;
  channelFactories: readonly string[];
  findings: Finding[];
  /** Start and end offsets of the module-level functions and methods no walk entered and no word made worth walking, in text order. */
  unwalked: Int32Array;
  interestingNames: ReadonlySet<string>;
}

export function carryOverBasis(
  text: string, configKey: string, channelFactories: readonly string[], findings: Finding[],
  outline: { interestingNames: ReadonlySet<string>; unwalked: number[] },
): CarryOverBasis {
  return { text, configKey, channelFactories, findings, unwalked: Int32Array.from(outline.unwalked), interestingNames: outline.interestingNames };
}

/** Suppression comments (suppression.ts): the file's directives and `# noqa` are read wherever they are. */
const MARKERS = /noqa|grpc-fork-guard/i;
const FORK_TARGETS = new RegExp(FORK_TARGET_PATTERN.source);
/** Words some rule or runner looks for in the whole file's text or tree, not only along the walk. */
const SCANNED_WORDS = new Set(CELERY_SCANNED_WORDS);
/** `line N` in a message or a title (model/describe.ts): it names a line the edit may have moved. */
const LINE_REFERENCE = /\bline (\d+)\b/g;

export interface CarriedFindings {
  findings: Finding[];
  basis: CarryOverBasis;
}

/**
 * The findings of `text` (whose tree is `tree`) carried over from `basis`, or undefined when the
 * edit between them may change what the walk sees and a full analysis is needed.
 */
export function carryOver(basis: CarryOverBasis, text: string, tree: Tree, configKey: string): CarriedFindings | undefined {
  if (basis.configKey !== configKey || basis.findings.some((f) => f.code === NOT_ANALYSED)) return undefined;
  const old = basis.text;
  // The same text again is analysed in full: it is how the editor confirms what was carried.
  if (old === text) return undefined;
  const edit = changedSpan(old, text);
  const at = enclosingSpan(basis.unwalked, edit.start, edit.oldEnd);
  if (at === undefined) return undefined;
  const start = basis.unwalked[at];
  const oldFunctionEnd = basis.unwalked[at + 1];
  const delta = text.length - old.length;
  const root = tree.rootNode;
  if (root.hasError) return undefined;
  // The new tree must hold the same function at the same place, its header before the edit.
  const top = functionAt(root, edit.start, start);
  if (!top || top.endIndex !== oldFunctionEnd + delta) return undefined;
  const definition = top.type === 'decorated_definition' ? top.childForFieldName('definition') : top;
  if (definition?.type !== 'function_definition' || edit.start < headerEnd(definition)) return undefined;
  if (!isQuiet(old.slice(start, oldFunctionEnd), basis) || !isQuiet(text.slice(start, oldFunctionEnd + delta), basis)) return undefined;
  // One character either side: an edit beside a `\r` may join it to a `\n` or split the pair.
  const lineDelta = lineBreaks(text, edit.start - 1, edit.newEnd + 1) - lineBreaks(old, edit.start - 1, edit.oldEnd + 1);
  const firstRow = top.startPosition.row;
  const lastRow = top.endPosition.row - lineDelta;
  const moved = moveFindings(basis.findings, firstRow, lastRow, lineDelta);
  if (!moved) return undefined;
  const unwalked = basis.unwalked.slice();
  unwalked[at + 1] += delta;
  for (let i = at + 2; i < unwalked.length; i++) unwalked[i] += delta;
  return { findings: moved, basis: { ...basis, text, findings: moved, unwalked } };
}

/** The span that differs: the common prefix and suffix of the two texts are unchanged. */
function changedSpan(old: string, text: string): { start: number; oldEnd: number; newEnd: number } {
  const shorter = Math.min(old.length, text.length);
  let start = 0;
  while (start < shorter && old.charCodeAt(start) === text.charCodeAt(start)) start++;
  let suffix = 0;
  while (suffix < shorter - start && old.charCodeAt(old.length - 1 - suffix) === text.charCodeAt(text.length - 1 - suffix)) suffix++;
  return { start, oldEnd: old.length - suffix, newEnd: text.length - suffix };
}

/** The index (into `spans`) of the span strictly holding `start` and holding `end`, if any. */
function enclosingSpan(spans: Int32Array, start: number, end: number): number | undefined {
  let low = 0;
  let high = spans.length / 2 - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (spans[middle * 2] < start) {
      found = middle;
      low = middle + 1;
    } else high = middle - 1;
  }
  if (found < 0 || end > spans[found * 2 + 1]) return undefined;
  return found * 2;
}

/** The module-level function, or method of a module-level class, holding `index` and starting at `start`. */
function functionAt(root: Node, index: number, start: number): Node | undefined {
  let candidate = root.firstChildForIndex(index);
  if (candidate && candidate.startIndex !== start) {
    const owner = candidate.type === 'decorated_definition' ? candidate.childForFieldName('definition') : candidate;
    const body = owner?.type === 'class_definition' ? owner.childForFieldName('body') : undefined;
    candidate = body?.firstChildForIndex(index) ?? null;
  }
  return candidate?.startIndex === start ? candidate : undefined;
}

/** Where the function's header ends: after the `:` before its body. */
function headerEnd(definition: Node): number {
  for (let i = definition.childCount - 1; i >= 0; i--) {
    const child = definition.child(i);
    if (child?.type === ':') return child.endIndex;
  }
  return definition.endIndex;
}

/** A function text that no walk would enter and no whole-file reading would notice. */
function isQuiet(functionText: string, basis: CarryOverBasis): boolean {
  if (relevanceTest(basis.channelFactories)(functionText) || MARKERS.test(functionText) || FORK_TARGETS.test(functionText)) return false;
  if (REPORT_NEEDS.some((need) => functionText.includes(need))) return false;
  for (const [word] of functionText.matchAll(/[A-Za-z_]\w*/g)) {
    if (basis.interestingNames.has(word) || SCANNED_WORDS.has(word)) return false;
  }
  return true;
}

/** Line breaks as the editor counts them (`\n`, `\r\n`, a lone `\r`) starting in [from, to). */
function lineBreaks(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = Math.max(0, from); i < Math.min(to, text.length); i++) {
    const code = text.charCodeAt(i);
    if (code === 0x0a || (code === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) count++;
  }
  return count;
}

/**
 * The findings with every place after the function moved by `lineDelta` lines; undefined when
 * one touches the function's lines (its text may have moved within them) or names a moved line.
 */
function moveFindings(findings: Finding[], firstRow: number, lastRow: number, lineDelta: number): Finding[] | undefined {
  let touches = false;
  const position = (p: Position): Position => (p.line > lastRow && lineDelta !== 0 ? { line: p.line + lineDelta, character: p.character } : p);
  const range = (r: Range): Range => {
    if (r.start.line <= lastRow && r.end.line >= firstRow) touches = true;
    return { start: position(r.start), end: position(r.end) };
  };
  const words = (text: string): string => {
    if (lineDelta === 0) return text;
    for (const [, line] of text.matchAll(LINE_REFERENCE)) if (Number(line) - 1 >= firstRow) touches = true;
    return text;
  };
  const moved = findings.map((finding): Finding => ({
    ...finding,
    message: words(finding.message),
    range: range(finding.range),
    related: finding.related.map((related) => (related.path === undefined ? { ...related, range: range(related.range), message: words(related.message) } : related)),
    fixes: finding.fixes.map((fix) => ({ ...fix, title: words(fix.title), edits: fix.edits.map((edit) => ({ ...edit, range: range(edit.range) })) })),
  }));
  return touches ? undefined : moved;
}
