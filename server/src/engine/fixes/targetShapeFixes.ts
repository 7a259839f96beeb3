// "Create the channel in the child" (SPEC §3) for the child code that the general moves of
// channelFixes do not reach:
// - a nested target that captures the parent's channel (a closure): the binding moves into it;
// - a channel handed to the child as an argument (`functools.partial`, `args=`, `initargs=`, a
//   `Process` subclass's constructor): the child receives the channel's address instead and makes
//   the channel itself (in the function, or at the start of `run()`);
// - a channel made as a parameter's default value, evaluated in the parent: made when the child
//   calls the function instead;
// - an accessor (`get_stub()`) that already makes a new channel per process but was also called by
//   the parent: the children's channels work only once fork support closes the parent's in them.
// Each fix returns undefined rather than guess when the program's shape is not exactly that one: a
// fix that breaks the program is worse than no fix.
import type { Node } from 'web-tree-sitter';
import type { Fix, TextEdit } from '../findings';
import { enclosingFunction, field, namedChildren } from '../model/syntax';
import { ForkSite, GrpcObject, Site, Timeline, rootOf } from '../model/timeline';
import { ChannelBinding, bindingSource, channelBinding, childUses, leadingComments, trailingComment, usedName } from './channelBinding';
import { enableForkSupportEdits } from './enableForkSupport';
import type { EditContext } from './editContext';
import { assignedNames, isDocstring, uniqueName } from './pythonEdits';
import { removeItem, replaceNode } from './sequenceEdits';

type UseEvent = ReturnType<typeof childUses>[number];

export interface TargetShapeInput {
  edits: EditContext;
  timeline: Timeline;
  object: GrpcObject;
  /** The anchor the finding is reported at (a default argument's call, for that shape). */
  anchor: Node;
  binding: ChannelBinding | undefined;
  /** The uses of the object in the children of this fork. */
  uses: UseEvent[];
  /** Closes the parent's channel before the fork, when the parent may (it does not use it afterwards). */
  closeEdit: TextEdit | undefined;
  aio: boolean;
}

export function targetShapeFixes(input: TargetShapeInput): Fix[] {
  const fixes: (Fix | undefined)[] = [];
  if (input.binding && input.uses.length > 0) {
    fixes.push(closureFix(input, input.binding));
    fixes.push(passedArgumentFix(input, input.binding));
    fixes.push(subclassRunFix(input, input.binding));
  }
  fixes.push(defaultArgumentFix(input));
  fixes.push(ownAccessorFix(input));
  return fixes.filter((f): f is Fix => f !== undefined);
}

/**
 * `stub = EchoStub(grpc.insecure_channel(...))`: a channel made inside the value of an assignment
 * has no name of its own; the name the statement binds (the stub) carries it.
 */
export function enclosingBinding(edits: EditContext, object: GrpcObject, fork: ForkSite, anchor: Site): ChannelBinding | undefined {
  if (anchor.path !== edits.file.path) return undefined;
  const assignment = namedChildren(edits.statementOf(anchor.node))[0];
  const right = assignment?.type === 'assignment' ? field(assignment, 'right') : undefined;
  if (!right || right.id === anchor.node.id || !within(anchor.node, right)) return undefined;
  // Only through calls (`Stub(grpc.insecure_channel(...))`), not a lambda or comprehension that makes it later.
  for (let n = anchor.node.parent; n && n.id !== right.id; n = n.parent) if (!['argument_list', 'call', 'keyword_argument'].includes(n.type)) return undefined;
  return channelBinding(edits, object, fork, { path: anchor.path, node: right });
}

// ---- a closure ---------------------------------------------------------------------------------

