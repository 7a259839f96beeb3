// "Start the server after the forks" (GF201): gRPC's own advice is to fork first and build the
// server afterwards. The server's creation, set-up calls and start move, unchanged, to just after
// the statement that forks (the loop that starts the workers), in the same block. Offered when
// nothing between them and the fork, and nothing the children run, touches the server's names,
// and the moved statements read nothing that those statements rebind.
import type { Node } from 'web-tree-sitter';
import type { Fix, TextEdit } from '../findings';
import type { ForkSite, GrpcObject, Site } from '../model/timeline';
import { bindingSource, channelBinding, leadingComments, trailingComment, statementInBlock } from './channelBinding';
import type { EditContext } from './editContext';
import { assignedNames, freeNames } from './pythonEdits';
import { field, isMainGuard, namedChildren } from '../model/syntax';

export const SERVER_AFTER_FORK_TITLE = 'Start the server after the forks';

export function serverAfterForkFix(edits: EditContext, object: GrpcObject, fork: ForkSite, anchor: Site): Fix | undefined {
  const move = moveBelowFork(edits, object, fork, anchor);
  return move && { title: `${SERVER_AFTER_FORK_TITLE} (move \`${move.name}\` below the fork)`, kind: 'serverAfterFork', applicability: 'unsafe', edits: move.edits };
}

/**
 * The edits that move the object's binding, with the statements built on it and the calls on it,
 * to just after the statement that forks; undefined when that is not known to be safe (above).
 */
export function moveBelowFork(edits: EditContext, object: GrpcObject, fork: ForkSite, anchor: Site): { name: string; edits: TextEdit[] } | undefined {
  if (fork.site.path !== edits.file.path) return undefined;
  const binding = channelBinding(edits, object, fork, anchor, true);
  if (!binding?.forkStatement) return undefined;
  const moved = [binding.statement, ...binding.derived];
  const last = moved[moved.length - 1];
  const block = binding.statement.parent!;
  // A module-level server forked under the `__main__` guard moves into the guard, after the fork.
  let after = binding.forkStatement;
  if (isMainGuard(after)) {
    const body = field(after, 'consequence');
    const inner = body && statementInBlock(fork.site.node, body);
    if (!inner) return undefined;
    after = inner;
  }
  const between = [
    ...namedChildren(block).filter((s) => s.startIndex > last.endIndex && s.endIndex <= binding.forkStatement!.startIndex),
    ...(after.id === binding.forkStatement.id ? [after] : namedChildren(after.parent!).filter((s) => s.endIndex <= after.endIndex)),
  ];
  const touches = (node: Node) => node.descendantsOfType('identifier').some((id) => id !== null && binding.names.has(id.text));
  // Statements interleaved with the moved ones (not part of the binding) would run before the server exists.
  const interleaved = namedChildren(block).filter((s) => s.startIndex > binding.statement.startIndex && s.endIndex <= last.endIndex && !moved.some((m) => m.id === s.id));
  if ([...between, ...interleaved].some(touches)) return undefined;
  // What the children run must not reach the server (they would no longer inherit one).
  if (fork.opaqueEntry || fork.entryFunctions.some(touches)) return undefined;
  if (binding.global && edits.file.tree.rootNode.descendantsOfType('function_definition').some((def) => def !== null && touches(def))) return undefined;
  const reads = new Set(moved.flatMap((s) => [...freeNames(s)]));
  const rebound = between.flatMap((s) => s.descendantsOfType('assignment').flatMap((a) => (a ? assignedNames(a) : [])));
  if (rebound.some((name) => reads.has(name))) return undefined;
  return {
    name: binding.name,
    edits: [...edits.deleteStatementRuns([...moved, ...moved.flatMap(leadingComments), ...moved.flatMap((m) => trailingComment(m) ?? [])]), edits.insertAfter(after, bindingSource(edits, binding, true), edits.indentOf(after))],
  };
}
