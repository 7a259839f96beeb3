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
  | { kind: 'instance'; cls: Extract<Value, { kind: 'class' }>; attrs: Map<string, Value>; wrapper?: GrpcObject }
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

/** Name bindings of one scope, chained to the enclosing ones as Python resolves names. */
export class Env {
  private readonly vars = new Map<string, Value>();
  readonly globalNames = new Set<string>();

  constructor(readonly parent?: Env, readonly moduleEnv?: Env) {}

  get module(): Env {
    return this.moduleEnv ?? this;
  }

  lookup(name: string): Value | undefined {
    return this.vars.get(name) ?? this.parent?.lookup(name);
  }

  assign(name: string, value: Value): void {
    if (this.globalNames.has(name)) this.module.vars.set(name, value);
    else this.vars.set(name, value);
  }

  has(name: string): boolean {
    return this.vars.has(name);
  }

  entries(): IterableIterator<[string, Value]> {
    return this.vars.entries();
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
