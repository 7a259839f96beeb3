// Where environment settings go so that gRPC sees them, and the line-level edits that put them
// there. Shared by the GF301 move, the GF302/GF303 value fix and GF101's "enable fork support".
//
// The place is just before the first top-level statement of the analysed file that loads grpc
// (an import of grpc, of a library or generated module built on it, of a workspace module that
// imports it) or makes a channel or server. Python allows nothing but the docstring, comments and
// other `from __future__` imports before a `from __future__` import, so that place is always
// after them.
import type { Node } from 'web-tree-sitter';
import type { TextEdit } from '../findings';
import { entrySite, isGrpcLoad } from '../model/grpcEnvironment';
import type { SourceFile } from '../model/sourceFile';
import { field, fields, namedChildren } from '../model/syntax';
import type { Site, Timeline } from '../model/timeline';
import type { EditContext } from './editContext';
import type { TextLines } from './textLines';

/** The top-level statement of its file that contains `node` (itself when it is one). */
export function topLevelStatement(node: Node): Node {
  let n = node;
  while (n.parent && n.parent.type !== 'module') n = n.parent;
  return n;
}

/**
 * The first top-level statement, in text order, that loads grpc or creates a gRPC object in the
 * parent process; undefined when there is none or when it shares its line with a statement
 * before it (`import os; import grpc`), where no whole line can go in front of it.
 */
export function grpcStartStatement(file: SourceFile, timeline: Timeline): Node | undefined {
  const sites: Site[] = [];
  for (const event of timeline.events) {
    if (event.kind === 'import' && !event.inChild && isGrpcLoad(event)) sites.push(entrySite(event.chain, event.site));
    if (event.kind === 'create' && !event.object.createdInChild) sites.push(entrySite(event.object.chain, event.object.creation));
  }
  const statements = sites.filter((site) => site.path === file.path).map((site) => topLevelStatement(site.node));
  if (!statements.length) return undefined;
  const first = statements.reduce((a, b) => (b.startIndex < a.startIndex ? b : a));
  return first.startPosition.column === 0 ? first : undefined;
}

