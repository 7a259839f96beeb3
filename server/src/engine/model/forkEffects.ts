// What fork APIs do along a path: `os.fork()` and its two branches, `Process.start()`, pools and
// executors and their tasks and initializers, start methods and contexts. Each fork records the
// objects alive on the path that reaches it; what runs in the child is walked on a copy of that
// path, in a child frame, so nothing it makes or closes leaks back into the parent.
import type { Node } from 'web-tree-sitter';
import type { EngineConfig } from '../config';
import { CONTEXT_GETTERS, FORK_APIS, ForkApi, ForkMode, PROCESS_CLASSES, START_METHOD_SETTERS, TASK_METHODS, THREAD_POOL_NAMES, startMethodForks } from './apiCatalog';
import { allChildren, field, fields, namedChildren } from './syntax';
import type { ChildEntry, ForkSite, Site } from './timeline';
import type { TimelineRecorder } from './timelineRecorder';
import { CallArgs, ChildContext, Env, UNKNOWN, Value, stringOf } from './values';
import type { WalkState } from './walkState';
import { Frame, Path, WalkContext, emptyArgs, newFrame } from './walker/frame';
import { lookupClassAttribute } from './walker/expressions';
import type { Interpreter } from './walker/interpreter';

type Context = WalkContext<WalkState>;

export interface Platform {
  targetPython: [number, number];
  targetPlatform: EngineConfig['targetPlatform'];
  /** The program-wide start method when another module (the entry module) sets it; asked only when needed. */
  programStartMethod?: () => string | undefined;
}

export class ForkEffects {
  interpreter!: Interpreter<WalkState>;

  constructor(private readonly recorder: TimelineRecorder, private readonly platform: Platform) {}

  private programMethod?: { value: string | undefined };

  private forks(method: string | undefined): boolean {
    if (method === undefined) {
      this.programMethod ??= { value: this.platform.programStartMethod?.() };
      method = this.programMethod.value;
    }
    return startMethodForks(method, this.platform.targetPython, this.platform.targetPlatform);
  }

  callQualified(qname: string, site: Site, args: CallArgs, ctx: Context, contextMethod: string | undefined): Value | undefined {
    const api = FORK_APIS[qname];
    if (api) return this.callForkApi(qname, api.mode, api.produces, site, args, ctx, contextMethod);
    if (START_METHOD_SETTERS.has(qname)) {
      const method = stringOf(args.positional[0] ?? args.keywords.get('method'));
      if (method) ctx.path.state.startMethod = method;
      return UNKNOWN;
    }
    if (CONTEXT_GETTERS.has(qname)) {
      const method = stringOf(args.positional[0] ?? args.keywords.get('method'));
      return { kind: 'mpContext', method: method ?? contextMethod ?? ctx.path.state.startMethod };
    }
    if (THREAD_POOL_NAMES.has(qname)) return { kind: 'threadPool', origin: site };
    return undefined;
  }

  attribute(owner: Value, name: string): Value | undefined {
    switch (owner.kind) {
      case 'mpContext':
      case 'pool':
      case 'executor':
      case 'process':
      case 'threadPool':
        return { kind: 'member', target: owner, member: name };
      default:
        return undefined;
    }
  }

  private callForkApi(api: string, mode: ForkMode, produces: ForkApi['produces'], site: Site, args: CallArgs, ctx: Context, contextMethod: string | undefined): Value {
    const state = ctx.path.state;
    const forks = mode === 'always' || this.forks(contextMethod ?? state.startMethod);
    switch (produces) {
      case 'pid':
        return { kind: 'forkPid', fork: this.recordFork(api, 'pid', site, site, ctx) };
      case 'pool': {
        const fork = forks ? this.recordFork(api, 'pool', site, site, ctx) : undefined;
        const initializer = args.keywords.get('initializer') ?? args.positional[1];
        if (fork && initializer) this.runInChild(fork, 'initializer', initializer, sequenceItems(args.keywords.get('initargs') ?? args.positional[2]), site, ctx);
        return { kind: 'pool', fork, forks, origin: site };
      }
      case 'executor': {
        const context = args.keywords.get('mp_context') ?? args.positional[1];
        const executorForks = context?.kind === 'mpContext' ? this.forks(context.method ?? state.startMethod) : forks;
        const initializer = args.keywords.has('initializer') || args.positional[2] ? {
          ...emptyArgs(),
          positional: [args.keywords.get('initializer') ?? args.positional[2], ...sequenceItems(args.keywords.get('initargs') ?? args.positional[3])],
        } : undefined;
        return { kind: 'executor', fork: undefined, forks: executorForks, origin: site, api, initializer, started: false };
      }
      case 'process': {
        const target = args.keywords.get('target') ?? args.positional[1] ?? UNKNOWN;
        const processArgs = sequenceItems(args.keywords.get('args') ?? args.positional[3]);
        return { kind: 'process', forks, origin: site, api, target, args: processArgs, kwargs: [] };
      }
      default:
        if (forks) this.recordFork(api, 'manager', site, site, ctx);
        return UNKNOWN;
    }
  }

