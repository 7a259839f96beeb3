// The state along one path of the program: which gRPC objects are alive and which start method
// `multiprocessing` uses. Paths join by union: an object alive on one path that reaches a fork is
// alive at that fork (SPEC §2).
import type { GrpcObject } from './timeline';
import type { StateDomain } from './walker/frame';

export interface WalkState {
  alive: Set<GrpcObject>;
  /** Set by `multiprocessing.set_start_method()`; undefined is the interpreter's default. */
  startMethod?: string;
}

export const walkStateDomain: StateDomain<WalkState> = {
  initial: () => ({ alive: new Set() }),
  clone: (state) => ({ alive: new Set(state.alive), startMethod: state.startMethod }),
  join(states) {
    const alive = new Set<GrpcObject>();
    for (const state of states) for (const object of state.alive) alive.add(object);
    return { alive, startMethod: joinStartMethods(states.map((s) => s.startMethod)) };
  },
  changed: (before, after) => after.startMethod !== before.startMethod || [...after.alive].some((o) => !before.alive.has(o)),
};

/** Paths that disagree: the method that forks wins, so that a fork on any path is seen. */
function joinStartMethods(methods: (string | undefined)[]): string | undefined {
  if (methods.every((m) => m === methods[0])) return methods[0];
  if (methods.includes('fork')) return 'fork';
  if (methods.includes(undefined)) return undefined;
  return methods[0];
}