/** `def main(): channel = ...; def child(): channel...; Process(target=child)`: the binding moves into `child`. */
function closureFix(input: TargetShapeInput, binding: ChannelBinding): Fix | undefined {
  const { edits, uses } = input;
  const target = singleFunction(uses);
  const outer = target && enclosingFunction(target);
  if (!target || !outer || binding.global || binding.statement.parent?.id !== field(outer, 'body')?.id) return undefined;
  if (target.parent?.id !== field(outer, 'body')?.id || target.startIndex < binding.statement.endIndex) return undefined;
  // The child reads the captured names, or names it builds on them itself (`call = channel.unary_unary(...)`).
  const own = new Set(target.descendantsOfType('assignment').flatMap((a) => (a ? assignedNames(a) : [])));
  if (uses.some((u) => !binding.names.has(usedName(u.site.node)) && !own.has(usedName(u.site.node)))) return undefined;
  if ([...binding.names].some((n) => own.has(n))) return undefined;
  if (target.descendantsOfType('nonlocal_statement').length > 0) return undefined;
  const chain = [binding.statement, ...binding.derived];
  const elsewhere = references(outer, binding.names, [...chain, target]);
  const name = field(target, 'name')?.text;
  // A move takes the statements' comments with them; a copy leaves them where they are.
  const insert = insertAtChildStart(edits, target, bindingSource(edits, binding, elsewhere.length === 0));
  if (!insert) return undefined;
  if (elsewhere.length === 0) {
    return { title: `Create the channel in the child (move it into \`${name}\`)`, kind: 'createInChild', applicability: 'unsafe', edits: [...edits.deleteStatementRuns(chain), insert] };
  }
  if (!input.closeEdit) return undefined;
  return {
    title: `Create the channel in the child (inside \`${name}\`) and close the parent's before the fork`,
    kind: 'createInChild',
    applicability: 'unsafe',
    edits: [insert, input.closeEdit],
  };
}

// ---- a channel passed as an argument -----------------------------------------------------------

/** Where the parent hands the object to the child: the element of an argument list or tuple. */
interface PassingSite {
  element: Node;
}

/**
 * `functools.partial(work, stub, p)`, `Process(target=work, args=(stub,))`,
 * `Pool(initializer=init, initargs=(channel,))`: the child function receives the channel's address
 * and makes the channel (and what the parent built on it) itself.
 */
function passedArgumentFix(input: TargetShapeInput, binding: ChannelBinding): Fix | undefined {
  const { edits } = input;
  // A pool initializer that builds globals on the channel: the tasks reach it through those globals.
  const initializerUses = input.uses.filter((u) => u.entry.how === 'initializer');
  const target = singleFunction(initializerUses.length > 0 ? initializerUses : input.uses);
  if (!target || target.parent?.type !== 'module') return undefined;
  const globals = new Set(target.descendantsOfType('global_statement').flatMap((g) => (g ? namedChildren(g).map((n) => n.text) : [])));
  const uses = input.uses.filter((u) => enclosingFunction(u.site.node)?.id === target.id);
  if (input.uses.some((u) => !uses.includes(u) && !globals.has(usedName(u.site.node)))) return undefined;
  const parameterName = usedName(uses[0].site.node);
  if (uses.some((u) => usedName(u.site.node) !== parameterName)) return undefined;
  const parameters = positionalParameters(target);
  const index = parameters?.findIndex((p) => p.text === parameterName) ?? -1;
  if (!parameters || index < 0) return undefined;
  const functionName = field(target, 'name')!.text;
  const calls = references(edits.file.tree.rootNode, new Set([functionName]), [field(target, 'name')!]);
  if (calls.length !== 1) return undefined;
  const passing = passingSite(calls[0], index, parameterName);
  if (!passing || passing.element.type !== 'identifier' || !binding.names.has(passing.element.text)) return undefined;
  const built = rebuild(input, binding, passing.element.text);
  if (!built) return undefined;
  const taken = identifiersIn(target);
  if (built.intermediates.some((n) => n !== parameterName && taken.has(n))) return undefined;
  const address = uniqueName(new Set([...taken, ...edits.moduleNames()]), 'address');
  const parent = parentSide(input, binding, built.chain, passing.element);
  if (!parent) return undefined;
  const insert = insertAtChildStart(edits, target, built.lines(address, parameterName, !parent.closes));
  if (!insert) return undefined;
  return {
    title: `Create the channel in the child (inside \`${functionName}\`, which gets the address instead)${parent.closes ? ' and close the parent\'s before the fork' : ''}`,
    kind: 'createInChild',
    applicability: 'unsafe',
    edits: [replaceNode(parameters[index], address), insert, replaceNode(passing.element, built.addressText), ...parent.edits],
  };
}