  /** `p.start()`, `pool.map(...)`, `executor.submit(...)`, `ctx.Process(...)`. */
  callMember(target: Value, member: string, site: Site, args: CallArgs, ctx: Context): Value | undefined {
    if (target.kind === 'mpContext') {
      return this.callQualified(`multiprocessing.${member}`, site, args, ctx, target.method) ?? UNKNOWN;
    }
    if (target.kind === 'process' && member === 'start') {
      if (!target.forks) return UNKNOWN;
      const fork = this.recordFork(target.api, 'process', site, target.origin, ctx);
      const isRun = target.target.kind === 'function' && field(target.target.def, 'name')?.text === 'run' && target.target.self;
      this.runInChild(fork, isRun ? 'run' : 'target', target.target, target.args, site, ctx);
      return UNKNOWN;
    }
    if ((target.kind === 'pool' || target.kind === 'executor') && TASK_METHODS.has(member)) {
      let fork = target.fork;
      if (target.kind === 'executor' && !fork && target.forks) {
        // A ProcessPoolExecutor starts its workers at the first task, not when it is made.
        fork = this.recordFork(target.api, 'executor', site, target.origin, ctx);
        target.fork = fork;
        if (target.initializer) {
          const [initializer, ...initargs] = target.initializer.positional;
          this.runInChild(fork, 'initializer', initializer, initargs, site, ctx);
        }
      }
      if (!fork) return UNKNOWN;
      this.runInChild(fork, 'task', args.positional[0] ?? args.keywords.get('func') ?? args.keywords.get('fn') ?? UNKNOWN, taskArguments(member, args), site, ctx);
      return UNKNOWN;
    }
    if (target.kind === 'pool' || target.kind === 'executor' || target.kind === 'process' || target.kind === 'threadPool') return UNKNOWN;
    return undefined;
  }

  /**
   * A library call that forks worker processes itself: Keras' `fit(..., use_multiprocessing=True)`
   * and its relatives start a process pool for the data generator.
   */
  libraryFork(site: Site, args: CallArgs, ctx: Context): Value | undefined {
    if (args.keywordNodes.get('use_multiprocessing')?.text !== 'True' || !this.forks(ctx.path.state.startMethod)) return undefined;
    this.recordFork(`${field(site.node, 'function')?.text ?? 'call'}(use_multiprocessing=True)`, 'pool', site, site, ctx);
    return UNKNOWN;
  }

  /** `loop.run_in_executor(executor, fn, *args)` is a task of that executor. */
  runInExecutor(site: Site, args: CallArgs, ctx: Context): Value | undefined {
    if (field(field(site.node, 'function') ?? site.node, 'attribute')?.text !== 'run_in_executor') return undefined;
    const [executor, fn, ...rest] = args.positional;
    if (!executor || (executor.kind !== 'executor' && executor.kind !== 'pool')) return undefined;
    return this.callMember(executor, 'submit', site, { ...args, positional: [fn ?? UNKNOWN, ...rest] }, ctx);
  }

  /** A `multiprocessing.Process` subclass: its `run` is the child's entry. */
  instantiate(cls: Extract<Value, { kind: 'class' }>, args: CallArgs, site: Site, ctx: Context): Value | undefined {
    if (!isProcessClass(cls)) return undefined;
    const instance: Extract<Value, { kind: 'instance' }> = { kind: 'instance', cls, attrs: new Env() };
    const init = lookupClassAttribute(cls, '__init__');
    if (init?.kind === 'function') this.interpreter.calls.callFunction({ ...init, self: instance }, args, ctx.frame, ctx.path, site);
    const run = lookupClassAttribute(cls, 'run');
    const target: Value = run?.kind === 'function' ? { ...run, self: instance } : UNKNOWN;
    const process: Value = { kind: 'process', forks: this.forks(ctx.path.state.startMethod), origin: site, api: 'multiprocessing.Process', target, args: [], kwargs: [] };
    // `p.start()` on the instance reaches the process through this attribute.
    instance.attrs.assign('start', { kind: 'member', target: process, member: 'start' });
    return instance;
  }

