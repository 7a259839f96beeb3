// Whether gRPC's fork support is in force for the program: `GRPC_ENABLE_FORK_SUPPORT` set to a
// true value before the first import that loads grpc (gRPC reads it once, at import), or the
// environment is configured to set it (`assume-fork-support`).
import type { EngineConfig } from '../config';
import { MODULES_THAT_LOAD_GRPC } from './apiCatalog';
import type { ProgramEvent, Timeline } from './timeline';

export const FORK_SUPPORT_VARIABLE = 'GRPC_ENABLE_FORK_SUPPORT';
export const POLL_STRATEGY_VARIABLE = 'GRPC_POLL_STRATEGY';

export function isTrueSetting(value: string | undefined): boolean {
  return value !== undefined && ['true', 'yes', '1'].includes(value.trim().toLowerCase());
}

export function loadsGrpc(module: string): boolean {
  return MODULES_THAT_LOAD_GRPC.some((m) => module === m || module.startsWith(`${m}.`));
}

/** Index of the first event that imports grpc (directly or through a module that loads it). */
export function firstGrpcImport(timeline: Timeline): number {
  return timeline.events.findIndex((e) => e.kind === 'import' && loadsGrpc(e.module));
}

export function forkSupportEnabled(timeline: Timeline, config: EngineConfig): boolean {
  if (config.assumeForkSupport) return true;
  const importIndex = firstGrpcImport(timeline);
  const limit = importIndex < 0 ? timeline.events.length : importIndex;
  return timeline.events.slice(0, limit).some((e: ProgramEvent) =>
    e.kind === 'envWrite' && e.variable === FORK_SUPPORT_VARIABLE && isTrueSetting(e.value));
}
