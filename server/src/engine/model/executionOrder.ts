// Runs a Python program abstractly, in the order the interpreter would, and records what happens
// to gRPC objects and fork sites on a timeline (SPEC §2, "alive" and "before").
//
// The walk is deliberately simple: each statement once, both branches of an `if`, loop bodies
// once, calls into functions of the workspace followed to a bounded depth. What happens in a
// child process (a Process target, pool tasks and initializers, the child branch of os.fork()) is
// walked on a copy of the parent's state at the fork, so nothing done there leaks back.
import type { Node } from 'web-tree-sitter';
import {
  CHANNEL_FACTORIES, CONDITIONAL_LIBRARY_CLIENTS, CONTEXT_GETTERS, FORK_APIS, GrpcObjectKind, PARTIAL,
  PROCESS_CLASSES, SERVER_FACTORIES, START_METHOD_SETTERS, TASK_METHODS, THREAD_POOL_NAMES,
  matchesLibraryClient, startMethodForks,
} from './apiCatalog';
import { ModuleResolver, bindImport } from './imports';
import { mentionsTriggers } from './relevance';
import { SourceFile } from './sourceFile';
import { allChildren, field, fields, isMainGuard, namedChildren, sameNode, stringLiteral } from './syntax';
import { ChildEntry, ForkSite, GrpcObject, ProgramEvent, Site, Timeline, rootOf } from './timeline';
import { CallArgs, ChildContext, Env, UNKNOWN, Value, grpcObjectOf, stringOf } from './values';

export interface WalkOptions {
  targetPython: [number, number];
  targetPlatform: string;
  channelFactories: readonly string[];
  resolver?: ModuleResolver;
}

const MAX_CALL_DEPTH = 12;
/**
 * How often one function body is walked per program. Real programs call a function a handful of
 * times before a fork; parsers and interpreters call helpers thousands of times, which would make
 * the walk exponential in the call depth.
 */
const MAX_WALKS_PER_FUNCTION = 16;
/** Bounds the whole walk so that a pathological file costs milliseconds, not minutes. */
const MAX_STEPS = 200_000;

interface Frame {
  env: Env;
  file: SourceFile;
  /** Call sites from the entry point to this frame, outermost first. */
  chain: Site[];
  child?: ChildContext;
  /** Function definitions on the stack, to stop recursion. */
  stack: Node[];
  returnValue?: Value;
  returned: boolean;
  /** Inside an `except` handler: a close there may not happen, so it does not end a lifetime. */
  exceptional?: boolean;
}

interface WalkState {
  alive: Set<GrpcObject>;
  /** Set by multiprocessing.set_start_method(). */
  startMethod?: string;
  /** Set when the parent exited after a fork and the walk goes on as the child. */
  continuesInChild?: ChildContext;
}

export function buildTimeline(file: SourceFile, options: WalkOptions): Timeline {
  const walker = new ProgramWalker(options);
  walker.runProgram(file);
  return walker.timeline;
}

class ProgramWalker {
  readonly timeline: Timeline = { events: [], objects: [], forks: [], qualifiedUses: [] };
  private readonly walkedFunctions = new Set<number>();
  private readonly walkCounts = new Map<number, number>();
  private readonly moduleEnvs = new Map<string, Env>();
  private steps = 0;
  private nextId = 1;

  constructor(private readonly options: WalkOptions) {}

  runProgram(file: SourceFile): void {
    const state: WalkState = { alive: new Set() };
    const env = new Env();
    this.moduleEnvs.set(file.path, env);
    const frame = this.newFrame(env, file, []);
    this.runModuleBody(file, frame, state, true);
    // Functions nothing called here may be entry points called from elsewhere: walk each once,
    // after the module's top level (which always runs first).
    this.walkUncalledFunctions(file.tree.rootNode, env, file, state);
  }

  private newFrame(env: Env, file: SourceFile, chain: Site[], child?: ChildContext, stack: Node[] = []): Frame {
    return { env, file, chain, child, stack, returned: false };
  }

  private runModuleBody(file: SourceFile, frame: Frame, state: WalkState, asMain: boolean): void {
    const deferred: Node[] = [];
    for (const statement of namedChildren(file.tree.rootNode)) {
      if (isMainGuard(statement)) {
        if (asMain) deferred.push(statement);
        continue;
      }
      this.execStatement(statement, frame, state);
    }
    if (asMain) this.push({ kind: 'importTimeEnd', alive: [...state.alive] });
    for (const guard of deferred) this.execBlock(field(guard, 'consequence'), frame, state);
  }

  private walkUncalledFunctions(root: Node, moduleEnv: Env, file: SourceFile, state: WalkState): void {
    const interesting = this.definitionsThatCanMatter(root, moduleEnv, file.text);
    const visit = (node: Node, env: Env, self: Value | undefined) => {
      for (const child of namedChildren(node)) {
        const definition = child.type === 'decorated_definition' ? field(child, 'definition') : child;
        if (!definition) continue;
        if (definition.type === 'function_definition') {
          if (!this.walkedFunctions.has(definition.id) && interesting.has(definition.id)) {
            const fn: Value = { kind: 'function', def: definition, closure: env, file, self };
            this.callFunction(fn, emptyArgs(), this.newFrame(env, file, []), state.alive.size ? cloneState(state) : state, undefined);
          }
        } else if (definition.type === 'class_definition') {
          const body = field(definition, 'body');
          const cls = env.lookup(field(definition, 'name')?.text ?? '');
          // A method walked on its own gets a fresh instance, so `self.x = ...; use(self.x)` is followed.
          const instance: Value = cls?.kind === 'class' ? { kind: 'instance', cls, attrs: new Map() } : UNKNOWN;
          if (body) visit(body, env, instance);
        }
      }
    };
    visit(root, moduleEnv, undefined);
  }

