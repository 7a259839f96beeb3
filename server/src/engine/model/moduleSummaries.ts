// Imported workspace modules as summaries, kept by file version (issue 13): the walk of a module's
// top level, recorded the first time a program imports it, is replayed into later programs that
// import the same version instead of being walked again. An editor that opens two hundred files
// otherwise walks each one's import closure (up to a hundred modules) once per file and per
// keystroke.
//
// A recorded walk is only kept when replaying it gives the program exactly what walking would:
// - it ran outside any child process, from a given start method, and no limit cut it short
//   (replayed only where, as deep as it went, it stays within the walker's depth limits);
// - it recorded no gRPC object, fork or event but `import` and environment writes, and left the
//   path alive with the same objects and start method (what it raised then reaches no importer);
// - its namespace holds nothing made for one program (gRPC objects, pools, processes, a client
//   wrapper), and no namespace of a module this program walked for itself;
// - every module it imported is kept too, and is still the version it saw.
// A replay pushes the recorded events with the importer's chain, replays the modules the walk
// imported that the program has not loaded yet, and counts the steps and function walks the walk
// took, so that the budgets run out where they would have. The namespaces become shared scopes
// (values.ts): what a later program writes to them stays with that program.
import type { Tree } from 'web-tree-sitter';
import type { ModuleResolver } from './imports';
import type { SourceFile } from './sourceFile';
import type { ProgramEvent, QualifiedUse, Site } from './timeline';
import type { TimelineRecorder } from './timelineRecorder';
import { Env, Value } from './values';
import type { WalkState } from './walkState';
import type { Calls, ImportedModules } from './walker/calls';
import type { Frame, Path } from './walker/frame';
import { MAX_EXPRESSION_DEPTH } from './walker/expressions';
import { type Interpreter, MAX_STATEMENT_DEPTH } from './walker/interpreter';

type ReplayedEvent = Extract<ProgramEvent, { kind: 'import' | 'envWrite' }>;

type Step =
  /** An event of the module's own walk; its chain past the module's frame is `chainTail`. */
  | { kind: 'event'; event: ReplayedEvent; chainTail: Site[] }
  | { kind: 'use'; use: QualifiedUse }
  /**
   * A workspace module imported at `site` (chain past the module's frame: `chainTail`; call,
   * statement and expression depth past where the module was imported: `depths`); no summary: it did not load.
   */
  | { kind: 'module'; path: string; summary: ModuleSummary | undefined; site: Site; chainTail: Site[]; depths: Depths };

/** Call, statement and expression depth. */
type Depths = readonly [number, number, number];

export interface ModuleSummary {
  file: SourceFile;
  /** The configuration and start method the walk ran under. */
  key: string;
  env: Env;
  steps: Step[];
  /** The walker's steps the module's own walk took (not those of modules it imported). */
  ownSteps: number;
  /** The functions its own walk walked, once per walk. */
  functionWalks: number[];
  /**
   * How much deeper than where it was imported the walk went, in calls, statements and
   * expressions: replayed where that stays within the walker's limits, it refuses nothing either.
   */
  reach: Depths;
  /** Other summaries whose namespaces this one's values or events refer to. */
  reaches: ModuleSummary[];
  /**
   * Importers this module imported back while they were still loading (an import cycle): it was
   * walked with their namespaces half-made, so it replays only inside their replay.
   */
  within: ModuleSummary[];
  /** How many importers it was walked within; it is valid once all of them are kept (`within`). */
  waitsFor: number;
  valid: boolean;
}

/** Summaries by file version (a module's SourceFile lives as long as the resolver keeps its tree), then by key. */
const summaries = new WeakMap<SourceFile, Map<string, ModuleSummary>>();
const summaryOfEnv = new WeakMap<Env, ModuleSummary>();

