// "Use the 'spawn' start method": the fork site becomes `multiprocessing.get_context("spawn")...`
// (or gains `mp_context=` for a ProcessPoolExecutor). Offered only when spawn can work: the
// children run top-level functions (spawn pickles them), no gRPC object is handed over as an
// argument (channels do not pickle), and the fork is guarded by a function or `__main__` (spawn
// re-imports the main module).
import type { Node } from 'web-tree-sitter';
import type { Fix, TextEdit } from '../findings';
import { nodeRange } from '../model/sourceFile';
import { field, isMainGuard, namedChildren } from '../model/syntax';
import type { ForkSite, GrpcObject, Timeline } from '../model/timeline';
import { childUses, usedName } from './channelBinding';
import { PythonEdits } from './pythonEdits';
import { defaultContextObjects, mainGuardBlock, runsAtImport, unpicklableArgument } from './spawnReadiness';

export function spawnStartMethodFix(edits: PythonEdits, timeline: Timeline, fork: ForkSite, object?: GrpcObject): Fix | undefined {
  if (fork.origin.path !== edits.file.path || fork.product === 'pid' || fork.product === 'manager') return undefined;
  if (fork.opaqueEntry || fork.entryFunctions.some((def) => def.parent?.type !== 'module' && def.parent?.parent?.type !== 'module')) return undefined;
  if (!guarded(fork.origin.node)) return undefined;
  const globals = edits.moduleNames();
  if (object && childUses(timeline, object, fork).some((use) => !globals.has(usedName(use.site.node)))) return undefined;
  if (unpicklableArgument(edits, timeline, fork)) return undefined;
  const shared = defaultContextObjects(edits.file.tree.rootNode);
  if (shared.length > 0) return wholeProgramSpawn(edits, [fork.origin.node, ...shared]);
  const call = fork.origin.node;
  const callee = field(call, 'function');
  if (!callee) return undefined;
  const calleeName = callee.type === 'attribute' ? field(callee, 'attribute')?.text : callee.text;
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
    changes.push({ range: nodeRange(callee), newText: `${context}.${calleeName}` });
  } else {
    return undefined;
  }
  return { title: `Use the 'spawn' start method for \`${callee.text}(...)\``, applicability: 'unsafe', edits: changes };
}

/**
 * `multiprocessing.set_start_method("spawn")` as the first statement under the `__main__` guard, so
 * the multiprocessing objects the program shares with its children come from the same context as
 * the children. Only when everything it makes (`made`) is made after that point, never at import.
 */
function wholeProgramSpawn(edits: PythonEdits, made: Node[]): Fix | undefined {
  const root = edits.file.tree.rootNode;
  const block = mainGuardBlock(root);
  if (!block || made.some(runsAtImport)) return undefined;
  if (/\bset_start_method\s*\(/.test(edits.file.text)) return undefined;
  const first = namedChildren(block).find((s) => s.type !== 'comment');
  if (!first) return undefined;
  const multiprocessing = edits.ensureModuleImport('multiprocessing');
  return {
    title: `Use the 'spawn' start method for the whole program (\`${multiprocessing.name}.set_start_method("spawn")\` under \`__main__\`)`,
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
