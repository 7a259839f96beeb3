// Where an added `import module` goes so that isort and flake8 accept it: into the file's first
// group of top-level imports (the standard library's, by convention), in sorted position among
// its plain `import x` statements, which isort puts before the `from x import y` ones.
import type { Node } from 'web-tree-sitter';
import { namedChildren } from '../model/syntax';

const IMPORTS = new Set(['import_statement', 'import_from_statement']);

/**
 * The row to insert `import module` at, or undefined when the file has no import group before
 * `limit` (the first statement that needs the module) to put it in.
 */
export function sortedImportRow(root: Node, module: string, limit?: Node): number | undefined {
  const statements = namedChildren(root).filter((s) => s.type !== 'comment');
  const first = statements.findIndex((s) => IMPORTS.has(s.type));
  if (first < 0) return undefined;
  // The first group: consecutive imports with no blank line between them.
  const group: Node[] = [statements[first]];
  for (let i = first + 1; i < statements.length; i++) {
    const s = statements[i];
    if (!IMPORTS.has(s.type) || s.startPosition.row > group[group.length - 1].endPosition.row + 1) break;
    group.push(s);
  }
  const key = module.toLowerCase();
  const after = group.find((s) => s.type === 'import_from_statement' || (s.text.replace(/^import\s+/, '').toLowerCase() > key));
  const row = after ? after.startPosition.row : group[group.length - 1].endPosition.row + 1;
  if (limit && row > limit.startPosition.row) return undefined;
  return row;
}
