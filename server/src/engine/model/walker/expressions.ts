// Expressions: what a name, attribute, call or literal evaluates to, as far as the walk can tell.
// Values the walker has no model of (library objects) go to the effects.
import type { Node } from 'web-tree-sitter';
import { field, namedChildren, stringLiteral } from '../syntax';
import type { Site } from '../timeline';
import { CallArgs, Env, UNKNOWN, Value } from '../values';
import { Frame, Path, emptyArgs } from './frame';
import type { Interpreter } from './interpreter';

/** Deeper expression nesting is not evaluated (a 20,000-term `1 + 1 + ...` would overflow the stack). */
export const MAX_EXPRESSION_DEPTH = 150;

export class Expressions<S> {
  private nesting = 0;

  constructor(private readonly interpreter: Interpreter<S>) {}

  /** How deep in expressions the walk is now. */
  get depth(): number {
    return this.nesting;
  }

  /** The deepest an expression was evaluated from since it was last set. */
  deepest = 0;

  evaluate(node: Node | undefined, frame: Frame<S>, path: Path<S>): Value {
    if (!node || !path.live) return UNKNOWN;
    if (this.nesting > this.deepest) this.deepest = this.nesting;
    if (this.nesting >= MAX_EXPRESSION_DEPTH) {
      this.interpreter.calls.refusals++;
      return UNKNOWN;
    }
    if (!this.interpreter.calls.step()) return UNKNOWN;
    this.nesting++;
    try {
      return this.evaluateNode(node, frame, path);
    } finally {
      this.nesting--;
    }
  }

  private evaluateNode(node: Node, frame: Frame<S>, path: Path<S>): Value {
    const effects = this.interpreter.effects;
    switch (node.type) {
      case 'identifier': {
        const value = frame.env.lookup(node.text) ?? UNKNOWN;
        effects.reference(value, node, { frame, path });
        return value;
      }
      case 'attribute':
        return this.attribute(node, frame, path);
      case 'call':
        return this.interpreter.calls.call(node, frame, path);
      case 'assignment': {
        const right = field(node, 'right');
        const value = this.evaluate(right, frame, path);
        this.assignTarget(field(node, 'left'), value, frame, path, right);
        return value;
      }
      case 'augmented_assignment':
        this.evaluate(field(node, 'right'), frame, path);
        return UNKNOWN;
      case 'string':
      case 'concatenated_string': {
        const text = stringLiteral(node);
        if (text !== undefined) return { kind: 'string', text };
        namedChildren(node).forEach((c) => this.evaluate(c, frame, path));
        return { kind: 'computed', node, computedIn: frame.child };
      }
      case 'integer':
        return { kind: 'number', value: Number(node.text.replace(/_/g, '')) };
      case 'tuple':
      case 'list':
      case 'expression_list':
        return { kind: 'sequence', items: namedChildren(node).map((c) => this.evaluate(c, frame, path)) };
      case 'dictionary':
        return {
          kind: 'dict',
          entries: namedChildren(node).filter((c) => c.type === 'pair').map((pair) => ({
            key: this.evaluate(field(pair, 'key'), frame, path),
            value: this.evaluate(field(pair, 'value'), frame, path),
          })),
        };
      case 'binary_operator':
        return this.binaryOperator(node, frame, path);
      case 'parenthesized_expression':
        return this.evaluate(namedChildren(node)[0], frame, path);
      case 'await': {
        const value = this.evaluate(namedChildren(node)[0], frame, path);
        effects.awaited(value, { node, path: frame.file.path }, { frame, path });
        return value;
      }
      case 'conditional_expression': {
        const values = namedChildren(node).map((c) => this.evaluate(c, frame, path));
        return values.find((v) => v.kind !== 'unknown') ?? UNKNOWN;
      }
      case 'boolean_operator': {
        const values = namedChildren(node).map((c) => this.evaluate(c, frame, path));
        return values.reverse().find((v) => v.kind !== 'unknown') ?? UNKNOWN;
      }
      case 'list_comprehension':
      case 'set_comprehension':
      case 'generator_expression':
        return this.comprehension(node, frame, path);
      case 'lambda':
        return this.interpreter.calls.makeFunction(node, frame, path);
      case 'named_expression': {
        const value = this.evaluate(field(node, 'value'), frame, path);
        this.assignTarget(field(node, 'name'), value, frame, path);
        return value;
      }
      default:
        for (const child of namedChildren(node)) this.evaluate(child, frame, path);
        return UNKNOWN;
    }
  }

  /** `[stub] * 3` and `a + b` over sequences keep their items (what `map` hands to each task). */
  private binaryOperator(node: Node, frame: Frame<S>, path: Path<S>): Value {
    const left = this.evaluate(field(node, 'left'), frame, path);
    const right = this.evaluate(field(node, 'right'), frame, path);
    const operator = node.childForFieldName('operator')?.type;
    if (operator === '*' && left.kind === 'sequence') return left;
    if (operator === '*' && right.kind === 'sequence') return right;
    if (operator === '+' && left.kind === 'sequence' && right.kind === 'sequence') return { kind: 'sequence', items: [...left.items, ...right.items] };
    if (operator === '%' && (left.kind === 'string' || left.kind === 'computed')) return { kind: 'computed', node, computedIn: frame.child };
    return UNKNOWN;
  }