/** One module's walk being recorded: its events are read from the timeline, less those of the modules it imports. */
interface Recording {
  file: SourceFile;
  env: Env;
  frame: Frame<WalkState>;
  startMethod: string | undefined;
  alive: ReadonlySet<unknown>;
  objects: number;
  forks: number;
  refusals: number;
  steps: Step[];
  /** Where the module's own part of the timeline, function walks and steps resume. */
  eventsFrom: number;
  usesFrom: number;
  walksFrom: number;
  stepsFrom: number;
  ownSteps: number;
  functionWalks: number[];
  /** The call, statement and expression depth the module was imported at, and the deepest ones its importer had reached. */
  depths: Depths;
  importerDeepest: Depths;
  spoiled: boolean;
  /** Importers still loading that this module refers to (an import cycle). */
  within: Set<Recording>;
  /** The summaries kept within it (an import cycle), to drop if it is not kept. */
  inner: ModuleSummary[];
  /** Steps of modules walked within it that name it, to complete once it is kept. */
  pendingSteps: Extract<Step, { kind: 'module' }>[];
}

export class ModuleSummaries implements ImportedModules<WalkState> {
  private readonly recordings: Recording[] = [];
  interpreter!: Interpreter<WalkState>;

  constructor(private readonly recorder: TimelineRecorder, private readonly resolver: ModuleResolver, private readonly configKey: string) {}

  private get calls(): Calls<WalkState> {
    return this.interpreter.calls;
  }

  private keyOf(path: Path<WalkState>): string {
    return `${this.configKey}|${path.state.startMethod ?? ''}`;
  }

  replay(file: SourceFile, site: Site, frame: Frame<WalkState>, path: Path<WalkState>): Env | undefined {
    if (frame.child || !path.live) return undefined;
    const key = this.keyOf(path);
    const summary = summaries.get(file)?.get(key);
    if (!summary || !this.plan(summary, key, this.depths(frame))) return undefined;
    this.apply(summary, [...frame.chain, site]);
    counts.replayed++;
    return summary.env;
  }

  /**
   * Whether the summary and what it replays hold here: each module the current version, loaded by
   * this program already as that summary or not at all, the depth no deeper and the budgets enough.
   */
  private plan(root: ModuleSummary, key: string, depths: Depths): boolean {
    const calls = this.calls;
    const visited = new Set<ModuleSummary>();
    const walks = new Map<number, number>();
    let steps = 0;
    const applied = new Set<ModuleSummary>();
    const holds = (summary: ModuleSummary, at: Depths | undefined): boolean => {
      if (visited.has(summary)) return true;
      visited.add(summary);
      if (!summary.valid || summary.key !== key) return false;
      if (at) applied.add(summary);
      // A module of an import cycle replays inside the replay of the importer it was walked within.
      if (!summary.within.every((outer) => applied.has(outer) || calls.moduleEnv(outer.file.path) === outer.env)) return false;
      const deepest = at && plus(at, summary.reach);
      if (deepest && (deepest[0] >= calls.limits.maxCallDepth || deepest[1] >= MAX_STATEMENT_DEPTH || deepest[2] >= MAX_EXPRESSION_DEPTH)) return false;
      const loaded = calls.moduleEnv(summary.file.path);
      if (loaded) return loaded === summary.env;
      // The root's file is the one the import just loaded; the others are loaded (and checked) here.
      if (summary !== root && this.resolver.load(summary.file.path) !== summary.file) return false;
      steps += summary.ownSteps;
      for (const def of summary.functionWalks) walks.set(def, (walks.get(def) ?? 0) + 1);
      for (const step of summary.steps) {
        if (step.kind !== 'module') continue;
        const nested = at && plus(at, step.depths);
        if (step.summary ? !holds(step.summary, nested) : calls.moduleEnv(step.path) !== undefined || this.resolver.load(step.path) !== undefined) return false;
      }
      reached.push(...summary.reaches);
      return true;
    };
    const reached: ModuleSummary[] = [];
    if (!holds(root, depths)) return false;
    // A namespace the values refer to must be this program's already, or come with the replay.
    if (!reached.every((r) => applied.has(r) || calls.moduleEnv(r.file.path) === r.env)) return false;
    if (calls.stepsTaken + steps > calls.limits.maxSteps) return false;
    for (const [def, count] of walks) if (calls.walkCount(def) + count > calls.limits.maxWalksPerFunction) return false;
    return true;
  }

