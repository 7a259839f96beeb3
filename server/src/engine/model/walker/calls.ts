// Calls into the program's own code: functions, methods, classes, `functools.partial`, imports of
// workspace modules. A call runs the callee on the caller's path; the paths that return are
// joined for the caller, and a callee whose every path exits ends the caller's path too.
import type { Node } from 'web-tree-sitter';
import { ModuleResolver, bindImport } from '../imports';
import type { SourceFile } from '../sourceFile';
import { field, namedChildren, sameNode } from '../syntax';
import type { Site } from '../timeline';
import { CallArgs, Env, UNKNOWN, Value } from '../values';
import { Frame, Path, newFrame } from './frame';
import { lookupClassAttribute } from './expressions';
import type { Interpreter } from './interpreter';

export interface WalkLimits {
  maxCallDepth: number;
  /**
   * How often one function body is walked per program. Real programs call a function a handful
   * of times before a fork; parsers and interpreters call helpers thousands of times, which
   * would make the walk exponential in the call depth.
   */
  maxWalksPerFunction: number;
  /** Bounds the whole walk so that a pathological file costs milliseconds, not minutes. */
  maxSteps: number;
}

/**
 * Reuse of imported workspace modules' top-level walks between programs (model/moduleSummaries.ts).
 * Without it every program walks every module it imports.
 */
export interface ImportedModules<S> {
  /** `file`'s namespace, when an earlier walk of it holds at this import and was replayed into the program. */
  replay(file: SourceFile, site: Site, frame: Frame<S>, path: Path<S>): Env | undefined;
  /** Starts recording the walk of a module's top level; the returned function is called once it has run. */
  record(file: SourceFile, env: Env, moduleFrame: Frame<S>, path: Path<S>): (() => void) | undefined;
  /** Before a workspace module is looked up for an import; the returned function is told what it gave. */
  importing(site: Site, frame: Frame<S>, path: Path<S>): ((modulePath: string, env: Env | undefined) => void) | undefined;
}

/** Calls that end the process: the path goes no further. */
const PROCESS_EXITS = new Set(['sys.exit', 'os._exit', 'os.abort', 'builtins.exit', 'builtins.quit']);
const PARTIAL = new Set(['functools.partial']);

export class Calls<S> {
  /** Functions walked at least once (from an entry point, a call, or in a child). */
  readonly walkedFunctions = new Set<number>();
  /** Every walk of a function, in order (ids of their definitions): what a module summary's replay counts again. */
  readonly functionWalks: number[] = [];
  private readonly walkCounts = new Map<number, number>();
  private readonly moduleEnvs = new Map<string, Env>();
  private steps = 0;
  /**
   * How often a limit cut the walk short (steps, call or statement or expression depth, walks per
   * function, recursion into a call made before the module being loaded): a walk cut short
   * depends on where it started, so module summaries keep none.
   */
  refusals = 0;
  /** The deepest call stack a call was made from since it was last set. */
  deepestCall = 0;
  /** The call stack's depth where the module being loaded was imported. */
  private moduleFloor = 0;

  constructor(
    private readonly interpreter: Interpreter<S>,
    private readonly resolver: ModuleResolver | undefined,
    readonly limits: WalkLimits,
    private readonly imports?: ImportedModules<S>,
  ) {}

  /** The entry module's own namespace, for imports that come back to it. */
  registerModule(path: string, env: Env): void {
    this.moduleEnvs.set(path, env);
  }

  /** Counts one unit of work; false once the walk's budget is spent. */
  step(): boolean {
    if (++this.steps <= this.limits.maxSteps) return true;
    this.refusals++;
    return false;
  }

  get stepsTaken(): number {
    return this.steps;
  }

  /** The namespace of a module this program has loaded. */
  moduleEnv(path: string): Env | undefined {
    return this.moduleEnvs.get(path);
  }

  /** The namespaces of the modules this program has loaded, its own included. */
  loadedModules(): Iterable<Env> {
    return this.moduleEnvs.values();
  }

  walkCount(def: number): number {
    return this.walkCounts.get(def) ?? 0;
  }

  /** What a replayed module walk did to the walk's budgets: `steps` more, and one more walk of each of `functions`. */
  replayed(modulePath: string, env: Env, steps: number, functions: readonly number[]): void {
    this.moduleEnvs.set(modulePath, env);
    this.steps += steps;
    for (const def of functions) {
      this.walkCounts.set(def, this.walkCount(def) + 1);
      this.walkedFunctions.add(def);
      this.functionWalks.push(def);
    }
  }

