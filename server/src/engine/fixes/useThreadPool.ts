// GF204's fix: replace the process pool given to `grpc.server(...)` by
// `futures.ThreadPoolExecutor` with the same worker count (and initializer), reaching
// `ThreadPoolExecutor` through a name the file already binds, or importing `futures`.
import type { Node } from 'web-tree-sitter';
import type { Fix, TextEdit } from '../findings';
import { FORK_APIS } from '../model/apiCatalog';
import { enclosingFunction, field, fields, identifiersNamed, namedChildren } from '../model/syntax';
import type { EditContext } from './editContext';
import { deleteStatements, ownsItsLines } from './envPlacement';
import { itemsOf, removeItem, replaceNode } from './sequenceEdits';
import { freeNames } from './pythonEdits';

export const USE_THREAD_POOL_TITLE = 'Use a thread pool';

const IMPORT_TYPES = ['import_statement', 'import_from_statement', 'future_import_statement'];

/** `poolCall` is the pool construction passed to grpc.server; `qname` what its callee resolves to. */
export function useThreadPoolFix(edits: EditContext, poolCall: Node, qname: string): Fix | undefined {
  const produces = FORK_APIS[qname]?.produces;
  if (poolCall.type !== 'call' || (produces !== 'pool' && produces !== 'executor')) return undefined;
  const args = pickArguments(poolCall, produces);
  if (!args) return undefined;
  const reach = threadPoolName(poolCall, qname);
  if (!reach) return undefined;
  const replacement = `${reach.name}(${args.join(', ')})`;
  const changes: TextEdit[] = [replaceNode(poolCall, replacement)];
  const call = topLevelStatement(poolCall);
  const removed: Node[] = [];
  // The names the old call alone used (its callee's module, an `mp_context=` argument's module).
  for (const name of freeNames(poolCall)) {
    if (new RegExp(`(?<![\\w.])${name}(?![\\w])`).test(replacement)) continue;
    const unused = unusedImport(poolCall, name);
    if (!unused) continue;
    if (unused.item) changes.push(removeItem(unused.statement, unused.item));
    else removed.push(unused.statement);
  }
  const added = reach.addImport;
  const placement = added && edits.imports.placement(added.module, added.line, edits.eol, added.from, call, removed);
  // Where the new import goes is where an import it replaces was: `from concurrent.futures import
  // ProcessPoolExecutor` becomes `from concurrent import futures` in place.
  const inPlace = placement && removed.find((s) => nextTo(edits, s, placement.row) && ownsItsLines(s, edits.lines));
  if (added && inPlace) changes.push(replaceNode(inPlace, added.line));
  changes.push(...deleteStatements(removed.filter((s) => s !== inPlace), edits.lines));
  if (added && !inPlace) {
    const row = placement?.row ?? call.startPosition.row;
    changes.unshift({ range: { start: { line: row, character: 0 }, end: { line: row, character: 0 } }, newText: placement?.newText ?? `${added.line}${edits.eol}` });
  }
  return { title: USE_THREAD_POOL_TITLE, kind: 'useThreadPool', applicability: 'safe', edits: changes };
}

/**
 * The import of `name` when only the replaced pool used it (`import multiprocessing` for
 * `multiprocessing.Pool(4)`) goes too, or flake8 reports it unused (F401): the whole statement, or
 * `item` when the statement imports other names as well.
 */
function unusedImport(poolCall: Node, name: string): { statement: Node; item?: Node } | undefined {
  const root = poolCall.tree.rootNode;
  const others = identifiersNamed(root, root.text, name).filter((id) => id.startIndex < poolCall.startIndex || id.startIndex >= poolCall.endIndex);
  const binding = others.find((id) => IMPORT_TYPES.includes(statementOf(id).type));
  if (!binding || others.length !== 1) return undefined;
  const statement = statementOf(binding);
  if (statement.parent?.type !== 'module') return undefined;
  const names = fields(statement, 'name');
  if (names.length > 1) {
    const item = names.find((n) => n.startIndex <= binding.startIndex && n.endIndex >= binding.endIndex);
    return item ? { statement, item } : undefined;
  }
  return { statement };
}

/** Whether line `row` is where `statement` starts, or follows it with only blank lines between. */
function nextTo(edits: EditContext, statement: Node, row: number): boolean {
  if (row < statement.startPosition.row) return false;
  for (let r = statement.endPosition.row + 1; r < row; r++) if (edits.lineText(r).trim()) return false;
  return true;
}

function statementOf(node: Node): Node {
  let n = node;
  while (n.parent && n.parent.type !== 'module' && n.parent.type !== 'block') n = n.parent;
  return n;
}

