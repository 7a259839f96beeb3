// The per-file edit context every fix is built with: the text as lines with its end-of-line and
// header, the indentation unit, the line length limit and the import block with its sections,
// read once per file (the analyzer makes one and hands it to every rule), plus the edits built
// from them: insert lines at a statement's indentation, add a keyword argument, reuse or add an
// import. Every fix goes through it, so all of them respect the file the same way.
import type { Node } from 'web-tree-sitter';
import type { ImportLint } from '../config';
import type { TextEdit } from '../findings';
import type { SourceFile } from '../model/sourceFile';
import { field, namedChildren } from '../model/syntax';
import { deleteStatements } from './envPlacement';
import { ImportBlock } from './importBlock';
import { detectIndentUnit, isDocstring, moduleLevelNames, point } from './pythonEdits';
import { TextLines } from './textLines';

/** PEP 8's limit, flake8's E501 default. */
export const PEP8_LINE_LIMIT = 79;

const STATEMENT_PARENTS = new Set(['module', 'block']);

export class EditContext {
  /** The text as lines, with the file's end-of-line and header (shebang, encoding line). */
  readonly lines: TextLines;
  /** One step of indentation, as the file writes it. */
  readonly indentUnit: string;
  /** The longest line a fix may leave: 79 (PEP 8, flake8's E501), or the file's own longest line. */
  readonly lineLimit: number;

  constructor(
    readonly file: SourceFile,
    /** The project's import-position rule (E402): which statements may stand between imports. */
    readonly importLint: ImportLint = 'pycodestyle',
  ) {
    this.lines = new TextLines(file.text);
    this.indentUnit = detectIndentUnit(this.lines.lines);
    // A loop, not Math.max(...lines): a file of many lines would overflow the argument list.
    let limit = PEP8_LINE_LIMIT;
    for (const line of this.lines.lines) if (line.length > limit) limit = line.length;
    this.lineLimit = limit;
  }

  get eol(): string {
    return this.lines.eol;
  }

  /** The first line after a shebang and an encoding declaration. */
  get headerEnd(): number {
    return this.lines.headerEnd();
  }

  lineText(row: number): string {
    return this.lines.lines[row] ?? '';
  }

  private block?: ImportBlock;

  /** The leading block of top-level imports, with their sections. */
  get imports(): ImportBlock {
    this.block ??= new ImportBlock(this.file.tree.rootNode, this.headerEnd);
    return this.block;
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

  /** Whole lines inserted before line `row`. */
  insertLinesBefore(row: number, code: string[]): TextEdit {
    return { range: point(row, 0), newText: code.map((l) => l + this.eol).join('') };
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
    // A line this makes too long is wrapped with every other fix's lines (lineWrap.ts), in one style.
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
    return { name: module, edits: [this.addImport(module, `import ${module}`)] };
  }

  /**
   * The name under which `from module import name` binds `name` at the top level, adding that
   * import in its section of the import block when there is none.
   */
  ensureFromImport(module: string, name: string): { name: string; edits: TextEdit[] } {
    for (const statement of namedChildren(this.file.tree.rootNode)) {
      if (statement.type !== 'import_from_statement' || field(statement, 'module_name')?.text !== module) continue;
      for (const imported of namedChildren(statement).slice(1)) {
        if (imported.type === 'dotted_name' && imported.text === name) return { name, edits: [] };
        if (imported.type === 'aliased_import' && field(imported, 'name')?.text === name) return { name: field(imported, 'alias')!.text, edits: [] };
      }
    }
    return { name, edits: [this.addImport(module, `from ${module} import ${name}`, true)] };
  }

  /** An import statement added in its section of the import block, in sorted position. */
  addImport(module: string, statement: string, from = false): TextEdit {
    const placement = this.imports.placement(module, statement, this.eol, from);
    return { range: point(placement!.row, 0), newText: placement!.newText };
  }

  /** Where a new top-level import goes when the file has none: after the docstring and `from __future__`. */
  importInsertionLine(): number {
    return this.imports.firstCodeRow;
  }

  /** Re-indents source lines from one indentation to another. */
  reindent(text: string, from: string, to: string): string[] {
    return text.split(/\r\n|\r|\n/).map((line, index) => {
      if (index === 0) return line;
      return line.startsWith(from) ? to + line.slice(from.length) : line;
    });
  }
}