  /**
   * The functions and classes whose standalone walk can produce anything: their text mentions a
   * trigger word (relevance.ts), or a module-level name holding a gRPC object, a pool, a
   * multiprocessing name, or another definition that can matter. Everything else is skipped:
   * walking the thousands of helpers of a large module would cost the editor tens of
   * milliseconds per keystroke and could find nothing.
   */
  private definitionsThatCanMatter(root: Node, moduleEnv: Env, source: string): Set<number> {
    const names = new Set<string>();
    for (const [name, value] of moduleEnv.entries()) {
      const qname = value.kind === 'qualified' || value.kind === 'workspaceModule' ? value.qname : undefined;
      if (qname ? mentionsTriggers(qname, this.options.channelFactories) : INTERESTING_VALUES.has(value.kind) || grpcObjectOf(value)) names.add(name);
    }
    const definitions: { node: Node; name: string; words: Set<string> }[] = [];
    const collect = (node: Node) => {
      for (const child of namedChildren(node)) {
        const definition = child.type === 'decorated_definition' ? field(child, 'definition') : child;
        if (definition?.type !== 'function_definition' && definition?.type !== 'class_definition') continue;
        // Sliced from the JavaScript string, not read back from the tree through WebAssembly.
        const text = source.slice(child.startIndex, child.endIndex);
        definitions.push({ node: definition, name: field(definition, 'name')?.text ?? '', words: new Set(text.match(/[A-Za-z_]\w*/g) ?? []) });
        if (definition.type === 'class_definition') collect(field(definition, 'body') ?? definition);
      }
    };
    collect(root);
    const matters = new Set<number>();
    for (const d of definitions) {
      if (mentionsTriggers([...d.words].join(' '), this.options.channelFactories)) {
        matters.add(d.node.id);
        names.add(d.name);
      }
    }
    for (let changed = true; changed;) {
      changed = false;
      for (const d of definitions) {
        if (matters.has(d.node.id) || ![...d.words].some((w) => names.has(w))) continue;
        matters.add(d.node.id);
        names.add(d.name);
        changed = true;
      }
    }
    return matters;
  }

  // ---- statements ---------------------------------------------------------------------------

  private execBlock(block: Node | undefined, frame: Frame, state: WalkState): void {
    if (!block) return;
    for (const statement of namedChildren(block)) {
      if (frame.returned) return;
      this.execStatement(statement, frame, state);
    }
  }

  private execStatement(node: Node, frame: Frame, state: WalkState): void {
    if (++this.steps > MAX_STEPS) return;
    switch (node.type) {
      case 'expression_statement':
        for (const expression of namedChildren(node)) this.evaluate(expression, frame, state);
        return;
      case 'import_statement':
      case 'import_from_statement':
      case 'future_import_statement':
        bindImport(node, frame.file, frame.env, (module, site) => this.onImport(module, site, frame, state));
        return;
      case 'function_definition':
        frame.env.assign(field(node, 'name')?.text ?? '', this.makeFunction(node, frame, state));
        return;
      case 'class_definition':
        this.execClassDefinition(node, frame, state);
        return;
      case 'decorated_definition':
        for (const decorator of namedChildren(node).filter((c) => c.type === 'decorator')) {
          for (const expression of namedChildren(decorator)) {
            const value = this.evaluate(expression, frame, state);
            const qname = value.kind === 'qualified' ? value.qname : undefined;
            // `@app.task` on a Celery app value is recorded by its callee when it is a call.
            if (qname) this.timeline.qualifiedUses.push({ qname, site: { node: expression, path: frame.file.path }, decorator: true });
          }
        }
        this.execStatement(field(node, 'definition')!, frame, state);
        return;
      case 'if_statement':
        this.execIf(node, frame, state);
        return;
      case 'for_statement':
        this.assignTarget(field(node, 'left'), firstItem(this.evaluate(field(node, 'right'), frame, state)), frame, state);
        this.execBlock(field(node, 'body'), frame, state);
        this.execBlock(field(field(node, 'alternative') ?? node, 'body'), frame, state);
        return;
      case 'while_statement':
        this.evaluate(field(node, 'condition'), frame, state);
        this.execBlock(field(node, 'body'), frame, state);
        return;
      case 'try_statement':
        this.execBlock(field(node, 'body'), frame, state);
        for (const clause of namedChildren(node)) {
          if (clause.type === 'except_clause' || clause.type === 'except_group_clause') {
            const handler = { ...frame, exceptional: true };
            this.execBlock(namedChildren(clause).find((c) => c.type === 'block'), handler, state);
            if (handler.returnValue && !frame.returnValue) frame.returnValue = handler.returnValue;
          } else if (clause.type === 'else_clause') {
            this.execBlock(field(clause, 'body'), frame, state);
          } else if (clause.type === 'finally_clause') {
            this.execBlock(namedChildren(clause).find((c) => c.type === 'block'), frame, state);
          }
        }
        return;
      case 'with_statement':
        this.execWith(node, frame, state);
        return;
      case 'return_statement': {
        const valueNode = namedChildren(node)[0];
        const value = valueNode ? this.evaluate(valueNode, frame, state) : UNKNOWN;
        // The first informative return wins: `return channel` before a recursive `return connect(...)`.
        if (!frame.returnValue || frame.returnValue.kind === 'unknown') frame.returnValue = value;
        // Only an unconditional return ends the walk of the function.
        if (node.parent?.parent?.type === 'function_definition') frame.returned = true;
        return;
      }
      case 'global_statement':
      case 'nonlocal_statement':
        for (const name of namedChildren(node)) frame.env.globalNames.add(name.text);
        return;
      case 'match_statement':
        this.evaluate(field(node, 'subject'), frame, state);
        for (const clause of namedChildren(field(node, 'body') ?? node).filter((c) => c.type === 'case_clause')) {
          this.execBlock(field(clause, 'consequence'), frame, state);
        }
        return;
      case 'comment':
      case 'pass_statement':
      case 'break_statement':
      case 'continue_statement':
        return;
      default:
        for (const child of namedChildren(node)) {
          if (child.type === 'block') this.execBlock(child, frame, state);
          else this.evaluate(child, frame, state);
        }
    }
  }

