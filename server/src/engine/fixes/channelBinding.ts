// The facts the channel fixes share: which statement binds the channel to a name, which later
// statements build on it (stubs, multicallables), and how the parent and the children use it.
import type { Node } from 'web-tree-sitter';
import { anchorBetween } from '../model/anchors';
import { field, namedChildren } from '../model/syntax';
import { ForkSite, GrpcObject, Site, Timeline, sharesRoot } from '../model/timeline';
import type { EditContext } from './editContext';
import { assignedNames } from './pythonEdits';

export interface ChannelBinding {
  /** `channel = grpc.insecure_channel(...)`: the statement that binds the anchor call. */
  statement: Node;
  name: string;
  /** Later statements in the same block that build on the channel (`stub = EchoStub(channel)`). */
  derived: Node[];
  /** Every name the binding and its derived statements assign. */
  names: Set<string>;
  /** The statement, in the binding's block, that leads to the fork (the fork or a call reaching it). */
  forkStatement: Node | undefined;
  /** True when the binding is at module level (a global). */
  global: boolean;
}

/**
 * For a channel, derived statements are assignments that build on it (stubs, multicallables);
 * for a server (`includeCalls`), also the calls that set it up (`server.add_insecure_port(...)`,
 * `add_EchoServicer_to_server(servicer, server)`, `server.start()`).
 */
export function channelBinding(edits: EditContext, object: GrpcObject, fork: ForkSite | undefined, anchor: Site, includeCalls = false): ChannelBinding | undefined {
  if (anchor.path !== edits.file.path) return undefined;
  const statement = edits.statementOf(anchor.node);
  const assignment = namedChildren(statement)[0];
  if (statement.type !== 'expression_statement' || assignment?.type !== 'assignment') return undefined;
  const right = field(assignment, 'right');
  const left = field(assignment, 'left');
  if (!right || !left || left.type !== 'identifier' || right.id !== anchor.node.id) return undefined;
  const block = statement.parent!;
  const names = new Set([left.text]);
  const derived: Node[] = [];
  // Without a fork in the code (a runner forks after importing the module), the whole block counts.
  const forkAnchor = fork && anchorBetween([...fork.chain, fork.site], [...object.chain, object.creation]);
  const forkStatement = forkAnchor?.path === edits.file.path ? statementInBlock(forkAnchor.node, block) : undefined;
  for (const sibling of namedChildren(block)) {
    if (sibling.startIndex <= statement.startIndex) continue;
    if (forkStatement && sibling.startIndex >= forkStatement.startIndex) break;
    if (sibling.type !== 'expression_statement') continue;
    const inner = namedChildren(sibling)[0];
    if (!inner) continue;
    if (inner.type === 'assignment') {
      const value = field(inner, 'right');
      if (!value || !buildsOn(value, names)) continue;
      derived.push(sibling);
      for (const n of assignedNames(inner)) names.add(n);
    } else if (includeCalls && buildsOn(inner, names)) {
      derived.push(sibling);
    }
  }
  return { statement, name: left.text, derived, names, forkStatement, global: block.type === 'module' };
}

/** `channel.unary_unary(...)`, `EchoStub(channel)`, `add_EchoServicer_to_server(s, server)`. */
function buildsOn(value: Node, names: Set<string>): boolean {
  if (value.type !== 'call') return false;
  const callee = field(value, 'function');
  if (callee?.type === 'attribute' && names.has(field(callee, 'object')?.text ?? '')) return true;
  return namedChildren(field(value, 'arguments') ?? value).some((arg) => arg.type === 'identifier' && names.has(arg.text));
}

/** The ancestor of `node` that is a direct child of `block`, if `node` is inside it. */
export function statementInBlock(node: Node, block: Node): Node | undefined {
  let current: Node | null = node;
  while (current && current.parent && current.parent.id !== block.id) current = current.parent;
  return current?.parent?.id === block.id ? current : undefined;
}

export interface ParentUses {
  before: boolean;
  after: boolean;
}

/** Whether the parent calls through the object (or one built on it) before and after the fork. */
export function parentUses(timeline: Timeline, object: GrpcObject, fork: ForkSite): ParentUses {
  const forkIndex = timeline.events.findIndex((e) => e.kind === 'fork' && e.fork === fork);
  const result: ParentUses = { before: false, after: false };
  timeline.events.forEach((event, index) => {
    if (event.kind !== 'parentUse' || !sharesRoot(event.object, object)) return;
    if (index < forkIndex) result.before = true;
    else result.after = true;
  });
  return result;
}

/** Uses of the object in the children of this fork. */
export function childUses(timeline: Timeline, object: GrpcObject, fork: ForkSite) {
  return timeline.events.filter((e): e is Extract<typeof e, { kind: 'use' }> => e.kind === 'use' && e.fork === fork && sharesRoot(e.object, object));
}

/** The variable a use reads: `stub` for `stub`, `stub.Echo`, `stub.Echo.future`. */
export function usedName(node: Node): string {
  let current = node;
  while (current.type === 'attribute') current = field(current, 'object') ?? current;
  return current.text;
}

/**
 * The source of the binding and its derived statements, as lines without their indentation. For a
 * move (`moving`), each statement takes its own-line comments just above it and the comment that
 * ends its last line with it, since deleting the statements' lines deletes those too.
 */
export function bindingSource(edits: EditContext, binding: ChannelBinding, moving = false): string[] {
  const indent = edits.indentOf(binding.statement);
  return [binding.statement, ...binding.derived].flatMap((statement) => {
    if (!moving) return edits.reindent(statement.text, indent, '');
    const lines = edits.reindent(statement.text, indent, '');
    const trailing = trailingComment(statement);
    if (trailing) lines[lines.length - 1] += `  ${trailing.text}`;
    return [...leadingComments(statement).map((c) => c.text), ...lines];
  });
}

/** The comment after a statement on its last line (`x = f()  # why`). */
export function trailingComment(statement: Node): Node | undefined {
  const next = statement.nextSibling;
  return next?.type === 'comment' && next.startPosition.row === statement.endPosition.row ? next : undefined;
}

/** Own-line comments directly above a statement (no blank line between), which describe it. */
export function leadingComments(statement: Node): Node[] {
  const comments: Node[] = [];
  let row = statement.startPosition.row;
  for (let previous = statement.previousSibling; previous?.type === 'comment' && previous.endPosition.row === row - 1; previous = previous.previousSibling) {
    if (previous.previousSibling && previous.previousSibling.endPosition.row === previous.startPosition.row) break;
    comments.unshift(previous);
    row = previous.startPosition.row;
  }
  return comments;
}