  private apply(summary: ModuleSummary, chain: Site[]): void {
    if (this.calls.moduleEnv(summary.file.path)) return;
    this.calls.replayed(summary.file.path, summary.env, summary.ownSteps, summary.functionWalks);
    for (const step of summary.steps) {
      if (step.kind === 'event') this.recorder.push({ ...step.event, chain: [...chain, ...step.chainTail] });
      else if (step.kind === 'use') this.recorder.qualifiedUse(step.use.qname, step.use.site, step.use.decorator);
      else if (step.summary) this.apply(step.summary, [...chain, ...step.chainTail, step.site]);
    }
  }

  record(file: SourceFile, env: Env, moduleFrame: Frame<WalkState>, path: Path<WalkState>): (() => void) | undefined {
    if (moduleFrame.child || !path.live) {
      this.spoilAll();
      return undefined;
    }
    const timeline = this.recorder.timeline;
    const calls = this.calls;
    const recording: Recording = {
      file, env, frame: moduleFrame, startMethod: path.state.startMethod, alive: new Set(path.state.alive),
      objects: timeline.objects.length, forks: timeline.forks.length, refusals: calls.refusals, steps: [],
      eventsFrom: timeline.events.length, usesFrom: timeline.qualifiedUses.length, walksFrom: calls.functionWalks.length,
      stepsFrom: calls.stepsTaken, ownSteps: 0, functionWalks: [],
      depths: this.depths(moduleFrame), importerDeepest: this.deepest(), spoiled: false, within: new Set(), inner: [], pendingSteps: [],
    };
    this.setDeepest(recording.depths);
    const key = this.keyOf(path);
    this.recordings.push(recording);
    return () => {
      this.recordings.pop();
      this.flush(recording);
      const deepest = this.deepest();
      const reach = minus(deepest, recording.depths);
      this.setDeepest(deepest.map((depth, i) => Math.max(depth, recording.importerDeepest[i])) as [number, number, number]);
      const summary = this.summaryOf(recording, key, path, reach);
      if (!summary) {
        // What was kept within it depends on it: drop that too. An importer being recorded sees no summary and is not kept either.
        for (const inner of recording.inner) forget(inner);
        return;
      }
      for (const step of recording.pendingSteps) step.summary = summary;
      for (const inner of recording.inner) {
        inner.within.push(summary);
        // Valid once every importer it was walked within is kept.
        inner.valid = inner.within.length === inner.waitsFor;
      }
      for (const outer of recording.within) outer.inner.push(summary);
      let byKey = summaries.get(file);
      if (!byKey) summaries.set(file, (byKey = new Map()));
      byKey.set(key, summary);
      summaryOfEnv.set(env, summary);
      counts.recorded++;
    };
  }

  importing(site: Site, frame: Frame<WalkState>, path: Path<WalkState>): ((modulePath: string, env: Env | undefined) => void) | undefined {
    const recording = this.recordings[this.recordings.length - 1];
    if (!recording) return undefined;
    if (frame.child || path.state.startMethod !== recording.startMethod) {
      // Imported in a child, or under another start method: that module's walk is this program's own.
      this.spoilAll();
      return undefined;
    }
    this.flush(recording);
    const chainTail = frame.chain.slice(recording.frame.chain.length);
    const depths = minus(this.depths(frame), recording.depths);
    return (modulePath, env) => {
      // A module that imports itself (a package's `from . import name`) finds itself loaded: nothing to replay.
      if (env === recording.env) {
        this.resync(recording);
        return;
      }
      const summary = env ? summaryOfEnv.get(env) : undefined;
      const outer = env && !summary ? this.recordings.find((r) => r.env === env) : undefined;
      if (env && !summary && !outer) recording.spoiled = true;
      const step: Extract<Step, { kind: 'module' }> = { kind: 'module', path: modulePath, summary, site, chainTail, depths };
      if (outer) {
        // Imported back while it is still loading: this module's summary holds only inside the outer one's.
        recording.within.add(outer);
        outer.pendingSteps.push(step);
      }
      recording.steps.push(step);
      this.resync(recording);
    };
  }

