// "Start the server in each child" for a Pool or a process executor (GF201). Its workers run many
// tasks each, so the server cannot go into the task function (one server per task, the port bound
// again each time): it goes into a new initializer the pool runs once in each worker process. The
// initializer binds the names as globals, which keeps each worker's server referenced for the
// worker's lifetime (a gRPC server that nothing references is stopped when it is collected) and
// lets the tasks reach it as before.
import type { Node } from 'web-tree-sitter';
import type { Fix } from '../findings';
import { field, identifiersNamed, namedChildren } from '../model/syntax';
import type { ForkSite } from '../model/timeline';
import { ChannelBinding, bindingSource, leadingComments, trailingComment } from './channelBinding';
import type { EditContext } from './editContext';
import { freeNames, uniqueName } from './pythonEdits';

/** Positional index of `initializer` in `Pool(processes, initializer, ...)` and `ProcessPoolExecutor(max_workers, mp_context, initializer, ...)`. */
const INITIALIZER_POSITION = { pool: 1, executor: 2 } as const;

export function poolServerInitializerFix(edits: EditContext, binding: ChannelBinding, fork: ForkSite): Fix | undefined {
  if (fork.product !== 'pool' && fork.product !== 'executor') return undefined;
  const poolCall = fork.product === 'executor' ? fork.origin : fork.site;
  if (poolCall.path !== edits.file.path || poolCall.node.type !== 'call') return undefined;
  const argumentList = field(poolCall.node, 'arguments');
  if (argumentList?.type !== 'argument_list') return undefined;
  const args = namedChildren(argumentList).filter((a) => a.type !== 'comment');
  // The pool has an initializer already: this fix does not merge two.
  if (args.some((a) => a.type === 'keyword_argument' && field(a, 'name')?.text === 'initializer')) return undefined;
  if (args.filter((a) => a.type !== 'keyword_argument').length > INITIALIZER_POSITION[fork.product]) return undefined;
  if (args.some((a) => a.type === 'list_splat' || a.type === 'dictionary_splat')) return undefined;
  // The tasks (top-level functions defined before the pool is made) may read the server's names:
  // they then read the worker's globals. Any other use is the parent's, which would lose its server.
  const tasks = fork.entryFunctions;
  if (tasks.some((def) => def.tree !== edits.file.tree || def.parent?.type !== 'module' || def.endIndex > poolCall.node.startIndex)) return undefined;
  const moved = [binding.statement, ...binding.derived];
  const inside = (node: Node, container: Node) => node.startIndex >= container.startIndex && node.endIndex <= container.endIndex;
  const outside = [...binding.names].flatMap((name) => identifiersNamed(edits.file.tree.rootNode, edits.file.text, name)).filter((id) =>
    !tasks.some((def) => inside(id, def)) && !moved.some((s) => inside(id, s)) && id.parent?.type !== 'keyword_argument');
  if (outside.length > 0) return undefined;
  // The initializer is a module-level function: what the moved statements read must be module names.
  const available = edits.moduleNames();
  if (moved.flatMap((s) => [...freeNames(s)]).some((name) => !available.has(name) && !binding.names.has(name))) return undefined;
  const last = tasks.reduce<Node | undefined>((a, b) => (!a || b.endIndex > a.endIndex ? b : a), undefined);
  if (!last) return undefined;
  const initializer = uniqueName(available, `_start_${binding.name.replace(/^_+/, '')}_in_worker`);
  const unit = edits.indentUnit;
  const definition = [
    '', '',
    `def ${initializer}():`,
    `${unit}"""Starts this worker process's own server, after the fork."""`,
    `${unit}global ${[...binding.names].join(', ')}`,
    ...bindingSource(edits, binding, true).map((line) => (line ? unit + line : line)),
  ];
  const addInitializer = edits.addKeywordArgument(poolCall.node, 'initializer', initializer);
  if (!addInitializer) return undefined;
  const kind = fork.product === 'executor' ? 'executor' : 'Pool';
  return {
    title: `Start the server in each child (one per worker, in the ${kind} initializer \`${initializer}\`)`,
    kind: 'serverInPoolInitializer',
    applicability: 'unsafe',
    edits: [
      ...edits.deleteStatementRuns([...moved, ...moved.flatMap(leadingComments), ...moved.flatMap((m) => trailingComment(m) ?? [])]),
      edits.insertAfter(last, definition, ''),
      addInitializer,
    ],
  };
}
