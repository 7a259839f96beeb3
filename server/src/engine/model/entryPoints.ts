// Where a program starts (SPEC §2 "entry points"): the module's top level, then its
// `if __name__ == "__main__":` block; then, for code no visible caller reaches (a library, a
// service a framework calls), each public function and each class's lifecycle (`__init__`, then
// every public method, each from the state `__init__` left). Every entry starts from the state
// after import on its own path, so what one entry makes is never alive in another. Functions
// referenced as fork targets (Process targets, pool tasks, initializers) run only in children:
// they are never entries of the parent.
import type { Node } from 'web-tree-sitter';
import { isProcessClass } from './forkEffects';
import type { ModuleResolver } from './imports';
import type { SourceFile } from './sourceFile';
import { field, namedChildren, sameNode } from './syntax';
import { Env, Value, grpcObjectOf, qnameOf } from './values';
import type { WalkState } from './walkState';
import { Path, emptyArgs, newFrame } from './walker/frame';
import { lookupClassAttribute } from './walker/expressions';
import type { Interpreter } from './walker/interpreter';

/** Module-level values a function can turn into a finding by referring to them. */
const INTERESTING_VALUES = new Set<Value['kind']>(['grpc', 'grpcMember', 'pool', 'executor', 'process', 'mpContext', 'forkPid', 'serverStopping', 'threadPool']);

/**
 * What the walk of a module's program decided about its own definitions, for an edit's carry-over
 * (engine/carryOver.ts): the names that make a definition worth walking, and the module-level
 * functions that nothing walked and no word made worth walking.
 */
export interface ProgramOutline {
  /** Module-level names a definition's text can mention and so become worth walking. */
  interestingNames: ReadonlySet<string>;
  /** Start and end offsets of the module-level functions and methods (decorators included) no walk entered; asked after every walk of the analysis. */
  unwalkedFunctions(): number[];
}

/** An outline that lets nothing be carried over (a module whose top level did not finish). */
const NOTHING_UNWALKED: ProgramOutline = { interestingNames: new Set(), unwalkedFunctions: () => [] };

export function runProgram(file: SourceFile, interpreter: Interpreter<WalkState>, canMatter: (text: string) => boolean, resolver?: ModuleResolver): ProgramOutline {
  const env = new Env();
  interpreter.calls.registerModule(file.path, env);
  const frame = newFrame<WalkState>(env, file, []);
  const path: Path<WalkState> = { state: interpreter.domain.initial(), live: true };
  const imported = interpreter.runModuleBody(file, frame, path, true);
  if (!imported) return NOTHING_UNWALKED;
  const root = file.tree.rootNode;
  const { matters: interesting, names: interestingNames } = definitionsThatCanMatter(root, env, file, canMatter);
  const childOnly = forkTargetNames(root, file.text);
  const walked = (def: Node) => interpreter.calls.walkedFunctions.has(def.id);
  const runs = (def: Node) => interesting.has(def.id) && !walked(def);
  const fresh = (state: WalkState): Path<WalkState> => ({ state: interpreter.domain.clone(state), live: true });

  // Functions first: a class that one of them uses is then walked as that use makes it, and its
  // lifecycle covers only the methods nothing reached.
  const definitions = moduleDefinitions(root);
  const ordered = [...definitions.filter((d) => d.type === 'function_definition'), ...definitions.filter((d) => d.type === 'class_definition')];
  for (const definition of ordered) {
    const name = field(definition, 'name')?.text ?? '';
    // A library's function or class that another module of the workspace uses is walked there.
    const usedElsewhere = () => resolver?.usedByImporters?.(file.path, name) ?? false;
    const value = env.lookup(name);
    if (definition.type === 'function_definition') {
      if (value?.kind !== 'function' || !sameNode(value.def, definition) || !isPublic(name) || childOnly.has(name) || !runs(definition) || usedElsewhere()) continue;
      interpreter.calls.callFunction(value, emptyArgs(), newFrame(env, file, []), fresh(imported), undefined);
      continue;
    }
    if (value?.kind !== 'class' || !sameNode(value.def, definition)) continue;
    const processClass = isProcessClass(value);
    const methods = namedChildren(field(definition, 'body') ?? definition)
      .map((c) => (c.type === 'decorated_definition' ? field(c, 'definition') : c))
      .filter((d): d is Node => d?.type === 'function_definition')
      .filter((d) => {
        const method = field(d, 'name')?.text ?? '';
        // A class that can matter walks all its public methods: `self.pool.submit(...)` names no trigger itself.
        return isPublic(method) && !childOnly.has(method) && !(processClass && method === 'run') && !walked(d) && (interesting.has(d.id) || interesting.has(definition.id));
      });
    if (methods.length === 0 || usedElsewhere()) continue;
    // The lifecycle: `__init__` first, then each public method on its own path from there.
    const instance: Extract<Value, { kind: 'instance' }> = { kind: 'instance', cls: value, attrs: new Env() };
    const afterInit = fresh(imported);
    const init = lookupClassAttribute(value, '__init__');
    if (init?.kind === 'function') interpreter.calls.callFunction({ ...init, self: instance }, emptyArgs(), newFrame(env, file, []), afterInit, undefined);
    if (!afterInit.live) continue;
    for (const method of methods) {
      const fn = lookupClassAttribute(value, field(method, 'name')?.text ?? '');
      if (fn?.kind !== 'function') continue;
      interpreter.calls.callFunction(fn.isStatic ? fn : { ...fn, self: instance }, emptyArgs(), newFrame(env, file, []), fresh(afterInit.state), undefined);
    }
  }
  return {
    interestingNames,
    unwalkedFunctions() {
      const spans: number[] = [];
      // Module-level functions, and the methods of module-level classes, in text order.
      const collect = (block: Node, inClass: boolean) => {
        for (const child of namedChildren(block)) {
          const definition = child.type === 'decorated_definition' ? field(child, 'definition') : child;
          if (!inClass && definition?.type === 'class_definition') collect(field(definition, 'body') ?? definition, true);
          if (definition?.type !== 'function_definition' || interesting.has(definition.id) || walked(definition)) continue;
          spans.push(child.startIndex, child.endIndex);
        }
      };
      collect(root, false);
      return spans;
    },
  };
}

