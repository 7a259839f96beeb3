// "Use it in a `with` block": a function's channel that the parent needs only for a few
// statements before the fork is scoped to them, so the channel is closed when the block ends,
// before the fork. This is how the code reads when written by hand (gRPC channels are context
// managers); the bare `channel.close()` before the fork is the fallback when the block cannot be
// formed (the name read later, a multi-line string to re-indent, a line that would grow too long).
import type { Node } from 'web-tree-sitter';
import type { Fix, TextEdit } from '../findings';
import { nodeRange } from '../model/sourceFile';
import { enclosingFunction, field, identifiersNamed, namedChildren } from '../model/syntax';
import type { ChannelBinding } from './channelBinding';
import { trailingComment } from './channelBinding';
import { roleOf } from './perProcessAccessor';
import type { EditContext } from './editContext';
import { point } from './pythonEdits';

export function withBlockFix(edits: EditContext, binding: ChannelBinding): Fix | undefined {
  const fork = binding.forkStatement;
  const scope = enclosingFunction(binding.statement);
  if (binding.global || !fork || !scope) return undefined;
  const value = field(namedChildren(binding.statement)[0], 'right');
  if (value?.type !== 'call') return undefined;
  const block = binding.statement.parent!;
  const between = namedChildren(block).filter((s) => s.startIndex > binding.statement.startIndex && s.startIndex < fork.startIndex);
  const readers = between.filter((s) => s.type !== 'comment' && [...binding.names].some((name) => reads(s, edits, name)));
  const last = readers[readers.length - 1];
  if (!last) return undefined;
  // Nothing after the block may read the names: the channel is closed there.
  for (const name of binding.names) {
    if (identifiersNamed(scope, edits.file.text, name).some((id) => id.startIndex >= last.endIndex && roleOf(id) === 'read')) return undefined;
  }
  const end = trailingComment(last) ?? last;
  const body = between.filter((s) => s.startIndex <= end.startIndex);
  if (body.some(hasMultilineString)) return undefined;
  // Two statements on one line (`a; b`) cannot be re-indented line by line.
  const rows = new Set<number>();
  for (const statement of body) {
    if (statement.type === 'comment') continue;
    if (rows.has(statement.startPosition.row) || statement.startPosition.row === binding.statement.endPosition.row) return undefined;
    for (let row = statement.startPosition.row; row <= statement.endPosition.row; row++) rows.add(row);
  }
  const indent = edits.indentOf(binding.statement);
  const header = `with ${value.text} as ${binding.name}:`;
  const lines = edits.lines.lines;
  const limit = edits.lineLimit;
  const headerLines = `${indent}${header}`.split(/\r\n|\r|\n/);
  const trailing = trailingComment(binding.statement);
  if (headerLines[headerLines.length - 1].length + (trailing ? trailing.text.length + 2 : 0) > limit) return undefined;
  const indented: TextEdit[] = [];
  for (let row = binding.statement.endPosition.row + 1; row <= end.endPosition.row; row++) {
    if (lines[row].trim() === '') continue;
    if (lines[row].length + edits.indentUnit.length > limit) return undefined;
    indented.push({ range: point(row, 0), newText: edits.indentUnit });
  }
  return {
    title: `Use \`${binding.name}\` in a \`with\` block (closed before the fork)`,
    kind: 'withBlock',
    applicability: 'safe',
    edits: [{ range: nodeRange(binding.statement), newText: header }, ...indented],
  };
}

function reads(statement: Node, edits: EditContext, name: string): boolean {
  return identifiersNamed(statement, edits.file.text, name).some((id) => roleOf(id) === 'read');
}

function hasMultilineString(statement: Node): boolean {
  return statement.descendantsOfType('string').some((s) => s !== null && s.startPosition.row !== s.endPosition.row);
}

