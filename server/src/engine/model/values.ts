// Abstract values: what the walker knows about what a name or expression holds at run time.
import type { Node } from 'web-tree-sitter';
import type { SourceFile } from './sourceFile';
import type { ChildEntry, ForkSite, GrpcObject, Site } from './timeline';

export type Value =
  | { kind: 'unknown' }
  /** A module or a name imported from one, by qualified name: `grpc`, `multiprocessing.Pool`. */
  | { kind: 'qualified'; qname: string }
  /** A module of the workspace, whose top level the walker has run. */
  | { kind: 'workspaceModule'; qname: string; env: Env }
  | { kind: 'grpc'; object: GrpcObject }
  /** An attribute of a gRPC object not yet called: `stub.Echo`, `channel.close`. */
  | { kind: 'grpcMember'; object: GrpcObject; member: string }
  | { kind: 'function'; def: Node; closure: Env; file: SourceFile; self?: Value; defaults?: Map<string, Value>; isStatic?: boolean }
  | { kind: 'class'; def: Node; env: Env; bases: Value[]; file: SourceFile; name: string }
  /** `attrs`: the instance's own attributes, a scope of their own (so that a shared instance keeps one walk's writes apart). */
  | { kind: 'instance'; cls: Extract<Value, { kind: 'class' }>; attrs: Env; wrapper?: GrpcObject }
  /** `multiprocessing.get_context(method)`; method undefined means the default. */
  | { kind: 'mpContext'; method: string | undefined }
  | { kind: 'pool'; fork: ForkSite | undefined; forks: boolean; origin: Site }
  | { kind: 'executor'; fork: ForkSite | undefined; forks: boolean; origin: Site; api: string; initializer?: CallArgs; started: boolean }
  | { kind: 'threadPool'; origin: Site }
  | { kind: 'process'; forks: boolean; origin: Site; api: string; target: Value; args: Value[]; kwargs: Value[] }
  | { kind: 'forkPid'; fork: ForkSite }
  /** What `server.stop(grace)` returns: the server is stopped once this is waited or awaited. */
  | { kind: 'serverStopping'; object: GrpcObject }
  | { kind: 'member'; target: Value; member: string }
  | { kind: 'partial'; func: Value; args: Value[] }
  | { kind: 'sequence'; items: Value[] }
  | { kind: 'dict'; entries: { key: Value; value: Value }[] }
  | { kind: 'string'; text: string }
  /** A string computed at run time (f-string, `%`, `.format`): text unknown, but one value wherever it is passed. */
  | { kind: 'computed'; node: Node; computedIn?: ChildContext }
  | { kind: 'number'; value: number };

export const UNKNOWN: Value = { kind: 'unknown' };

export interface CallArgs {
  positional: Value[];
  keywords: Map<string, Value>;
  positionalNodes: Node[];
  keywordNodes: Map<string, Node>;
}

/** The child a fork made and what it runs: present while the walker is inside a child process. */
export interface ChildContext {
  fork: ForkSite;
  entry: ChildEntry;
}

/**
 * What one walk wrote into shared scopes: those of a module summary (moduleSummaries.ts), which
 * later programs reuse as they are. A program that assigns a module's attribute, or runs a
 * function that sets one of its globals, must not change what the next program imports; so its
 * writes to a shared scope are kept here, and dropped when the next walk starts.
 */
let sharedWrites = new WeakMap<Env, Map<string, Value>>();
/** Whether `sharedWrites` holds anything: reads of shared scopes skip it until a walk writes one. */
let anySharedWrite = false;

/** Name bindings of one scope, chained to the enclosing ones as Python resolves names. */
export class Env {
  private readonly vars = new Map<string, Value>();
  readonly globalNames = new Set<string>();
  /** Set once the scope belongs to a module summary; from then on writes go to `sharedWrites`. */
  private shared = false;

  constructor(readonly parent?: Env, readonly moduleEnv?: Env) {}

  /** A new walk: writes earlier walks made to shared scopes are forgotten. */
  static startWalk(): void {
    if (!anySharedWrite) return;
    sharedWrites = new WeakMap();
    anySharedWrite = false;
  }

  get module(): Env {
    return this.moduleEnv ?? this;
  }

  /** Makes the scope shared between walks (moduleSummaries.ts): its current bindings stay as they are. */
  share(): void {
    this.shared = true;
  }

  lookup(name: string): Value | undefined {
    if (this.shared && anySharedWrite) {
      const written = sharedWrites.get(this)?.get(name);
      if (written) return written;
    }
    return this.vars.get(name) ?? this.parent?.lookup(name);
  }

  assign(name: string, value: Value): void {
    (this.globalNames.has(name) ? this.module : this).write(name, value);
  }

  private write(name: string, value: Value): void {
    if (!this.shared) {
      this.vars.set(name, value);
      return;
    }
    let writes = sharedWrites.get(this);
    if (!writes) sharedWrites.set(this, (writes = new Map()));
    writes.set(name, value);
    anySharedWrite = true;
  }

  has(name: string): boolean {
    return this.vars.has(name) || (this.shared && anySharedWrite && sharedWrites.get(this)?.has(name) === true);
  }

  entries(): IterableIterator<[string, Value]> {
    const writes = this.shared && anySharedWrite ? sharedWrites.get(this) : undefined;
    if (!writes) return this.vars.entries();
    return new Map([...this.vars, ...writes]).entries();
  }
}

export function grpcObjectOf(value: Value | undefined): GrpcObject | undefined {
  if (!value) return undefined;
  if (value.kind === 'grpc') return value.object;
  if (value.kind === 'instance') return value.wrapper;
  return undefined;
}

export function stringOf(value: Value | undefined): string | undefined {
  return value?.kind === 'string' ? value.text : undefined;
}

export function qnameOf(value: Value | undefined): string | undefined {
  if (!value) return undefined;
  if (value.kind === 'qualified' || value.kind === 'workspaceModule') return value.qname;
  return undefined;
}
