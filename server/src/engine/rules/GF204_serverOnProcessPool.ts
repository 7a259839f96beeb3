import type { Node } from 'web-tree-sitter';
import type { Fix } from '../findings';
import type { EditContext } from '../fixes/editContext';
import { useThreadPoolFix } from '../fixes/useThreadPool';
import { createdHere } from '../model/describe';
import { identifiersNamed, sameNode } from '../model/syntax';
import type { Timeline } from '../model/timeline';
import { defineRule } from './rule';

export const serverOnProcessPool = defineRule({
  code: 'GF204',
  name: 'server-on-process-pool',
  defaultSeverity: 'error',
  triggers: { reportNeeds: ['grpc'], follows: ['grpc', 'ProcessPoolExecutor', 'concurrent'] },
  docs: {
    summary: '`grpc.server(...)` is given a process pool as its thread pool: RPCs never complete.',
    whatItDoes: 'Finds `grpc.server(ProcessPoolExecutor(...))` and servers given any `multiprocessing` pool as `thread_pool`.',
    whyIsThisBad:
      'gRPC hands each RPC\'s handler and its in-process context to the thread pool. A process pool must pickle ' +
      'them to another process, which cannot answer on the parent\'s completion queue. Measured on grpcio 1.51: ' +
      'the server accepts the call and then never completes it; clients wait until their deadline.',
    example: 'server = grpc.server(futures.ProcessPoolExecutor(max_workers=4))',
    useInstead: 'server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))',
    fixes: 'Use a thread pool: replaces the process pool with `futures.ThreadPoolExecutor` with the same `max_workers`.',
    fixSafety: 'Safe: the server could not complete an RPC before.',
    references: ['https://grpc.github.io/grpc/python/grpc.html#grpc.server'],
  },
  check(context) {
    for (const object of context.timeline.objects) {
      if (!object.threadPoolIsProcessPool || !object.threadPoolArg) continue;
      context.report({
        at: { node: object.threadPoolArg, path: object.creation.path },
        message: `\`${object.label}\` is given a process pool as its thread pool; gRPC cannot complete RPCs on another process: use \`futures.ThreadPoolExecutor\`.`,
        related: [{ site: object.creation, message: createdHere('server') }],
        fixes: object.creation.path === context.file.path ? threadPoolFix(context.edits, object.threadPoolArg, context.timeline) : [],
      });
    }
  },
});

/** "Use a thread pool", when the pool is built in the `grpc.server(...)` call itself. */
function threadPoolFix(edits: EditContext, poolArg: Node, timeline: Timeline): Fix[] {
  const text = edits.file.text;
  const value = poolArg.type === 'keyword_argument' ? poolArg.childForFieldName('value') ?? poolArg : poolArg;
  const call = value.type === 'call' ? value : poolBinding(value, text);
  if (!call) return [];
  const use = timeline.qualifiedUses.find((u) => !u.decorator && sameNode(u.site.node, call));
  if (!use) return [];
  const fix = useThreadPoolFix(edits, call, use.qname);
  return fix ? [fix] : [];
}

/**
 * `pool = ProcessPoolExecutor(...)` (or `self._executor = ...`) before `grpc.server(pool)`: the
 * pool's construction, when the name is used nowhere else (replacing it then changes nothing but
 * what grpc.server gets).
 */
function poolBinding(name: Node, text: string): Node | undefined {
  if (name.type !== 'identifier' && name.type !== 'attribute') return undefined;
  const pattern = new RegExp(`(?<![\\w.])${name.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w])`, 'g');
  const uses = name.type === 'identifier' ? identifiersNamed(name.tree.rootNode, text, name.text).length : [...text.matchAll(pattern)].length;
  if (uses !== 2) return undefined;
  const bindings = name.tree.rootNode.descendantsOfType('assignment')
    .filter((a): a is Node => a !== null && a.startIndex < name.startIndex && a.childForFieldName('left')?.text === name.text);
  const right = bindings[bindings.length - 1]?.childForFieldName('right');
  return right?.type === 'call' ? right : undefined;
}