  /** `[Process(target=f) for _ in range(4)]`: a sequence holding what the body makes. */
  private comprehension(node: Node, frame: Frame<S>, path: Path<S>): Value {
    const scope: Frame<S> = { ...frame, env: new Env(frame.env, frame.env.module) };
    for (const clause of namedChildren(node)) {
      if (clause.type === 'for_in_clause') {
        this.assignTarget(field(clause, 'left'), this.firstItem(this.evaluate(field(clause, 'right'), scope, path)), scope, path);
      } else if (clause.type === 'if_clause') {
        for (const condition of namedChildren(clause)) this.evaluate(condition, scope, path);
      }
    }
    return { kind: 'sequence', items: [this.evaluate(field(node, 'body'), scope, path)] };
  }

  attribute(node: Node, frame: Frame<S>, path: Path<S>): Value {
    const owner = this.evaluate(field(node, 'object'), frame, path);
    const name = field(node, 'attribute')?.text ?? '';
    const effects = this.interpreter.effects;
    switch (owner.kind) {
      case 'qualified':
        return { kind: 'qualified', qname: `${owner.qname}.${name}` };
      case 'workspaceModule': {
        const member = owner.env.lookup(name);
        if (member) effects.reference(member, node, { frame, path });
        return member ?? { kind: 'qualified', qname: `${owner.qname}.${name}` };
      }
      case 'instance': {
        const attribute = owner.attrs.lookup(name);
        if (attribute) {
          effects.reference(attribute, node, { frame, path });
          return attribute;
        }
        const method = lookupClassAttribute(owner.cls, name);
        if (method?.kind === 'function') return method.isStatic ? method : { ...method, self: owner };
        return effects.attribute(owner, name, node, { frame, path }) ?? method ?? UNKNOWN;
      }
      case 'class': {
        const member = lookupClassAttribute(owner, name);
        if (member) effects.reference(member, node, { frame, path });
        return member ?? UNKNOWN;
      }
      default:
        return effects.attribute(owner, name, node, { frame, path }) ?? UNKNOWN;
    }
  }

  args(node: Node | undefined, frame: Frame<S>, path: Path<S>): CallArgs {
    const args = emptyArgs();
    if (!node) return args;
    for (const argument of namedChildren(node)) {
      if (argument.type === 'keyword_argument') {
        const name = field(argument, 'name')?.text ?? '';
        const valueNode = field(argument, 'value');
        args.keywords.set(name, this.evaluate(valueNode, frame, path));
        if (valueNode) args.keywordNodes.set(name, valueNode);
      } else if (argument.type === 'comment') {
        continue;
      } else {
        args.positional.push(this.evaluate(argument, frame, path));
        args.positionalNodes.push(argument);
      }
    }
    return args;
  }

  /** `valueNode`: the right-hand side, which names the object it creates after the target. */
  assignTarget(target: Node | undefined, value: Value, frame: Frame<S>, path: Path<S>, valueNode?: Node): void {
    if (!target) return;
    switch (target.type) {
      case 'identifier':
        frame.env.assign(target.text, value);
        this.interpreter.effects.assigned(value, target, valueNode);
        return;
      case 'attribute': {
        const owner = this.evaluate(field(target, 'object'), frame, path);
        const name = field(target, 'attribute')?.text ?? '';
        if (owner.kind === 'instance') owner.attrs.assign(name, value);
        else if (owner.kind === 'workspaceModule') owner.env.assign(name, value);
        else if (owner.kind === 'class') owner.env.assign(name, value);
        else this.interpreter.effects.stored(value, { frame, path });
        this.interpreter.effects.assigned(value, target, valueNode);
        return;
      }
      case 'subscript': {
        const container = this.evaluate(field(target, 'value'), frame, path);
        const key = this.evaluate(field(target, 'subscript'), frame, path);
        const site: Site = { node: target.parent ?? target, path: frame.file.path };
        this.interpreter.effects.assignSubscript(container, key, value, site, { frame, path });
        return;
      }
      case 'pattern_list':
      case 'tuple_pattern':
      case 'list_pattern':
      case 'tuple':
      case 'list': {
        const targets = namedChildren(target);
        const items = value.kind === 'sequence' ? value.items : [];
        targets.forEach((t, i) => this.assignTarget(t, items[i] ?? UNKNOWN, frame, path));
        return;
      }
      default:
        return;
    }
  }

  /** What a loop over `value` binds: its first known item. */
  firstItem(value: Value): Value {
    return value.kind === 'sequence' ? value.items.find((item) => item.kind !== 'unknown') ?? UNKNOWN : UNKNOWN;
  }
}

export function lookupClassAttribute(cls: Extract<Value, { kind: 'class' }>, name: string, depth = 0): Value | undefined {
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