  /** A def or lambda: its default values are evaluated now, in the defining scope, as Python does. */
  private makeFunction(node: Node, frame: Frame, state: WalkState): Value {
    const defaults = new Map<string, Value>();
    for (const parameter of namedChildren(field(node, 'parameters') ?? node)) {
      if (parameter.type !== 'default_parameter' && parameter.type !== 'typed_default_parameter') continue;
      const name = field(parameter, 'name')?.text;
      if (name) defaults.set(name, this.evaluate(field(parameter, 'value'), frame, state));
    }
    return { kind: 'function', def: node, closure: frame.env, file: frame.file, defaults };
  }

  private execClassDefinition(node: Node, frame: Frame, state: WalkState): void {
    const bases = namedChildren(field(node, 'superclasses') ?? node)
      .filter((c) => c.type !== 'keyword_argument' && node.childForFieldName('superclasses') !== null)
      .map((base) => this.evaluate(base, frame, state));
    const classEnv = new Env(frame.env, frame.env.module);
    const name = field(node, 'name')?.text ?? '';
    const cls: Value = { kind: 'class', def: node, env: classEnv, bases, file: frame.file, name };
    // The class body runs at definition time; its functions become the class's methods.
    this.execBlock(field(node, 'body'), { ...frame, env: classEnv }, state);
    frame.env.assign(name, cls);
  }

  private execIf(node: Node, frame: Frame, state: WalkState): void {
    const condition = field(node, 'condition');
    const forkBranch = condition ? this.forkBranchOf(condition, frame, state) : undefined;
    if (forkBranch) {
      const childBlock = forkBranch.childInConsequence ? field(node, 'consequence') : this.elseBlockOf(node);
      const parentBlock = forkBranch.childInConsequence ? this.elseBlockOf(node) : field(node, 'consequence');
      if (childBlock) {
        const entry: ChildEntry = { how: 'forkBranch', site: { node: childBlock, path: frame.file.path } };
        const childFrame: Frame = { ...frame, child: { fork: forkBranch.fork, entry }, chain: [...forkBranch.fork.chain, forkBranch.fork.site] };
        this.execBlock(childBlock, childFrame, cloneState(state));
        if (childFrame.returned) frame.returned = false;
      }
      this.execBlock(parentBlock, frame, state);
      if (parentBlock && endsProcess(parentBlock)) {
        // `if os.fork() > 0: sys.exit()`: the parent is gone; what follows runs in the child,
        // in this frame and in every caller (see callFunction).
        const entry: ChildEntry = { how: 'forkBranch', site: { node, path: frame.file.path } };
        frame.child = { fork: forkBranch.fork, entry };
        state.continuesInChild = frame.child;
      }
      return;
    }
    this.evaluate(condition, frame, state);
    this.execBlock(field(node, 'consequence'), frame, state);
    for (const alternative of fields(node, 'alternative')) {
      if (alternative.type === 'elif_clause') {
        this.evaluate(field(alternative, 'condition'), frame, state);
        this.execBlock(field(alternative, 'consequence'), frame, state);
      } else {
        this.execBlock(field(alternative, 'body'), frame, state);
      }
    }
    frame.returned = false;
  }

  private elseBlockOf(node: Node): Node | undefined {
    const alternative = fields(node, 'alternative').find((a) => a.type === 'else_clause');
    return alternative ? field(alternative, 'body') : undefined;
  }

  /** Recognises `if pid == 0:`, `if not pid:`, `if pid:`, `if pid > 0:`, `if os.fork() == 0:`. */
  private forkBranchOf(condition: Node, frame: Frame, state: WalkState): { fork: ForkSite; childInConsequence: boolean } | undefined {
    let operand = condition;
    let negated = false;
    if (condition.type === 'not_operator') {
      operand = field(condition, 'argument') ?? condition;
      negated = true;
    }
    if (operand.type === 'parenthesized_expression') operand = namedChildren(operand)[0] ?? operand;
    if (operand.type === 'identifier') {
      const value = frame.env.lookup(operand.text);
      if (value?.kind !== 'forkPid') return undefined;
      return { fork: value.fork, childInConsequence: negated };
    }
    if (operand.type !== 'comparison_operator' || negated) return undefined;
    const [left, right] = namedChildren(operand);
    const operator = allChildren(operand).find((c) => !c.isNamed)?.type;
    if (!left || !right || right.text !== '0') return undefined;
    const value = left.type === 'identifier' ? frame.env.lookup(left.text) : left.type === 'call' ? this.evaluate(left, frame, state) : undefined;
    if (value?.kind !== 'forkPid') return undefined;
    if (operator === '==') return { fork: value.fork, childInConsequence: true };
    if (operator === '!=' || operator === '>') return { fork: value.fork, childInConsequence: false };
    return undefined;
  }

  private execWith(node: Node, frame: Frame, state: WalkState): void {
    const entered: GrpcObject[] = [];
    const clause = namedChildren(node).find((c) => c.type === 'with_clause');
    for (const item of clause ? namedChildren(clause) : []) {
      let expression = field(item, 'value');
      let alias: Node | undefined;
      if (expression?.type === 'as_pattern') {
        alias = namedChildren(namedChildren(expression).find((c) => c.type === 'as_pattern_target') ?? expression)[0];
        expression = namedChildren(expression)[0];
      }
      const value = this.evaluate(expression, frame, state);
      if (alias) this.assignTarget(alias, value, frame, state);
      const object = grpcObjectOf(value);
      if (object && value.kind === 'grpc') entered.push(object);
    }
    this.execBlock(field(node, 'body'), frame, state);
    // Leaving the block closes a channel and stops a server.
    for (const object of entered) this.closeObject(object, { node, path: frame.file.path }, state);
  }