/** The element passed to parameter `index` (named `name`) of the function that `reference` names. */
function passingSite(reference: Node, index: number, name: string): PassingSite | undefined {
  const parent = reference.parent;
  // functools.partial(work, a, b): the reference is the first argument.
  if (parent?.type === 'argument_list' && namedChildren(parent)[0]?.id === reference.id) {
    const call = parent.parent!;
    const callee = field(call, 'function')?.text ?? '';
    if (!/(^|\.)partial$/.test(callee)) return undefined;
    return argumentAt(parent, index + 1, name, 1);
  }
  // Process(target=work, args=(...)), Pool(initializer=init, initargs=(...)).
  if (parent?.type === 'keyword_argument' && field(parent, 'value')?.id === reference.id) {
    const keyword = field(parent, 'name')?.text;
    const tupleName = keyword === 'target' ? 'args' : keyword === 'initializer' ? 'initargs' : undefined;
    const list = parent.parent;
    if (!tupleName || list?.type !== 'argument_list') return undefined;
    const tuple = namedChildren(list).find((a) => a.type === 'keyword_argument' && field(a, 'name')?.text === tupleName);
    const value = tuple && field(tuple, 'value');
    if (!value || (value.type !== 'tuple' && value.type !== 'list')) return undefined;
    const items = namedChildren(value).filter((c) => c.type !== 'comment');
    if (items.some((i) => i.type === 'list_splat')) return undefined;
    const element = items[index];
    return element ? { element } : undefined;
  }
  return undefined;
}

/** The positional argument at `index` (after `skip` leading ones), or the keyword argument `name`. */
function argumentAt(list: Node, index: number, name: string, skip: number): PassingSite | undefined {
  const items = namedChildren(list).filter((c) => c.type !== 'comment');
  if (items.some((i) => i.type === 'list_splat' || i.type === 'dictionary_splat')) return undefined;
  const keyword = items.find((i) => i.type === 'keyword_argument' && field(i, 'name')?.text === name);
  if (keyword) return { element: field(keyword, 'value')! };
  const positional = items.filter((i) => i.type !== 'keyword_argument');
  const element = positional[index];
  return element && index >= skip ? { element } : undefined;
}

// ---- a Process subclass ------------------------------------------------------------------------

/**
 * `class Poller(Process)` whose `__init__` stores the parent's stub (`self.stub = stub`) and whose
 * `run()` calls it: the constructor keeps the address, and `run()` makes the channel and stub.
 */
function subclassRunFix(input: TargetShapeInput, binding: ChannelBinding): Fix | undefined {
  const { edits, uses } = input;
  if (uses.some((u) => u.entry.how !== 'run')) return undefined;
  const run = singleFunction(uses);
  const attribute = selfAttribute(uses[0].site.node);
  if (!run || field(run, 'name')?.text !== 'run' || !attribute || uses.some((u) => selfAttribute(u.site.node) !== attribute)) return undefined;
  const body = run.parent;
  const cls = body?.parent;
  if (body?.type !== 'block' || cls?.type !== 'class_definition' || cls.parent?.type !== 'module') return undefined;
  const init = namedChildren(body).find((d) => d.type === 'function_definition' && field(d, 'name')?.text === '__init__');
  const parameters = init && positionalParameters(init);
  if (!init || !parameters) return undefined;
  // `self.stub = stub` in __init__, the only use of the parameter there.
  const store = namedChildren(field(init, 'body')!).find((s) => {
    const assignment = namedChildren(s)[0];
    return s.type === 'expression_statement' && assignment?.type === 'assignment' && field(assignment, 'left')?.text === `self.${attribute}` && field(assignment, 'right')?.type === 'identifier';
  });
  const storedFrom = store && field(namedChildren(store)[0], 'right')!;
  const index = storedFrom ? parameters.findIndex((p) => p.text === storedFrom.text) : -1;
  if (!store || !storedFrom || index < 1) return undefined;
  if (references(field(init, 'body')!, new Set([storedFrom.text]), [storedFrom]).length > 0) return undefined;
  // The attribute is set by that store and read only in run() (not by the parent).
  const attributeUses = cls.descendantsOfType('attribute').filter((a) => a && field(a, 'object')?.text === 'self' && field(a, 'attribute')?.text === attribute);
  if (attributeUses.some((a) => a && !within(a, run) && !within(a, store))) return undefined;
  const className = field(cls, 'name')!.text;
  const constructions = references(edits.file.tree.rootNode, new Set([className]), [field(cls, 'name')!]);
  if (constructions.length === 0) return undefined;
  const elements: Node[] = [];
  for (const reference of constructions) {
    const call = reference.parent;
    if (call?.type !== 'call' || field(call, 'function')?.id !== reference.id) return undefined;
    const passing = argumentAt(field(call, 'arguments')!, index - 1, storedFrom.text, 0);
    if (!passing || passing.element.type !== 'identifier' || !binding.names.has(passing.element.text)) return undefined;
    elements.push(passing.element);
  }
  const passed = elements[0].text;
  if (elements.some((e) => e.text !== passed)) return undefined;
  const built = rebuild(input, binding, passed);
  if (!built) return undefined;
  const taken = identifiersIn(run);
  if (built.intermediates.some((n) => taken.has(n))) return undefined;
  const address = uniqueName(identifiersIn(init), 'address');
  const addressAttribute = `${attribute}_address`;
  if (cls.text.includes(`self.${addressAttribute}`)) return undefined;
  const parent = parentSide(input, binding, built.chain, ...elements);
  if (!parent) return undefined;
  const insert = insertAtChildStart(edits, run, built.lines(`self.${addressAttribute}`, `self.${attribute}`, !parent.closes));
  if (!insert) return undefined;
  return {
    title: `Create the channel in the child (in \`${className}.run()\`; the constructor gets the address instead)${parent.closes ? ' and close the parent\'s before the fork' : ''}`,
    kind: 'createInChild',
    applicability: 'unsafe',
    edits: [
      replaceNode(parameters[index], address),
      replaceNode(namedChildren(store)[0], `self.${addressAttribute} = ${address}`),
      insert,
      ...elements.map((e) => replaceNode(e, built.addressText)),
      ...parent.edits,
    ],
  };
}

