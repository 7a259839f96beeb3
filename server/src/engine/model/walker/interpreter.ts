// Runs Python statements abstractly, path by path (SPEC §2 "execution-order semantics"):
// `if/elif/else`, `try`, `match` and loops split the path and join it again; `return`, `raise`,
// `break`, `continue` and process exits end theirs; a loop body runs zero, one or two times.
// It knows Python, not gRPC: what calls do to the state is the effects' business.
import type { Node } from 'web-tree-sitter';
import type { SourceFile } from '../sourceFile';
import { field, fields, isMainGuard, namedChildren } from '../syntax';
import type { Site } from '../timeline';
import { Env, UNKNOWN } from '../values';
import { Calls, ImportedModules, WalkLimits } from './calls';
import { Expressions } from './expressions';
import { Effects, Frame, Path, StateDomain, WalkContext, newFrame } from './frame';
import type { ModuleResolver } from '../imports';

/** Deeper statement nesting is not walked: the tree is hostile or generated, not a program. */
export const MAX_STATEMENT_DEPTH = 100;

export class Interpreter<S> {
  readonly expressions: Expressions<S>;
  readonly calls: Calls<S>;
  private depth = 0;

  constructor(readonly domain: StateDomain<S>, readonly effects: Effects<S>, resolver: ModuleResolver | undefined, limits: WalkLimits, imports?: ImportedModules<S>) {
    this.expressions = new Expressions(this);
    this.calls = new Calls(this, resolver, limits, imports);
  }

  /** How deep in statements the walk is now (a walk that starts deeper may hit the limit sooner). */
  get statementDepth(): number {
    return this.depth;
  }

  /** The deepest a statement was walked from since it was last set (module summaries measure a module's walk with it). */
  deepestStatement = 0;

  /** A module's top level; the `if __name__ == "__main__":` block last when it runs as the program. */
  runModuleBody(file: SourceFile, frame: Frame<S>, path: Path<S>, asMain: boolean): S | undefined {
    const deferred: Node[] = [];
    for (const statement of namedChildren(file.tree.rootNode)) {
      if (!path.live) break;
      if (isMainGuard(statement)) {
        if (asMain) deferred.push(statement);
        continue;
      }
      this.execStatement(statement, frame, path);
    }
    const imported = path.live ? this.domain.clone(path.state) : undefined;
    if (asMain && path.live) this.effects.moduleImported({ frame, path });
    for (const guard of deferred) this.execBlock(field(guard, 'consequence'), frame, path);
    return imported;
  }

  execBlock(block: Node | undefined, frame: Frame<S>, path: Path<S>): void {
    if (!block) return;
    for (const statement of namedChildren(block)) {
      if (!path.live) return;
      this.execStatement(statement, frame, path);
    }
  }

  execStatement(node: Node, frame: Frame<S>, path: Path<S>): void {
    if (!this.calls.step()) return;
    if (this.depth > this.deepestStatement) this.deepestStatement = this.depth;
    if (this.depth >= MAX_STATEMENT_DEPTH) {
      this.calls.refusals++;
      return;
    }
    this.depth++;
    try {
      this.dispatch(node, frame, path);
    } finally {
      this.depth--;
    }
  }

