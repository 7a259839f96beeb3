// The events a program produces when it runs, in execution order, as the walker records them.
// Rules read this timeline; they never walk the tree for execution order themselves.
import type { Node } from 'web-tree-sitter';
import type { GrpcObjectKind } from './apiCatalog';

/** A place in the program: a node and the file it belongs to. */
export interface Site {
  node: Node;
  path: string;
}

export interface GrpcObject {
  id: number;
  kind: GrpcObjectKind;
  /** A name for messages: the variable it was assigned to, else the call's text. */
  label: string;
  /** The call that created it (the grpc/library call itself). */
  creation: Site;
  /** Calls (or imports) that led from the entry point to the creation, outermost first. */
  chain: Site[];
  /** The channel a stub or client wrapper is built on. */
  base?: GrpcObject;
  /** Set when the object was created in a child process. */
  createdInChild?: ForkSite;
  /** The parent called through it before a fork (matters for which fix works, SPEC §1). */
  usedInParent: boolean;
  /** For servers: the `options=` argument node of the creating call, if any. */
  optionsNode?: Node;
  /** For servers: the executor argument that was passed as the thread pool. */
  threadPoolArg?: Node;
  threadPoolIsProcessPool?: boolean;
  closed: boolean;
  started: boolean;
  /**
   * Handed to code the walk cannot see (a library call, a container, an attribute of an unknown
   * object), or registered by a client's own method: it may outlive the function that made it.
   */
  escaped?: boolean;
}

export type ForkProduct = 'pool' | 'executor' | 'process' | 'pid' | 'manager';

export interface ForkSite {
  id: number;
  /** The call where the fork happens: `Pool(...)`, `p.start()`, `os.fork()`, `executor.submit(...)`. */
  site: Site;
  /** The call that made the pool/process object, when it differs from the fork call. */
  origin: Site;
  api: string;
  product: ForkProduct;
  chain: Site[];
  /** True when the fork happens inside a child process already. */
  inChild: boolean;
  /** The functions the children run (targets, tasks, initializers), when known. */
  entryFunctions: Node[];
  /** Set when some child entry is not a known function (a lambda, a value from elsewhere). */
  opaqueEntry: boolean;
}

export interface ChildEntry {
  /** What runs in the child: a task/target/initializer function or the child branch of os.fork(). */
  how: 'target' | 'task' | 'initializer' | 'run' | 'forkBranch';
  site: Site;
}

export type ProgramEvent =
  | { kind: 'create'; object: GrpcObject }
  | { kind: 'close'; object: GrpcObject; site: Site }
  /** `server.start()`; `chain`: the calls that led to it; `inChild`: the fork whose child runs it. */
  | { kind: 'start'; object: GrpcObject; site: Site; chain: Site[]; inChild?: ForkSite }
  | { kind: 'fork'; fork: ForkSite; alive: GrpcObject[] }
  /** The parent calls through an object (an RPC, a method of a client). */
  | { kind: 'parentUse'; object: GrpcObject; site: Site }
  | { kind: 'use'; object: GrpcObject; site: Site; fork: ForkSite; entry: ChildEntry; chain: Site[] }
  | { kind: 'import'; module: string; site: Site; chain: Site[]; inChild: boolean }
  | { kind: 'envWrite'; variable: string; value: string | undefined; site: Site; how: string; chain: Site[]; inChild: boolean }
  /** The analysed module's top level has run (what an importer such as a prefork runner sees). */
  | { kind: 'importTimeEnd'; alive: GrpcObject[] }
  | {
    kind: 'serverPort'; server: GrpcObject; address: string | undefined; site: Site; inChild?: ForkSite; repeated: boolean;
    /** A module-level name holding the address when its value is not a literal: computed once, the same in every child. */
    addressGlobal?: string;
  };

/** A call or decorator whose callee resolved to a qualified name (`celery.Celery`, `os.fork`). */
export interface QualifiedUse {
  qname: string;
  site: Site;
  /** True for a decorator (`@app.task`, `@shared_task`), false for a call. */
  decorator: boolean;
}

export interface Timeline {
  events: ProgramEvent[];
  objects: GrpcObject[];
  forks: ForkSite[];
  /** Every call and decorator with a resolvable qualified name, in execution order. */
  qualifiedUses: QualifiedUse[];
}

/** The channel at the bottom of a wrapper → stub → channel chain. */
export function rootOf(object: GrpcObject): GrpcObject {
  let o = object;
  while (o.base) o = o.base;
  return o;
}

export function sharesRoot(a: GrpcObject, b: GrpcObject): boolean {
  return rootOf(a) === rootOf(b);
}