/** `stub` for `self.stub.Next(...)`, `self.stub.Next`. */
function selfAttribute(node: Node): string | undefined {
  let current: Node | null = node;
  while (current?.type === 'attribute') {
    const object = field(current, 'object');
    if (object?.type === 'identifier' && object.text === 'self') return field(current, 'attribute')?.text;
    current = object ?? null;
  }
  return undefined;
}

// ---- a default argument ------------------------------------------------------------------------

/**
 * `lambda ch=grpc.insecure_channel(...): ch...` or `def work(ch=grpc.insecure_channel(...))`: the
 * default is evaluated once, in the parent, when the lambda or def runs.
 */
function defaultArgumentFix(input: TargetShapeInput): Fix | undefined {
  const { edits } = input;
  let value = input.anchor;
  // The channel may be an argument of the default (`ch=EchoStub(grpc.insecure_channel(...))`).
  while (value.parent && value.parent.type !== 'default_parameter' && ['argument_list', 'call'].includes(value.parent.type)) value = value.parent;
  const parameter = value.parent;
  if (parameter?.type !== 'default_parameter' || field(parameter, 'value')?.id !== value.id) return undefined;
  const name = field(parameter, 'name');
  const list = parameter.parent;
  const owner = list?.parent;
  if (!name || name.type !== 'identifier' || !list || !owner) return undefined;
  const available = edits.moduleNames();
  if ([...readNames(value)].some((n) => !available.has(n) && !BUILTINS.has(n))) return undefined;
  if (owner.type === 'lambda') {
    // Called with no arguments (`Process(target=lambda ...)` without args=/kwargs=): the parameter
    // only ever takes its default, so its one use in the body can become the expression itself.
    const keyword = owner.parent;
    const call = keyword?.parent?.parent;
    if (keyword?.type !== 'keyword_argument' || field(keyword, 'name')?.text !== 'target' || call?.type !== 'call') return undefined;
    if (namedChildren(keyword.parent!).some((a) => a.type === 'keyword_argument' && ['args', 'kwargs'].includes(field(a, 'name')?.text ?? ''))) return undefined;
    const body = field(owner, 'body')!;
    const reads = references(body, new Set([name.text]), []);
    if (reads.length !== 1 || body.descendantsOfType('lambda').length > 0) return undefined;
    const items = namedChildren(list).filter((c) => c.type !== 'comment');
    const removal: TextEdit = items.length === 1
      ? { range: { start: { line: owner.startPosition.row, character: owner.startPosition.column + 'lambda'.length }, end: { line: list.endPosition.row, character: list.endPosition.column } }, newText: '' }
      : removeItem(list, parameter);
    return {
      title: 'Create the channel in the child (inside the lambda, not as a default argument)',
      kind: 'createInChild',
      applicability: 'unsafe',
      edits: [removal, replaceNode(reads[0], value.text)],
    };
  }
  if (owner.type === 'function_definition') {
    const body = field(owner, 'body')!;
    if (references(body, new Set([name.text]), []).some((r) => r.parent?.type === 'assignment' && field(r.parent, 'left')?.id === r.id)) return undefined;
    const insert = insertAtChildStart(edits, owner, [`if ${name.text} is None:`, `${edits.indentUnit}${name.text} = ${value.text}`]);
    if (!insert) return undefined;
    return {
      title: `Create the channel in the child (when \`${field(owner, 'name')?.text}\` runs, not as a default argument)`,
      kind: 'createInChild',
      applicability: 'unsafe',
      edits: [replaceNode(value, 'None'), insert],
    };
  }
  return undefined;
}

