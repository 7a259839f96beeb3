// Small accessors over tree-sitter nodes (web-tree-sitter returns nullable child arrays).
import type { Node, Tree } from 'web-tree-sitter';

/**
 * What one analysis reads of a tree again and again, kept until forgetTree: the named children of
 * wide nodes (a module's statements, a large class body) and field lookups. An analysis reads a
 * module's top level a dozen times, and each read of thousands of statements through
 * WebAssembly costs a keystroke a millisecond or more.
 */
interface TreeMemo {
  wideChildren: Map<number, Node[]>;
  /** Per field name, by node id. */
  fields: Map<string, Map<number, Node | null>>;
}

const memos = new WeakMap<Tree, TreeMemo>();
const WIDE = 64;

function memoOf(tree: Tree): TreeMemo {
  let memo = memos.get(tree);
  if (!memo) memos.set(tree, (memo = { wideChildren: new Map(), fields: new Map() }));
  return memo;
}

export function namedChildren(node: Node): Node[] {
  const memo = memoOf(node.tree);
  const known = memo.wideChildren.get(node.id);
  // A copy: callers may sort or splice what they get.
  if (known) return known.slice();
  const children = node.namedChildren.filter((child): child is Node => child !== null);
  if (children.length >= WIDE) {
    // Each pass over a module's statements asks every one its type: read once, through WebAssembly.
    for (const child of children) Object.defineProperty(child, 'type', { value: child.type });
    memo.wideChildren.set(node.id, children.slice());
  }
  return children;
}

/** Forgets what was kept of `tree`: at the end of an analysis, and before an edit moves its nodes. */
export function forgetTree(tree: Tree): void {
  memos.delete(tree);
}

export function allChildren(node: Node): Node[] {
  return node.children.filter((child): child is Node => child !== null);
}

export function field(node: Node, name: string): Node | undefined {
  const { fields } = memoOf(node.tree);
  let byId = fields.get(name);
  if (!byId) fields.set(name, (byId = new Map()));
  let child = byId.get(node.id);
  if (child === undefined) byId.set(node.id, (child = node.childForFieldName(name)));
  return child ?? undefined;
}

export function fields(node: Node, name: string): Node[] {
  return node.childrenForFieldName(name).filter((child): child is Node => child !== null);
}

/** The literal text of a plain string node (no f-string interpolation), else undefined. */
export function stringLiteral(node: Node): string | undefined {
  if (node.type === 'concatenated_string') {
    const parts = namedChildren(node).map(stringLiteral);
    return parts.every((part) => part !== undefined) ? parts.join('') : undefined;
  }
  if (node.type !== 'string') return undefined;
  let text = '';
  for (const child of namedChildren(node)) {
    if (child.type === 'interpolation') return undefined;
    if (child.type === 'string_content' || child.type === 'escape_sequence') text += child.text;
  }
  return text;
}

/** `if __name__ == "__main__":` (either operand order, either quote style). */
/** The innermost `def` around a node (not a lambda, not a class body). */
export function enclosingFunction(node: Node): Node | undefined {
  for (let n = node.parent; n; n = n.parent) if (n.type === 'function_definition') return n;
  return undefined;
}

export function isMainGuard(node: Node): boolean {
  if (node.type !== 'if_statement') return false;
  const condition = field(node, 'condition');
  if (!condition || condition.type !== 'comparison_operator') return false;
  const operands = namedChildren(condition);
  if (operands.length !== 2 || !allChildren(condition).some((c) => c.type === '==')) return false;
  const texts = operands.map((operand) => (operand.type === 'identifier' ? operand.text : stringLiteral(operand)));
  return texts.includes('__name__') && texts.includes('__main__');
}

export function sameNode(a: Node, b: Node): boolean {
  return a.id === b.id && a.tree === b.tree;
}

/**
 * The identifier nodes spelled `name` in a file, found through the text first: far cheaper than
 * visiting every node of a large tree through WebAssembly.
 */
export function identifiersNamed(root: Node, text: string, name: string): Node[] {
  const found: Node[] = [];
  const pattern = new RegExp(`(?<![\\w])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w])`, 'g');
  for (const match of text.matchAll(pattern)) {
    const node = root.descendantForIndex(match.index!, match.index! + name.length);
    if (node?.type === 'identifier' && node.startIndex === match.index && node.text === name) found.push(node);
  }
  return found;
}