  /** The imported module's events, steps and function walks are its own summary's: the recording resumes after them. */
  private resync(recording: Recording): void {
    const timeline = this.recorder.timeline;
    recording.eventsFrom = timeline.events.length;
    recording.usesFrom = timeline.qualifiedUses.length;
    recording.walksFrom = this.calls.functionWalks.length;
    recording.stepsFrom = this.calls.stepsTaken;
  }

  private depths(frame: Frame<WalkState>): Depths {
    return [frame.stack.length, this.interpreter.statementDepth, this.interpreter.expressions.depth];
  }

  /** The deepest call, statement and expression the walk has reached since they were last set. */
  private deepest(): Depths {
    return [this.calls.deepestCall, this.interpreter.deepestStatement, this.interpreter.expressions.deepest];
  }

  private setDeepest(depths: Depths): void {
    [this.calls.deepestCall, this.interpreter.deepestStatement, this.interpreter.expressions.deepest] = depths;
  }

  private spoilAll(): void {
    for (const recording of this.recordings) recording.spoiled = true;
  }

  /** Moves what the timeline got since the recording last looked into its steps. */
  private flush(recording: Recording): void {
    const timeline = this.recorder.timeline;
    const offset = recording.frame.chain.length;
    for (let i = recording.eventsFrom; i < timeline.events.length; i++) {
      const event = timeline.events[i];
      if (event.kind === 'import' || event.kind === 'envWrite') recording.steps.push({ kind: 'event', event, chainTail: event.chain.slice(offset) });
      else recording.spoiled = true;
    }
    for (let i = recording.usesFrom; i < timeline.qualifiedUses.length; i++) recording.steps.push({ kind: 'use', use: timeline.qualifiedUses[i] });
    const walks = this.calls.functionWalks;
    for (let i = recording.walksFrom; i < walks.length; i++) recording.functionWalks.push(walks[i]);
    recording.ownSteps += this.calls.stepsTaken - recording.stepsFrom;
    recording.eventsFrom = timeline.events.length;
    recording.usesFrom = timeline.qualifiedUses.length;
    recording.walksFrom = walks.length;
    recording.stepsFrom = this.calls.stepsTaken;
  }

  private summaryOf(recording: Recording, key: string, path: Path<WalkState>, reach: Depths): ModuleSummary | undefined {
    const timeline = this.recorder.timeline;
    const state = path.state;
    // What the module raised matters to the importer only when no path came out alive (calls.ts).
    const clean = !recording.spoiled && path.live
      && timeline.objects.length === recording.objects && timeline.forks.length === recording.forks
      && this.calls.refusals === recording.refusals && state.startMethod === recording.startMethod
      && state.alive.size === recording.alive.size && [...state.alive].every((o) => recording.alive.has(o));
    if (!clean) return undefined;
    const loaded = new Set(this.calls.loadedModules());
    const outers = new Map(this.recordings.map((r) => [r.env, r]));
    // Another module's namespace this program walked for itself (in a function, say, or the entry
    // module's); that of an importer still loading makes this summary hold only within its own.
    const namespace = sharableNamespace(recording.env, (env) => {
      if (env === recording.env || !loaded.has(env)) return false;
      const outer = outers.get(env);
      if (outer) recording.within.add(outer);
      return !outer;
    });
    if (!namespace) return undefined;
    const reaches = new Set(namespace.reaches);
    const imported = new Set<string>([recording.file.path, ...[...recording.within].map((r) => r.file.path)]);
    const closure = (summary: ModuleSummary, seen: Set<ModuleSummary>) => {
      if (seen.has(summary)) return;
      seen.add(summary);
      imported.add(summary.file.path);
      for (const step of summary.steps) if (step.kind === 'module' && step.summary) closure(step.summary, seen);
      summary.reaches.forEach((r) => closure(r, seen));
    };
    const seen = new Set<ModuleSummary>();
    for (const step of recording.steps) if (step.kind === 'module' && step.summary) closure(step.summary, seen);
    reaches.forEach((r) => closure(r, seen));
    // Values and events may only point into trees the replay checks are still the current ones.
    const sitePaths = recording.steps.flatMap((step) => (step.kind === 'event' ? [step.event.site.path] : step.kind === 'use' ? [step.use.site.path] : []));
    const trees = new Set([recording.file.tree, ...[...recording.within].map((r) => r.file.tree), ...[...seen].map((s) => s.file.tree)]);
    if (![...namespace.files, ...sitePaths].every((p) => imported.has(p)) || ![...namespace.trees].every((t) => trees.has(t))) return undefined;
    for (const env of namespace.envs) env.share();
    return {
      file: recording.file, key, env: recording.env, steps: recording.steps, ownSteps: recording.ownSteps, functionWalks: recording.functionWalks,
      reach, reaches: [...reaches], within: [], waitsFor: recording.within.size, valid: recording.within.size === 0,
    };
  }

}

