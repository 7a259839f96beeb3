// Builds a program's timeline (timeline.ts): the walker (walker/) runs the program path by path
// in execution order; the gRPC, fork and environment effects record what happens on the way;
// entryPoints.ts decides where the program starts.
import type { EngineConfig } from '../config';
import { EnvironmentEffects } from './environmentEffects';
import { ProgramOutline, runProgram } from './entryPoints';
import { ForkEffects } from './forkEffects';
import { GrpcEffects } from './grpcEffects';
import { LibraryCallbacks } from './libraryCallbacks';
import { ModuleSummaries, moduleSummariesEnabled } from './moduleSummaries';
import type { ModuleResolver } from './imports';
import { ProgramEffects } from './programEffects';
import type { SourceFile } from './sourceFile';
import type { Timeline } from './timeline';
import { TimelineRecorder } from './timelineRecorder';
import { Env } from './values';
import { walkStateDomain } from './walkState';
import { Interpreter } from './walker/interpreter';

export interface WalkOptions {
  targetPython: [number, number];
  targetPlatform: EngineConfig['targetPlatform'];
  channelFactories: readonly string[];
  /** Whether a text mentions an API some rule follows (engine/relevance.ts); others are not walked as entries. */
  canMatter: (text: string) => boolean;
  resolver?: ModuleResolver;
}

const LIMITS = { maxCallDepth: 12, maxWalksPerFunction: 16, maxSteps: 200_000 };

export function buildTimeline(file: SourceFile, options: WalkOptions): Timeline {
  return walkProgram(file, options).timeline;
}

/** The timeline, and what the walk decided about the module's own definitions (entryPoints.ts). */
export function walkProgram(file: SourceFile, options: WalkOptions): { timeline: Timeline; outline: ProgramOutline } {
  const recorder = new TimelineRecorder();
  const forks = new ForkEffects(recorder, { ...options, programStartMethod: () => options.resolver?.programStartMethod?.(file.path) });
  const callbacks = new LibraryCallbacks();
  const effects = new ProgramEffects(recorder, new GrpcEffects(recorder, options.channelFactories), forks, new EnvironmentEffects(recorder), callbacks);
  Env.startWalk();
  // Imported modules' walks are kept and replayed only where modules resolve (a workspace), per configuration.
  const summaries = options.resolver && moduleSummariesEnabled()
    ? new ModuleSummaries(recorder, options.resolver, `${options.targetPython.join('.')}|${options.targetPlatform}|${options.channelFactories.join(',')}`)
    : undefined;
  const interpreter = new Interpreter(walkStateDomain, effects, options.resolver, LIMITS, summaries);
  if (summaries) summaries.interpreter = interpreter;
  forks.interpreter = interpreter;
  callbacks.interpreter = interpreter;
  const outline = runProgram(file, interpreter, options.canMatter, options.resolver);
  return { timeline: recorder.timeline, outline };
}
