// What gRPC does with its two fork-related environment variables, and the questions the GF3xx rules
// ask the timeline about them: "was gRPC already loaded / its core already started when this
// variable was written?", "does this value enable fork support?", "which polling engine does this
// GRPC_POLL_STRATEGY value select?". Facts measured on grpcio 1.51 (Linux) are noted where used.
import type { Node } from 'web-tree-sitter';
import { MODULES_THAT_LOAD_GRPC } from './apiCatalog';
import { field, namedChildren, stringLiteral } from './syntax';
import type { GrpcObject, ProgramEvent, Site, Timeline } from './timeline';

export const FORK_SUPPORT_VARIABLE = 'GRPC_ENABLE_FORK_SUPPORT';
export const POLL_STRATEGY_VARIABLE = 'GRPC_POLL_STRATEGY';

export type EnvWrite = Extract<ProgramEvent, { kind: 'envWrite' }>;
export type ImportEvent = Extract<ProgramEvent, { kind: 'import' }>;

/** `yes`, `true` and `1`, in any case, switch fork support on; anything else leaves it off. */
export function enablesForkSupport(value: string): boolean {
  return ['yes', 'true', '1'].includes(value.toLowerCase());
}

/**
 * The polling engines grpcio 1.51 can select on Linux. Names are matched exactly (no trimming, no
 * case folding: `POLL` and ` poll` abort). `epoll`, `epollex`, `poll-cv` and the empty string
 * abort the interpreter at the first channel with "No event engine could be initialized from ...".
 */
export const POLL_ENGINES = ['epoll1', 'poll', 'none'] as const;
export type PollEngine = (typeof POLL_ENGINES)[number];

/** The engines fork support works with; with any other, gRPC skips its fork handlers. */
export const FORK_COMPATIBLE_ENGINES: readonly PollEngine[] = ['epoll1', 'poll'];

export type PollStrategy =
  /** The first entry of the comma list that names a known engine. */
  | { kind: 'engine'; engine: PollEngine }
  /** `all`: gRPC picks, as when the variable is unset (epoll1 on Linux). */
  | { kind: 'default' }
  /** No entry names an engine: the interpreter aborts at the first channel or server. */
  | { kind: 'invalid' };

/** How gRPC reads a GRPC_POLL_STRATEGY value: a comma list, tried in order, first known entry wins. */
export function resolvePollStrategy(value: string): PollStrategy {
  for (const entry of value.split(',')) {
    if (entry === 'all') return { kind: 'default' };
    if ((POLL_ENGINES as readonly string[]).includes(entry)) return { kind: 'engine', engine: entry as PollEngine };
  }
  return { kind: 'invalid' };
}

/** A GRPC_POLL_STRATEGY write whose known value names no engine: in effect, it aborts the program at its first channel. */
export function writesInvalidPollStrategy(write: EnvWrite): boolean {
  return write.variable === POLL_STRATEGY_VARIABLE && write.value !== undefined && resolvePollStrategy(write.value).kind === 'invalid';
}

/** Does importing this module load grpc? grpc itself, libraries built on it, generated `*_pb2_grpc` modules. */
function moduleLoadsGrpc(module: string): boolean {
  const leaf = module.slice(module.lastIndexOf('.') + 1);
  if (leaf.endsWith('_pb2_grpc')) return true;
  return MODULES_THAT_LOAD_GRPC.some((name) => module === name || module.startsWith(`${name}.`));
}

/** An import that loads grpc when the program runs (not one only type checkers see). */
export function isGrpcLoad(event: ImportEvent): boolean {
  return moduleLoadsGrpc(event.module) && !underTypeChecking(event.site.node);
}

function underTypeChecking(node: Node): boolean {
  for (let n: Node | null = node; n; n = n.parent) {
    const parent = n.parent;
    if (parent?.type !== 'block' || parent.parent?.type !== 'if_statement') continue;
    const statement = parent.parent;
    const condition = field(statement, 'condition')?.text ?? '';
    if (/^(typing\.)?TYPE_CHECKING$/.test(condition) && field(statement, 'consequence')?.id === parent.id) return true;
  }
  return false;
}

/**
 * Whether fork support is in force for the program: GRPC_ENABLE_FORK_SUPPORT set to a true value
 * in `os.environ` before the first import that loads grpc (gRPC reads it there once), or set by
 * the environment (`assume-fork-support`). `os.putenv` does not count: measured on grpcio 1.51, it
 * leaves `os.environ`, which grpc reads, unchanged.
 */
export function forkSupportEnabled(timeline: Timeline, assumeForkSupport: boolean): boolean {
  if (assumeForkSupport) return true;
  for (const event of timeline.events) {
    if (event.kind === 'import' && isGrpcLoad(event) && !event.inChild) return false;
    if (event.kind === 'envWrite' && event.variable === FORK_SUPPORT_VARIABLE && !event.inChild && event.how !== 'os.putenv' && event.value !== undefined && enablesForkSupport(event.value)) return true;
  }
  return false;
}

