// "Use the 'spawn' start method": the fork site becomes `multiprocessing.get_context("spawn")...`
// (or gains `mp_context=` for a ProcessPoolExecutor). Offered only when spawn can work: the
// children run top-level functions (spawn pickles them), no gRPC object is handed over as an
// argument (channels do not pickle), and the fork is guarded by a function or `__main__` (spawn
// re-imports the main module).
import type { Node } from 'web-tree-sitter';
import type { Fix, TextEdit } from '../findings';
import { nodeRange } from '../model/sourceFile';
import { field, identifiersNamed, isMainGuard, namedChildren } from '../model/syntax';
import type { ForkSite, GrpcObject, Timeline } from '../model/timeline';
import { childUses, usedName } from './channelBinding';
import type { EditContext } from './editContext';
import { uniqueName } from './pythonEdits';
import { defaultContextObjects, importedNames, mainGuardBlock, qualifiedCallee, runsAtImport, unpicklableArgument } from './spawnReadiness';

export function spawnStartMethodFix(edits: EditContext, timeline: Timeline, fork: ForkSite, object?: GrpcObject): Fix | undefined {
  if (fork.origin.path !== edits.file.path || fork.product === 'pid' || fork.product === 'manager') return undefined;
  if (fork.opaqueEntry || fork.entryFunctions.some((def) => def.parent?.type !== 'module' && def.parent?.parent?.type !== 'module')) return undefined;
  if (!guarded(fork.origin.node)) return undefined;
  const globals = edits.moduleNames();
  if (object && childUses(timeline, object, fork).some((use) => !globals.has(usedName(use.site.node)))) return undefined;
  if (unpicklableArgument(edits, timeline, fork)) return undefined;
  const shared = defaultContextObjects(edits.file.tree.rootNode, edits.file.text);
  if (shared.length > 0) return wholeProgramSpawn(edits, [fork.origin.node, ...shared]);
  const call = fork.origin.node;
  const callee = field(call, 'function');
  if (!callee) return undefined;
  const calleeName = callee.type === 'attribute' ? field(callee, 'attribute')?.text : callee.text;
  const title = `Use the 'spawn' start method for \`${callee.text}(...)\``;
  if (fork.product !== 'executor' && (calleeName === 'Pool' || calleeName === 'Process')) {
    // The smallest edits that leave no unused name: the context's own method, or the imported name.
    const own = contextVariableEdit(edits, callee);
    if (own) return { title, kind: 'spawnAtForkSite', applicability: 'unsafe', edits: [own] };
    const imported = fromImportEdits(edits, callee);
    if (imported) return { title, kind: 'spawnAtForkSite', applicability: 'unsafe', edits: imported };
  }
  const multiprocessing = edits.ensureModuleImport('multiprocessing');
  const context = `${multiprocessing.name}.get_context("spawn")`;
  const changes: TextEdit[] = [...multiprocessing.edits];
  if (fork.product === 'executor') {
    const existing = namedChildren(field(call, 'arguments') ?? call).find((a) => a.type === 'keyword_argument' && field(a, 'name')?.text === 'mp_context');
    const value = existing && field(existing, 'value');
    if (value) changes.push({ range: nodeRange(value), newText: context });
    else {
      const add = edits.addKeywordArgument(call, 'mp_context', context);
      if (!add) return undefined;
      changes.push(add);
    }
  } else if (calleeName === 'Pool' || calleeName === 'Process') {
    const inline = `${context}.${calleeName}`;
    if (!tooLong(edits, callee, inline)) changes.push({ range: nodeRange(callee), newText: inline });
    else {
      // The context gets a name of its own on the line before, so no line grows past the file's longest.
      const statement = edits.statementOf(call);
      const taken = new Set(edits.file.tree.rootNode.descendantsOfType('identifier').map((id) => id?.text ?? ''));
      const name = uniqueName(taken, 'spawn_context');
      changes.push(edits.insertBefore(statement, [`${name} = ${context}`]), { range: nodeRange(callee), newText: `${name}.${calleeName}` });
    }
  } else {
    return undefined;
  }
  return { title, kind: 'spawnAtForkSite', applicability: 'unsafe', edits: changes };
}

/**
 * `ctx.Process(...)` where `ctx = multiprocessing.get_context("fork")` in the same scope: the
 * method string becomes "spawn" (everything else made from `ctx` then shares the context).
 */
