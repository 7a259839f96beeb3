// "Create the channel in the child", accessor shape: a module-level channel or stub used from
// several places becomes a function that makes one per process (keyed on os.getpid()), and every
// read of the name becomes a call of it. Offered when one statement binds the object and no code
// rebinds the name.
import type { Node } from 'web-tree-sitter';
import type { Fix, TextEdit } from '../findings';
import { nodeRange } from '../model/sourceFile';
import { field, identifiersNamed, namedChildren } from '../model/syntax';
import { ChannelBinding, bindingSource, leadingComments, trailingComment } from './channelBinding';
import type { EditContext } from './editContext';
import { assignedNames, uniqueName } from './pythonEdits';

/** The fix, titled by `title` from the name it replaces and the accessor's name. */
export function perProcessAccessorFix(edits: EditContext, binding: ChannelBinding, title: (name: string, accessor: string) => string): Fix | undefined {
  if (!binding.global) return undefined;
  // With derived statements (`echo = channel.unary_unary(...)`) the accessor returns the last one
  // and makes the whole chain inside; the other names must then have no reads of their own.
  const lastDerived = binding.derived[binding.derived.length - 1];
  const lastAssignment = lastDerived && namedChildren(lastDerived)[0];
  const lastNames = lastAssignment?.type === 'assignment' ? assignedNames(lastAssignment) : [];
  if (lastDerived && lastNames.length !== 1) return undefined;
  const name = lastDerived ? lastNames[0] : binding.name;
  const moved = [binding.statement, ...binding.derived];
  const root = edits.file.tree.rootNode;
  const reads: Node[] = [];
  for (const bound of binding.names) {
    for (const id of identifiersNamed(root, edits.file.text, bound)) {
      if (moved.some((s) => id.startIndex >= s.startIndex && id.endIndex <= s.endIndex)) continue;
      const role = roleOf(id);
      if (role === 'other') continue;
      if (role === 'write') return undefined;
      if (shadowedIn(id, bound)) continue;
      if (bound !== name) return undefined;
      reads.push(id);
    }
  }
  const taken = edits.moduleNames();
  const accessor = uniqueName(taken, `_get_${name.replace(/^_+/, '')}`);
  const cache = uniqueName(taken, `_${name.replace(/^_+/, '')}`);
  const owner = uniqueName(taken, `${cache}_pid`);
  const os = edits.ensureModuleImport('os');
  const value = field(namedChildren(binding.statement)[0], 'right')!;
  const unit = edits.indentUnit;
  const trailing = trailingComment(binding.statement);
  const definition = [
    `${cache} = None`,
    `${owner} = None`,
    '',
    '',
    `def ${accessor}():`,
    `${unit}"""One per process, made on first use (safe across fork)."""`,
    `${unit}global ${cache}, ${owner}`,
    `${unit}if ${cache} is None or ${owner} != ${os.name}.getpid():`,
    ...(lastDerived
      ? [...bindingSource(edits, binding, true).slice(leadingComments(binding.statement).length), `${cache} = ${name}`].map((line) => (line ? `${unit}${unit}${line}` : line))
      : withComment(edits.reindent(value.text, edits.indentOf(binding.statement), ''), trailing).map((line, i) => (i === 0 ? `${unit}${unit}${cache} = ${line}` : line ? `${unit}${unit}${line}` : line))),
    `${unit}${unit}${owner} = ${os.name}.getpid()`,
    `${unit}return ${cache}`,
  ];
  return {
    title: title(name, accessor),
    kind: 'perProcessAccessor',
    applicability: 'unsafe',
    edits: [...os.edits, ...replaceBindingRun(edits, binding, definition), ...reads.map((id) => ({ range: nodeRange(id), newText: `${accessor}()` }))],
  };
}

/**
 * Edits that put `lines` (a new definition) where the binding was and delete its derived
 * statements. The statement's own trailing comment goes with it; when only the derived
 * statements (and comments, blank lines) follow it, the definition replaces that whole run.
 */
export function replaceBindingRun(edits: EditContext, binding: ChannelBinding, lines: string[]): TextEdit[] {
  const block = binding.statement.parent!;
  const lastMoved = binding.derived[binding.derived.length - 1] ?? binding.statement;
  const contiguous = namedChildren(block).every((s) => s.startIndex <= binding.statement.startIndex || s.startIndex >= lastMoved.endIndex
    || s.type === 'comment' || binding.derived.some((d) => d.id === s.id));
  const end = contiguous ? trailingComment(lastMoved) ?? lastMoved : trailingComment(binding.statement) ?? binding.statement;
  const replaceBinding: TextEdit = {
    range: { start: nodeRange(binding.statement).start, end: nodeRange(end).end },
    newText: lines.join(edits.eol).replace(new RegExp(`^${edits.indentOf(binding.statement)}`), '') + edits.eol.repeat(blankLinesNeededAfter(edits, end)),
  };
  const deleteDerived = contiguous ? [] : edits.deleteStatementRuns([...binding.derived, ...binding.derived.flatMap(leadingComments), ...binding.derived.flatMap((d) => trailingComment(d) ?? [])]);
  return [replaceBinding, ...deleteDerived];
}

export type Role = 'read' | 'write' | 'other';

/** Whether an identifier reads the name, rebinds it, or is something else (attribute, keyword). */
export function roleOf(id: Node): Role {
  const parent = id.parent;
  if (!parent) return 'read';
  if (parent.type === 'attribute' && field(parent, 'attribute')?.id === id.id) return 'other';
  if (parent.type === 'keyword_argument' && field(parent, 'name')?.id === id.id) return 'other';
  if (['global_statement', 'nonlocal_statement', 'parameters', 'default_parameter', 'typed_parameter', 'function_definition', 'class_definition', 'aliased_import', 'dotted_name'].includes(parent.type)) {
    return parent.type === 'global_statement' ? 'write' : 'other';
  }
  if ((parent.type === 'assignment' || parent.type === 'augmented_assignment') && field(parent, 'left')?.id === id.id) return 'write';
  if (parent.type === 'for_statement' && field(parent, 'left')?.id === id.id) return 'write';
  if (parent.type === 'as_pattern_target' || parent.type === 'pattern_list') return 'write';
  return 'read';
}

/** A function that takes the name as a parameter or assigns it locally reads its own variable. */
export function shadowedIn(id: Node, name: string): boolean {
  for (let n = id.parent; n; n = n.parent) {
    if (n.type !== 'function_definition' && n.type !== 'lambda') continue;
    const parameters = field(n, 'parameters');
    if (parameters && parameters.descendantsOfType('identifier').some((p) => p?.text === name)) return true;
    const body = field(n, 'body');
    if (body && body.descendantsOfType('assignment').some((a) => a && field(a, 'left')?.text === name)) return true;
  }
  return false;
}

/** Source lines with a comment appended to the last one. */
function withComment(lines: string[], comment: Node | undefined): string[] {
  if (!comment) return lines;
  return lines.map((line, i) => (i === lines.length - 1 ? `${line}  ${comment.text}` : line));
}

/** Blank lines to add after a new function definition that replaces `last` (PEP 8: two before the next statement). */
function blankLinesNeededAfter(edits: EditContext, last: Node): number {
  const lines = edits.lines.lines;
  let row = last.endPosition.row + 1;
  let blank = 0;
  while (row < lines.length && lines[row].trim() === '') {
    blank++;
    row++;
  }
  return row < lines.length ? Math.max(0, 2 - blank) : 0;
}
