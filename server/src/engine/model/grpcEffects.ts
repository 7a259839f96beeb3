// What gRPC calls do along a path: channels, stubs, library clients and servers come to life,
// are closed (`.close()`, leaving `with`, `del`), stopped (`stop()` waited or awaited), started,
// bound to ports, called through in the parent, and used in a child that inherited them.
import type { Node } from 'web-tree-sitter';
import { CHANNEL_FACTORIES, CONDITIONAL_LIBRARY_CLIENTS, GrpcObjectKind, SERVER_FACTORIES, matchesLibraryClient } from './apiCatalog';
import { LOOPS } from './forkCount';
import { field } from './syntax';
import { ForkSite, GrpcObject, Site, rootOf } from './timeline';
import type { TimelineRecorder } from './timelineRecorder';
import { CallArgs, Env, UNKNOWN, Value, grpcObjectOf, stringOf } from './values';
import type { WalkContext } from './walker/frame';
import type { WalkState } from './walkState';

type Context = WalkContext<WalkState>;

export class GrpcEffects {
  constructor(private readonly recorder: TimelineRecorder, private readonly channelFactories: readonly string[]) {}

  /** A call of a library name: a channel, server or client factory, or a generated stub class. */
  callQualified(qname: string, site: Site, args: CallArgs, ctx: Context): Value | undefined {
    const kind = CHANNEL_FACTORIES[qname] ?? SERVER_FACTORIES[qname];
    if (kind) {
      const object = this.create(kind, site, ctx);
      if (kind === 'server' || kind === 'aioServer') {
        object.optionsNode = args.keywordNodes.get('options') ?? args.positionalNodes[3];
        object.threadPoolArg = args.keywordNodes.get('thread_pool') ?? args.positionalNodes[0];
        const pool = args.keywords.get('thread_pool') ?? args.positional[0];
        object.threadPoolIsProcessPool = pool?.kind === 'executor' || pool?.kind === 'pool';
      }
      if (qname === 'grpc.intercept_channel') object.base = grpcObjectOf(args.positional[0]);
      return { kind: 'grpc', object };
    }
    if (matchesLibraryClient(qname, this.channelFactories)) {
      const condition = CONDITIONAL_LIBRARY_CLIENTS[qname];
      if (condition) {
        const flag = args.keywordNodes.get(condition.keyword);
        if (!flag || flag.text === 'False') return UNKNOWN;
      }
      const client = this.create('client', site, ctx);
      // `connections.connect(...)` keeps the connection in the library's registry, not in a name.
      if (qname.endsWith('.connect')) client.escaped = true;
      return { kind: 'grpc', object: client };
    }
    return this.maybeStub(site, qname, args, ctx);
  }

  /** A generated `FooStub(channel)`: a stub whose lifetime is its channel's. */
  maybeStub(site: Site, qname: string | undefined, args: CallArgs, ctx: Context): Value | undefined {
    const calleeName = qname ?? field(site.node, 'function')?.text ?? '';
    const lastPart = calleeName.slice(calleeName.lastIndexOf('.') + 1);
    const channel = grpcObjectOf(args.positional[0] ?? args.keywords.get('channel'));
    if (!/Stub$/.test(lastPart) || !channel) return undefined;
    const kind: GrpcObjectKind = channel.kind === 'aioChannel' ? 'aioChannel' : 'stub';
    return { kind: 'grpc', object: this.create(kind, site, ctx, channel) };
  }

  attribute(owner: Value, name: string): Value | undefined {
    if (owner.kind === 'grpc') return { kind: 'grpcMember', object: owner.object, member: name };
    if (owner.kind === 'grpcMember') return { kind: 'grpcMember', object: owner.object, member: `${owner.member}.${name}` };
    if (owner.kind === 'instance' && owner.wrapper) return { kind: 'grpcMember', object: owner.wrapper, member: name };
    if (owner.kind === 'serverStopping') return { kind: 'member', target: owner, member: name };
    return undefined;
  }