  private dispatch(node: Node, frame: Frame<S>, path: Path<S>): void {
    const ctx: WalkContext<S> = { frame, path };
    switch (node.type) {
      case 'expression_statement':
        for (const expression of namedChildren(node)) this.expressions.evaluate(expression, frame, path);
        return;
      case 'import_statement':
      case 'import_from_statement':
      case 'future_import_statement':
        this.calls.importStatement(node, frame, path);
        return;
      case 'function_definition':
        frame.env.assign(field(node, 'name')?.text ?? '', this.calls.makeFunction(node, frame, path));
        return;
      case 'class_definition':
        this.calls.defineClass(node, frame, path);
        return;
      case 'decorated_definition':
        for (const decorator of namedChildren(node).filter((c) => c.type === 'decorator')) {
          for (const expression of namedChildren(decorator)) {
            const value = this.expressions.evaluate(expression, frame, path);
            this.effects.decorator(value, { node: expression, path: frame.file.path }, ctx);
          }
        }
        this.execStatement(field(node, 'definition')!, frame, path);
        return;
      case 'if_statement':
        this.execIf(node, frame, path);
        return;
      case 'for_statement':
        this.execFor(node, frame, path);
        return;
      case 'while_statement':
        this.execWhile(node, frame, path);
        return;
      case 'try_statement':
        this.execTry(node, frame, path);
        return;
      case 'with_statement':
        this.execWith(node, frame, path);
        return;
      case 'match_statement':
        this.execMatch(node, frame, path);
        return;
      case 'return_statement': {
        const valueNode = namedChildren(node)[0];
        const value = valueNode ? this.expressions.evaluate(valueNode, frame, path) : UNKNOWN;
        // The first informative return wins: `return channel` before a recursive `return connect(...)`.
        if (!frame.returnValue || frame.returnValue.kind === 'unknown') frame.returnValue = value;
        if (path.live) {
          frame.returns.push(this.leave(path, frame, 0));
          frame.returnValues.push(value);
        }
        path.live = false;
        return;
      }
      case 'raise_statement':
        for (const child of namedChildren(node)) this.expressions.evaluate(child, frame, path);
        this.raise(frame, path);
        return;
      case 'break_statement':
      case 'continue_statement': {
        const loop = frame.loops[frame.loops.length - 1];
        if (loop && path.live) (node.type === 'break_statement' ? loop.breaks : loop.continues).push(this.leave(path, frame, loop.withDepth));
        path.live = false;
        return;
      }
      case 'delete_statement':
        for (const target of namedChildren(node).flatMap((c) => (c.type === 'expression_list' ? namedChildren(c) : [c]))) {
          const value = target.type === 'identifier' ? frame.env.lookup(target.text) : undefined;
          if (value) this.effects.released(value, { node, path: frame.file.path }, ctx);
        }
        return;
      case 'global_statement':
      case 'nonlocal_statement':
        for (const name of namedChildren(node)) frame.env.globalNames.add(name.text);
        return;
      case 'comment':
      case 'pass_statement':
        return;
      default:
        for (const child of namedChildren(node)) {
          if (child.type === 'block') this.execBlock(child, frame, path);
          else this.expressions.evaluate(child, frame, path);
        }
    }
  }

  /** Ends the path with an exception: to the innermost `try` of this frame, else out of the function. */
  raise(frame: Frame<S>, path: Path<S>): void {
    if (!path.live) return;
    const handler = frame.tries[frame.tries.length - 1];
    if (handler) handler.raises.push(this.leave(path, frame, handler.withDepth));
    else frame.raises.push(this.leave(path, frame, 0));
    path.live = false;
  }

  /** The state a jump carries out of the `with` blocks it leaves (each one closes what it entered). */
  leave(path: Path<S>, frame: Frame<S>, withDepth: number): S {
    const leaving: Path<S> = { state: this.domain.clone(path.state), live: true };
    for (let i = frame.withs.length - 1; i >= withDepth; i--) this.effects.exitScope(frame.withs[i], { frame, path: leaving });
    return leaving.state;
  }

  /** Runs each alternative on its own copy of `path`, then makes `path` their join. */
  alternatives(path: Path<S>, runs: ((branch: Path<S>) => void)[], extra: S[] = []): void {
    const ends: S[] = [...extra];
    for (const run of runs) {
      const branch: Path<S> = { state: this.domain.clone(path.state), live: true };
      run(branch);
      if (branch.live) ends.push(branch.state);
    }
    this.joinInto(path, ends);
  }

  joinInto(path: Path<S>, states: S[]): void {
    path.live = states.length > 0;
    if (path.live) path.state = states.length === 1 ? states[0] : this.domain.join(states);
  }