  /** `valueNode`: the right-hand side, which names the object it creates after the target. */
  private assignTarget(target: Node | undefined, value: Value, frame: Frame, state: WalkState, valueNode?: Node): void {
    if (!target) return;
    switch (target.type) {
      case 'identifier': {
        frame.env.assign(target.text, value);
        const object = grpcObjectOf(value);
        if (object && valueNode && object.creation.node.id === valueNode.id) object.label = target.text;
        return;
      }
      case 'attribute': {
        const owner = this.evaluate(field(target, 'object'), frame, state);
        const name = field(target, 'attribute')?.text ?? '';
        if (owner.kind === 'instance') owner.attrs.set(name, value);
        else if (owner.kind === 'workspaceModule') owner.env.assign(name, value);
        const object = grpcObjectOf(value);
        if (object && valueNode && object.creation.node.id === valueNode.id) object.label = target.text;
        return;
      }
      case 'subscript':
        this.onSubscriptAssignment(target, value, frame, state);
        return;
      case 'pattern_list':
      case 'tuple_pattern':
      case 'list_pattern':
      case 'tuple':
      case 'list': {
        const targets = namedChildren(target);
        const items = value.kind === 'sequence' ? value.items : [];
        targets.forEach((t, i) => this.assignTarget(t, items[i] ?? UNKNOWN, frame, state));
        return;
      }
      default:
        return;
    }
  }

  // `os.environ["GRPC_..."] = "..."`
  private onSubscriptAssignment(target: Node, value: Value, frame: Frame, state: WalkState): void {
    const container = this.evaluate(field(target, 'value'), frame, state);
    const key = this.evaluate(field(target, 'subscript'), frame, state);
    if (container.kind === 'qualified' && container.qname === 'os.environ') {
      const variable = stringOf(key);
      if (variable) this.onEnvWrite(variable, stringOf(value), { node: target.parent ?? target, path: frame.file.path }, 'item assignment', frame);
    }
  }

  // ---- expressions --------------------------------------------------------------------------

  private evaluate(node: Node | undefined, frame: Frame, state: WalkState): Value {
    if (!node) return UNKNOWN;
    if (++this.steps > MAX_STEPS) return UNKNOWN;
    switch (node.type) {
      case 'identifier': {
        const value = frame.env.lookup(node.text) ?? UNKNOWN;
        this.noteReference(value, node, frame);
        return value;
      }
      case 'attribute':
        return this.evaluateAttribute(node, frame, state);
      case 'call':
        return this.evaluateCall(node, frame, state);
      case 'assignment': {
        const value = this.evaluate(field(node, 'right'), frame, state);
        this.assignTarget(field(node, 'left'), value, frame, state, field(node, 'right'));
        return value;
      }
      case 'augmented_assignment':
        this.evaluate(field(node, 'right'), frame, state);
        return UNKNOWN;
      case 'string':
      case 'concatenated_string': {
        const text = stringLiteral(node);
        if (text === undefined) namedChildren(node).forEach((c) => this.evaluate(c, frame, state));
        return text === undefined ? UNKNOWN : { kind: 'string', text };
      }
      case 'integer':
        return { kind: 'number', value: Number(node.text.replace(/_/g, '')) };
      case 'tuple':
      case 'list':
      case 'expression_list':
        return { kind: 'sequence', items: namedChildren(node).map((c) => this.evaluate(c, frame, state)) };
      case 'dictionary':
        return {
          kind: 'dict',
          entries: namedChildren(node).filter((c) => c.type === 'pair').map((pair) => ({
            key: this.evaluate(field(pair, 'key'), frame, state),
            value: this.evaluate(field(pair, 'value'), frame, state),
          })),
        };
      case 'parenthesized_expression':
        return this.evaluate(namedChildren(node)[0], frame, state);
      case 'await': {
        const value = this.evaluate(namedChildren(node)[0], frame, state);
        if (value.kind === 'serverStopping' && !frame.exceptional) this.closeObject(value.object, { node, path: frame.file.path }, state);
        return value;
      }
      case 'conditional_expression': {
        const values = namedChildren(node).map((c) => this.evaluate(c, frame, state));
        return values.find((v) => v.kind !== 'unknown') ?? UNKNOWN;
      }
      case 'boolean_operator': {
        const values = namedChildren(node).map((c) => this.evaluate(c, frame, state));
        return values.reverse().find((v) => v.kind !== 'unknown') ?? UNKNOWN;
      }
      case 'list_comprehension':
      case 'set_comprehension':
      case 'generator_expression':
        return this.evaluateComprehension(node, frame, state);
      case 'lambda':
        return this.makeFunction(node, frame, state);
      case 'named_expression': {
        const value = this.evaluate(field(node, 'value'), frame, state);
        this.assignTarget(field(node, 'name'), value, frame, state);
        return value;
      }
      default:
        for (const child of namedChildren(node)) this.evaluate(child, frame, state);
        return UNKNOWN;
    }
  }

  /** `[Process(target=f) for _ in range(4)]`: a sequence holding what the body makes. */
  private evaluateComprehension(node: Node, frame: Frame, state: WalkState): Value {
    const scope: Frame = { ...frame, env: new Env(frame.env, frame.env.module) };
    for (const clause of namedChildren(node)) {
      if (clause.type === 'for_in_clause') {
        this.assignTarget(field(clause, 'left'), firstItem(this.evaluate(field(clause, 'right'), scope, state)), scope, state);
      } else if (clause.type === 'if_clause') {
        for (const condition of namedChildren(clause)) this.evaluate(condition, scope, state);
      }
    }
    return { kind: 'sequence', items: [this.evaluate(field(node, 'body'), scope, state)] };
  }

