// The walker's vocabulary: paths, frames and the two interfaces that keep it ignorant of gRPC.
// A `Path` is one way through the program with its own state; the walker splits paths at
// branches, drops them at `return`/`raise`/`sys.exit()`, and joins them where control meets
// again. What the state holds and what calls do to it belong to the domain and the effects.
import type { Node } from 'web-tree-sitter';
import type { SourceFile } from '../sourceFile';
import type { Site } from '../timeline';
import type { CallArgs, ChildContext, Env, Value } from '../values';

/** The state the walker carries along a path, with the operations control flow needs. */
export interface StateDomain<S> {
  initial(): S;
  clone(state: S): S;
  /** The state where paths meet: whatever may be true on one of them. */
  join(states: S[]): S;
  /** Whether a loop body changed the state, so that a second iteration can see something new. */
  changed(before: S, after: S): boolean;
}

export interface Path<S> {
  state: S;
  /** False once the path has ended (return, raise, break, continue, process exit). */
  live: boolean;
}

/** What a `with` block undoes when control leaves it, whichever way it leaves. */
export interface ScopeExit {
  value: Value;
  site: Site;
}

/** Where `break`/`continue` and exceptions take their paths. */
export interface JumpTargets<S> {
  breaks: S[];
  continues: S[];
  /** `withs.length` when the loop was entered: the exits a jump out of it runs. */
  withDepth: number;
}

export interface TryTarget<S> {
  raises: S[];
  withDepth: number;
}

/** One activation: a module's top level, a function call, a class body, a child process. */
export interface Frame<S> {
  env: Env;
  file: SourceFile;
  /** Call sites from the entry point to this frame, outermost first. */
  chain: Site[];
  /** Set while the walk is inside a child process (opaque to the walker). */
  child?: ChildContext;
  /** Function definitions on the stack, to stop recursion. */
  stack: Node[];
  /** The calling frame, for effects that change what the callers are (a parent that exits after fork). */
  caller?: Frame<S>;
  returnValue?: Value;
  returns: S[];
  /** What each path in `returns` returned, in the same order. */
  returnValues: Value[];
  /** Paths that raised out of this function, for the caller's `try`. */
  raises: S[];
  loops: JumpTargets<S>[];
  tries: TryTarget<S>[];
  withs: ScopeExit[];
}

/** What an effect sees of the walk at the point where it happens. */
export interface WalkContext<S> {
  frame: Frame<S>;
  path: Path<S>;
}

/**
 * The domain's side of the walk: everything the walker does not understand itself is handed to
 * these hooks (gRPC objects, forks, the environment). Each returns undefined when it has nothing
 * to say, and the walker then does what Python would do with an unknown value.
 */
export interface Effects<S> {
  /** A call the walker cannot run itself: a library function, a method of a library object. */
  call(callee: Value, args: CallArgs, site: Site, ctx: WalkContext<S>): Value | undefined;
  /** An attribute of a value the walker has no model of. */
  attribute(owner: Value, name: string, node: Node, ctx: WalkContext<S>): Value | undefined;
  /** A name or attribute read that yields `value`. */
  reference(value: Value, node: Node, ctx: WalkContext<S>): void;
  /** An `import` statement loads `module` (before the walker runs a workspace module). */
  importing(module: string, site: Site, ctx: WalkContext<S>): void;
  /** `target = value`; `valueNode` is the right-hand side when there is one. */
  assigned(value: Value, target: Node, valueNode: Node | undefined): void;
  /** `container[key] = value`. */
  assignSubscript(container: Value, key: Value, value: Value, site: Site, ctx: WalkContext<S>): void;
  /** `await value`. */
  awaited(value: Value, site: Site, ctx: WalkContext<S>): void;
  /** `with value:` entered; true when leaving the block must be reported through `exitScope`. */
  entersScope(value: Value): boolean;
  exitScope(exit: ScopeExit, ctx: WalkContext<S>): void;
  /** `value` is stored where the walk cannot follow it (an unknown object's attribute, a container). */
  stored(value: Value, ctx: WalkContext<S>): void;
  /** A mark of how far the walk has got, before a call, for `callReturned`. */
  marker(): number;
  /**
   * A call returned: what it made since `marker` and can no longer be reached from `survivors`
   * (its return value, arguments, closures and every module's names; computed only when asked) is gone
   * with its frame.
   */
  callReturned(marker: number, survivors: () => Value[], states: S[]): void;
  /** `del name` of a value: the last reference may be gone. */
  released(value: Value, site: Site, ctx: WalkContext<S>): void;
  /** A class called: a value that replaces the ordinary instance, or undefined. */
  instantiate(cls: Extract<Value, { kind: 'class' }>, args: CallArgs, site: Site, ctx: WalkContext<S>): Value | undefined;
  /** After `__init__` of an ordinary instance ran. */
  instantiated(instance: Extract<Value, { kind: 'instance' }>, site: Site, ctx: WalkContext<S>): void;
  /** An `if` statement the domain runs itself (e.g. the two sides of `os.fork()`); true when handled. */
  ifStatement(node: Node, condition: Node, ctx: WalkContext<S>): boolean;
  /** A decorator expression evaluated to `value`. */
  decorator(value: Value, site: Site, ctx: WalkContext<S>): void;
  /**
   * A function returned different values on different paths; the walk goes on with `kept` as the
   * call's value, so the others, in `states`, stand for the same thing and may be merged into it.
   */
  returnsJoined(kept: Value, others: Value[], states: S[]): void;
  /** The entry module's top level has run (what an importer of it sees). */
  moduleImported(ctx: WalkContext<S>): void;
}

export function newFrame<S>(env: Env, file: SourceFile, chain: Site[], child?: ChildContext, stack: Node[] = [], caller?: Frame<S>): Frame<S> {
  return { env, file, chain, child, stack, caller, returns: [], returnValues: [], raises: [], loops: [], tries: [], withs: [] };
}

export function emptyArgs(): CallArgs {
  return { positional: [], keywords: new Map(), positionalNodes: [], keywordNodes: new Map() };
}