  private execIf(node: Node, frame: Frame<S>, path: Path<S>): void {
    const condition = field(node, 'condition');
    if (condition && this.effects.ifStatement(node, condition, { frame, path })) return;
    const constant = condition ? constantTruth(condition) : undefined;
    const runs: ((branch: Path<S>) => void)[] = [];
    if (constant !== false) {
      runs.push((branch) => {
        this.expressions.evaluate(condition, frame, branch);
        this.execBlock(field(node, 'consequence'), frame, branch);
      });
    }
    if (constant === true) {
      this.alternatives(path, runs);
      return;
    }
    let hasElse = false;
    for (const alternative of fields(node, 'alternative')) {
      if (alternative.type === 'elif_clause') {
        runs.push((branch) => {
          this.expressions.evaluate(field(alternative, 'condition'), frame, branch);
          this.execBlock(field(alternative, 'consequence'), frame, branch);
        });
      } else {
        hasElse = true;
        runs.push((branch) => this.execBlock(field(alternative, 'body'), frame, branch));
      }
    }
    // Without an `else`, the path that takes no branch goes on as it was.
    if (!hasElse) runs.push(() => undefined);
    this.alternatives(path, runs);
  }

  /**
   * A loop body runs zero, one or two times: the second run sees what the first left alive. A
   * second run happens only when the first changed the state (else it could find nothing new).
   * `while True:` never ends normally: only its `break`s leave it.
   */
  private runLoop(frame: Frame<S>, path: Path<S>, endsNormally: boolean, bind: (branch: Path<S>) => void, body: Node | undefined, orElse: Node | undefined): void {
    const targets = { breaks: [] as S[], continues: [] as S[], withDepth: frame.withs.length };
    frame.loops.push(targets);
    const normalExits: S[] = endsNormally ? [this.domain.clone(path.state)] : [];
    let before = path.state;
    for (let iteration = 0; iteration < 2; iteration++) {
      const branch: Path<S> = { state: this.domain.clone(before), live: true };
      targets.continues = [];
      bind(branch);
      this.execBlock(body, frame, branch);
      const ends = [...(branch.live ? [branch.state] : []), ...targets.continues];
      if (ends.length === 0) break;
      const after = ends.length === 1 ? ends[0] : this.domain.join(ends);
      if (endsNormally) normalExits.push(after);
      if (!this.domain.changed(before, after)) break;
      before = after;
    }
    frame.loops.pop();
    this.joinInto(path, normalExits);
    if (path.live && orElse) this.execBlock(orElse, frame, path);
    this.joinInto(path, [...(path.live ? [path.state] : []), ...targets.breaks]);
  }

  private execFor(node: Node, frame: Frame<S>, path: Path<S>): void {
    const iterable = this.expressions.evaluate(field(node, 'right'), frame, path);
    const item = this.expressions.firstItem(iterable);
    const alternative = fields(node, 'alternative')[0];
    const orElse = alternative ? field(alternative, 'body') : undefined;
    this.runLoop(frame, path, true, (branch) => this.expressions.assignTarget(field(node, 'left'), item, frame, branch), field(node, 'body'), orElse);
  }

  private execWhile(node: Node, frame: Frame<S>, path: Path<S>): void {
    const condition = field(node, 'condition');
    this.expressions.evaluate(condition, frame, path);
    const always = condition ? constantTruth(condition) === true : false;
    const alternative = fields(node, 'alternative')[0];
    this.runLoop(frame, path, !always, () => undefined, field(node, 'body'), alternative ? field(alternative, 'body') : undefined);
  }