  call(node: Node, frame: Frame<S>, path: Path<S>): Value {
    const expressions = this.interpreter.expressions;
    const calleeNode = field(node, 'function');
    const callee = calleeNode?.type === 'identifier' && (calleeNode.text === 'exit' || calleeNode.text === 'quit') && !frame.env.lookup(calleeNode.text)
      ? { kind: 'qualified' as const, qname: `builtins.${calleeNode.text}` }
      : expressions.evaluate(calleeNode, frame, path);
    const args = expressions.args(field(node, 'arguments'), frame, path);
    if (!path.live) return UNKNOWN;
    const site: Site = { node, path: frame.file.path };
    if (calleeNode?.type === 'attribute' && field(calleeNode, 'attribute')?.text === 'format' && field(calleeNode, 'object')?.type === 'string') {
      return { kind: 'computed', node, computedIn: frame.child };
    }
    if (callee.kind === 'qualified' && PROCESS_EXITS.has(callee.qname)) {
      path.live = false;
      return UNKNOWN;
    }
    if (callee.kind === 'qualified' && PARTIAL.has(callee.qname)) return { kind: 'partial', func: args.positional[0] ?? UNKNOWN, args: args.positional.slice(1) };
    return this.callValue(callee, args, frame, path, site);
  }

  callValue(callee: Value, args: CallArgs, frame: Frame<S>, path: Path<S>, site: Site | undefined): Value {
    switch (callee.kind) {
      case 'function':
        return this.callFunction(callee, args, frame, path, site);
      case 'partial':
        return this.callValue(callee.func, { ...args, positional: [...callee.args, ...args.positional] }, frame, path, site);
      case 'class':
        return site ? this.instantiate(callee, args, frame, path, site) : UNKNOWN;
      default:
        return site ? this.interpreter.effects.call(callee, args, site, { frame, path }) ?? UNKNOWN : UNKNOWN;
    }
  }

  callFunction(fn: Extract<Value, { kind: 'function' }>, args: CallArgs, caller: Frame<S>, path: Path<S>, site: Site | undefined): Value {
    if (caller.stack.length > this.deepestCall) this.deepestCall = caller.stack.length;
    const recursion = caller.stack.findIndex((def) => sameNode(def, fn.def));
    if (recursion >= 0) {
      // Refused because of a call made before the module being loaded started: its walk depends on who imports it.
      if (recursion < this.moduleFloor) this.refusals++;
      return UNKNOWN;
    }
    const walks = this.walkCounts.get(fn.def.id) ?? 0;
    if (caller.stack.length >= this.limits.maxCallDepth || walks >= this.limits.maxWalksPerFunction) {
      this.refusals++;
      return UNKNOWN;
    }
    this.walkCounts.set(fn.def.id, walks + 1);
    this.functionWalks.push(fn.def.id);
    this.walkedFunctions.add(fn.def.id);
    const env = new Env(fn.closure, fn.closure.module);
    bindParameters(fn, args, env);
    const frame = newFrame<S>(env, fn.file, site ? [...caller.chain, site] : caller.chain, caller.child, [...caller.stack, fn.def], caller);
    const body = field(fn.def, 'body');
    if (fn.def.type === 'lambda') return this.interpreter.expressions.evaluate(body, frame, path);
    const marker = this.interpreter.effects.marker();
    this.interpreter.execBlock(body, frame, path);
    const ends = [...(path.live ? [path.state] : []), ...frame.returns];
    const kept = frame.returnValue;
    const others = kept ? frame.returnValues.filter((v) => v !== kept && v.kind === kept.kind) : [];
    if (kept && others.length) this.interpreter.effects.returnsJoined(kept, others, ends);
    // Exceptions out of the callee reach the caller's `try`, if it has one.
    const handler = caller.tries[caller.tries.length - 1];
    if (handler) handler.raises.push(...frame.raises);
    else caller.raises.push(...frame.raises);
    // A generator's frame lives on after the call; so does everything it holds.
    if (ends.length && !/\byield\b/.test(fn.file.text.slice(fn.def.startIndex, fn.def.endIndex))) {
      const survivors = () => [...frame.returnValues, ...(frame.returnValue ? [frame.returnValue] : []), ...args.positional, ...args.keywords.values(), ...(fn.self ? [fn.self] : []), ...this.visibleValues(fn.closure)];
      this.interpreter.effects.callReturned(marker, survivors, ends);
    }
    this.interpreter.joinInto(path, ends);
    return frame.returnValue ?? UNKNOWN;
  }

  /** What stays reachable after a call: the names of every scope enclosing it, and of every module loaded. */
  private visibleValues(closure: Env): Value[] {
    const values: Value[] = [];
    for (let env: Env | undefined = closure; env; env = env.parent) for (const [, value] of env.entries()) values.push(value);
    for (const env of this.moduleEnvs.values()) for (const [, value] of env.entries()) values.push(value);
    return values;
  }

  instantiate(cls: Extract<Value, { kind: 'class' }>, args: CallArgs, frame: Frame<S>, path: Path<S>, site: Site): Value {
    const special = this.interpreter.effects.instantiate(cls, args, site, { frame, path });
    if (special) return special;
    const instance: Extract<Value, { kind: 'instance' }> = { kind: 'instance', cls, attrs: new Env() };
    const init = lookupClassAttribute(cls, '__init__');
    if (init?.kind === 'function') this.callFunction({ ...init, self: instance }, args, frame, path, site);
    if (path.live) this.interpreter.effects.instantiated(instance, site, { frame, path });
    return instance;
  }

