// Every fix's lines stay within the file's line length limit (the edit context's: 79, PEP 8 and
// flake8's E501, or the file's own longest line when that is longer). A line a fix makes too long
// is wrapped in one style for all fixes, black's: the outermost bracket that closes at the end of
// the line is split, its contents on a line of their own one indentation unit deeper, or one item
// per line with a trailing comma when they do not fit on one, and the closing bracket back at the
// statement's indentation. A trailing comment stays on its statement: on its first line, where
// tools report (`# noqa`, `# pylint: disable`), or after the closing bracket when it does not fit
// there; a line with `# type: ignore` is not wrapped (mypy reports on any line of a call). Applied
// to every fix in one place (the analyzer).
import type { Node } from 'web-tree-sitter';
import type { Fix, TextEdit } from '../findings';
import type { EditContext } from './editContext';
import { applyEdits } from './fixAll';

/** A wrapped item may need wrapping again; deeper than this the line is left to the fallback. */
const MAX_DEPTH = 3;
/** Comments a tool reads on the line it reports: they stay on the statement's first line. */
const PRAGMA = /^#\s*(noqa|type:|pragma|fmt:|pylint:|pyright:|mypy:|nosec|isort:)/i;

export function wrapLongLines(context: EditContext, fix: Fix): Fix {
  if (fix.isSuppression) return fix;
  const source = context.lines;
  const root = context.file.tree.rootNode;
  const limit = context.lineLimit;
  const indentUnit = context.indentUnit;
  let changed = false;
  const edits = clusters(fix.edits).flatMap((cluster) => {
    const first = Math.min(...cluster.map((e) => e.range.start.line));
    const last = Math.max(...cluster.map((e) => e.range.end.line));
    // The lines the edits touch, as they read after the edits.
    const segment = source.lines.slice(first, last + 1).join(source.eol);
    const shifted = cluster.map((e) => ({ newText: e.newText, range: { start: { ...e.range.start, line: e.range.start.line - first }, end: { ...e.range.end, line: e.range.end.line - first } } }));
    const after = applyEdits(segment, shifted).split(/\r\n|\r|\n/);
    if (!after.some((l) => l.length > limit) || inMultilineString(root, first)) return cluster;
    const wrapped: string[] = [];
    for (const line of after) {
      const lines = line.length > limit ? wrapLine(line, limit, indentUnit, 0) : [line];
      if (!lines) return cluster;
      wrapped.push(...lines);
    }
    changed = true;
    return [{ range: { start: { line: first, character: 0 }, end: { line: last, character: source.lineLength(last) } }, newText: wrapped.join(source.eol) }];
  });
  return changed ? { ...fix, edits } : fix;
}

/** Edits grouped so that no two groups touch a common line. */
function clusters(edits: TextEdit[]): TextEdit[][] {
  const sorted = [...edits].sort((a, b) => a.range.start.line - b.range.start.line);
  const groups: { last: number; edits: TextEdit[] }[] = [];
  for (const edit of sorted) {
    const group = groups[groups.length - 1];
    if (group && edit.range.start.line <= group.last) {
      group.edits.push(edit);
      group.last = Math.max(group.last, edit.range.end.line);
    } else {
      groups.push({ last: edit.range.end.line, edits: [edit] });
    }
  }
  return groups.map((g) => g.edits);
}

function inMultilineString(root: Node, row: number): boolean {
  for (let n: Node | null = root.descendantForPosition({ row, column: 0 }); n; n = n.parent) {
    if (n.type === 'string' && n.startPosition.row !== n.endPosition.row) return true;
  }
  return false;
}

/** One physical line as several within `limit`, or undefined when it cannot be wrapped safely. */
export function wrapLine(line: string, limit: number, unit: string, depth: number): string[] | undefined {
  if (line.length <= limit) return [line];
  if (depth > MAX_DEPTH) return undefined;
  const scan = scanLine(line);
  if (!scan) return undefined;
  const indent = /^[ \t]*/.exec(line)![0];
  const code = line.slice(0, scan.commentAt).trimEnd();
  const comment = scan.commentAt < line.length ? line.slice(scan.commentAt) : '';
  // mypy reads `# type: ignore` on the line it reports, which may be any line of a wrapped call.
  if (/^#\s*type:\s*ignore/i.test(comment)) return undefined;
  const split = splitPoint(code, scan.pairs);
  if (!split) return undefined;
  const inner = indent + unit;
  let head = code.slice(0, split.open + 1);
  const body = code.slice(split.open + 1, split.close).trim();
  let tail = `${indent}${code.slice(split.close)}`;
  if (tail.length > limit || head.length > limit) return undefined;
  if (comment && (PRAGMA.test(comment) || `${head}  ${comment}`.length <= limit)) head += `  ${comment}`;
  else if (comment) tail += `  ${comment}`;
  if (`${inner}${body}`.length <= limit) return [head, `${inner}${body}`, tail];
  const items = topLevelItems(body);
  if (items.length < 2 || split.subscript || items.some((i) => /^(for|async for)\b/.test(i))) {
    const again = wrapLine(`${inner}${body}`, limit, unit, depth + 1);
    return again && [head, ...again, tail];
  }
  const lines = [head];
  for (const item of items) {
    const wrapped = wrapLine(`${inner}${item},`, limit, unit, depth + 1);
    if (!wrapped) return undefined;
    lines.push(...wrapped);
  }
  return [...lines, tail];
}

interface Scan {
  /** Index of the `#` that starts a comment, or the line's length. */
  commentAt: number;
  /** Bracket pairs closed on this line: opening index → closing index. */
  pairs: Map<number, number>;
}

/** Strings and brackets of one line; undefined when a string does not end on it (a triple quote). */
function scanLine(line: string): Scan | undefined {
  const pairs = new Map<number, number>();
  const open: number[] = [];
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '#') return { commentAt: i, pairs };
    if (c === '"' || c === '\'') {
      if (line.startsWith(c.repeat(3), i)) return undefined;
      let j = i + 1;
      while (j < line.length && line[j] !== c) j += line[j] === '\\' ? 2 : 1;
      if (j >= line.length) return undefined;
      i = j;
    } else if ('([{'.includes(c)) {
      open.push(i);
    } else if (')]}'.includes(c)) {
      const start = open.pop();
      if (start !== undefined) pairs.set(start, i);
    }
  }
  return { commentAt: line.length, pairs };
}

/** The outermost bracket pair, closed on the line, after which only closers, `:` or `,` follow. */
function splitPoint(code: string, pairs: Map<number, number>): { open: number; close: number; subscript: boolean } | undefined {
  const candidates = [...pairs].sort((a, b) => a[0] - b[0]);
  for (const [open, close] of candidates) {
    // `f(...)`, `f(...):`, `with f(...) as name:` (closers, then at most `as name`, then `:` or `,`).
    if (close === open + 1 || !/^[)\]}]*(\s+as\s+[A-Za-z_]\w*)?\s*[:,]?\s*$/.test(code.slice(close + 1))) continue;
    const subscript = code[open] === '[' && /[\w)\]]$/.test(code.slice(0, open));
    return { open, close, subscript };
  }
  return undefined;
}

/** The comma-separated items of a bracket's contents (commas inside nested brackets or strings do not split). */
function topLevelItems(body: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '"' || c === '\'') {
      let j = i + 1;
      while (j < body.length && body[j] !== c) j += body[j] === '\\' ? 2 : 1;
      i = j;
    } else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === ',' && depth === 0) {
      items.push(body.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = body.slice(start).trim();
  if (last) items.push(last);
  return items;
}
