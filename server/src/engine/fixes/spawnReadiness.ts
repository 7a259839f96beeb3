// Whether a fork site can switch to the 'spawn' start method without breaking the program
// (SPEC §3, measured on grpcio 1.51):
// - everything handed to the child (`args=`, `kwargs=`) must pickle: a gRPC server, channel or
//   stub, a thread lock or a socket does not (`TypeError: cannot pickle '_thread.RLock' object`);
// - a `multiprocessing` object (Queue, Pipe, Lock, ...) made from the default context and shared
//   with spawned children stops working (the workers' puts never reach the parent), so such a
//   program needs the start method set for the whole program, before those objects are made.
import type { Node } from 'web-tree-sitter';
import { field, fields, identifiersNamed, isMainGuard, namedChildren } from '../model/syntax';
import type { ForkSite, Timeline } from '../model/timeline';
import type { EditContext } from './editContext';

/** multiprocessing objects that belong to the context that made them. */
const CONTEXT_OBJECTS = new Set([
  'Queue', 'SimpleQueue', 'JoinableQueue', 'Pipe', 'Lock', 'RLock', 'Semaphore', 'BoundedSemaphore',
  'Condition', 'Event', 'Barrier', 'Value', 'Array', 'RawValue', 'RawArray', 'Manager',
]);

/** Constructors whose objects never pickle. */
const UNPICKLABLE_CONSTRUCTORS = new Set([
  'threading.Lock', 'threading.RLock', 'threading.Condition', 'threading.Event', 'threading.Semaphore',
  'threading.Thread', 'socket.socket', 'open', 'grpc.server', 'grpc.aio.server',
]);

/** Local names bound by the module's top-level imports, mapped to what they import. */
export function importedNames(root: Node): Map<string, string> {
  const names = new Map<string, string>();
  for (const statement of namedChildren(root)) {
    if (statement.type === 'import_statement') {
      for (const name of fields(statement, 'name')) {
        if (name.type === 'aliased_import') names.set(field(name, 'alias')!.text, field(name, 'name')!.text);
        else names.set(name.text.split('.')[0], name.text.split('.')[0]);
      }
    } else if (statement.type === 'import_from_statement') {
      const module = field(statement, 'module_name')?.text.replace(/\s+/g, '');
      if (!module) continue;
      for (const name of fields(statement, 'name')) {
        if (name.type === 'aliased_import') names.set(field(name, 'alias')!.text, `${module}.${field(name, 'name')!.text}`);
        else names.set(name.text, `${module}.${name.text}`);
      }
    }
  }
  return names;
}

/** What a callee names, through the module's imports (`mp.Queue` → `multiprocessing.Queue`). */
export function qualifiedCallee(callee: Node, imports: Map<string, string>): string {
  const text = callee.text.replace(/\s+/g, '');
  const head = text.split('.')[0];
  const imported = imports.get(head);
  return imported ? imported + text.slice(head.length) : text;
}

/**
 * Calls that make a multiprocessing object from the default context, in source order. Found from
 * the text's mentions of the objects' names: visiting every call of a large file through
 * WebAssembly costs more than the rest of a keystroke's analysis.
 */
export function defaultContextObjects(root: Node, text: string): Node[] {
  const imports = importedNames(root);
  // A call's last name is the object's own (`mp.Queue`) or a name imported for it (`from multiprocessing import Queue as Q`).
  const lastNames = new Set(CONTEXT_OBJECTS);
  for (const [local, imported] of imports) if (CONTEXT_OBJECTS.has(imported.slice(imported.lastIndexOf('.') + 1))) lastNames.add(local);
  const calls = new Map<number, Node>();
  for (const lastName of lastNames) {
    if (!text.includes(lastName)) continue;
    for (const name of identifiersNamed(root, text, lastName)) {
      const callee = name.parent?.type === 'attribute' && field(name.parent, 'attribute')?.id === name.id ? name.parent : name;
      const call = callee.parent;
      if (call?.type !== 'call' || field(call, 'function')?.id !== callee.id) continue;
      const qualified = qualifiedCallee(callee, imports);
      const [module, member] = [qualified.slice(0, qualified.lastIndexOf('.')), qualified.slice(qualified.lastIndexOf('.') + 1)];
      if (module === 'multiprocessing' && CONTEXT_OBJECTS.has(member)) calls.set(call.id, call);
    }
  }
  return [...calls.values()].sort((a, b) => a.startIndex - b.startIndex);
}

/**
 * A value handed to the child that cannot pickle: a name bound to a gRPC object, or to a call of a
 * constructor whose objects never pickle. Returns its text, or undefined when all look picklable.
 */
export function unpicklableArgument(edits: EditContext, timeline: Timeline, fork: ForkSite): string | undefined {
  const call = fork.origin.node;
  if (call.type !== 'call') return undefined;
  const passed: Node[] = [];
  for (const argument of namedChildren(field(call, 'arguments') ?? call)) {
    if (argument.type !== 'keyword_argument') continue;
    const keyword = field(argument, 'name')?.text;
    const value = field(argument, 'value');
    if (!value || (keyword !== 'args' && keyword !== 'kwargs' && keyword !== 'initargs')) continue;
    passed.push(...value.descendantsOfType('identifier').filter((n): n is Node => n !== null));
  }
  if (passed.length === 0) return undefined;
  const grpcNames = new Set<string>();
  for (const event of timeline.events) if (event.kind === 'create') grpcNames.add(event.object.label);
  const imports = importedNames(edits.file.tree.rootNode);
  const unpicklable = new Set<string>();
  for (const assignment of edits.file.tree.rootNode.descendantsOfType('assignment')) {
    const left = assignment && field(assignment, 'left');
    const right = assignment && field(assignment, 'right');
    if (left?.type !== 'identifier' || right?.type !== 'call') continue;
    const callee = field(right, 'function');
    const name = callee ? qualifiedCallee(callee, imports) : '';
    const member = name.slice(name.lastIndexOf('.') + 1);
    if (UNPICKLABLE_CONSTRUCTORS.has(name) || (name.startsWith('grpc.') && /channel$/.test(member)) || /Stub$/.test(member)) unpicklable.add(left.text);
  }
  return passed.find((id) => grpcNames.has(id.text) || unpicklable.has(id.text))?.text;
}

/** The module's `if __name__ == "__main__":` block, if it has one at the top level. */
export function mainGuardBlock(root: Node): Node | undefined {
  const guard = namedChildren(root).find(isMainGuard);
  return guard ? field(guard, 'consequence') ?? undefined : undefined;
}

/** True when the node runs at import time outside the `__main__` guard (not inside a function). */
export function runsAtImport(node: Node): boolean {
  for (let n = node.parent; n; n = n.parent) {
    if (n.type === 'function_definition' || n.type === 'lambda' || isMainGuard(n)) return false;
  }
  return true;
}