  /** A method of a gRPC object called, or a multicallable called (`member` `__call__`). */
  callMember(object: GrpcObject, member: string, site: Site, args: CallArgs, ctx: Context): Value {
    const { frame, path } = ctx;
    const method = member.slice(member.lastIndexOf('.') + 1);
    switch (method) {
      case 'close':
        if (member === 'close') this.close(object, site, ctx);
        return UNKNOWN;
      case 'stop':
        // stop() returns at once; the server is gone when the returned event is waited or awaited.
        return member === 'stop' ? { kind: 'serverStopping', object } : UNKNOWN;
      case 'start':
        if (object.kind === 'server' || object.kind === 'aioServer') {
          // A child starting the parent's server does not make it started in the parent.
          if (!frame.child || object.createdInChild === frame.child.fork) object.started = true;
          this.recorder.push({ kind: 'start', object, site, chain: frame.chain, inChild: frame.child?.fork });
          return UNKNOWN;
        }
        break;
      case 'add_insecure_port':
      case 'add_secure_port': {
        const addressNode = args.positionalNodes[0] ?? args.keywordNodes.get('address');
        const address = stringOf(args.positional[0] ?? args.keywords.get('address'));
        // `ADDRESS = "127.0.0.1:%d" % free_port()` at module level: unknown, but one value for all children.
        const global = addressNode?.type === 'identifier' && !frame.env.has(addressNode.text) && frame.env.module.has(addressNode.text) ? addressNode.text : undefined;
        const value = args.positional[0] ?? args.keywords.get('address');
        const fromParent = addressNode?.type === 'identifier' && frame.child && computedOnceFor(value, frame.child.fork) ? addressNode.text : undefined;
        this.recorder.push({
          kind: 'serverPort', server: object, address, site, inChild: frame.child?.fork, repeated: false,
          addressGlobal: address === undefined ? global ?? fromParent : undefined,
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
    // A library client's own method may register it somewhere (`client.setup_logging()`).
    if (object.kind === 'client') object.escaped = true;
    if (!frame.child && path.live) {
      for (let o: GrpcObject | undefined = object; o; o = o.base) o.usedInParent = true;
      this.recorder.push({ kind: 'parentUse', object, site });
    }
    return UNKNOWN;
  }

  /** `server.stop(grace).wait()`. */
  waited(value: Value, member: string, site: Site, ctx: Context): boolean {
    if (value.kind !== 'serverStopping') return false;
    if (member === 'wait') this.close(value.object, site, ctx);
    return true;
  }

  awaited(value: Value, site: Site, ctx: Context): void {
    if (value.kind === 'serverStopping') this.close(value.object, site, ctx);
  }

  entersScope(value: Value): boolean {
    return value.kind === 'grpc';
  }

  exitScope(value: Value, site: Site, ctx: Context): void {
    const object = grpcObjectOf(value);
    if (object) this.close(object, site, ctx);
  }

  /** `del channel`: with no other reference the channel is collected and closed (SPEC §1: "dropped"). */
  released(value: Value, site: Site, ctx: Context): void {
    const object = grpcObjectOf(value);
    if (object && value.kind === 'grpc') this.close(object, site, ctx);
  }

  /** A name or attribute read in a child: a use of an object the parent made (GF102). */
  reference(value: Value, node: Node, ctx: Context): void {
    const { frame, path } = ctx;
    const object = grpcObjectOf(value);
    if (!object || !frame.child || !path.live || object.createdInChild === frame.child.fork || !isUseContext(node)) return;
    // Made in this child, or in a child of it: its own.
    if (object.createdInChild && frame.child.fork.id >= object.createdInChild.id) return;
    this.recorder.push({ kind: 'use', object, site: { node, path: frame.file.path }, fork: frame.child.fork, entry: frame.child.entry, chain: frame.chain });
  }

  /**
   * `def open_channel(secure): if secure: return grpc.secure_channel(...)` / `return
   * grpc.insecure_channel(...)`: each call makes one channel. The walk keeps the first as the
   * call's value, so the others leave the joined state: closing the kept one closes "the" channel.
   */
  returnsJoined(kept: Value, others: Value[], states: WalkState[]): void {
    const keptObject = grpcObjectOf(kept);
    if (!keptObject) return;
    for (const other of others) {
      const object = grpcObjectOf(other);
      if (!object || rootOf(object) === rootOf(keptObject)) continue;
      const root = rootOf(object);
      for (const state of states) dropRoot(state, root);
    }
  }

  /** Objects handed to code the walk cannot see may live on there. */
  escape(values: Iterable<Value>, keep?: GrpcObject): void {
    for (const value of values) {
      const object = grpcObjectOf(value);
      if (object && object !== keep) object.escaped = true;
    }
  }

  /**
   * Objects made during a call and unreachable after it are dropped, and a dropped channel is
   * closed (SPEC §1, "closed (or dropped) before the fork"), unless it escaped the walk's sight.
   */
  callReturned(marker: number, survivors: () => Value[], states: WalkState[]): void {
    const candidates = new Set<GrpcObject>();
    for (const state of states) for (const o of state.alive) if (o.id >= marker && !rootOf(o).escaped && !o.escaped) candidates.add(rootOf(o));
    if (candidates.size === 0) return;
    const reachable = reachableRoots(survivors());
    for (const root of candidates) {
      if (reachable.has(root)) continue;
      for (const state of states) dropRoot(state, root);
    }
  }

  /** An object gets the name it is first assigned to, for messages. */
  assigned(value: Value, target: Node, valueNode: Node | undefined): void {
    const object = grpcObjectOf(value);
    if (object && valueNode && object.creation.node.id === valueNode.id) object.label = target.text;
  }

  /** A class of the workspace that holds a channel is a client wrapper: its instances carry the channel. */
  instantiated(instance: Extract<Value, { kind: 'instance' }>, site: Site, ctx: Context): void {
    const held = [...instance.attrs.entries()].map(([, v]) => v).map(grpcObjectOf).find((o) => o && o.kind !== 'server' && o.kind !== 'aioServer');
    if (held) instance.wrapper = this.create(held.kind === 'aioChannel' ? 'aioChannel' : 'client', site, ctx, held);
  }

  private create(kind: GrpcObjectKind, site: Site, ctx: Context, base?: GrpcObject): GrpcObject {
    return this.recorder.createObject(kind, site, ctx.frame.chain, ctx.frame.child, ctx.path.state, base);
  }

  private close(object: GrpcObject, site: Site, ctx: Context): void {
    // A stub or wrapper is closed through its channel, and the other way round.
    dropRoot(ctx.path.state, rootOf(object));
    this.recorder.push({ kind: 'close', object, site });
  }
}

/** Removes a channel and everything built on it (stubs, wrappers) from a path's alive set. */
function dropRoot(state: WalkState, root: GrpcObject): void {
  for (const o of [...state.alive]) if (rootOf(o) === root) state.alive.delete(o);
}

/** The roots of the gRPC objects reachable from `values`, through instances, containers and closures. */
function reachableRoots(values: Value[]): Set<GrpcObject> {
  const roots = new Set<GrpcObject>();
  const seen = new Set<unknown>();
  // Each scope's names once: every method of a class closes over the class's scope, and pushing
  // its names again for each of them made a class of hundreds of methods cost their square.
  const seenEnvs = new Set<Env>();
  const stack = [...values];
  while (stack.length) {
    const value = stack.pop()!;
    if (seen.has(value)) continue;
    seen.add(value);
    const object = grpcObjectOf(value);
    if (object) for (let o: GrpcObject | undefined = object; o; o = o.base) roots.add(rootOf(o));
    switch (value.kind) {
      case 'instance':
        for (const [, v] of value.attrs.entries()) stack.push(v);
        break;
      case 'sequence':
        stack.push(...value.items);
        break;
      case 'dict':
        for (const entry of value.entries) stack.push(entry.key, entry.value);
        break;
      case 'class':
        if (!seenEnvs.has(value.env)) {
          seenEnvs.add(value.env);
          for (const [, v] of value.env.entries()) stack.push(v);
        }
        break;
      case 'partial':
        stack.push(value.func, ...value.args);
        break;
      case 'function':
        if (value.self) stack.push(value.self);
        for (let env: Env | undefined = value.closure; env && env !== env.module; env = env.parent) {
          if (seenEnvs.has(env)) continue;
          seenEnvs.add(env);
          for (const [, v] of env.entries()) stack.push(v);
        }
        break;
      case 'process':
        stack.push(value.target, ...value.args);
        break;
      case 'grpcMember':
      case 'serverStopping':
        stack.push({ kind: 'grpc', object: value.object });
        break;
      case 'member':
        stack.push(value.target);
        break;
      default:
        break;
    }
  }
  return roots;
}

/**
 * An address the parent computed once and handed to each child (`args=(address,)`): one value for
 * all of them. Not when it was computed in the child, or in a loop that also forks (one per child).
 */
function computedOnceFor(value: Value | undefined, fork: ForkSite): boolean {
  if (value?.kind !== 'computed' || value.computedIn?.fork === fork) return false;
  if (value.computedIn && value.computedIn.fork.id > fork.id) return false;
  const forkNode = fork.site.node;
  for (let node = value.node.parent; node; node = node.parent) {
    if (node.type === 'function_definition' || node.type === 'lambda') break;
    if (LOOPS.includes(node.type) && forkNode.tree === node.tree && forkNode.startIndex >= node.startIndex && forkNode.endIndex <= node.endIndex) return false;
  }
  return true;
}


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
