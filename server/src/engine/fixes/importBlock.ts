// The file's leading block of top-level imports, read once per file, and where an added import
// goes in it so that isort and Ruff's isort rules accept it: in its own section (`__future__`,
// standard library, third party, first party, in that order, a blank line between sections), in
// sorted position inside the section, plain `import x` before `from x import y`.
import type { Node } from 'web-tree-sitter';
import { field, namedChildren } from '../model/syntax';
import { STANDARD_LIBRARY } from './standardLibrary';

export type ImportSection = 'future' | 'stdlib' | 'thirdParty' | 'firstParty';
const SECTION_ORDER: ImportSection[] = ['future', 'stdlib', 'thirdParty', 'firstParty'];

export interface BlockImport {
  statement: Node;
  /** The imported module as written (`os.path`, `.models`, `concurrent.futures`). */
  module: string;
  /** `from module import name` rather than `import module`. */
  from: boolean;
  section: ImportSection;
}

/** Where to insert an import: before line `row`, `newText` (the import, plus a blank line when it opens a section). */
export interface ImportPlacement {
  row: number;
  newText: string;
}

export class ImportBlock {
  /** The imports of the leading block, in text order. */
  readonly imports: BlockImport[];
  /** The line new imports go to when the file has none: after the docstring and `from __future__` imports. */
  readonly firstCodeRow: number;

  constructor(root: Node, headerEnd: number) {
    this.imports = [];
    let row = headerEnd;
    let reading = true;
    const statements = namedChildren(root).filter((s) => s.type !== 'comment');
    for (const [index, statement] of statements.entries()) {
      const entry = blockImport(statement);
      if (reading && (entry?.section === 'future' || (index === 0 && isDocstringStatement(statement)))) {
        row = statement.endPosition.row + 1;
        if (entry) this.imports.push(entry);
        continue;
      }
      if (reading) row = statement.startPosition.row;
      reading = false;
      if (!entry) break;
      this.imports.push(entry);
    }
    this.firstCodeRow = row;
  }

  /**
   * Where `import module` (or `from module import …` when `from`) goes, undefined when that place
   * is not before `limit` (the first statement that needs the import). `removed`: imports the same
   * fix deletes, which no longer count.
   */
  placement(module: string, line: string, eol: string, from = false, limit?: Node, removed: Node[] = []): ImportPlacement | undefined {
    const section = sectionOf(module);
    const key = sortKey(module, from);
    const imports = this.imports.filter((i) => !removed.some((r) => r.id === i.statement.id));
    const same = imports.filter((i) => i.section === section);
    let placement: ImportPlacement;
    if (same.length) {
      const next = same.find((i) => sortKey(i.module, i.from) > key);
      const row = next ? next.statement.startPosition.row : same[same.length - 1].statement.endPosition.row + 1;
      placement = { row, newText: line + eol };
    } else {
      const order = SECTION_ORDER.indexOf(section);
      const later = imports.find((i) => SECTION_ORDER.indexOf(i.section) > order);
      const earlier = [...imports].reverse().find((i) => SECTION_ORDER.indexOf(i.section) < order);
      if (later && (!earlier || earlier.statement.startIndex < later.statement.startIndex)) {
        // A section of its own before the next one: the blank line separates them.
        placement = { row: later.statement.startPosition.row, newText: line + eol + eol };
      } else if (earlier) {
        placement = { row: earlier.statement.endPosition.row + 1, newText: eol + line + eol };
      } else {
        placement = { row: this.firstCodeRow, newText: line + eol };
      }
    }
    if (limit && placement.row > limit.startPosition.row) return undefined;
    return placement;
  }
}

export function sectionOf(module: string): ImportSection {
  if (module === '__future__') return 'future';
  if (module.startsWith('.')) return 'firstParty';
  return STANDARD_LIBRARY.has(module.split('.')[0]) ? 'stdlib' : 'thirdParty';
}

function sortKey(module: string, from: boolean): string {
  return `${from ? 1 : 0}${module.toLowerCase()}`;
}

function blockImport(statement: Node): BlockImport | undefined {
  if (statement.type === 'future_import_statement') return { statement, module: '__future__', from: true, section: 'future' };
  if (statement.type === 'import_statement') {
    const first = namedChildren(statement)[0];
    const module = (first?.type === 'aliased_import' ? field(first, 'name') : first)?.text ?? '';
    return { statement, module, from: false, section: sectionOf(module) };
  }
  if (statement.type === 'import_from_statement') {
    const module = field(statement, 'module_name')?.text ?? '';
    return { statement, module, from: true, section: sectionOf(module) };
  }
  return undefined;
}

function isDocstringStatement(statement: Node): boolean {
  const children = namedChildren(statement);
  return statement.type === 'expression_statement' && children.length === 1 && children[0].type === 'string';
}