/** A statement that fills its lines: nothing before it, at most a comment after it. */
export function ownsItsLines(statement: Node, lines: TextLines): boolean {
  const before = (lines.lines[statement.startPosition.row] ?? '').slice(0, statement.startPosition.column);
  const after = (lines.lines[statement.endPosition.row] ?? '').slice(statement.endPosition.column);
  return /^[ \t]*$/.test(before) && /^[ \t]*(#.*)?$/.test(after);
}

/** The text of a statement's lines, with the file's line ending, for moving it elsewhere. */
export function statementLines(statement: Node, lines: TextLines): string[] {
  return lines.lines.slice(statement.startPosition.row, statement.endPosition.row + 1);
}

/**
 * Deletes the lines of whole statements. Statements separated only by blank lines go as one block;
 * a block that stood alone between two blank lines takes one of them along, and a block at the end
 * of the file takes the blank lines before it, so no double gap or trailing gap is left.
 */
export function deleteStatements(statements: Node[], lines: TextLines): TextEdit[] {
  const blank = (row: number) => row >= 0 && row < lines.lines.length && lines.lines[row].trim() === '';
  const rows = new Set<number>();
  for (const statement of statements) {
    for (let row = statement.startPosition.row; row <= statement.endPosition.row; row++) rows.add(row);
  }
  const sorted = [...rows].sort((a, b) => a - b);
  const edits: TextEdit[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    const joins = (from: number, to: number) => {
      for (let row = from + 1; row < to; row++) if (!blank(row)) return false;
      return true;
    };
    while (j + 1 < sorted.length && joins(sorted[j], sorted[j + 1])) j++;
    edits.push(deleteLines(sorted[i], sorted[j], lines, blank));
    i = j + 1;
  }
  return edits;
}

function deleteLines(first: number, last: number, lines: TextLines, blank: (row: number) => boolean): TextEdit {
  let onlyBlankAfter = true;
  for (let row = last + 1; row < lines.lines.length; row++) if (!blank(row)) onlyBlankAfter = false;
  if (onlyBlankAfter) {
    // Up to the end of the file: from the end of the last line that stays before the block.
    let keep = first - 1;
    while (keep > 0 && blank(keep)) keep--;
    const end = lines.lines.length - 1;
    return {
      range: { start: { line: keep, character: lines.lineLength(keep) }, end: { line: end, character: lines.lineLength(end) } },
      // Keep the file's final line break, if it had one.
      newText: end > last && lines.lines[end] === '' ? lines.eol : '',
    };
  }
  // Between blank lines, as many blank lines stay as the larger of the two gaps (PEP 8's two
  // between definitions stay two, a single one stays one).
  const gap = (from: number, step: number) => {
    let n = 0;
    for (let row = from; row >= 0 && row < lines.lines.length && blank(row); row += step) n++;
    return n;
  };
  const end = last + Math.min(gap(first - 1, -1), gap(last + 1, 1));
  return { range: { start: { line: first, character: 0 }, end: { line: end + 1, character: 0 } }, newText: '' };
}

/** A top-level import that binds `name` to the `os` module or to a name imported from it. */
export interface OsBinding {
  statement: Node;
  /** The smallest import statement that binds the same name the same way. */
  minimal: string;
  /** True when the statement binds nothing else, so it can move as a whole. */
  alone: boolean;
}

export function osBinding(file: SourceFile, name: string): OsBinding | undefined {
  for (const statement of namedChildren(file.tree.rootNode)) {
    const type = statement.type;
    if (type !== 'import_statement' && type !== 'import_from_statement') continue;
    const names = fields(statement, 'name');
    if (type === 'import_statement') {
      for (const imported of names) {
        const module = imported.type === 'aliased_import' ? field(imported, 'name')?.text : imported.text;
        const alias = imported.type === 'aliased_import' ? field(imported, 'alias')?.text : module?.split('.')[0];
        if (alias !== name || !(module === 'os' || module?.startsWith('os.'))) continue;
        const minimal = imported.type === 'aliased_import' ? `import os as ${name}` : 'import os';
        return { statement, minimal, alone: names.length === 1 && module === 'os' };
      }
    } else if (field(statement, 'module_name')?.text === 'os') {
      for (const imported of names) {
        const original = imported.type === 'aliased_import' ? field(imported, 'name')?.text : imported.text;
        const alias = imported.type === 'aliased_import' ? field(imported, 'alias')?.text : original;
        if (alias !== name) continue;
        const minimal = alias === original ? `from os import ${original}` : `from os import ${original} as ${alias}`;
        return { statement, minimal, alone: names.length === 1 };
      }
    }
  }
  return undefined;
}

/** The name the first top-level `import os` (or `import os as x`) that precedes `before` binds. */
export function osModuleNameBefore(file: SourceFile, before: Node): string | undefined {
  for (const statement of namedChildren(file.tree.rootNode)) {
    if (statement.startIndex >= before.startIndex) return undefined;
    if (statement.type !== 'import_statement') continue;
    for (const imported of fields(statement, 'name')) {
      if (imported.type === 'aliased_import' && field(imported, 'name')?.text === 'os') return field(imported, 'alias')?.text;
      if (imported.type === 'dotted_name' && imported.text.split('.')[0] === 'os') return 'os';
    }
  }
  return undefined;
}

/**
 * What brings `name` into scope at the start of a block inserted before `target`: nothing when
 * an import before `target` binds it; the later import itself when it binds nothing else (moved,
 * so there is no duplicate); else a minimal copy of it. Undefined when no top-level import binds it.
 */
export function bringBindingBefore(
  file: SourceFile, name: string, target: Node, lines: TextLines,
): { importLines: string[]; moved?: Node } | undefined {
  const binding = osBinding(file, name);
  if (!binding) return undefined;
  if (binding.statement.startIndex < target.startIndex) return { importLines: [] };
  if (binding.alone && ownsItsLines(binding.statement, lines)) {
    return { importLines: statementLines(binding.statement, lines), moved: binding.statement };
  }
  return { importLines: [binding.minimal] };
}

/** What pycodestyle lets stand among imports without an E402 for the imports after it. */
const ALLOWED_AMONG_IMPORTS = new Set(['if_statement', 'try_statement', 'with_statement', 'future_import_statement', 'comment']);

/**
 * Statements inserted before `target` make every import that followed it in the file's import
 * block an E402 (flake8's "module level import not at top of file"): each gets `# noqa: E402`,
 * the convention of files that set the environment before `import grpc`. `removed` are statements
 * the same fix deletes (they no longer end the block).
 */
export function noqaFollowingImports(context: EditContext, target: Node, removed: Node[] = []): TextEdit[] {
  // Ruff's E402 lets `os.environ` modifications stand between imports (all these fixes write), and
  // reports a `# noqa: E402` it does not need (RUF100): a Ruff project gets none.
  if (context.importLint === 'ruff') return [];
  const edits: TextEdit[] = [];
  const statements = namedChildren(context.file.tree.rootNode).filter((s) => s.type !== 'comment');
  // Code before `target` already makes them E402: the file has its own way with that.
  if (statements.some((s, i) => s.startIndex < target.startIndex && !removed.some((r) => r.id === s.id) && endsImportBlock(s, i))) return [];
  for (const statement of statements) {
    if (statement.startIndex < target.startIndex || removed.some((r) => r.id === statement.id)) continue;
    if (statement.type === 'import_statement' || statement.type === 'import_from_statement') {
      const edit = noqaEdit(context, statement);
      if (edit) edits.push(edit);
      continue;
    }
    if (endsImportBlock(statement, -1)) break;
  }
  return edits;
}

/** A statement after which pycodestyle reports every top-level import (the `index`th of the module). */
function endsImportBlock(statement: Node, index: number): boolean {
  if (statement.type === 'import_statement' || statement.type === 'import_from_statement') return false;
  if (ALLOWED_AMONG_IMPORTS.has(statement.type) || isDunderAssignment(statement)) return false;
  return !(index === 0 && statement.type === 'expression_statement' && namedChildren(statement)[0]?.type === 'string');
}

function noqaEdit(context: EditContext, statement: Node): TextEdit | undefined {
  // The first line, where flake8 reports it, unless it ends in a backslash (no comment can follow).
  let row = statement.startPosition.row;
  if (/\\\s*$/.test(context.lineText(row))) row = statement.endPosition.row;
  const line = context.lineText(row);
  const noqa = /#\s*noqa\b(:\s*([A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?/i.exec(line);
  if (noqa && (!noqa[2] || /\bE402\b/i.test(noqa[2]))) return undefined;
  if (noqa) {
    const at = noqa.index + noqa[0].length;
    return { range: { start: { line: row, character: at }, end: { line: row, character: at } }, newText: ', E402' };
  }
  const end = context.lines.lineContentEnd(row);
  return { range: { start: { line: row, character: end }, end: { line: row, character: end } }, newText: '  # noqa: E402' };
}

function isDunderAssignment(statement: Node): boolean {
  return statement.type === 'expression_statement' && /^__\w+__\s*[:=]/.test(statement.text);
}
