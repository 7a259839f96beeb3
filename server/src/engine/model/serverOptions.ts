// Reads the `options=` of a `grpc.server(...)` call: a literal list or tuple of `(key, value)`
// pairs, written in place or held by a name assigned once in the same file. GF202 asks it for
// `grpc.so_reuseport`; the option fixes use it to find where to edit.
import type { Node } from 'web-tree-sitter';
import { field, namedChildren, stringLiteral } from './syntax';

export interface OptionEntry {
  /** The `(key, value)` tuple. */
  node: Node;
  key: string | undefined;
  value: Node | undefined;
}

export interface OptionsLiteral {
  /** The list or tuple node that holds the pairs. */
  node: Node;
  entries: OptionEntry[];
  /** True when some item is not a visible pair (`*base`, a name): more options may hide there. */
  opaque: boolean;
  /** True when the literal is reached through a name rather than written in the call. */
  viaName: boolean;
}

/** The literal behind an `options` argument node, or undefined when it cannot be seen. */
export function optionsLiteral(optionsNode: Node): OptionsLiteral | undefined {
  let node = optionsNode;
  let viaName = false;
  if (node.type === 'identifier') {
    const assigned = singleAssignment(node);
    if (!assigned) return undefined;
    node = assigned;
    viaName = true;
  }
  if (node.type !== 'list' && node.type !== 'tuple') return undefined;
  const items = namedChildren(node).filter((c) => c.type !== 'comment');
  // A flat `("grpc.so_reuseport", 1)` is one pair, not a sequence of pairs: not ours to judge.
  if (items.length > 0 && stringLiteral(items[0]) !== undefined) return undefined;
  const entries: OptionEntry[] = [];
  let opaque = false;
  for (const item of items) {
    const parts = item.type === 'tuple' ? namedChildren(item).filter((c) => c.type !== 'comment') : [];
    if (parts.length === 2) entries.push({ node: item, key: stringLiteral(parts[0]), value: parts[1] });
    else opaque = true;
  }
  return { node, entries, opaque, viaName };
}

export type ReuseportSetting = 'one' | 'zero' | 'unset' | 'unknown';

/** What a server's options say about `grpc.so_reuseport` (undefined node: no options at all). */
export function reuseportSetting(optionsNode: Node | undefined): { setting: ReuseportSetting; entry?: OptionEntry } {
  if (!optionsNode) return { setting: 'unset' };
  if (optionsNode.type === 'none') return { setting: 'unset' };
  const literal = optionsLiteral(optionsNode);
  if (!literal) return { setting: 'unknown' };
  const entry = [...literal.entries].reverse().find((e) => e.key === 'grpc.so_reuseport');
  if (!entry) return { setting: literal.opaque ? 'unknown' : 'unset' };
  const value = entry.value?.text;
  if (value === '1' || value === 'True') return { setting: 'one', entry };
  if (value === '0' || value === 'False') return { setting: 'zero', entry };
  return { setting: 'unknown', entry };
}

/**
 * The value of `name` when it is assigned exactly once, by a plain `name = value`, in the
 * function that uses it (or at module level when that function neither assigns nor takes it).
 */
function singleAssignment(name: Node): Node | undefined {
  let scope: Node | null = name.parent;
  while (scope && scope.type !== 'function_definition' && scope.type !== 'module') scope = scope.parent;
  while (scope) {
    if (scope.type === 'function_definition') {
      const parameters = field(scope, 'parameters');
      if (parameters && parameters.descendantsOfType('identifier').some((p) => p?.text === name.text)) return undefined;
    }
    const values = assignmentsIn(scope.type === 'module' ? scope : field(scope, 'body'), name.text);
    if (values.length > 1) return undefined;
    if (values.length === 1) return values[0].type === 'augmented_assignment' ? undefined : values[0];
    if (scope.type === 'module') return undefined;
    scope = scope.parent;
    while (scope && scope.type !== 'function_definition' && scope.type !== 'module') scope = scope.parent;
  }
  return undefined;
}

function assignmentsIn(block: Node | undefined, name: string): Node[] {
  const found: Node[] = [];
  // Iterative, in document order: a hostile file's depth must not overflow the stack.
  const pending = block ? namedChildren(block).reverse() : [];
  for (let child = pending.pop(); child; child = pending.pop()) {
    if (child.type === 'function_definition' || child.type === 'class_definition' || child.type === 'decorated_definition') continue;
    if (child.type === 'assignment' || child.type === 'augmented_assignment') {
      const left = field(child, 'left');
      if (left?.type === 'identifier' && left.text === name) {
        // `x += [...]` makes the value unknowable here: it counts as a second assignment.
        found.push(child.type === 'assignment' ? field(child, 'right') ?? child : child);
      }
    }
    pending.push(...namedChildren(child).reverse());
  }
  return found;
}
