// Building blocks for fixes that edit Python source: find the statement around a node, insert
// lines with the file's own indentation and line endings, add a keyword argument, reuse or add
// an import. Every fix goes through these so that all of them respect the file the same way.
import type { Node } from 'web-tree-sitter';
import type { Position, TextEdit } from '../findings';
import type { SourceFile } from '../model/sourceFile';
import { field, namedChildren } from '../model/syntax';
import { deleteStatements } from './envPlacement';
import { TextLines } from './textLines';

const STATEMENT_PARENTS = new Set(['module', 'block']);

import { sortedImportRow } from './importPlacement';

export class PythonEdits {
  readonly lines: TextLines;
  readonly indentUnit: string;

  constructor(readonly file: SourceFile) {
    this.lines = new TextLines(file.text);
    this.indentUnit = detectIndentUnit(this.lines.lines);
  }

  get eol(): string {
    return this.lines.eol;
  }

  private names?: Set<string>;

  /** The module's top-level names (see moduleLevelNames), computed once per file. */
  moduleNames(): Set<string> {
    this.names ??= moduleLevelNames(this.file.tree.rootNode);
    return this.names;
  }

  /** The statement (a direct child of a block or the module) that contains `node`. */
  statementOf(node: Node): Node {
    let current: Node = node;
    while (current.parent && !STATEMENT_PARENTS.has(current.parent.type)) current = current.parent;
    return current;
  }

  indentOf(statement: Node): string {
    return this.lines.indentOf(statement.startPosition.row);
  }

  /** Lines of code inserted on their own lines before `statement`, at its indentation. */
  insertBefore(statement: Node, code: string[], indent = this.indentOf(statement)): TextEdit {
    const line = statement.startPosition.row;
    const text = code.map((l) => (l ? indent + l : l) + this.eol).join('');
    return { range: point(line, 0), newText: text };
  }

  /** Lines inserted after `statement` (after its last line). */
  insertAfter(statement: Node, code: string[], indent = this.indentOf(statement)): TextEdit {
    const line = statement.endPosition.row;
    const end = this.lines.lineLength(line);
    const text = code.map((l) => this.eol + (l ? indent + l : l)).join('');
    return { range: point(line, end), newText: text };
  }

  /** Lines inserted as the first statements of a function body (after its docstring). */
  insertAtBodyStart(definition: Node, code: string[]): TextEdit | undefined {
    const body = field(definition, 'body');
    const statements = body ? namedChildren(body).filter((s) => s.type !== 'comment') : [];
    if (!body || statements.length === 0) return undefined;
    const first = statements[0];
    // A one-line body (`def f(): return x`) has no line of its own to insert before.
    if (first.startPosition.row === definition.startPosition.row) return undefined;
    const indent = this.indentOf(first);
    if (isDocstring(first)) return this.insertAfter(first, code, indent);
    return this.insertBefore(first, code, indent);
  }

  /** Deletes statements with their lines, leaving no double gap (see envPlacement.deleteStatements). */
  deleteStatementRuns(statements: Node[]): TextEdit[] {
    return deleteStatements(statements, this.lines);
  }

  /** Adds `name=value` at the end of a call's arguments. */
  addKeywordArgument(call: Node, name: string, value: string): TextEdit | undefined {
    const args = field(call, 'arguments');
    if (!args || args.type !== 'argument_list') return undefined;
    const items = namedChildren(args).filter((a) => a.type !== 'comment');
    const closing = { line: args.endPosition.row, character: args.endPosition.column - 1 };
    if (items.length === 0) return { range: { start: closing, end: closing }, newText: `${name}=${value}` };
    const last = items[items.length - 1];
    const afterLast = args.text.slice(last.endIndex - args.startIndex, args.text.length - 1);
    const insertAt = { line: last.endPosition.row, character: last.endPosition.column };
    if (afterLast.includes(',')) {
      // A trailing comma: the new argument goes after it, on the last argument's line style.
      return { range: { start: closing, end: closing }, newText: afterLast.includes('\n') ? `${this.indentUnit}${name}=${value},${this.eol}${this.lines.indentOf(args.endPosition.row)}` : ` ${name}=${value}` };
    }
    const row = last.endPosition.row;
    const limit = Math.max(79, ...this.lines.lines.map((l) => l.length));
    if (args.startPosition.row === row && this.lines.lines[row].length + name.length + value.length + 3 > limit) {
      // Too long for one line: the new argument on a line of its own, aligned with the first (PEP 8's visual indent).
      return { range: { start: insertAt, end: insertAt }, newText: `,${this.eol}${' '.repeat(args.startPosition.column + 1)}${name}=${value}` };
    }
    return { range: { start: insertAt, end: insertAt }, newText: `, ${name}=${value}` };
  }

  /**
   * The name under which `module` is imported at the top level (`import os` → "os",
   * `import multiprocessing as mp` → "mp"), adding `import module` when there is none.
   */
  ensureModuleImport(module: string): { name: string; edits: TextEdit[] } {
    for (const statement of namedChildren(this.file.tree.rootNode)) {
      if (statement.type !== 'import_statement') continue;
      for (const name of namedChildren(statement)) {
        if (name.type === 'dotted_name' && name.text === module) return { name: module, edits: [] };
        if (name.type === 'aliased_import' && field(name, 'name')?.text === module) return { name: field(name, 'alias')!.text, edits: [] };
      }
    }
    const line = sortedImportRow(this.file.tree.rootNode, module) ?? this.importInsertionLine();
    return { name: module, edits: [{ range: point(line, 0), newText: `import ${module}${this.eol}` }] };
  }

  /** Where a new top-level import goes: before the first import, after docstring and __future__. */
  importInsertionLine(): number {
    const statements = namedChildren(this.file.tree.rootNode).filter((s) => s.type !== 'comment');
    for (const statement of statements) {
      if (isDocstring(statement) && statement === statements[0]) continue;
      if (statement.type === 'future_import_statement') continue;
      return statement.startPosition.row;
    }
    const last = statements[statements.length - 1];
    return last ? last.endPosition.row + 1 : this.lines.headerEnd();
  }

  /** Re-indents source lines from one indentation to another. */
  reindent(text: string, from: string, to: string): string[] {
    return text.split(/\r\n|\r|\n/).map((line, index) => {
      if (index === 0) return line;
      return line.startsWith(from) ? to + line.slice(from.length) : line;
    });
  }
}

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
