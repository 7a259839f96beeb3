// What the GF301 move needs to know about the value a late write stores: a literal invalid poll
// strategy that must be corrected before it may take effect (made effective as it is, it aborts
// the program at its first channel), and whether a value read at run time (`sys.argv[1]`) only
// reads names an import binds before grpc loads, so that it can move up with the write.
import type { Node } from 'web-tree-sitter';
import type { EnvWrite } from '../model/grpcEnvironment';
import type { SourceFile } from '../model/sourceFile';
import { field, namedChildren } from '../model/syntax';

export interface PollCorrection {
  /** The literal as written (`"epoll"`), replaced in the moved lines by `to` (`"poll"`). */
  from: string;
  to: string;
}

/** The correction of a write's literal value to `poll`, in the literal's own quotes; undefined unless it is one plain literal, written once. */
export function pollCorrection(statement: Node, write: EnvWrite): PollCorrection | undefined {
  if (write.value === undefined || statement.startPosition.row !== statement.endPosition.row) return undefined;
  const literals = statement.descendantsOfType('string').filter((s): s is Node => s !== null && unquoted(s) === write.value);
  if (literals.length !== 1 || namedChildren(literals[0]).some((c) => c.type === 'interpolation')) return undefined;
  const from = literals[0].text;
  const quote = /^[a-zA-Z]*('''|"""|'|")/.exec(from)?.[1];
  if (!quote || statement.text.split(from).length !== 2) return undefined;
  return { from, to: `${quote}poll${quote}` };
}

function unquoted(literal: Node): string | undefined {
  const content = namedChildren(literal).filter((c) => c.type === 'string_content');
  return content.length === 1 ? content[0].text : content.length === 0 ? '' : undefined;
}

/** Whether a top-level import statement before `target` binds `name` (`import sys`, `from sys import argv`). */
export function importedBefore(file: SourceFile, name: string, target: Node): boolean {
  for (const statement of namedChildren(file.tree.rootNode)) {
    if (statement.startIndex >= target.startIndex) return false;
    if (statement.type !== 'import_statement' && statement.type !== 'import_from_statement') continue;
    for (const imported of namedChildren(statement)) {
      if (imported.id === field(statement, 'module_name')?.id) continue;
      const bound = imported.type === 'aliased_import' ? field(imported, 'alias')?.text : imported.type === 'dotted_name' ? imported.text.split('.')[0] : undefined;
      if (bound === name) return true;
    }
  }
  return false;
}
