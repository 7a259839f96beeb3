import type { Node } from 'web-tree-sitter';
import type { Fix } from '../findings';
import type { EditContext } from '../fixes/editContext';
import { moveOptionsFix } from '../fixes/moveOptionsToServer';
import { removeItem } from '../fixes/sequenceEdits';
import { field, namedChildren, sameNode } from '../model/syntax';
import type { Timeline } from '../model/timeline';
import { defineRule } from './rule';

// add_insecure_port(address) and add_secure_port(address, server_credentials) take nothing else.
const PORT_METHODS: Record<string, string[]> = {
  add_insecure_port: ['address'],
  add_secure_port: ['address', 'server_credentials'],
};

export const portOptionsMisplaced = defineRule({
  code: 'GF203',
  name: 'port-options-misplaced',
  defaultSeverity: 'error',
  triggers: { reportNeeds: ['secure_port'], follows: ['grpc'] },
  docs: {
    summary: '`add_insecure_port` / `add_secure_port` is given more than the address: a `TypeError` at run time.',
    whatItDoes:
      'Finds calls of `server.add_insecure_port(...)` with anything besides the address, and of ' +
      '`server.add_secure_port(...)` with anything besides the address and the credentials, such as `options=[...]` ' +
      'or a list of channel options passed positionally.',
    whyIsThisBad:
      'Server options such as `("grpc.so_reuseport", 1)` belong to `grpc.server(...)`. The port methods accept only ' +
      'the address, so the call raises `TypeError: add_insecure_port() got an unexpected keyword argument \'options\'` ' +
      '(or "takes 2 positional arguments but 3 were given") when the server starts.',
    example: [
      'server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))',
      'server.add_insecure_port("[::]:50051", options=[("grpc.so_reuseport", 1)])',
    ].join('\n'),
    useInstead: [
      'server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), options=[("grpc.so_reuseport", 1)])',
      'server.add_insecure_port("[::]:50051")',
    ].join('\n'),
    fixes: 'Move options to grpc.server: removes the extra arguments and merges them into the options of the `grpc.server(...)` call that made the server.',
    fixSafety: 'Safe: the call could never have succeeded.',
    references: ['https://grpc.github.io/grpc/python/grpc.html#grpc.Server.add_insecure_port'],
  },
  check(context) {
    // Nothing to visit in a file that never names the methods (most files): a plain text test.
    if (!context.file.text.includes('add_insecure_port') && !context.file.text.includes('add_secure_port')) return;
    const { calls, ownMethods } = portMethodNames(context.file.tree.rootNode, context.file.text);
    const serverCalls = new Set(context.timeline.events.flatMap((e) => (e.kind === 'serverPort' ? [e.site.node.id] : [])));
    for (const call of calls) {
      const method = field(field(call, 'function') ?? call, 'attribute')?.text ?? '';
      if (ownMethods.has(method) && !serverCalls.has(call.id)) continue;
      const problem = extraArguments(call);
      if (!problem) continue;
      context.report({
        at: { node: call, path: context.file.path },
        message: `\`${problem.method}\` takes only ${problem.allowed.join(' and ')}; ${problem.extra} here raises TypeError: pass server options to \`grpc.server(..., options=[...])\`.`,
        fixes: orRemove(moveFix(context.edits, call, problem.extras, context.timeline), call, problem, context.timeline, context.file.path),
      });
    }
  },
});

/** "Move options to grpc.server", when the walk knows which `grpc.server(...)` call made the server. */
function moveFix(edits: EditContext, call: Node, extras: Node[], timeline: Timeline): Fix[] {
  const path = edits.file.path;
  const port = timeline.events.find((e) => e.kind === 'serverPort' && e.site.path === path && sameNode(e.site.node, call));
  if (extras.length === 0 || port?.kind !== 'serverPort' || port.server.creation.path !== path) return [];
  if (port.server.kind !== 'server' && port.server.kind !== 'aioServer') return [];
  const fix = moveOptionsFix(edits, { portCall: call, extras, serverCall: port.server.creation.node, serverOptions: port.server.optionsNode });
  return fix ? [fix] : [];
}

