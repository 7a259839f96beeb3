// Google Cloud's generated clients build resource names with `*_path` helpers (`topic_path`,
// `subscription_path`, `secret_version_path`, `common_project_path`) that are static methods of the
// client class: `TOPIC = publisher.topic_path("shop", "orders")` at import time needs no client at
// all. Before a client becomes lazy (the per-process accessor), such a statement is no part of the
// client's binding: it is rewritten to call the helper on the class, so that it keeps running at
// import time and still makes no client there.
import type { Node } from 'web-tree-sitter';
import type { TextEdit } from '../findings';
import { nodeRange } from '../model/sourceFile';
import { field, namedChildren } from '../model/syntax';
import { ChannelBinding } from './channelBinding';
import { assignedNames } from './pythonEdits';

export interface PathHelperSplit {
  /** The binding without the helper statements (they stay where they are). */
  binding: ChannelBinding;
  /** The receiver of each helper call (`publisher` in `publisher.topic_path`). */
  receivers: Node[];
  /** Edits that replace each receiver with the client class (`pubsub_v1.PublisherClient`). */
  edits: TextEdit[];
}

/** Undefined when the binding has no helper statements or they cannot be split off. */
export function splitPathHelpers(binding: ChannelBinding): PathHelperSplit | undefined {
  const value = field(namedChildren(binding.statement)[0], 'right');
  const callee = value?.type === 'call' ? field(value, 'function') : undefined;
  // Only a client made by calling its class by a dotted or plain name (`pubsub_v1.PublisherClient()`).
  if (!callee || !['identifier', 'attribute'].includes(callee.type) || !/Client$/.test(callee.text) || /\s/.test(callee.text)) return undefined;
  const helpers: Node[] = [];
  const receivers: Node[] = [];
  for (const statement of binding.derived) {
    const receiver = helperReceiver(statement, binding.name);
    if (!receiver) continue;
    helpers.push(statement);
    receivers.push(receiver);
  }
  if (helpers.length === 0) return undefined;
  const derived = binding.derived.filter((s) => !helpers.includes(s));
  const helperNames = new Set(helpers.flatMap((s) => assignedNames(namedChildren(s)[0])));
  // A remaining derived statement built on a helper's result would lose what it reads.
  if (derived.some((s) => s.descendantsOfType('identifier').some((id) => id !== null && helperNames.has(id.text)))) return undefined;
  const names = new Set([...binding.names].filter((n) => !helperNames.has(n)));
  return {
    binding: { ...binding, derived, names },
    receivers,
    edits: receivers.map((receiver) => ({ range: nodeRange(receiver), newText: callee.text })),
  };
}

/** `NAME = client.<x>_path(...)` whose arguments do not read the client: the `client` node. */
function helperReceiver(statement: Node, client: string): Node | undefined {
  const assignment = namedChildren(statement)[0];
  if (assignment?.type !== 'assignment' || field(assignment, 'left')?.type !== 'identifier') return undefined;
  const call = field(assignment, 'right');
  const callee = call?.type === 'call' ? field(call, 'function') : undefined;
  const receiver = callee?.type === 'attribute' ? field(callee, 'object') : undefined;
  const method = callee && field(callee, 'attribute')?.text;
  if (!receiver || receiver.type !== 'identifier' || receiver.text !== client || !method || !/^[a-z_]\w*_path$/.test(method)) return undefined;
  const args = field(call!, 'arguments');
  if (args?.descendantsOfType('identifier').some((id) => id?.text === client)) return undefined;
  return receiver;
}
