// The effects of one program walk (walker/frame.ts's Effects): each hook asks the gRPC, fork and
// environment modules in turn, and records calls with qualified names for GF104's runner search.
import type { Node } from 'web-tree-sitter';
import { EnvironmentEffects } from './environmentEffects';
import { ForkEffects } from './forkEffects';
import { GrpcEffects } from './grpcEffects';
import type { Site } from './timeline';
import type { TimelineRecorder } from './timelineRecorder';
import { CallArgs, UNKNOWN, Value, grpcObjectOf } from './values';
import type { LibraryCallbacks } from './libraryCallbacks';
import type { WalkState } from './walkState';
import type { Effects, ScopeExit, WalkContext } from './walker/frame';

type Context = WalkContext<WalkState>;

export class ProgramEffects implements Effects<WalkState> {
  constructor(
    private readonly recorder: TimelineRecorder,
    readonly grpc: GrpcEffects,
    readonly forks: ForkEffects,
    readonly environment: EnvironmentEffects,
    readonly callbacks: LibraryCallbacks,
  ) {}

  call(callee: Value, args: CallArgs, site: Site, ctx: Context): Value | undefined {
    const result = this.dispatchCall(callee, args, site, ctx);
    if (callee.kind !== 'grpcMember' && callee.kind !== 'grpc') {
      // What a library call receives may be kept there; a stub only holds its channel.
      const made = result ? grpcObjectOf(result) : undefined;
      this.grpc.escape([...args.positional, ...args.keywords.values()], made?.base);
    }
    this.callbacks.afterCall(callee, args, site, ctx);
    return result;
  }

  private dispatchCall(callee: Value, args: CallArgs, site: Site, ctx: Context): Value | undefined {
    switch (callee.kind) {
      case 'qualified':
        this.recorder.qualifiedUse(callee.qname, site, false);
        return this.environment.callQualified(callee.qname, site, args, ctx)
          ?? this.grpc.callQualified(callee.qname, site, args, ctx)
          ?? this.forks.callQualified(callee.qname, site, args, ctx, undefined)
          ?? this.forks.libraryFork(site, args, ctx);
      case 'grpcMember':
        return this.grpc.callMember(callee.object, callee.member, site, args, ctx);
      case 'grpc':
        // A multicallable (`channel.unary_unary(...)`) called: an RPC through the channel.
        return this.grpc.callMember(callee.object, '__call__', site, args, ctx);
      case 'member':
        if (this.grpc.waited(callee.target, callee.member, site, ctx)) return UNKNOWN;
        return this.forks.callMember(callee.target, callee.member, site, args, ctx);
      default:
        return this.forks.runInExecutor(site, args, ctx) ?? this.grpc.maybeStub(site, undefined, args, ctx) ?? this.forks.libraryFork(site, args, ctx);
    }
  }

  attribute(owner: Value, name: string): Value | undefined {
    return this.grpc.attribute(owner, name) ?? this.forks.attribute(owner, name);
  }

  reference(value: Value, node: Node, ctx: Context): void {
    this.grpc.reference(value, node, ctx);
  }

  importing(module: string, site: Site, ctx: Context): void {
    this.environment.importing(module, site, ctx);
  }

  assigned(value: Value, target: Node, valueNode: Node | undefined): void {
    this.grpc.assigned(value, target, valueNode);
  }

  assignSubscript(container: Value, key: Value, value: Value, site: Site, ctx: Context): void {
    this.environment.assignSubscript(container, key, value, site, ctx);
    this.grpc.escape([value]);
  }

  awaited(value: Value, site: Site, ctx: Context): void {
    this.grpc.awaited(value, site, ctx);
  }

  entersScope(value: Value): boolean {
    return this.grpc.entersScope(value);
  }

  exitScope(exit: ScopeExit, ctx: Context): void {
    this.grpc.exitScope(exit.value, exit.site, ctx);
  }

  stored(value: Value): void {
    this.grpc.escape([value]);
  }

  marker(): number {
    return this.recorder.marker();
  }

  callReturned(marker: number, survivors: () => Value[], states: WalkState[]): void {
    this.grpc.callReturned(marker, survivors, states);
  }

  released(value: Value, site: Site, ctx: Context): void {
    this.grpc.released(value, site, ctx);
  }

  instantiate(cls: Extract<Value, { kind: 'class' }>, args: CallArgs, site: Site, ctx: Context): Value | undefined {
    return this.forks.instantiate(cls, args, site, ctx);
  }

  instantiated(instance: Extract<Value, { kind: 'instance' }>, site: Site, ctx: Context): void {
    this.grpc.instantiated(instance, site, ctx);
  }

  ifStatement(node: Node, condition: Node, ctx: Context): boolean {
    return this.forks.ifStatement(node, condition, ctx);
  }

  decorator(value: Value, site: Site): void {
    // `@app.task` on a Celery app value is recorded by its callee when it is a call.
    if (value.kind === 'qualified') this.recorder.qualifiedUse(value.qname, site, true);
  }

  returnsJoined(kept: Value, others: Value[], states: WalkState[]): void {
    this.grpc.returnsJoined(kept, others, states);
  }

  moduleImported(ctx: Context): void {
    this.recorder.push({ kind: 'importTimeEnd', alive: [...ctx.path.state.alive] });
  }
}