function contextVariableEdit(edits: EditContext, callee: Node): TextEdit | undefined {
  const owner = callee.type === 'attribute' ? field(callee, 'object') : undefined;
  if (owner?.type !== 'identifier') return undefined;
  const scope = enclosingScope(callee);
  const imports = importedNames(edits.file.tree.rootNode);
  const assignments = scope.descendantsOfType('assignment').filter((a): a is Node => a !== null && field(a, 'left')?.text === owner.text && enclosingScope(a).id === scope.id);
  if (assignments.length !== 1) return undefined;
  const value = field(assignments[0], 'right');
  const getter = value?.type === 'call' ? field(value, 'function') : undefined;
  if (!value || !getter || qualifiedCallee(getter, imports) !== 'multiprocessing.get_context') return undefined;
  const [method] = namedChildren(field(value, 'arguments') ?? value);
  if (method?.type !== 'string') return undefined;
  const quote = method.text.startsWith("'") ? "'" : '"';
  return { range: nodeRange(method), newText: `${quote}spawn${quote}` };
}

/**
 * `Pool(...)` with `from multiprocessing import Pool` and no other use of `Pool`: the import
 * brings `get_context` instead, and the call becomes `get_context("spawn").Pool(...)`.
 */
function fromImportEdits(edits: EditContext, callee: Node): TextEdit[] | undefined {
  if (callee.type !== 'identifier') return undefined;
  const root = edits.file.tree.rootNode;
  const imports = importedNames(root);
  if (imports.get(callee.text) !== `multiprocessing.${callee.text}` || imports.has('get_context')) return undefined;
  const uses = identifiersNamed(root, edits.file.text, callee.text);
  const importName = uses.find((id) => id.parent?.type === 'dotted_name' && id.parent.parent?.type === 'import_from_statement');
  if (!importName || uses.length !== 2) return undefined;
  const rename = { range: nodeRange(importName), newText: 'get_context' };
  const inline = `get_context("spawn").${callee.text}`;
  if (!tooLong(edits, callee, inline)) return [rename, { range: nodeRange(callee), newText: inline }];
  const taken = new Set(root.descendantsOfType('identifier').map((id) => id?.text ?? ''));
  const name = uniqueName(taken, 'spawn_context');
  const statement = edits.statementOf(callee);
  if (statement.startPosition.row <= importName.endPosition.row) return undefined;
  return [rename, edits.insertBefore(statement, [`${name} = get_context("spawn")`]), { range: nodeRange(callee), newText: `${name}.${callee.text}` }];
}

function enclosingScope(node: Node): Node {
  for (let n = node.parent; n; n = n.parent) if (n.type === 'function_definition' || n.type === 'module') return n;
  return node.tree.rootNode;
}

/**
 * `multiprocessing.set_start_method("spawn")` as the first statement under the `__main__` guard, so
 * the multiprocessing objects the program shares with its children come from the same context as
 * the children. Only when everything it makes (`made`) is made after that point, never at import.
 */
function wholeProgramSpawn(edits: EditContext, made: Node[]): Fix | undefined {
  const root = edits.file.tree.rootNode;
  const block = mainGuardBlock(root);
  if (!block || made.some(runsAtImport)) return undefined;
  if (/\bset_start_method\s*\(/.test(edits.file.text)) return undefined;
  const first = namedChildren(block).find((s) => s.type !== 'comment');
  if (!first) return undefined;
  const multiprocessing = edits.ensureModuleImport('multiprocessing');
  return {
    title: `Use the 'spawn' start method for the whole program (\`${multiprocessing.name}.set_start_method("spawn")\` under \`__main__\`)`,
    kind: 'spawnForProgram',
    applicability: 'unsafe',
    edits: [...multiprocessing.edits, edits.insertBefore(first, [`${multiprocessing.name}.set_start_method("spawn")`])],
  };
}

/** Inside a function or an `if __name__ == "__main__":` block. */
function guarded(node: Node): boolean {
  for (let n = node.parent; n; n = n.parent) {
    if (n.type === 'function_definition' || isMainGuard(n)) return true;
  }
  return false;
}

/** Whether replacing `node` by `text` makes its line longer than the file's line length limit. */
function tooLong(edits: EditContext, node: Node, text: string): boolean {
  const row = node.startPosition.row;
  return row === node.endPosition.row && edits.lineText(row).length + text.length - node.text.length > edits.lineLimit;
}