// ---- an accessor that already makes one per process --------------------------------------------

/**
 * The child reads the object inside the function that creates it (`get_stub()` with a per-pid
 * check): each child makes its own channel, which works only when the parent's, used before the
 * fork, is closed in the child, which fork support does. The walk cannot prove the check, so the
 * title says what the fix relies on.
 */
function ownAccessorFix(input: TargetShapeInput): Fix | undefined {
  const { edits, uses, timeline } = input;
  if (input.aio || uses.length === 0) return undefined;
  const creation = rootOf(input.object).creation;
  if (creation.path !== edits.file.path) return undefined;
  const accessor = enclosingFunction(creation.node);
  if (!accessor || accessor.descendantsOfType('global_statement').length === 0) return undefined;
  if (uses.some((u) => u.site.path !== edits.file.path || enclosingFunction(u.site.node)?.id !== accessor.id)) return undefined;
  const support = enableForkSupportEdits(edits, timeline);
  if (!support?.length) return undefined;
  return {
    title: `Enable gRPC fork support before \`import grpc\` (each child must make its own channel, as \`${field(accessor, 'name')?.text}()\` does when the process changes)`,
    kind: 'enableForkSupport',
    applicability: 'unsafe',
    edits: support,
  };
}

// ---- shared ------------------------------------------------------------------------------------

interface Rebuilt {
  /** The binding's statements up to the one that binds the passed name. */
  chain: Node[];
  /** Names those statements bind besides the passed one. */
  intermediates: string[];
  /** The address expression, as written in the channel call. */
  addressText: string;
  /** The statements with the address replaced by `address` and the passed name bound as `as`; a move (`moving`) takes their comments. */
  lines(address: string, as: string, moving: boolean): string[];
}

/**
 * The statements that make the passed object, rewritten to take the channel's address from the
 * child's side. Undefined when the channel call has no positional address, or when what the
 * statements read (besides the address) is not a module-level name: the child would not see it.
 */
function rebuild(input: TargetShapeInput, binding: ChannelBinding, passed: string): Rebuilt | undefined {
  const { edits } = input;
  const all = [binding.statement, ...binding.derived];
  const last = all.findIndex((s) => assignedNames(namedChildren(s)[0]).includes(passed));
  if (last < 0) return undefined;
  const chain = all.slice(0, last + 1);
  const channelCall = rootOf(input.object).creation;
  if (channelCall.path !== edits.file.path || !chain.some((s) => within(channelCall.node, s))) return undefined;
  const args = field(channelCall.node, 'arguments');
  const addressNode = args && namedChildren(args).filter((a) => a.type !== 'comment')[0];
  if (!addressNode || addressNode.type === 'keyword_argument' || addressNode.type === 'list_splat') return undefined;
  const intermediates = chain.flatMap((s) => assignedNames(namedChildren(s)[0])).filter((n) => n !== passed);
  const available = edits.moduleNames();
  for (const statement of chain) {
    const right = field(namedChildren(statement)[0], 'right');
    if (!right || namedChildren(statement)[0]?.type !== 'assignment') return undefined;
    if ([...readNames(right, addressNode)].some((n) => !available.has(n) && !BUILTINS.has(n) && !intermediates.includes(n))) return undefined;
  }
  const passedStatement = chain[chain.length - 1];
  const passedLeft = field(namedChildren(passedStatement)[0], 'left')!;
  if (passedLeft.type !== 'identifier') return undefined;
  return {
    chain,
    intermediates,
    addressText: addressNode.text,
    lines(address: string, as: string, moving: boolean) {
      return chain.flatMap((statement) => {
        const replacements: [Node, string][] = [];
        if (within(addressNode, statement)) replacements.push([addressNode, address]);
        if (statement.id === passedStatement.id && as !== passed) replacements.push([passedLeft, as]);
        const lines = edits.reindent(rewrite(statement, replacements), edits.indentOf(statement), '');
        if (!moving) return lines;
        const trailing = trailingComment(statement);
        if (trailing) lines[lines.length - 1] += `  ${trailing.text}`;
        return [...leadingComments(statement).map((c) => c.text), ...lines];
      });
    },
  };
}