  /** A def or lambda: its default values are evaluated now, in the defining scope, as Python does. */
  makeFunction(node: Node, frame: Frame<S>, path: Path<S>): Value {
    const defaults = new Map<string, Value>();
    const parameters = field(node, 'parameters');
    // Read from the JavaScript string: most functions have no defaults, and their parameters need not be visited.
    if (parameters && frame.file.text.slice(parameters.startIndex, parameters.endIndex).includes('=')) {
      for (const parameter of namedChildren(parameters)) {
        if (parameter.type !== 'default_parameter' && parameter.type !== 'typed_default_parameter') continue;
        const name = field(parameter, 'name')?.text;
        if (name) defaults.set(name, this.interpreter.expressions.evaluate(field(parameter, 'value'), frame, path));
      }
    }
    return { kind: 'function', def: node, closure: frame.env, file: frame.file, defaults, isStatic: this.mentionsStaticmethod(frame.file) && isStaticMethod(node) };
  }

  private readonly staticmethodFiles = new WeakMap<SourceFile, boolean>();

  /** Whether the file's text says `staticmethod` at all: else no function needs its decorators read. */
  private mentionsStaticmethod(file: SourceFile): boolean {
    let mentions = this.staticmethodFiles.get(file);
    if (mentions === undefined) this.staticmethodFiles.set(file, (mentions = file.text.includes('staticmethod')));
    return mentions;
  }

  defineClass(node: Node, frame: Frame<S>, path: Path<S>): void {
    const bases = node.childForFieldName('superclasses') === null ? [] : namedChildren(field(node, 'superclasses')!)
      .filter((c) => c.type !== 'keyword_argument')
      .map((base) => this.interpreter.expressions.evaluate(base, frame, path));
    const classEnv = new Env(frame.env, frame.env.module);
    const name = field(node, 'name')?.text ?? '';
    const cls: Value = { kind: 'class', def: node, env: classEnv, bases, file: frame.file, name };
    // The class body runs at definition time; its functions become the class's methods.
    this.interpreter.execBlock(field(node, 'body'), { ...frame, env: classEnv }, path);
    frame.env.assign(name, cls);
  }

  importStatement(node: Node, frame: Frame<S>, path: Path<S>): void {
    bindImport(node, frame.file, frame.env, (module, site) => this.importModule(module, site, frame, path));
  }

  /** Importing a workspace module runs its top level once, as part of this program. */
  private importModule(module: string, site: Site, frame: Frame<S>, path: Path<S>): Value | undefined {
    this.interpreter.effects.importing(module, site, { frame, path });
    const resolved = this.resolver?.resolve(frame.file.path, module);
    if (!resolved) return undefined;
    const told = this.imports?.importing(site, frame, path);
    const env = this.loadModule(resolved, site, frame, path);
    told?.(resolved, env);
    return env && { kind: 'workspaceModule', qname: module, env };
  }

  private loadModule(resolved: string, site: Site, frame: Frame<S>, path: Path<S>): Env | undefined {
    const known = this.moduleEnvs.get(resolved);
    if (known) return known;
    const file = this.resolver!.load(resolved);
    if (!file) return undefined;
    const replayed = this.imports?.replay(file, site, frame, path);
    if (replayed) return replayed;
    const env = new Env();
    this.moduleEnvs.set(resolved, env);
    const moduleFrame = this.interpreter.moduleFrame(file, env, [...frame.chain, site], frame);
    const recorded = this.imports?.record(file, env, moduleFrame, path);
    const floor = this.moduleFloor;
    this.moduleFloor = moduleFrame.stack.length;
    try {
      this.interpreter.runModuleBody(file, moduleFrame, path, false);
    } finally {
      this.moduleFloor = floor;
    }
    // A module whose top level exits ends the importer too; one that raised does not load, but the
    // importer's `try`/`except ImportError` may go on: keep the path alive for it.
    if (!path.live && moduleFrame.raises.length) this.interpreter.joinInto(path, moduleFrame.raises);
    recorded?.();
    return env;
  }
}

function bindParameters(fn: Extract<Value, { kind: 'function' }>, args: CallArgs, env: Env): void {
  const parameters = namedChildren(field(fn.def, 'parameters') ?? fn.def).filter((p) => p.type !== 'comment');
  const positional = fn.self ? [fn.self, ...args.positional] : args.positional;
  let index = 0;
  for (const parameter of parameters) {
    const nameNode = parameter.type === 'identifier' ? parameter : field(parameter, 'name') ?? namedChildren(parameter).find((c) => c.type === 'identifier');
    if (!nameNode) continue;
    const name = nameNode.text;
    if (parameter.type === 'list_splat_pattern' || parameter.type === 'dictionary_splat_pattern') {
      env.assign(name, UNKNOWN);
      continue;
    }
    const value = args.keywords.get(name) ?? positional[index] ?? fn.defaults?.get(name) ?? UNKNOWN;
    index++;
    env.assign(name, value);
  }
}

function isStaticMethod(def: Node): boolean {
  const decorated = def.parent?.type === 'decorated_definition' ? def.parent : undefined;
  return decorated !== undefined && namedChildren(decorated).some((c) => c.type === 'decorator' && c.text === '@staticmethod');
}
