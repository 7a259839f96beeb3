// Facts about Python source that fixes share: docstrings, the indentation unit, the names a
// module binds, the names an expression reads. The per-file edit context is editContext.ts.
import type { Node } from 'web-tree-sitter';
import type { Position } from '../findings';
import { field, identifiersNamed, namedChildren } from '../model/syntax';

export function point(line: number, character: number): { start: Position; end: Position } {
  return { start: { line, character }, end: { line, character } };
}

export function isDocstring(statement: Node): boolean {
  return statement.type === 'expression_statement' && namedChildren(statement)[0]?.type === 'string' && namedChildren(statement).length === 1;
}

/** The file's indentation unit: the step of the first indented block, else four spaces. */
export function detectIndentUnit(lines: string[]): string {
  for (let i = 0; i < lines.length - 1; i++) {
    if (!/:\s*(#.*)?$/.test(lines[i])) continue;
    const outer = /^[ \t]*/.exec(lines[i])![0];
    for (let j = i + 1; j < lines.length; j++) {
      if (!lines[j].trim()) continue;
      const inner = /^[ \t]*/.exec(lines[j])![0];
      if (inner.length > outer.length && inner.startsWith(outer)) return inner.slice(outer.length);
      break;
    }
  }
  return '    ';
}

/** Top-level names a module defines (assignments, defs, classes, imports): usable from any function. */
export function moduleLevelNames(root: Node): Set<string> {
  const names = new Set<string>();
  const visit = (statement: Node) => {
    switch (statement.type) {
      case 'function_definition':
      case 'class_definition':
        names.add(field(statement, 'name')?.text ?? '');
        return;
      case 'decorated_definition': {
        const definition = field(statement, 'definition');
        if (definition) visit(definition);
        return;
      }
      case 'import_statement':
      case 'import_from_statement':
        for (const name of namedChildren(statement)) {
          if (name === field(statement, 'module_name')) continue;
          if (name.type === 'aliased_import') names.add(field(name, 'alias')?.text ?? '');
          else if (name.type === 'dotted_name') names.add(name.text.split('.')[0]);
        }
        return;
      case 'expression_statement':
        for (const assignment of namedChildren(statement).filter((c) => c.type === 'assignment')) {
          for (const target of assignedNames(assignment)) names.add(target);
        }
        return;
      case 'if_statement':
      case 'try_statement':
      case 'with_statement':
        for (const block of statement.descendantsOfType('block')) {
          if (block?.parent && (block.parent === statement || block.parent.parent === statement)) namedChildren(block).forEach(visit);
        }
        return;
      default:
    }
  };
  namedChildren(root).forEach(visit);
  return names;
}

export function assignedNames(assignment: Node): string[] {
  // `a = b = c = value`: the chain is followed in a loop, however long it is.
  for (let current: Node | undefined = assignment; current;) {
    const left = field(current, 'left');
    if (!left) return [];
    if (left.type === 'identifier') return [left.text];
    if (left.type === 'pattern_list' || left.type === 'tuple_pattern') return namedChildren(left).filter((n) => n.type === 'identifier').map((n) => n.text);
    const right = field(current, 'right');
    current = right?.type === 'assignment' ? right : undefined;
  }
  return [];
}

/** Identifiers an expression reads (not attribute names, not keyword-argument names). */
export function freeNames(node: Node): Set<string> {
  const names = new Set<string>();
  // Iterative, in document order: a hostile expression's depth must not overflow the stack.
  const pending = [node];
  for (let n = pending.pop(); n; n = pending.pop()) {
    if (n.type === 'identifier') {
      const parent = n.parent;
      if (parent?.type === 'attribute' && field(parent, 'attribute')?.id === n.id) continue;
      if (parent?.type === 'keyword_argument' && field(parent, 'name')?.id === n.id) continue;
      names.add(n.text);
      continue;
    }
    pending.push(...namedChildren(n).reverse());
  }
  return names;
}

/** `base`, or `base_2`, `base_3`... whichever the module does not define yet. */
export function uniqueName(taken: Set<string>, base: string): string {
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}_${i}`;
  return name;
}

/**
 * Whether the file mentions `name` outside the `except` nodes (its definition, the use a fix
 * rewrites): a constant used elsewhere is not edited for one use, and one used only there is.
 */
export function mentionedElsewhere(root: Node, name: string, except: Node[]): boolean {
  return identifiersNamed(root, root.text, name).some((id) => !except.some((n) => id.startIndex >= n.startIndex && id.endIndex <= n.endIndex));
}