/**
 * The parent's side of a move: the binding goes when nothing else of the parent reads it; else it
 * stays and is closed before the fork, when the parent does not need it afterwards.
 */
function parentSide(input: TargetShapeInput, binding: ChannelBinding, chain: Node[], ...passed: Node[]): { edits: TextEdit[]; closes: boolean } | undefined {
  const scope = binding.global ? input.edits.file.tree.rootNode : binding.statement.parent!;
  const names = new Set(chain.flatMap((s) => assignedNames(namedChildren(s)[0])));
  // Later statements that build on it count as reads, unless the read is the argument being replaced.
  if (references(scope, names, [...chain, ...passed]).length === 0) {
    return { edits: input.edits.deleteStatementRuns(chain), closes: false };
  }
  return input.closeEdit ? { edits: [input.closeEdit], closes: true } : undefined;
}

/** Lines as a function's first statements, after its docstring and its `global` declarations. */
function insertAtChildStart(edits: EditContext, definition: Node, lines: string[]): TextEdit | undefined {
  const statements = namedChildren(field(definition, 'body') ?? definition).filter((s) => s.type !== 'comment');
  const declarations = statements.filter((s, i) => s.type === 'global_statement' && statements.slice(0, i).every((p) => p.type === 'global_statement' || isDocstring(p)));
  const last = declarations[declarations.length - 1];
  if (!last || last.startPosition.row === definition.startPosition.row) return edits.insertAtBodyStart(definition, lines);
  return edits.insertAfter(last, lines);
}

/** The one function every use is in, when there is one. */
function singleFunction(uses: UseEvent[]): Node | undefined {
  if (uses.length === 0 || uses.some((u) => u.site.path !== uses[0].site.path)) return undefined;
  const functions = uses.map((u) => enclosingFunction(u.site.node));
  const first = functions[0];
  return first && functions.every((f) => f?.id === first.id) ? first : undefined;
}

/** Plain positional parameters (`a`, `a=1`), or undefined when there are others before the end. */
function positionalParameters(definition: Node): Node[] | undefined {
  const list = field(definition, 'parameters');
  if (!list) return undefined;
  const items = namedChildren(list).filter((c) => c.type !== 'comment');
  const names: Node[] = [];
  for (const item of items) {
    if (item.type === 'identifier') names.push(item);
    else if (item.type === 'default_parameter') names.push(field(item, 'name')!);
    else break;
  }
  return names;
}

/** Reads and writes of `names` under `scope` as plain identifiers, outside the `except` nodes. */
function references(scope: Node, names: Set<string>, except: Node[]): Node[] {
  return scope.descendantsOfType('identifier').filter((n): n is Node => {
    if (!n || !names.has(n.text)) return false;
    const parent = n.parent;
    if (parent?.type === 'attribute' && field(parent, 'attribute')?.id === n.id) return false;
    if (parent?.type === 'keyword_argument' && field(parent, 'name')?.id === n.id) return false;
    return !except.some((e) => within(n, e));
  });
}

function identifiersIn(node: Node): Set<string> {
  return new Set(node.descendantsOfType('identifier').map((n) => n?.text ?? ''));
}

/** Identifiers an expression reads, skipping attribute names, keyword names and the `skip` subtree. */
function readNames(node: Node, skip?: Node): Set<string> {
  return new Set(references(node, { has: () => true } as unknown as Set<string>, skip ? [skip] : []).map((n) => n.text));
}

function within(node: Node, container: Node): boolean {
  return node.startIndex >= container.startIndex && node.endIndex <= container.endIndex;
}

/** A statement's text with some of its nodes replaced. */
function rewrite(statement: Node, replacements: [Node, string][]): string {
  let text = statement.text;
  for (const [node, by] of [...replacements].sort((a, b) => b[0].startIndex - a[0].startIndex)) {
    const start = node.startIndex - statement.startIndex;
    text = text.slice(0, start) + by + text.slice(start + node.text.length);
  }
  return text;
}

const BUILTINS = new Set(['str', 'int', 'bytes', 'len', 'dict', 'list', 'tuple', 'open', 'True', 'False', 'None', 'print', 'format', 'getattr', 'range']);