/**
 * The scopes reachable from a module's namespace, when all its values can be shared between
 * programs; with the summaries they reach and the files their functions and sites belong to.
 */
function sharableNamespace(root: Env, programOwn: (env: Env) => boolean): { envs: Env[]; reaches: ModuleSummary[]; files: Set<string>; trees: Set<Tree> } | undefined {
  const envs = new Set<Env>();
  const reaches = new Set<ModuleSummary>();
  const files = new Set<string>();
  const trees = new Set<Tree>();
  const seen = new Set<Value>();
  const stack: (Env | Value)[] = [root];
  while (stack.length) {
    const item = stack.pop()!;
    if (item instanceof Env) {
      if (envs.has(item)) continue;
      const summary = summaryOfEnv.get(item);
      if (summary) {
        reaches.add(summary);
        continue;
      }
      if (programOwn(item)) return undefined;
      envs.add(item);
      if (item.parent) stack.push(item.parent);
      if (item.moduleEnv) stack.push(item.moduleEnv);
      for (const [, value] of item.entries()) stack.push(value);
      continue;
    }
    const value = item;
    if (seen.has(value)) continue;
    seen.add(value);
    switch (value.kind) {
      case 'unknown':
      case 'qualified':
      case 'string':
      case 'number':
      case 'mpContext':
        break;
      case 'threadPool':
        files.add(value.origin.path);
        break;
      case 'computed':
        // One made in a child belongs to a fork.
        if (value.computedIn) return undefined;
        trees.add(value.node.tree);
        break;
      case 'member':
        stack.push(value.target);
        break;
      case 'partial':
        stack.push(value.func, ...value.args);
        break;
      case 'sequence':
        stack.push(...value.items);
        break;
      case 'dict':
        for (const entry of value.entries) stack.push(entry.key, entry.value);
        break;
      case 'workspaceModule':
        stack.push(value.env);
        break;
      case 'function':
        files.add(value.file.path);
        stack.push(value.closure, ...(value.self ? [value.self] : []), ...(value.defaults?.values() ?? []));
        break;
      case 'class':
        files.add(value.file.path);
        stack.push(value.env, ...value.bases);
        break;
      case 'instance':
        if (value.wrapper) return undefined;
        stack.push(value.cls, value.attrs);
        break;
      default:
        // gRPC objects, pools, executors, processes, fork results: made by and for one program.
        return undefined;
    }
  }
  return { envs: [...envs], reaches: [...reaches], files, trees };
}

function plus(a: Depths, b: Depths): Depths {
  return [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
}

function minus(a: Depths, b: Depths): Depths {
  return [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
}

/**
 * A summary that no longer holds: one it was walked within was not kept. A summary walked within
 * it in turn can then never replay (it needs this one replayed or loaded), so it may stay.
 */
function forget(summary: ModuleSummary): void {
  summary.valid = false;
  summaries.get(summary.file)?.delete(summary.key);
  summaryOfEnv.delete(summary.env);
}

let enabled = true;
/** Kept and replayed summaries since the process started, for the tests and the benchmark. */
const counts = { recorded: 0, replayed: 0 };

export function moduleSummaryCounts(): Readonly<typeof counts> {
  return { ...counts };
}

/** Whether walks reuse module summaries (on by default; the tests compare both ways). */
export function moduleSummariesEnabled(): boolean {
  return enabled;
}

export function useModuleSummaries(on: boolean): void {
  enabled = on;
}