/** What had already happened when a variable was written too late. */
export interface TooLate {
  write: EnvWrite;
  /** The import that loaded grpc (fork support) or the object that started the C core (poll strategy). */
  cause: { kind: 'import'; event: ImportEvent } | { kind: 'create'; object: GrpcObject };
}

/**
 * GF301's question, answered in execution order: GRPC_ENABLE_FORK_SUPPORT is read once, when grpc
 * is imported; GRPC_POLL_STRATEGY once, when the first channel or server starts the C core (even
 * if that channel is closed again). A child process inherits what its parent had done before the
 * fork; what one child does never happens in the parent.
 */
export function writesTooLate(timeline: Timeline): TooLate[] {
  const result: TooLate[] = [];
  let loadInParent: ImportEvent | undefined;
  let loadAnywhere: ImportEvent | undefined;
  let coreStartInParent: GrpcObject | undefined;
  let coreStartAnywhere: GrpcObject | undefined;
  // Values the parent set while they still took effect: a late write of the same value asks for
  // nothing that is not already in effect (after GF301's own re-set fix, the late one stays).
  const inTime = new Map<string, string>();
  const alreadyInEffect = (event: EnvWrite) => {
    const earlier = inTime.get(event.variable);
    if (event.value === undefined || earlier === undefined) return false;
    // Fork support: any two values that enable it have the same effect ("1", "true").
    return event.variable === FORK_SUPPORT_VARIABLE ? enablesForkSupport(earlier) : earlier === event.value;
  };
  for (const event of timeline.events) {
    if (event.kind === 'import' && isGrpcLoad(event)) {
      loadAnywhere ??= event;
      if (!event.inChild) loadInParent ??= event;
    } else if (event.kind === 'create') {
      coreStartAnywhere ??= event.object;
      if (!event.object.createdInChild) coreStartInParent ??= event.object;
    } else if (event.kind === 'envWrite') {
      if (event.variable === FORK_SUPPORT_VARIABLE) {
        // Writing a value that leaves fork support off after the import changes nothing.
        if (event.value !== undefined && !enablesForkSupport(event.value)) continue;
        const load = event.inChild ? loadAnywhere : loadInParent;
        if (load && !alreadyInEffect(event)) result.push({ write: event, cause: { kind: 'import', event: load } });
        else if (!load && !event.inChild && event.value !== undefined) inTime.set(event.variable, event.value);
      } else if (event.variable === POLL_STRATEGY_VARIABLE) {
        const object = event.inChild ? coreStartAnywhere : coreStartInParent;
        if (object && !alreadyInEffect(event)) result.push({ write: event, cause: { kind: 'create', object } });
        else if (!object && !event.inChild && event.value !== undefined) inTime.set(event.variable, event.value);
      }
    }
  }
  return result;
}

/** The site in the analysed file that led to an event: the outermost step of its chain. */
export function entrySite(chain: Site[], site: Site): Site {
  return chain[0] ?? site;
}

/**
 * The node of one write, for ranges and edits: the assignment, the `setdefault`/`putenv` call, or,
 * in `os.environ.update(...)`, the one dict entry or keyword argument that names the variable.
 */
export function writeNode(write: EnvWrite): Node {
  if (write.how !== 'update') return write.site.node;
  return updateEntry(write.site.node, write.variable)?.entry ?? write.site.node;
}

/** The expression whose value the write stores, when it is in the code. */
export function writtenValueNode(write: EnvWrite): Node | undefined {
  const node = write.site.node;
  switch (write.how) {
    case 'item assignment':
      return field(node, 'right');
    case 'setdefault':
    case 'os.putenv':
      return positionalArguments(node)[1];
    case 'update':
      return updateEntry(node, write.variable)?.value;
    default:
      return undefined;
  }
}

function positionalArguments(call: Node): Node[] {
  return namedChildren(field(call, 'arguments') ?? call).filter((a) => a.type !== 'keyword_argument' && a.type !== 'comment');
}

function updateEntry(call: Node, variable: string): { entry: Node; value: Node | undefined } | undefined {
  for (const argument of namedChildren(field(call, 'arguments') ?? call)) {
    if (argument.type === 'keyword_argument' && field(argument, 'name')?.text === variable) {
      return { entry: argument, value: field(argument, 'value') };
    }
    if (argument.type === 'dictionary') {
      for (const pair of namedChildren(argument)) {
        const key = pair.type === 'pair' ? field(pair, 'key') : undefined;
        if (key && stringLiteral(key) === variable) return { entry: pair, value: field(pair, 'value') };
      }
    }
  }
  return undefined;
}
