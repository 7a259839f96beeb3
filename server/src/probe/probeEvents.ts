// The JSON lines the run-time probe (probe/grpc_fork_guard_probe) appends to its report file, one
// event per line, from every process of a run.

export interface ProbeFrame {
  file: string;
  /** 1-based. */
  line: number;
  function: string;
  /** Code the user wrote (not the standard library, an installed package or the probe). */
  user: boolean;
  /** 0-based UTF-8 byte offsets (Python 3.11+ only). */
  column?: number;
  endLine?: number;
  endColumn?: number;
}

/** Innermost frame first. */
export type ProbeStack = ProbeFrame[];

export type ObjectKind = 'channel' | 'aio-channel' | 'server' | 'aio-server';

export interface ProbeObject {
  id: string;
  kind: ObjectKind;
  /** The factory that made it, e.g. `grpc.insecure_channel`. */
  api: string;
  stack: ProbeStack;
  /** Where a server was started, when it was. */
  started: ProbeStack | null;
  /** Where its first multi-callable was made: a stub's constructor and the code that made the stub. */
  wrapped?: ProbeStack | null;
}

export type ForkVariables = Record<'GRPC_ENABLE_FORK_SUPPORT' | 'GRPC_POLL_STRATEGY', string | null>;

export interface GrpcImportEvent {
  event: 'grpc-import';
  pid: number;
  stack: ProbeStack;
  env: ForkVariables;
}

export interface ForkEvent {
  event: 'fork';
  pid: number;
  id: string;
  stack: ProbeStack;
  /** `os.fork`, `multiprocessing:fork`, ... */
  method: string;
  grpcImported: boolean;
  alive: ProbeObject[];
  /** GRPC_ENABLE_FORK_SUPPORT was on when grpc was imported. */
  forkSupport?: boolean;
  env?: ForkVariables;
}

export interface UseEvent {
  event: 'use';
  pid: number;
  ppid: number;
  record: string;
  fork: string;
  what: string;
  stack: ProbeStack;
}

export interface HazardEvent {
  event: 'hazard';
  pid: number;
  code: 'GF203' | 'GF204' | 'GF301' | 'GF302' | 'GF303';
  stack: ProbeStack;
  [detail: string]: unknown;
}

/** A server made in a forked child bound an address (GF202 compares the children of one fork site). */
export interface BindEvent {
  event: 'bind';
  pid: number;
  fork: string;
  record: string;
  address: string;
  /** Its `grpc.so_reuseport` option; null when not given. */
  reuseport: number | null;
  /** Where the server was made. */
  stack: ProbeStack;
}

export type ProbeEvent = GrpcImportEvent | ForkEvent | UseEvent | HazardEvent | BindEvent;

const EVENTS = new Set(['grpc-import', 'fork', 'use', 'hazard', 'bind']);

/** The events of a report file; a line that is not a whole event (a process killed mid-run) is skipped. */
export function parseProbeReport(text: string): ProbeEvent[] {
  const events: ProbeEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const value = JSON.parse(line) as ProbeEvent;
      if (value && typeof value === 'object' && EVENTS.has(value.event) && Array.isArray(value.stack)) events.push(value);
    } catch {
      // an incomplete line
    }
  }
  return events;
}