/**
 * Without a `grpc.server(...)` call to move them to (a server made elsewhere, a parameter), the
 * arguments the method does not take are removed: the call raised TypeError with them, so the
 * program never ran with them; unsafe, since what they asked for must then be given to grpc.server.
 */
function orRemove(fixes: Fix[], call: Node, problem: { method: string; extras: Node[] }, timeline: Timeline, path: string): Fix[] {
  const args = field(call, 'arguments');
  if (fixes.length > 0 || problem.extras.length === 0 || !args) return fixes;
  // A known server whose options conflict with these: the move was refused on purpose.
  if (timeline.events.some((e) => e.kind === 'serverPort' && e.site.path === path && sameNode(e.site.node, call) && e.server.creation.path === path)) return fixes;
  const names = problem.extras.map((e) => (e.type === 'keyword_argument' ? `${field(e, 'name')?.text}=` : truncate(e.text)));
  return [{
    title: `Remove ${names.map((n) => `\`${n}\``).join(', ')} from \`${problem.method}\` (give ${problem.extras.length > 1 ? 'them' : 'it'} to grpc.server instead)`,
    kind: 'removePortOptions',
    applicability: 'unsafe',
    edits: problem.extras.map((extra) => removeItem(args, extra)),
  }];
}

const PORT_METHOD_NAME = /\badd_(?:insecure|secure)_port\b/g;

/**
 * The calls of a port method (`x.add_insecure_port(...)`), in tree order, and the port methods a
 * class of this file defines itself (then only known servers count). Found through the text and
 * checked in the tree there: visiting every call of a large module (grpc's own _server.py defines
 * these methods) through WebAssembly cost the editor milliseconds per keystroke.
 */
function portMethodNames(root: Node, text: string): { calls: Node[]; ownMethods: Set<string> } {
  const calls: Node[] = [];
  const ownMethods = new Set<string>();
  for (const match of text.matchAll(PORT_METHOD_NAME)) {
    const name = root.descendantForIndex(match.index!, match.index! + match[0].length);
    if (name?.type !== 'identifier' || name.text !== match[0]) continue;
    const parent = name.parent;
    const is = (node: Node | undefined, other: Node) => node !== undefined && sameNode(node, other);
    if (parent?.type === 'function_definition' && is(field(parent, 'name'), name) && parent.parent?.parent?.type === 'class_definition') ownMethods.add(name.text);
    const call = parent?.parent;
    if (parent?.type === 'attribute' && is(field(parent, 'attribute'), name) && call?.type === 'call' && is(field(call, 'function'), parent)) calls.push(call);
  }
  // Outer calls first, as a walk of the tree meets them.
  calls.sort((a, b) => a.startIndex - b.startIndex || b.endIndex - a.endIndex);
  return { calls, ownMethods };
}

function extraArguments(call: Node): { method: string; allowed: string[]; extra: string; extras: Node[] } | undefined {
  const callee = field(call, 'function');
  if (callee?.type !== 'attribute') return undefined;
  const method = field(callee, 'attribute')?.text ?? '';
  const allowed = PORT_METHODS[method];
  if (!allowed) return undefined;
  const args = namedChildren(field(call, 'arguments') ?? call).filter((a) => a.type !== 'comment');
  const positional = args.filter((a) => a.type !== 'keyword_argument');
  const unknownKeywords = args.filter((a) => a.type === 'keyword_argument' && !allowed.includes(field(a, 'name')?.text ?? ''));
  const extraPositional = positional.slice(allowed.length);
  const extras = [...extraPositional, ...unknownKeywords];
  if (unknownKeywords.length > 0) return { method, allowed, extra: `\`${field(unknownKeywords[0], 'name')?.text}=\``, extras };
  if (positional.length + args.length - positional.length > allowed.length) {
    return { method, allowed, extra: `the extra argument \`${truncate(args[allowed.length].text)}\``, extras };
  }
  return undefined;
}

function truncate(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 30 ? `${flat.slice(0, 27)}...` : flat;
}