/** ThreadPoolExecutor's arguments from the pool's: the worker count and the initializer. */
function pickArguments(call: Node, produces: 'pool' | 'executor'): string[] | undefined {
  const argumentList = field(call, 'arguments');
  if (!argumentList || argumentList.type !== 'argument_list') return undefined;
  const items = itemsOf(argumentList);
  if (items.some((a) => a.type === 'list_splat' || a.type === 'dictionary_splat')) return undefined;
  const positional = items.filter((a) => a.type !== 'keyword_argument');
  const keyword = (name: string) => {
    const argument = items.find((a) => a.type === 'keyword_argument' && field(a, 'name')?.text === name);
    return argument ? field(argument, 'value') : undefined;
  };
  // Pool(processes, initializer, initargs); ProcessPoolExecutor(max_workers, mp_context, initializer, initargs).
  const slots = produces === 'pool' ? { workers: 'processes', initializer: 1, initargs: 2 } : { workers: 'max_workers', initializer: 2, initargs: 3 };
  const workers = keyword(slots.workers) ?? positional[0];
  const initializer = keyword('initializer') ?? positional[slots.initializer];
  const initargs = keyword('initargs') ?? positional[slots.initargs];
  const result: string[] = [];
  if (workers && workers.type !== 'none') result.push(`max_workers=${workers.text}`);
  if (initializer && initializer.type !== 'none') result.push(`initializer=${initializer.text}`);
  if (initargs && initializer && initializer.type !== 'none') result.push(`initargs=${initargs.text}`);
  return result;
}

interface Reach {
  name: string;
  /** The import that brings it, when the file has none. */
  addImport?: { module: string; line: string; from: boolean };
}

function threadPoolName(call: Node, qname: string): Reach | undefined {
  const callee = field(call, 'function');
  // `futures.ProcessPoolExecutor(...)` → `futures.ThreadPoolExecutor(...)`, whatever `futures` is called.
  if (callee?.type === 'attribute' && qname === 'concurrent.futures.ProcessPoolExecutor') {
    return { name: `${field(callee, 'object')!.text}.ThreadPoolExecutor` };
  }
  const module = call.tree.rootNode;
  const imports = namedChildren(module).filter((s) => IMPORT_TYPES.includes(s.type));
  const statement = topLevelStatement(call);
  const usable = imports.filter((s) => s.startIndex < statement.startIndex || !!enclosingFunction(call));
  for (const statement of usable) {
    const bound = bindsThreadPool(statement);
    if (bound) return { name: bound };
  }
  const taken = boundAtModuleLevel(module);
  if (!taken.has('futures')) return { name: 'futures.ThreadPoolExecutor', addImport: { module: 'concurrent', line: 'from concurrent import futures', from: true } };
  if (!taken.has('concurrent')) return { name: 'concurrent.futures.ThreadPoolExecutor', addImport: { module: 'concurrent.futures', line: 'import concurrent.futures', from: false } };
  return undefined;
}

/** The expression an import statement makes ThreadPoolExecutor reachable by, if any. */
function bindsThreadPool(statement: Node): string | undefined {
  const aliasOf = (name: Node) => (name.type === 'aliased_import' ? { name: field(name, 'name')!.text, alias: field(name, 'alias')!.text } : { name: name.text, alias: undefined });
  if (statement.type === 'import_statement') {
    for (const name of fields(statement, 'name')) {
      const { name: dotted, alias } = aliasOf(name);
      if (dotted.replace(/\s+/g, '') !== 'concurrent.futures') continue;
      return `${alias ?? 'concurrent.futures'}.ThreadPoolExecutor`;
    }
    return undefined;
  }
  if (statement.type !== 'import_from_statement') return undefined;
  const module = field(statement, 'module_name')?.text.replace(/\s+/g, '');
  for (const name of fields(statement, 'name')) {
    const { name: imported, alias } = aliasOf(name);
    if (module === 'concurrent' && imported === 'futures') return `${alias ?? 'futures'}.ThreadPoolExecutor`;
    if ((module === 'concurrent.futures' || module === 'concurrent.futures.thread') && imported === 'ThreadPoolExecutor') return alias ?? 'ThreadPoolExecutor';
  }
  return undefined;
}

/** Names the module's top level binds (imports, assignments, definitions), to avoid a clash. */
function boundAtModuleLevel(module: Node): Set<string> {
  const names = new Set<string>();
  for (const statement of namedChildren(module)) {
    if (statement.type === 'import_statement') {
      for (const name of fields(statement, 'name')) names.add(name.type === 'aliased_import' ? field(name, 'alias')!.text : name.text.split('.')[0]);
    } else if (statement.type === 'import_from_statement') {
      for (const name of fields(statement, 'name')) names.add(name.type === 'aliased_import' ? field(name, 'alias')!.text : name.text);
    } else if (statement.type === 'function_definition' || statement.type === 'class_definition') {
      names.add(field(statement, 'name')?.text ?? '');
    } else {
      for (const identifier of statement.descendantsOfType('identifier')) {
        if (identifier && identifier.parent?.type === 'assignment' && identifier.parent.childForFieldName('left')?.id === identifier.id) names.add(identifier.text);
      }
    }
  }
  return names;
}

function topLevelStatement(node: Node): Node {
  let current = node;
  while (current.parent && current.parent.type !== 'module') current = current.parent;
  return current;
}