  /**
   * `pid = os.fork()` then `if pid == 0:` (or `if not pid`, `if pid > 0`, `if os.fork() == 0`):
   * the child's block runs in the child, the other in the parent. When the parent's block ends
   * the process (`if os.fork() > 0: sys.exit()`), what follows runs in the child, in this frame
   * and in its callers.
   */
  ifStatement(node: Node, condition: Node, ctx: Context): boolean {
    const { frame, path } = ctx;
    const branch = this.forkBranchOf(condition, ctx);
    if (!branch) return false;
    const consequence = field(node, 'consequence');
    const elseBlock = elseBlockOf(node);
    const childBlock = branch.childInConsequence ? consequence : elseBlock;
    const parentBlock = branch.childInConsequence ? elseBlock : consequence;
    const child: ChildContext = { fork: branch.fork, entry: { how: 'forkBranch', site: { node: childBlock ?? node, path: frame.file.path } } };
    const childFrame = newFrame<WalkState>(frame.env, frame.file, [...branch.fork.chain, branch.fork.site], child, frame.stack, frame.caller);
    const childPath: Path<WalkState> = { state: this.interpreter.domain.clone(path.state), live: true };
    this.interpreter.execBlock(childBlock, childFrame, childPath);
    this.interpreter.execBlock(parentBlock, frame, path);
    if (!path.live && childPath.live) {
      const entry: ChildEntry = { how: 'forkBranch', site: { node, path: frame.file.path } };
      const continued: ChildContext = { fork: branch.fork, entry };
      for (let f: Frame<WalkState> | undefined = frame, process = frame.child; f && f.child === process; f = f.caller) f.child = continued;
      path.state = childPath.state;
      path.live = true;
    }
    return true;
  }

  private forkBranchOf(condition: Node, ctx: Context): { fork: ForkSite; childInConsequence: boolean } | undefined {
    let operand = condition;
    let negated = false;
    if (condition.type === 'not_operator') {
      operand = field(condition, 'argument') ?? condition;
      negated = true;
    }
    if (operand.type === 'parenthesized_expression') operand = namedChildren(operand)[0] ?? operand;
    if (operand.type === 'identifier') {
      const value = ctx.frame.env.lookup(operand.text);
      return value?.kind === 'forkPid' ? { fork: value.fork, childInConsequence: negated } : undefined;
    }
    if (operand.type !== 'comparison_operator' || negated) return undefined;
    const [left, right] = namedChildren(operand);
    const operator = allChildren(operand).find((c) => !c.isNamed)?.type;
    if (!left || !right || right.text !== '0') return undefined;
    if (left.type !== 'identifier' && !(left.type === 'call' && /fork/.test(left.text))) return undefined;
    const value = left.type === 'identifier' ? ctx.frame.env.lookup(left.text) : this.interpreter.expressions.evaluate(left, ctx.frame, ctx.path);
    if (value?.kind !== 'forkPid') return undefined;
    if (operator === '==') return { fork: value.fork, childInConsequence: true };
    if (operator === '!=' || operator === '>') return { fork: value.fork, childInConsequence: false };
    return undefined;
  }

  private recordFork(api: string, product: ForkSite['product'], site: Site, origin: Site, ctx: Context): ForkSite {
    return this.recorder.recordFork(api, product, site, origin, ctx.frame.chain, ctx.frame.child, ctx.path.state);
  }

  /** Walks what a child runs, on a copy of the parent's path at the fork. */
  private runInChild(fork: ForkSite, how: ChildEntry['how'], fn: Value, args: Value[], site: Site, ctx: Context): void {
    const definition = fn.kind === 'function' ? fn.def : fn.kind === 'partial' && fn.func.kind === 'function' ? fn.func.def : undefined;
    if (definition) fork.entryFunctions.push(definition);
    else fork.opaqueEntry = true;
    const { frame, path } = ctx;
    const childFrame = newFrame<WalkState>(frame.env, frame.file, [...fork.chain, fork.site], { fork, entry: { how, site } }, frame.stack);
    const childPath: Path<WalkState> = { state: this.interpreter.domain.clone(path.state), live: true };
    this.interpreter.calls.callValue(fn, { ...emptyArgs(), positional: args }, childFrame, childPath, undefined);
  }
}

/** What each task of `member` receives: `submit(fn, *args)`, `apply(fn, args)`, `map(fn, items)`. */
function taskArguments(member: string, args: CallArgs): Value[] {
  if (member === 'apply' || member === 'apply_async') return sequenceItems(args.keywords.get('args') ?? args.positional[1]);
  if (member === 'submit') return args.positional.slice(1);
  const items = sequenceItems(args.positional[1] ?? args.keywords.get('iterable'));
  const first = items.find((item) => item.kind !== 'unknown');
  if (!first) return [];
  if (member === 'starmap' || member === 'starmap_async') return sequenceItems(first);
  return [first];
}

function sequenceItems(value: Value | undefined): Value[] {
  return value?.kind === 'sequence' ? value.items : [];
}

function elseBlockOf(node: Node): Node | undefined {
  const alternative = fields(node, 'alternative').find((a) => a.type === 'else_clause');
  return alternative ? field(alternative, 'body') : undefined;
}

/** A subclass of `multiprocessing.Process` (or of a context's `Process`). */
export function isProcessClass(cls: Extract<Value, { kind: 'class' }>, depth = 0): boolean {
  if (depth > 8) return false;
  return cls.bases.some((base) =>
    (base.kind === 'qualified' && PROCESS_CLASSES.has(base.qname)) ||
    (base.kind === 'member' && base.target.kind === 'mpContext' && base.member === 'Process') ||
    (base.kind === 'class' && isProcessClass(base, depth + 1)));
}
