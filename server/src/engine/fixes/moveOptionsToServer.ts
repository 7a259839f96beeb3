// GF203's fix: take the options given to `add_insecure_port` / `add_secure_port` out of that call
// and merge them into the options of the `grpc.server(...)` call that made the server.
import type { Node } from 'web-tree-sitter';
import type { Fix, TextEdit } from '../findings';
import { optionsLiteral } from '../model/serverOptions';
import { field } from '../model/syntax';
import type { EditContext } from './editContext';
import { appendItem, itemsOf, removeItem, replaceNode, starred } from './sequenceEdits';

export const MOVE_OPTIONS_TITLE = 'Move options to grpc.server';

export interface MisplacedOptions {
  /** The `add_*_port(...)` call. */
  portCall: Node;
  /** Its arguments to move: `options=[...]` or an extra positional list of pairs. */
  extras: Node[];
  /** The `grpc.server(...)` call that made the server, and its `options` argument if any. */
  serverCall: Node;
  serverOptions: Node | undefined;
}

export function moveOptionsFix(edits: EditContext, misplaced: MisplacedOptions): Fix | undefined {
  const values = misplaced.extras.map(optionsValueOf);
  if (values.some((v) => v === undefined)) return undefined;
  const portArgs = field(misplaced.portCall, 'arguments');
  if (!portArgs) return undefined;
  const merge = mergeEdit(values as Node[], misplaced.serverCall, misplaced.serverOptions, edits);
  if (!merge) return undefined;
  const removals = misplaced.extras.map((extra) => removeItem(portArgs, extra));
  return { title: MOVE_OPTIONS_TITLE, kind: 'moveOptionsToServer', applicability: 'safe', edits: merge === 'nothing to add' ? removals : [...removals, merge] };
}

/** The options expression an extra argument carries, or undefined when it is not options. */
function optionsValueOf(extra: Node): Node | undefined {
  if (extra.type === 'keyword_argument') {
    return field(extra, 'name')?.text === 'options' ? field(extra, 'value') : undefined;
  }
  if (extra.type === 'list' || extra.type === 'tuple') return optionsLiteral(extra) ? extra : undefined;
  // A name passed positionally is moved only when it says it holds options.
  if ((extra.type === 'identifier' || extra.type === 'attribute') && /option/i.test(extra.text)) return extra;
  return undefined;
}

/** The edit that adds the options to the server call; 'nothing to add' when it has them all. */
function mergeEdit(
  values: Node[], serverCall: Node, serverOptions: Node | undefined, edits: EditContext,
): TextEdit | 'nothing to add' | undefined {
  if (!serverOptions || serverOptions.type === 'none') {
    const text = values.length === 1 ? values[0].text : `[${itemsFrom(values, undefined)!.join(', ')}]`;
    if (serverOptions) return replaceNode(serverOptions, text);
    const args = field(serverCall, 'arguments');
    return args?.type === 'argument_list' ? appendItem(args, `options=${text}`, edits) : undefined;
  }
  const existing = optionsLiteral(serverOptions);
  const items = itemsFrom(values, existing);
  if (!items) return undefined;
  if (items.length === 0) return 'nothing to add';
  if (existing && !existing.viaName) return appendItem(existing.node, items.join(', '), edits);
  return replaceNode(serverOptions, `[${starred(serverOptions)}, ${items.join(', ')}]`);
}

/**
 * The items to add: pairs of literal options (skipping ones the server already has with the same
 * value), `*name` for the rest. Undefined when a key is already set to a different value.
 */
function itemsFrom(values: Node[], existing: ReturnType<typeof optionsLiteral>): string[] | undefined {
  const items: string[] = [];
  for (const value of values) {
    const literal = optionsLiteral(value);
    if (!literal || literal.viaName) {
      items.push(starred(value));
      continue;
    }
    for (const item of itemsOf(literal.node)) {
      const entry = literal.entries.find((e) => e.node.id === item.id);
      const same = existing?.entries.find((e) => entry?.key !== undefined && e.key === entry.key);
      if (same && entry) {
        if (flat(same.value?.text) !== flat(entry.value?.text)) return undefined;
        continue;
      }
      items.push(item.text);
    }
  }
  return items;
}

function flat(text: string | undefined): string | undefined {
  return text?.replace(/\s+/g, '');
}