  private execTry(node: Node, frame: Frame<S>, path: Path<S>): void {
    const entry = this.domain.clone(path.state);
    const target = { raises: [] as S[], withDepth: frame.withs.length };
    const clauses = namedChildren(node);
    const handlers = clauses.filter((c) => c.type === 'except_clause' || c.type === 'except_group_clause');
    const elseClause = clauses.find((c) => c.type === 'else_clause');
    const finallyClause = clauses.find((c) => c.type === 'finally_clause');
    if (handlers.length) frame.tries.push(target);
    const returnsBefore = frame.returns.length;
    this.execBlock(field(node, 'body'), frame, path);
    if (handlers.length) frame.tries.pop();
    // An exception can come from anywhere in the body: before it ran, at its end, or where it raised.
    const handlerEntry = handlers.length ? this.domain.join([entry, ...(path.live ? [path.state] : []), ...target.raises]) : undefined;
    if (path.live && elseClause) this.execBlock(field(elseClause, 'body'), frame, path);
    if (handlerEntry) {
      const handlerPath: Path<S> = { state: handlerEntry, live: true };
      this.alternatives(handlerPath, handlers.map((handler) => (branch: Path<S>) => {
        this.execBlock(namedChildren(handler).find((c) => c.type === 'block'), frame, branch);
      }));
      this.joinInto(path, [...(path.live ? [path.state] : []), ...(handlerPath.live ? [handlerPath.state] : [])]);
    }
    if (finallyClause) {
      const block = namedChildren(finallyClause).find((c) => c.type === 'block');
      if (path.live) {
        this.execBlock(block, frame, path);
      } else {
        // Paths that left by `return` still run the finally block (a close there counts for them).
        const returned = frame.returns.splice(returnsBefore);
        const values = frame.returnValues.splice(returnsBefore);
        returned.forEach((state, i) => {
          const leaving: Path<S> = { state, live: true };
          this.execBlock(block, frame, leaving);
          frame.returns.push(leaving.state);
          frame.returnValues.push(values[i]);
        });
      }
    }
  }

  private execWith(node: Node, frame: Frame<S>, path: Path<S>): void {
    const depth = frame.withs.length;
    const clause = namedChildren(node).find((c) => c.type === 'with_clause');
    for (const item of clause ? namedChildren(clause) : []) {
      let expression = field(item, 'value');
      let alias: Node | undefined;
      if (expression?.type === 'as_pattern') {
        alias = namedChildren(namedChildren(expression).find((c) => c.type === 'as_pattern_target') ?? expression)[0];
        expression = namedChildren(expression)[0];
      }
      const value = this.expressions.evaluate(expression, frame, path);
      if (alias) this.expressions.assignTarget(alias, value, frame, path, expression);
      if (this.effects.entersScope(value)) frame.withs.push({ value, site: { node, path: frame.file.path } });
    }
    this.execBlock(field(node, 'body'), frame, path);
    // Leaving the block closes what it entered, on the path that falls out of it.
    while (frame.withs.length > depth) {
      const exit = frame.withs.pop()!;
      if (path.live) this.effects.exitScope(exit, { frame, path });
    }
  }

  private execMatch(node: Node, frame: Frame<S>, path: Path<S>): void {
    this.expressions.evaluate(field(node, 'subject'), frame, path);
    const cases = namedChildren(field(node, 'body') ?? node).filter((c) => c.type === 'case_clause');
    const runs = cases.map((clause) => (branch: Path<S>) => this.execBlock(field(clause, 'consequence'), frame, branch));
    const irrefutable = cases.some((clause) => {
      const pattern = namedChildren(clause).find((c) => c.type === 'case_pattern');
      return pattern !== undefined && /^(_|[a-z_]\w*)$/.test(pattern.text) && !namedChildren(clause).some((c) => c.type === 'if_clause');
    });
    if (!irrefutable) runs.push(() => undefined);
    this.alternatives(path, runs);
  }

  /** A frame for the top level of `file`, as a program's entry module or an imported one. */
  moduleFrame(file: SourceFile, env: Env, chain: Site[], caller?: Frame<S>): Frame<S> {
    return newFrame(env, file, chain, caller?.child, caller?.stack ?? [], caller);
  }
}

/** `True`, `1`, `False`, `0`, `None`, `TYPE_CHECKING` as conditions: one branch only ever runs. */
function constantTruth(condition: Node): boolean | undefined {
  const text = condition.text;
  if (text === 'True' || text === '1') return true;
  if (text === 'False' || text === '0' || text === 'None') return false;
  if (/^(typing\.)?TYPE_CHECKING$/.test(text)) return false;
  return undefined;
}