  private evaluateAttribute(node: Node, frame: Frame, state: WalkState): Value {
    const owner = this.evaluate(field(node, 'object'), frame, state);
    const name = field(node, 'attribute')?.text ?? '';
    switch (owner.kind) {
      case 'qualified':
        return { kind: 'qualified', qname: `${owner.qname}.${name}` };
      case 'workspaceModule': {
        const member = owner.env.lookup(name);
        if (member) this.noteReference(member, node, frame);
        return member ?? { kind: 'qualified', qname: `${owner.qname}.${name}` };
      }
      case 'instance': {
        const attribute = owner.attrs.get(name);
        if (attribute) {
          this.noteReference(attribute, node, frame);
          return attribute;
        }
        const method = lookupClassAttribute(owner.cls, name);
        if (method?.kind === 'function') return { ...method, self: owner };
        if (owner.wrapper) return { kind: 'grpcMember', object: owner.wrapper, member: name };
        return method ?? UNKNOWN;
      }
      case 'class': {
        return lookupClassAttribute(owner, name) ?? UNKNOWN;
      }
      case 'grpc':
        return { kind: 'grpcMember', object: owner.object, member: name };
      case 'grpcMember':
        return { kind: 'grpcMember', object: owner.object, member: `${owner.member}.${name}` };
      case 'mpContext':
        return { kind: 'member', target: owner, member: name };
      case 'pool':
      case 'executor':
      case 'process':
      case 'threadPool':
      case 'serverStopping':
        return { kind: 'member', target: owner, member: name };
      default:
        return UNKNOWN;
    }
  }

  private evaluateArgs(node: Node | undefined, frame: Frame, state: WalkState): CallArgs {
    const args = emptyArgs();
    if (!node) return args;
    for (const argument of namedChildren(node)) {
      if (argument.type === 'keyword_argument') {
        const name = field(argument, 'name')?.text ?? '';
        const valueNode = field(argument, 'value');
        args.keywords.set(name, this.evaluate(valueNode, frame, state));
        if (valueNode) args.keywordNodes.set(name, valueNode);
      } else if (argument.type === 'comment') {
        continue;
      } else {
        args.positional.push(this.evaluate(argument, frame, state));
        args.positionalNodes.push(argument);
      }
    }
    return args;
  }

  private evaluateCall(node: Node, frame: Frame, state: WalkState): Value {
    const callee = this.evaluate(field(node, 'function'), frame, state);
    const args = this.evaluateArgs(field(node, 'arguments'), frame, state);
    const site: Site = { node, path: frame.file.path };
    switch (callee.kind) {
      case 'qualified':
        this.timeline.qualifiedUses.push({ qname: callee.qname, site, decorator: false });
        return this.callQualified(callee.qname, site, args, frame, state, undefined);
      case 'function':
        return this.callFunction(callee, args, frame, state, site);
      case 'class':
        return this.instantiate(callee, args, frame, state, site);
      case 'grpcMember':
        return this.callGrpcMember(callee.object, callee.member, site, args, frame, state);
      case 'grpc':
        // A multicallable (`channel.unary_unary(...)`) called: an RPC through the channel.
        return this.callGrpcMember(callee.object, '__call__', site, args, frame, state);
      case 'member':
        return this.callMember(callee.target, callee.member, site, args, frame, state);
      case 'partial':
        return this.callFunctionValue(callee.func, { ...args, positional: [...callee.args, ...args.positional] }, frame, state, site);
      default:
        if (field(field(node, 'function') ?? node, 'attribute')?.text === 'run_in_executor') {
          // `loop.run_in_executor(executor, fn, *args)` is a task of that executor.
          const [executor, fn, ...rest] = args.positional;
          if (executor && (executor.kind === 'executor' || executor.kind === 'pool')) {
            return this.callMember(executor, 'submit', site, { ...args, positional: [fn ?? UNKNOWN, ...rest] }, frame, state);
          }
        }
        return this.maybeStub(node, undefined, args, frame, state);
    }
  }

  /** A generated `FooStub(channel)`: a stub whose lifetime is its channel's. */
  private maybeStub(node: Node, qname: string | undefined, args: CallArgs, frame: Frame, state: WalkState): Value {
    const calleeName = qname ?? field(node, 'function')?.text ?? '';
    const lastPart = calleeName.slice(calleeName.lastIndexOf('.') + 1);
    const channel = grpcObjectOf(args.positional[0] ?? args.keywords.get('channel'));
    if (!/Stub$/.test(lastPart) || !channel) return UNKNOWN;
    const kind: GrpcObjectKind = channel.kind === 'aioChannel' ? 'aioChannel' : 'stub';
    return { kind: 'grpc', object: this.createObject(kind, { node, path: frame.file.path }, frame, state, channel) };
  }

  private callQualified(qname: string, site: Site, args: CallArgs, frame: Frame, state: WalkState, contextMethod: string | undefined | null): Value {
    const channelKind = CHANNEL_FACTORIES[qname] ?? SERVER_FACTORIES[qname];
    if (channelKind) {
      const object = this.createObject(channelKind, site, frame, state);
      if (channelKind === 'server' || channelKind === 'aioServer') {
        object.optionsNode = args.keywordNodes.get('options') ?? args.positionalNodes[3];
        object.threadPoolArg = args.keywordNodes.get('thread_pool') ?? args.positionalNodes[0];
        object.threadPoolIsProcessPool = isProcessPool(args.keywords.get('thread_pool') ?? args.positional[0]);
      }
      if (qname === 'grpc.intercept_channel') object.base = grpcObjectOf(args.positional[0]);
      return { kind: 'grpc', object };
    }
    if (matchesLibraryClient(qname, this.options.channelFactories)) {
      const condition = CONDITIONAL_LIBRARY_CLIENTS[qname];
      if (condition) {
        const flag = args.keywordNodes.get(condition.keyword);
        if (!flag || flag.text === 'False') return UNKNOWN;
      }
      return { kind: 'grpc', object: this.createObject('client', site, frame, state) };
    }
    const forkApi = FORK_APIS[qname];
    if (forkApi) return this.callForkApi(qname, forkApi.mode, forkApi.produces, site, args, frame, state, contextMethod);
    if (START_METHOD_SETTERS.has(qname)) {
      const method = stringOf(args.positional[0] ?? args.keywords.get('method'));
      if (method) state.startMethod = method;
      return UNKNOWN;
    }
    if (CONTEXT_GETTERS.has(qname)) {
      const method = stringOf(args.positional[0] ?? args.keywords.get('method'));
      return { kind: 'mpContext', method: method ?? (contextMethod === null ? undefined : contextMethod) ?? state.startMethod };
    }
    if (PARTIAL.has(qname)) return { kind: 'partial', func: args.positional[0] ?? UNKNOWN, args: args.positional.slice(1) };
    if (THREAD_POOL_NAMES.has(qname)) return { kind: 'threadPool', origin: site };
    if (qname === 'os.environ.setdefault' || qname === 'os.putenv') {
      const variable = stringOf(args.positional[0]);
      if (variable) this.onEnvWrite(variable, stringOf(args.positional[1]), site, qname === 'os.putenv' ? 'os.putenv' : 'setdefault', frame);
      return UNKNOWN;
    }
    if (qname === 'os.environ.update') {
      const mapping = args.positional[0];
      if (mapping?.kind === 'dict') {
        for (const entry of mapping.entries) {
          const variable = stringOf(entry.key);
          if (variable) this.onEnvWrite(variable, stringOf(entry.value), site, 'update', frame);
        }
      }
      for (const [variable, value] of args.keywords) this.onEnvWrite(variable, stringOf(value), site, 'update', frame);
      return UNKNOWN;
    }
    return this.maybeStub(site.node, qname, args, frame, state);
  }

