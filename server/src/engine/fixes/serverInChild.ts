// "Start the server in each child" (GF201): moves the server's creation, its set-up calls and
// its start into the one function the children run, so each child builds its own server after
// the fork. Offered when the parent does not touch the server after the fork and the target is a
// top-level function whose body can take the statements. For a pool or process executor the
// children run tasks, many per worker: the server goes into the pool's initializer instead
// (poolServerInitializer.ts), one server per worker process.
import type { Node } from 'web-tree-sitter';
import type { Fix, TextEdit } from '../findings';
import { field, identifiersNamed, namedChildren } from '../model/syntax';
import type { ForkSite, GrpcObject, Site } from '../model/timeline';
import { bindingSource, channelBinding, leadingComments, trailingComment } from './channelBinding';
import type { EditContext } from './editContext';
import { freeNames } from './pythonEdits';
import { itemsOf, removeItem } from './sequenceEdits';
import { poolServerInitializerFix } from './poolServerInitializer';

export function serverInChildFix(edits: EditContext, object: GrpcObject, fork: ForkSite, anchor: Site): Fix | undefined {
  const binding = channelBinding(edits, object, fork, anchor, true);
  if (!binding || fork.entryFunctions.length === 0 || fork.opaqueEntry) return undefined;
  if (fork.product === 'pool' || fork.product === 'executor') return poolServerInitializerFix(edits, binding, fork);
  const targets = new Set(fork.entryFunctions.map((def) => def.id));
  if (targets.size !== 1) return undefined;
  const target = fork.entryFunctions[0];
  if (target.tree !== edits.file.tree || target.parent?.type !== 'module') return undefined;
  // The parent must not use the server after the moved statements: it will no longer exist there.
  const moved = [binding.statement, ...binding.derived];
  const last = moved[moved.length - 1];
  const outside = [...binding.names].flatMap((name) => identifiersNamed(edits.file.tree.rootNode, edits.file.text, name)).filter((id) =>
    !within(id, target) && !moved.some((s) => within(id, s)) && id.parent?.type !== 'keyword_argument');
  // The server handed to the target through `args=(server, ...)` stops being passed: the child builds its own.
  const handOver = handedToTarget(fork, target, outside, binding.names);
  if (!handOver) return undefined;
  const available = edits.moduleNames();
  const reads = moved.flatMap((s) => [...freeNames(s)]);
  if (reads.some((name) => !available.has(name) && !binding.names.has(name))) return undefined;
  const insert = edits.insertAtBodyStart(target, bindingSource(edits, binding, true));
  if (!insert) return undefined;
  return {
    title: `Start the server in each child (inside \`${field(target, 'name')?.text}\`)`,
    kind: 'serverInChild',
    applicability: 'unsafe',
    edits: [...edits.deleteStatementRuns([...moved, ...moved.flatMap(leadingComments), ...moved.flatMap((m) => trailingComment(m) ?? [])]), insert, ...handOver],
  };
}

function within(node: Node, container: Node): boolean {
  return node.startIndex >= container.startIndex && node.endIndex <= container.endIndex;
}

/**
 * Edits that stop handing the server to the target: each use outside the moved statements must be
 * an item of the fork call's `args=(...)` tuple matching, by position, a parameter of the target
 * with the same name. Both the item and the parameter go (the whole `args=` when it empties).
 * Undefined when some use is anything else.
 */
function handedToTarget(fork: ForkSite, target: Node, outside: Node[], names: Set<string>): TextEdit[] | undefined {
  if (outside.length === 0) return [];
  const call = fork.origin.node;
  const argumentList = field(call, 'arguments');
  const keyword = argumentList && namedChildren(argumentList).find((a) => a.type === 'keyword_argument' && field(a, 'name')?.text === 'args');
  const tuple = keyword && field(keyword, 'value');
  const parameters = field(target, 'parameters');
  if (!argumentList || !keyword || tuple?.type !== 'tuple' || !parameters) return undefined;
  const items = itemsOf(tuple);
  const params = itemsOf(parameters);
  if (params.length !== items.length || params.some((p) => p.type !== 'identifier')) return undefined;
  const removed = items.filter((item) => item.type === 'identifier' && names.has(item.text));
  if (outside.some((id) => !removed.some((item) => item.id === id.id))) return undefined;
  if (removed.some((item) => params[items.findIndex((i) => i.id === item.id)].text !== item.text)) return undefined;
  const edits: TextEdit[] = removed.length === items.length ? [removeItem(argumentList, keyword)] : removed.map((item) => removeItem(tuple, item));
  for (const item of removed) edits.push(removeItem(parameters, params[items.findIndex((i) => i.id === item.id)]));
  return edits;
}
