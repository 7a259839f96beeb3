// Edits that add one item to a Python argument list, list or tuple the way a person would write
// it: after the last item, reusing a trailing comma, on its own line when the items are on their
// own lines. Shared by the fixes that add or move server options and replace a pool.
import type { Node } from 'web-tree-sitter';
import type { Position, Range, TextEdit } from '../findings';
import { allChildren, namedChildren } from '../model/syntax';

export function startOf(node: Node): Position {
  return { line: node.startPosition.row, character: node.startPosition.column };
}

export function endOf(node: Node): Position {
  return { line: node.endPosition.row, character: node.endPosition.column };
}

export function rangeOf(node: Node): Range {
  return { start: startOf(node), end: endOf(node) };
}

export function replaceNode(node: Node, newText: string): TextEdit {
  return { range: rangeOf(node), newText };
}

/** Items of a bracketed node (argument list, list, tuple), without comments. */
export function itemsOf(container: Node): Node[] {
  return namedChildren(container).filter((c) => c.type !== 'comment');
}

/**
 * Appends `item` to a bracketed container. `emptyTupleComma` keeps a one-item tuple a tuple.
 * `file` gives a line's text, for the indentation of items that sit on their own lines, and the
 * file's end-of-line (an EditContext).
 */
export function appendItem(container: Node, item: string, file: { lineText(row: number): string; eol: string }): TextEdit {
  const children = allChildren(container);
  const open = children[0];
  const close = children[children.length - 1];
  const items = itemsOf(container);
  const last = items[items.length - 1];
  if (!last) {
    const text = container.type === 'tuple' ? `${item},` : item;
    return { range: { start: endOf(open), end: endOf(open) }, newText: text };
  }
  const after = children[children.findIndex((c) => c.id === last.id) + 1];
  const trailingComma = after?.type === ',' ? after : undefined;
  const ownLines = close.startPosition.row > last.endPosition.row;
  if (ownLines) {
    const indent = /^[ \t]*/.exec(file.lineText(last.startPosition.row))![0];
    const anchor = trailingComma ?? last;
    const newText = `${trailingComma ? '' : ','}${file.eol}${indent}${item},`;
    return { range: { start: endOf(anchor), end: endOf(anchor) }, newText };
  }
  if (trailingComma) return { range: { start: endOf(trailingComma), end: endOf(trailingComma) }, newText: ` ${item}` };
  return { range: { start: endOf(last), end: endOf(last) }, newText: `, ${item}` };
}

/**
 * Removes one argument from an argument list with the comma that separates it from its
 * neighbour: `f(a, b=1)` → `f(a)`, `f(b=1, a)` → `f(a)`.
 */
export function removeItem(container: Node, item: Node): TextEdit {
  const children = allChildren(container).filter((c) => c.type !== 'comment');
  const index = children.findIndex((c) => c.id === item.id);
  const previous = children[index - 1];
  const next = children[index + 1];
  if (previous?.type === ',') {
    const beforeComma = children[index - 2];
    return { range: { start: beforeComma ? endOf(beforeComma) : startOf(previous), end: endOf(item) }, newText: '' };
  }
  if (next?.type === ',') {
    const afterComma = children[index + 2];
    const end = afterComma && afterComma.isNamed ? startOf(afterComma) : endOf(next);
    return { range: { start: startOf(item), end }, newText: '' };
  }
  return { range: rangeOf(item), newText: '' };
}

/** Python text of an expression placed after `*` (wrapped unless it is a primary expression). */
export function starred(expression: Node): string {
  const primary = ['identifier', 'attribute', 'call', 'subscript', 'parenthesized_expression', 'list', 'tuple'];
  return primary.includes(expression.type) ? `*${expression.text}` : `*(${expression.text})`;
}