  private callForkApi(
    api: string, mode: string, produces: string, site: Site, args: CallArgs, frame: Frame, state: WalkState,
    contextMethod: string | undefined | null,
  ): Value {
    const method = contextMethod ?? undefined;
    const forks = mode === 'always' || startMethodForks(method ?? state.startMethod, this.options.targetPython, this.options.targetPlatform);
    switch (produces) {
      case 'pid': {
        const fork = this.recordFork(api, 'pid', site, site, frame, state);
        return { kind: 'forkPid', fork };
      }
      case 'pool': {
        const fork = forks ? this.recordFork(api, 'pool', site, site, frame, state) : undefined;
        if (fork) {
          const initializer = args.keywords.get('initializer') ?? args.positional[1];
          const initargs = args.keywords.get('initargs') ?? args.positional[2];
          if (initializer) this.runInChild(fork, 'initializer', initializer, sequenceItems(initargs), site, frame, state);
        }
        return { kind: 'pool', fork, forks, origin: site };
      }
      case 'executor': {
        const context = args.keywords.get('mp_context') ?? args.positional[1];
        const executorForks = context?.kind === 'mpContext'
          ? startMethodForks(context.method ?? state.startMethod, this.options.targetPython, this.options.targetPlatform)
          : forks;
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
      case 'manager':
      default:
        if (forks) this.recordFork(api, 'manager', site, site, frame, state);
        return UNKNOWN;
    }
  }

  private callMember(target: Value, member: string, site: Site, args: CallArgs, frame: Frame, state: WalkState): Value {
    if (target.kind === 'serverStopping') {
      if (member === 'wait' && !frame.exceptional) this.closeObject(target.object, site, state);
      return UNKNOWN;
    }
    if (target.kind === 'mpContext') {
      return this.callQualified(`multiprocessing.${member}`, site, args, frame, state, target.method ?? null);
    }
    if (target.kind === 'process' && member === 'start') {
      if (!target.forks) return UNKNOWN;
      const fork = this.recordFork(target.api, 'process', site, target.origin, frame, state);
      this.runInChild(fork, target.target.kind === 'function' && field(target.target.def, 'name')?.text === 'run' && target.target.self ? 'run' : 'target', target.target, target.args, site, frame, state);
      return UNKNOWN;
    }
    if ((target.kind === 'pool' || target.kind === 'executor') && TASK_METHODS.has(member)) {
      let fork = target.fork;
      if (target.kind === 'executor' && !fork && target.forks) {
        // A ProcessPoolExecutor starts its workers at the first task, not when it is made.
        fork = this.recordFork(target.api, 'executor', site, target.origin, frame, state);
        target.fork = fork;
        if (target.initializer) {
          const [initializer, ...initargs] = target.initializer.positional;
          this.runInChild(fork, 'initializer', initializer, initargs, site, frame, state);
        }
      }
      if (!fork) return UNKNOWN;
      const taskArgs = member === 'apply' || member === 'apply_async'
        ? sequenceItems(args.keywords.get('args') ?? args.positional[1])
        : member === 'submit' ? args.positional.slice(1) : [];
      this.runInChild(fork, 'task', args.positional[0] ?? args.keywords.get('func') ?? args.keywords.get('fn') ?? UNKNOWN, taskArgs, site, frame, state);
    }
    return UNKNOWN;
  }

  private callGrpcMember(object: GrpcObject, member: string, site: Site, args: CallArgs, frame: Frame, state: WalkState): Value {
    const method = member.slice(member.lastIndexOf('.') + 1);
    switch (method) {
      case 'close':
        if (member === 'close' && !frame.exceptional) this.closeObject(object, site, state);
        return UNKNOWN;
      case 'stop':
        // stop() returns at once; the server is gone when the returned event is waited or awaited.
        return member === 'stop' ? { kind: 'serverStopping', object } : UNKNOWN;
      case 'start':
        if (object.kind === 'server' || object.kind === 'aioServer') {
          // A child starting the parent's server does not make it started in the parent.
          if (!frame.child || object.createdInChild === frame.child.fork) object.started = true;
          this.push({ kind: 'start', object, site });
          return UNKNOWN;
        }
        break;
      case 'add_insecure_port':
      case 'add_secure_port': {
        const addressNode = args.positionalNodes[0] ?? args.keywordNodes.get('address');
        const address = stringOf(args.positional[0] ?? args.keywords.get('address'));
        // `ADDRESS = "127.0.0.1:%d" % free_port()` at module level: unknown, but one value for all children.
        const global = addressNode?.type === 'identifier' && !frame.env.has(addressNode.text) && frame.env.module.has(addressNode.text) ? addressNode.text : undefined;
        this.push({
          kind: 'serverPort', server: object, address, site, inChild: frame.child?.fork, repeated: false,
          addressGlobal: address === undefined ? global : undefined,
        });
        return { kind: 'number', value: 0 };
      }
      case 'unary_unary':
      case 'unary_stream':
      case 'stream_unary':
      case 'stream_stream':
        return { kind: 'grpc', object };
      default:
        break;
    }
    if (!frame.child) {
      markUsed(object);
      this.push({ kind: 'parentUse', object, site });
    }
    return UNKNOWN;
  }

  // ---- functions and classes ----------------------------------------------------------------

  private callFunctionValue(fn: Value, args: CallArgs, frame: Frame, state: WalkState, site: Site | undefined): Value {
    if (fn.kind === 'function') return this.callFunction(fn, args, frame, state, site);
    if (fn.kind === 'partial') return this.callFunctionValue(fn.func, { ...args, positional: [...fn.args, ...args.positional] }, frame, state, site);
    if (fn.kind === 'class' && site) return this.instantiate(fn, args, frame, state, site);
    return UNKNOWN;
  }

  private callFunction(fn: Extract<Value, { kind: 'function' }>, args: CallArgs, caller: Frame, state: WalkState, site: Site | undefined): Value {
    if (caller.stack.length >= MAX_CALL_DEPTH || caller.stack.some((def) => sameNode(def, fn.def))) return UNKNOWN;
    const walks = this.walkCounts.get(fn.def.id) ?? 0;
    if (walks >= MAX_WALKS_PER_FUNCTION) return UNKNOWN;
    this.walkCounts.set(fn.def.id, walks + 1);
    this.walkedFunctions.add(fn.def.id);
    const env = new Env(fn.closure, fn.closure.module);
    bindParameters(fn, args, env);
    const frame: Frame = this.newFrame(env, fn.file, site ? [...caller.chain, site] : caller.chain, caller.child, [...caller.stack, fn.def]);
    const body = field(fn.def, 'body');
    if (fn.def.type === 'lambda') return this.evaluate(body, frame, state);
    this.execBlock(body, frame, state);
    if (state.continuesInChild && !caller.child) caller.child = state.continuesInChild;
    return frame.returnValue ?? UNKNOWN;
  }

  private instantiate(cls: Extract<Value, { kind: 'class' }>, args: CallArgs, frame: Frame, state: WalkState, site: Site): Value {
    if (classExtends(cls, PROCESS_CLASSES)) return this.instantiateProcess(cls, args, frame, state, site);
    const instance: Extract<Value, { kind: 'instance' }> = { kind: 'instance', cls, attrs: new Map() };
    const init = lookupClassAttribute(cls, '__init__');
    if (init?.kind === 'function') this.callFunction({ ...init, self: instance }, args, frame, state, site);
    // A class that holds a channel is a client wrapper: its instances carry the channel.
    const held = [...instance.attrs.values()].map(grpcObjectOf).find((o) => o && o.kind !== 'server' && o.kind !== 'aioServer');
    if (held) instance.wrapper = this.createObject(held.kind === 'aioChannel' ? 'aioChannel' : 'client', site, frame, state, held);
    return instance;
  }

  private instantiateProcess(cls: Extract<Value, { kind: 'class' }>, args: CallArgs, frame: Frame, state: WalkState, site: Site): Value {
    const instance: Extract<Value, { kind: 'instance' }> = { kind: 'instance', cls, attrs: new Map() };
    const init = lookupClassAttribute(cls, '__init__');
    if (init?.kind === 'function') this.callFunction({ ...init, self: instance }, args, frame, state, site);
    const run = lookupClassAttribute(cls, 'run');
    const forks = startMethodForks(state.startMethod, this.options.targetPython, this.options.targetPlatform);
    const target: Value = run?.kind === 'function' ? { ...run, self: instance } : UNKNOWN;
    const process: Value = { kind: 'process', forks, origin: site, api: 'multiprocessing.Process', target, args: [], kwargs: [] };
    // `p.start()` on the instance reaches the process through this attribute.
    instance.attrs.set('start', { kind: 'member', target: process, member: 'start' });
    return instance;
  }

  // ---- children -----------------------------------------------------------------------------

  private runInChild(fork: ForkSite, how: ChildEntry['how'], fn: Value, args: Value[], site: Site, frame: Frame, state: WalkState): void {
    const entry: ChildEntry = { how, site };
    const definition = fn.kind === 'function' ? fn.def : fn.kind === 'partial' && fn.func.kind === 'function' ? fn.func.def : undefined;
    if (definition) fork.entryFunctions.push(definition);
    else fork.opaqueEntry = true;
    const childFrame = this.newFrame(frame.env, frame.file, [...fork.chain, fork.site], { fork, entry }, frame.stack);
    const childArgs = { ...emptyArgs(), positional: args };
    // The child sees the parent's objects as they are at the fork, and its own changes stay there.
    this.callFunctionValue(fn, childArgs, childFrame, cloneState(state), undefined);
  }

  private recordFork(api: string, product: ForkSite['product'], site: Site, origin: Site, frame: Frame, state: WalkState): ForkSite {
    const fork: ForkSite = {
      id: this.nextId++, site, origin, api, product, chain: frame.chain, inChild: frame.child !== undefined, entryFunctions: [], opaqueEntry: false,
    };
    this.timeline.forks.push(fork);
    this.push({ kind: 'fork', fork, alive: [...state.alive].filter((o) => !o.closed) });
    return fork;
  }

  // ---- objects and events -------------------------------------------------------------------

  private createObject(kind: GrpcObjectKind, site: Site, frame: Frame, state: WalkState, base?: GrpcObject): GrpcObject {
    const object: GrpcObject = {
      id: this.nextId++, kind, label: callLabelOf(site.node), creation: site, chain: frame.chain, base,
      createdInChild: frame.child?.fork, usedInParent: false, closed: false, started: false,
    };
    this.timeline.objects.push(object);
    state.alive.add(object);
    this.push({ kind: 'create', object });
    return object;
  }

  private closeObject(object: GrpcObject, site: Site, state: WalkState): void {
    // A stub or wrapper is closed through its channel, and the other way round.
    for (const o of [object, ...relatives(object, state)]) {
      state.alive.delete(o);
    }
    this.push({ kind: 'close', object, site });
  }

  private noteReference(value: Value, node: Node, frame: Frame): void {
    const object = grpcObjectOf(value);
    if (!object || !frame.child || object.createdInChild === frame.child.fork || !isUseContext(node)) return;
    if (object.createdInChild && isDescendantFork(frame.child.fork, object.createdInChild)) return;
    this.push({ kind: 'use', object, site: { node, path: frame.file.path }, fork: frame.child.fork, entry: frame.child.entry, chain: frame.chain });
  }

  private onImport(module: string, site: Site, frame: Frame, state: WalkState): Value | undefined {
    this.push({ kind: 'import', module, site, chain: frame.chain, inChild: frame.child !== undefined });
    const resolver = this.options.resolver;
    if (!resolver) return undefined;
    const resolved = resolver.resolve(frame.file.path, module);
    if (!resolved) return undefined;
    const known = this.moduleEnvs.get(resolved);
    if (known) return { kind: 'workspaceModule', qname: module, env: known };
    const file = resolver.load(resolved);
    if (!file) return undefined;
    // Importing a workspace module runs its top level once, as part of this program.
    const env = new Env();
    this.moduleEnvs.set(resolved, env);
    const moduleFrame = this.newFrame(env, file, [...frame.chain, site], frame.child, frame.stack);
    this.runModuleBody(file, moduleFrame, state, false);
    return { kind: 'workspaceModule', qname: module, env };
  }

  private onEnvWrite(variable: string, value: string | undefined, site: Site, how: string, frame: Frame): void {
    this.push({ kind: 'envWrite', variable, value, site, how, chain: frame.chain, inChild: frame.child !== undefined });
  }

  private push(event: ProgramEvent): void {
    this.timeline.events.push(event);
  }
}

// ---- helpers ----------------------------------------------------------------------------------

/** Testing a reference (`stub is None`, `if not stub:`) does not touch the channel; the rest does. */
function isUseContext(node: Node): boolean {
  const parent = node.parent;
  if (!parent) return true;
  if (parent.type === 'comparison_operator' || parent.type === 'not_operator') return false;
  if ((parent.type === 'if_statement' || parent.type === 'while_statement' || parent.type === 'elif_clause') && field(parent, 'condition')?.id === node.id) return false;
  if (parent.type === 'boolean_operator') return isUseContext(parent);
  // Closing the inherited copy in the child (`channel.close()`) releases it; it sends nothing.
  if (parent.type === 'attribute' && field(parent, 'object')?.id === node.id && field(parent, 'attribute')?.text === 'close' && parent.parent?.type === 'call') return false;
  return true;
}

/** Module-level values a function can turn into a finding by referring to them. */
const INTERESTING_VALUES = new Set<Value['kind']>(['grpc', 'grpcMember', 'pool', 'executor', 'process', 'mpContext', 'forkPid', 'serverStopping', 'threadPool']);

function emptyArgs(): CallArgs {
  return { positional: [], keywords: new Map(), positionalNodes: [], keywordNodes: new Map() };
}

function cloneState(state: WalkState): WalkState {
  return { alive: new Set(state.alive), startMethod: state.startMethod, continuesInChild: state.continuesInChild };
}

const PROCESS_EXITS = /^(sys\.exit|os\._exit|exit|quit|os\.abort)$/;

/** A block whose last statement ends the process: `sys.exit(...)`, `os._exit(...)`, `raise`. */
function endsProcess(block: Node): boolean {
  const statements = namedChildren(block).filter((s) => s.type !== 'comment');
  const last = statements[statements.length - 1];
  if (!last) return false;
  if (last.type === 'raise_statement') return true;
  const call = last.type === 'expression_statement' ? namedChildren(last)[0] : undefined;
  return call?.type === 'call' && PROCESS_EXITS.test(field(call, 'function')?.text ?? '');
}

/** What a loop over `value` binds: its first known item. */
function firstItem(value: Value): Value {
  return value.kind === 'sequence' ? value.items.find((item) => item.kind !== 'unknown') ?? UNKNOWN : UNKNOWN;
}

function sequenceItems(value: Value | undefined): Value[] {
  return value?.kind === 'sequence' ? value.items : [];
}

function callLabelOf(node: Node): string {
  const callee = field(node, 'function');
  return `${callee ? callee.text : node.text}(...)`;
}

function markUsed(object: GrpcObject): void {
  for (let o: GrpcObject | undefined = object; o; o = o.base) o.usedInParent = true;
}

function relatives(object: GrpcObject, state: WalkState): GrpcObject[] {
  const root = rootOf(object);
  return [...state.alive].filter((o) => rootOf(o) === root);
}


function isDescendantFork(fork: ForkSite, ancestor: ForkSite): boolean {
  return fork.id >= ancestor.id;
}

function isProcessPool(value: Value | undefined): boolean {
  return value?.kind === 'executor' || value?.kind === 'pool';
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

function lookupClassAttribute(cls: Extract<Value, { kind: 'class' }>, name: string, depth = 0): Value | undefined {
  if (cls.env.has(name)) return cls.env.lookup(name);
  if (depth > 8) return undefined;
  for (const base of cls.bases) {
    if (base.kind === 'class') {
      const found = lookupClassAttribute(base, name, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

function classExtends(cls: Extract<Value, { kind: 'class' }>, qnames: Set<string>, depth = 0): boolean {
  if (depth > 8) return false;
  return cls.bases.some((base) =>
    (base.kind === 'qualified' && qnames.has(base.qname)) ||
    (base.kind === 'member' && base.target.kind === 'mpContext' && base.member === 'Process') ||
    (base.kind === 'class' && classExtends(base, qnames, depth + 1)));
}