function isPublic(name: string): boolean {
  return !name.startsWith('_') || (name.startsWith('__') && name.endsWith('__') && name !== '__init__');
}

function moduleDefinitions(root: Node): Node[] {
  return namedChildren(root)
    .map((c) => (c.type === 'decorated_definition' ? field(c, 'definition') : c))
    .filter((d): d is Node => d?.type === 'function_definition' || d?.type === 'class_definition');
}

/** Where a fork target is named. Linear: each alternative is a fixed word, then optional blanks. */
export const FORK_TARGET_PATTERN = /\b(target|initializer)[ \t]*=|\.(map|map_async|imap|imap_unordered|starmap|starmap_async|apply|apply_async|submit|run_in_executor)[ \t]*\(/g;

/**
 * Names passed where a fork runs them: `target=`, `initializer=`, the function of a pool or
 * executor task (`pool.map(work, ...)`, `executor.submit(self.fetch, ...)`), by their last name
 * part. Found through the text and checked in the tree there: visiting every node of a large
 * file through WebAssembly would cost the editor milliseconds per keystroke.
 */
function forkTargetNames(root: Node, text: string): Set<string> {
  const names = new Set<string>();
  const lastName = (node: Node | undefined | null): string | undefined => {
    if (node?.type === 'identifier') return node.text;
    if (node?.type === 'attribute') return field(node, 'attribute')?.text;
    if (node?.type === 'call' && /partial$/.test(field(node, 'function')?.text ?? '')) return lastName(namedChildren(field(node, 'arguments') ?? node)[0]);
    return undefined;
  };
  for (const match of text.matchAll(FORK_TARGET_PATTERN)) {
    const at = match.index! + match[0].length;
    if (match[1]) {
      const keyword = root.descendantForIndex(match.index!, match.index! + match[1].length)?.parent;
      if (keyword?.type === 'keyword_argument') {
        const name = lastName(field(keyword, 'value'));
        if (name) names.add(name);
      }
      continue;
    }
    const argumentList = root.descendantForIndex(at - 1, at)?.parent;
    if (argumentList?.type !== 'argument_list') continue;
    const args = namedChildren(argumentList).filter((a) => a.type !== 'keyword_argument' && a.type !== 'comment');
    const name = lastName(match[2] === 'run_in_executor' ? args[1] : args[0]);
    if (name) names.add(name);
  }
  return names;
}

/**
 * The identifiers of a definition's text, kept for the texts seen last: between two keystrokes
 * all definitions but one are unchanged, and re-reading the words of thousands of them would cost
 * the editor milliseconds per keystroke.
 */
interface DefinitionWords {
  words: Set<string>;
  /** Whether the words can matter, per relevance test (one per channel-factory setting). */
  matters: WeakMap<(text: string) => boolean, boolean>;
}

const wordCache = new Map<string, DefinitionWords>();
const WORD_CACHE_ENTRIES = 20_000;
/** The keys' total length: a class's key is its whole body, and each keystroke in it makes a new one. */
const WORD_CACHE_CHARS = 4_000_000;
let wordCacheChars = 0;

function wordsOf(text: string): DefinitionWords {
  let words = wordCache.get(text);
  if (!words) {
    words = { words: new Set(text.match(/[A-Za-z_]\w*/g) ?? []), matters: new WeakMap() };
    if (wordCache.size >= WORD_CACHE_ENTRIES || wordCacheChars + text.length > WORD_CACHE_CHARS) {
      wordCache.clear();
      wordCacheChars = 0;
    }
    wordCache.set(detached(text), words);
    wordCacheChars += text.length;
  }
  return words;
}

/**
 * A copy of `text` that does not hold on to the string it was cut from. V8 keeps a slice as a view
 * of its parent: a key cut from one version of a file kept that whole version alive, one more
 * version of a 150 KB file per keystroke.
 */
function detached(text: string): string {
  return ` ${text}`.slice(1);
}

function wordsCanMatter(entry: DefinitionWords, canMatter: (text: string) => boolean): boolean {
  let matters = entry.matters.get(canMatter);
  if (matters === undefined) entry.matters.set(canMatter, (matters = canMatter([...entry.words].join(' '))));
  return matters;
}

/**
 * The functions and classes whose walk as an entry can produce anything: their text mentions a
 * word a rule follows (engine/relevance.ts), or a module-level name holding a gRPC object, a pool, a
 * multiprocessing name, or another definition that can matter. Walking the thousands of helpers
 * of a large module would cost the editor tens of milliseconds per keystroke and find nothing.
 */
function definitionsThatCanMatter(root: Node, moduleEnv: Env, file: SourceFile, canMatter: (text: string) => boolean): { matters: Set<number>; names: Set<string> } {
  const source = file.text;
  const names = new Set<string>();
  for (const [name, value] of moduleEnv.entries()) {
    const qname = qnameOf(value);
    // A class or function imported from a workspace module that was loaded (so can matter) counts too.
    const imported = (value.kind === 'class' || value.kind === 'function') && value.file.path !== file.path;
    if (qname ? canMatter(qname) : imported || INTERESTING_VALUES.has(value.kind) || grpcObjectOf(value)) names.add(name);
  }
  const definitions: { node: Node; name: string; words: DefinitionWords }[] = [];
  const collect = (node: Node) => {
    for (const child of namedChildren(node)) {
      const definition = child.type === 'decorated_definition' ? field(child, 'definition') : child;
      if (definition?.type !== 'function_definition' && definition?.type !== 'class_definition') continue;
      // Sliced from the JavaScript string, not read back from the tree through WebAssembly.
      const text = source.slice(child.startIndex, child.endIndex);
      definitions.push({ node: definition, name: field(definition, 'name')?.text ?? '', words: wordsOf(text) });
      if (definition.type === 'class_definition') collect(field(definition, 'body') ?? definition);
    }
  };
  collect(root);
  const matters = new Set<number>();
  for (const d of definitions) {
    if (wordsCanMatter(d.words, canMatter)) {
      matters.add(d.node.id);
      names.add(d.name);
    }
  }
  for (let changed = true; changed;) {
    changed = false;
    for (const d of definitions) {
      if (matters.has(d.node.id) || ![...d.words.words].some((w) => names.has(w))) continue;
      matters.add(d.node.id);
      names.add(d.name);
      changed = true;
    }
  }
  return { matters, names };
}
