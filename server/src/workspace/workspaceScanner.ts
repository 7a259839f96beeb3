/**
 * The workspace scan, shared by the CLI (a directory argument) and the language server ("Scan
 * Workspace"): lists the Python files of the given folders (honouring `exclude` and .gitignore),
 * has worker threads read every file and parse only those the pre-filter lets through
 * (prefilter.ts says why that loses nothing), and streams each file's report as it comes.
 *
 * Two phases. (1) Workers read every file and run the pre-filter; for the files it drops they
 * return the modules their import statements name, and for every file whether it starts a Celery
 * or Functions Framework app (GF104 needs the project's list: found here, it is not searched
 * again for each analysed file). (2) The scanner
 * resolves those imports as the engine would (same resolver, same roots) and closes the analysed
 * set over them: a file is analysed when it imports, directly or through other files, a module
 * that is; the workers then analyse the files that passed and those the closure adds. Modules outside the scanned tree (above it, or excluded) are read here and take part
 * in the closure too, so nothing the engine would follow is missed.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { ConfigLayer, mergeConfig } from '../engine/config';
import type { Finding } from '../engine/findings';
import type { RunnerFact } from '../engine/model/runners';
import { DiskModuleResolver } from './diskModules';
import { catalogRoots } from '../engine/relevance';
import { prefilter } from './prefilter';
import { nearestPyproject, readPyproject } from './projectConfig';
import { importBases, projectRootOf } from './projectRoots';
import { walkPythonTree } from './pythonFiles';
import { readSourceFile } from './scanFiles';
import { WorkerInit, WorkerRequest, WorkerResponse, WorkerResult, innermostFolder } from './scanProtocol';

export interface ScanRoot {
  path: string;
  /** Setting overrides for files of this folder (VS Code settings, CLI flags). */
  layer: ConfigLayer;
}

export interface ScanOptions {
  roots: ScanRoot[];
  /** Files analysed whatever the pre-filter says (files named on the command line). */
  files?: string[];
  fileLayer?: ConfigLayer;
  /**
   * The language server's rule: a file with no project marker between it and the innermost scanned
   * folder holding it belongs to that folder's project. Else a file's project comes from the file
   * alone (projectRoots.ts).
   */
  rootIsProject?: boolean;
  /** Worker threads; default: the machine's available parallelism. */
  workers?: number;
  signal?: AbortSignal;
  /** Every listed file, once its first verdict is known; again if phase 2 analyses it. */
  onReport?(report: ScanReport): void;
  onProgress?(done: number, total: number): void;
  /** Where dist/scanWorker.js is (default: beside the running bundle). */
  workerScript?: string;
}

export interface ScanReport {
  path: string;
  findings: Finding[];
  /** False when the pre-filter showed the file cannot hold a finding. */
  analysed: boolean;
  /** Why the file was not analysed (binary, not UTF-8, too large, unreadable). */
  skipped?: string;
}

export interface ScanSummary {
  files: number;
  analysed: number;
  skipped: number;
  findings: number;
  filesWithFindings: number;
  cancelled: boolean;
  /** Every pyproject.toml that configures a scanned file (for configuration errors). */
  pyprojects: string[];
  elapsedMs: number;
}

const BATCH_SIZE = 128;
const BATCHES_IN_FLIGHT = 2;

export async function scanWorkspace(options: ScanOptions): Promise<ScanSummary> {
  const started = performance.now();
  const summary: ScanSummary = { files: 0, analysed: 0, skipped: 0, findings: 0, filesWithFindings: 0, cancelled: false, pyprojects: [], elapsedMs: 0 };

  // ---- listing ------------------------------------------------------------------------------
  const listed = new Map<string, number>();
  const skippedEntries = new Set<string>();
  const refusedEntries = new Map<string, string>();
  const pyprojectDirs = new Set<string>();
  const rootPyprojects = new Map<string, string | undefined>();
  const channelFactories = new Set<string>([...(options.fileLayer?.channelFactories ?? [])]);
  options.roots.forEach((root, index) => {
    const pyproject = nearestPyproject(root.path);
    rootPyprojects.set(root.path, pyproject);
    const config = mergeConfig(pyproject ? readPyproject(pyproject).layer : {}, root.layer);
    for (const factory of config.channelFactories) channelFactories.add(factory);
    const tree = walkPythonTree(root.path, config.exclude);
    for (const file of tree.files) if (!listed.has(file)) listed.set(file, index);
    for (const entry of tree.skipped) skippedEntries.add(entry);
    for (const [entry, reason] of tree.refused) refusedEntries.set(entry, reason);
    for (const dir of tree.pyprojectDirs) pyprojectDirs.add(dir);
  });
  const forced = (options.files ?? []).filter((file) => !listed.has(file));
  const pyprojects = new Set<string>([...rootPyprojects.values()].filter((p): p is string => !!p));
  for (const dir of pyprojectDirs) {
    const file = path.join(dir, 'pyproject.toml');
    pyprojects.add(file);
    for (const factory of readPyproject(file).layer.channelFactories ?? []) channelFactories.add(factory);
  }
  for (const file of forced) {
    const pyproject = nearestPyproject(file);
    if (pyproject) pyprojects.add(pyproject);
  }
  summary.pyprojects = [...pyprojects];
  const total = listed.size + forced.length;
  debug(`listed ${total} files`, started);
  for (const [entry, reason] of refusedEntries) {
    summary.skipped++;
    options.onReport?.({ path: entry, findings: [], analysed: false, skipped: reason });
  }

  // ---- workers ------------------------------------------------------------------------------
  const cancelFlag = new SharedArrayBuffer(4);
  const cancel = () => Atomics.store(new Int32Array(cancelFlag), 0, 1);
  if (options.signal?.aborted) cancel();
  options.signal?.addEventListener('abort', cancel);
  const init: WorkerInit = {
    rootLayers: options.roots.map((root) => root.layer),
    fileLayer: options.fileLayer ?? {},
    rootPaths: options.roots.map((root) => root.path),
    rootIsProject: options.rootIsProject ?? false,
    channelFactories: [...channelFactories],
    cancel: cancelFlag,
  };
  const workerCount = Math.max(1, Math.min(options.workers ?? os.availableParallelism(), Math.ceil(total / BATCH_SIZE) || 1));
  const script = options.workerScript ?? path.join(__dirname, 'scanWorker.js');
  const pool = new WorkerPool(script, init, workerCount);
  const isCancelled = () => Atomics.load(new Int32Array(cancelFlag), 0) === 1;

  const closure = new ImportClosure(options, listed, skippedEntries, catalogRoots([...channelFactories]));
  const triggering = new Set<string>();
  const codeRunners: RunnerFact[] = [];
  let done = 0;
  const record = (result: WorkerResult, phase: 1 | 2) => {
    if (phase === 1) {
      done++;
      summary.files++;
    }
    if (result.outcome === 'triggers') {
      triggering.add(result.path);
      if (result.codeRunner) codeRunners.push(result.codeRunner);
    } else if (result.outcome === 'filtered') {
      closure.add(result.path, result.imports);
      if (result.codeRunner) codeRunners.push(result.codeRunner);
      options.onReport?.({ path: result.path, findings: [], analysed: false });
    } else if (result.outcome === 'skipped') {
      summary.skipped++;
      options.onReport?.({ path: result.path, findings: [], analysed: false, skipped: result.reason });
    } else {
      summary.analysed++;
      if (result.findings.length) {
        summary.filesWithFindings++;
        summary.findings += result.findings.length;
      }
      options.onReport?.({ path: result.path, findings: result.findings, analysed: true });
    }
  };

  try {
    const phase1 = [
      ...[...listed].map(([file, root]) => ({ path: file, root, force: false })),
      ...forced.map((file) => ({ path: file, root: -1, force: true })),
    ];
    await pool.run(phase1, isCancelled, undefined, (result) => {
      record(result, 1);
      if (done % BATCH_SIZE === 0 || done === total) options.onProgress?.(done, total);
    });
    debug(`phase 1 done: ${triggering.size} pass the pre-filter`, started);
    if (isCancelled()) {
      summary.cancelled = true;
    } else {
      const closed = closure.filesToAnalyse(triggering);
      debug(`closure: ${closed.length} more`, started);
      const phase2 = [...[...triggering].filter((file) => listed.has(file)), ...closed].map((file) => ({ path: file, root: listed.get(file) ?? -1, force: true }));
      await pool.run(phase2, isCancelled, codeRunners, (result) => {
        record(result, 2);
      });
      summary.cancelled = isCancelled();
    }
  } finally {
    options.signal?.removeEventListener('abort', cancel);
    await pool.close();
  }
  options.onProgress?.(done, total);
  summary.elapsedMs = performance.now() - started;
  return summary;
}

const EMPTY: ReadonlySet<string> = new Set();

function ancestor(dir: string, levels: number): string {
  for (let i = 0; i < levels; i++) dir = path.dirname(dir);
  return dir;
}

const DEBUG = Boolean(process.env.GF_SCAN_DEBUG);
function debug(message: string, since: number): void {
  if (DEBUG) process.stderr.write(`[scan ${(performance.now() - since).toFixed(0)} ms] ${message}\n`);
}

/** Worker threads fed with small batches, a few in flight each, so results stream back steadily. */
class WorkerPool {
  private readonly workers: Worker[] = [];
  private nextId = 1;

  constructor(script: string, init: WorkerInit, count: number) {
    for (let i = 0; i < count; i++) this.workers.push(new Worker(script, { workerData: init }));
  }

  run(
    files: { path: string; root: number; force: boolean }[],
    isCancelled: () => boolean,
    codeRunners: RunnerFact[] | undefined,
    onResult: (result: WorkerResult) => void,
  ): Promise<void> {
    if (files.length === 0) return Promise.resolve();
    let next = 0;
    let inFlight = 0;
    return new Promise((resolve, reject) => {
      const cleanups: (() => void)[] = [];
      const finish = (error?: Error) => {
        for (const cleanup of cleanups) cleanup();
        if (error) reject(error);
        else resolve();
      };
      const feed = (worker: Worker) => {
        while (!isCancelled() && next < files.length && (worker as WorkerWithLoad).load < BATCHES_IN_FLIGHT) {
          const slice = files.slice(next, next + BATCH_SIZE);
          next += slice.length;
          const request: WorkerRequest = { id: this.nextId++, files: slice.map(({ path: p, root }) => ({ path: p, root })), force: slice[0].force, codeRunners };
          // A batch is all forced or all not: forced files come last and never share a batch.
          const split = slice.findIndex((f) => f.force !== slice[0].force);
          if (split > 0) {
            next -= slice.length - split;
            request.files = request.files.slice(0, split);
          }
          (worker as WorkerWithLoad).load++;
          inFlight++;
          worker.postMessage(request);
        }
        if (inFlight === 0) finish();
      };
      for (const worker of this.workers) {
        (worker as WorkerWithLoad).load = 0;
        const onMessage = (response: WorkerResponse) => {
          (worker as WorkerWithLoad).load--;
          inFlight--;
          if (response.error) return finish(new Error(`scan worker failed: ${response.error}`));
          for (const result of response.results) onResult(result);
          feed(worker);
        };
        const onError = (error: Error) => finish(error);
        worker.on('message', onMessage);
        worker.on('error', onError);
        cleanups.push(() => {
          worker.off('message', onMessage);
          worker.off('error', onError);
        });
      }
      for (const worker of this.workers) feed(worker);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}

type WorkerWithLoad = Worker & { load: number };

/** Phase 2: which filtered files import, directly or not, a module that can hold a finding. */
class ImportClosure {
  private readonly existsCache = new Map<string, boolean>();
  private readonly resolveCache = new Map<string, string | undefined>();
  private readonly resolvers = new Map<string, DiskModuleResolver>();
  private readonly projectRoots = new Map<string, string>();
  private readonly rootPaths: string[];

  constructor(
    private readonly options: ScanOptions,
    private readonly listed: Map<string, number>,
    private readonly skipped: Set<string>,
    private readonly catalog: Set<string>,
  ) {
    this.rootPaths = options.roots.map((root) => root.path);
  }

  /** Files the pre-filter dropped, with the modules they import. */
  private readonly dropped = new Map<string, string[]>();
  /** Modules outside the listing (above the folders, excluded, ignored), read on demand. */
  private readonly outside = new Map<string, { triggers: boolean; imports: string[] }>();
  private readonly outsideInteresting = new Set<string>();

  /** Records what a file the pre-filter dropped imports (as phase 1's results stream in). */
  add(file: string, imports: string[]): void {
    if (imports.length) this.dropped.set(file, imports);
  }

  /**
   * The dropped files that import, directly or through others, a file that passed the pre-filter
   * (or a module outside the listing that would). A fixpoint guided by names: an import can load
   * module `.../b.py` or `.../b/__init__.py` only if its last component is `b` (or it is bare
   * dots, `from . import x`), so only such imports are resolved, plus those whose first part names
   * something outside the listing. Each round adds files; the names of new files join the next.
   */
  filesToAnalyse(triggering: Set<string>): string[] {
    const interesting = new Set(triggering);
    const names = new Set<string>();
    const addNames = (file: string) => {
      const base = path.basename(file, '.py');
      names.add(base === '__init__' ? path.basename(path.dirname(file)) : base);
    };
    for (const file of interesting) addNames(file);
    const result: string[] = [];
    let changed = true;
    while (changed) {
      changed = false;
      for (const [file, modules] of this.dropped) {
        if (interesting.has(file) || !this.importsInteresting(file, modules, names, interesting, new Set())) continue;
        interesting.add(file);
        addNames(file);
        result.push(file);
        changed = true;
      }
    }
    return result.sort();
  }

  private importsInteresting(file: string, modules: string[], names: Set<string>, interesting: Set<string>, visiting: Set<string>): boolean {
    const dir = path.dirname(file);
    const projectRoot = this.projectRootOf(dir);
    const outsideFile = !this.listed.has(file);
    const leaving = outsideFile ? undefined : this.leavingModules(file, dir, projectRoot, modules);
    for (const module of modules) {
      const last = module.slice(module.lastIndexOf('.') + 1);
      if (leaving && !(last === '' || names.has(last) || leaving.has(module))) continue;
      const target = this.resolve(file, dir, projectRoot, module);
      if (!target || target === file) continue;
      if (interesting.has(target) || this.outsideInteresting.has(target)) return true;
      if (!this.listed.has(target) && !visiting.has(target) && this.isOutsideInteresting(target, names, interesting, visiting)) return true;
    }
    return false;
  }

  /** A module outside the listing matters if its text triggers or it leads to one that matters. */
  private isOutsideInteresting(target: string, names: Set<string>, interesting: Set<string>, visiting: Set<string>): boolean {
    let entry = this.outside.get(target);
    if (!entry) {
      const read = readSourceFile(target);
      entry = 'skipped' in read ? { triggers: false, imports: [] } : (({ triggers, imports }) => ({ triggers, imports }))(prefilter(read.bytes, this.catalog));
      this.outside.set(target, entry);
    }
    visiting.add(target);
    const answer = entry.triggers || this.importsInteresting(target, entry.imports, names, interesting, visiting);
    if (answer) this.outsideInteresting.add(target);
    return answer;
  }

  private readonly leaving = new Map<string, ReadonlySet<string>>();
  private readonly absoluteInside = new Map<string, boolean>();

  /** The modules of a dropped file that may resolve to a file the listing does not hold (computed once). */
  private leavingModules(file: string, dir: string, projectRoot: string, modules: string[]): ReadonlySet<string> {
    let set = this.leaving.get(file);
    if (!set) {
      let absoluteInside = this.absoluteInside.get(dir);
      if (absoluteInside === undefined) {
        absoluteInside = importBases(dir, projectRoot, (p) => this.exists(p)).every((base) => this.unlistedNamesIn(base) !== 'all');
        this.absoluteInside.set(dir, absoluteInside);
      }
      this.unlistedAnywhere ??= new Set([...this.skipped].map((entry) => path.basename(entry, '.py')));
      const found = modules.filter((module) => {
        // The common case, quickly: the resolver's roots inside the scanned folders, and no part
        // of the name is the name of something the listing skipped.
        if (module.charCodeAt(0) !== 46 && absoluteInside && !module.split('.').some((part) => this.unlistedAnywhere!.has(part))) return false;
        return this.mayLeaveListing(dir, projectRoot, module);
      });
      set = found.length ? new Set(found) : EMPTY;
      this.leaving.set(file, set);
    }
    return set;
  }

  /** Could resolving `module` from `dir` land on a file the listing does not hold? */
  private mayLeaveListing(dir: string, projectRoot: string, module: string): boolean {
    let dots = 0;
    while (module.charCodeAt(dots) === 46 /* . */) dots++;
    const parts = module.slice(dots).split('.');
    const bases = dots > 0 ? [ancestor(dir, dots - 1)] : importBases(dir, projectRoot, (p) => this.exists(p));
    const inside = bases.every((base) => this.unlistedNamesIn(base) !== 'all');
    if (inside && !parts.some((part) => this.unlistedAnywhere!.has(part))) return false;
    // Any folder on the way down may be one the listing skipped.
    return bases.some((base) => {
      let at = base;
      for (const part of parts) {
        const names = this.unlistedNamesIn(at);
        if (names === 'all' || names.has(part)) return true;
        at = path.join(at, part);
      }
      return false;
    });
  }

  /** Entries of a folder the listing left out: all of them outside the scanned folders. */
  private unlistedNamesIn(dir: string): ReadonlySet<string> | 'all' {
    const root = this.rootPaths.find((r) => dir === r || dir.startsWith(r + path.sep));
    if (root === undefined || this.isUnderSkipped(dir, root)) return 'all';
    if (!this.unlisted) {
      this.unlisted = new Map();
      for (const entry of this.skipped) {
        const parent = path.dirname(entry);
        let set = this.unlisted.get(parent);
        if (!set) this.unlisted.set(parent, (set = new Set()));
        set.add(path.basename(entry, '.py'));
      }
    }
    return this.unlisted.get(dir) ?? EMPTY;
  }

  private unlisted: Map<string, Set<string>> | undefined;
  private unlistedAnywhere: Set<string> | undefined;

  private isUnderSkipped(p: string, root: string): boolean {
    for (; p !== root && p.length > root.length; p = path.dirname(p)) if (this.skipped.has(p)) return true;
    return false;
  }

  private resolve(fromPath: string, dir: string, projectRoot: string, module: string): string | undefined {
    const key = `${dir}\0${projectRoot}\0${module}`;
    if (this.resolveCache.has(key)) return this.resolveCache.get(key);
    let resolver = this.resolvers.get(projectRoot);
    if (!resolver) {
      resolver = new DiskModuleResolver(projectRoot, { parse: () => { throw new Error('not parsed here'); } }, (p) => this.exists(p));
      this.resolvers.set(projectRoot, resolver);
    }
    const target = resolver.resolve(fromPath, module);
    this.resolveCache.set(key, target);
    return target;
  }

  /** The project root the workers' ProjectAnalysis finds for files of `dir` (the same function, the same boundary). */
  private projectRootOf(dir: string): string {
    let answer = this.projectRoots.get(dir);
    if (!answer) {
      const boundary = this.options.rootIsProject ? innermostFolder(this.rootPaths, dir) : undefined;
      answer = projectRootOf(path.join(dir, '__module__.py'), boundary, (p) => this.exists(p));
      this.projectRoots.set(dir, answer);
    }
    return answer;
  }

  /** Inside a scanned folder the listing is the truth, except where it skipped something. */
  private exists(filePath: string): boolean {
    if (this.listed.has(filePath)) return true;
    const cached = this.existsCache.get(filePath);
    if (cached !== undefined) return cached;
    let answer: boolean | undefined;
    const root = this.rootPaths.find((r) => filePath.startsWith(r + path.sep));
    if (root !== undefined && !this.isUnderSkipped(filePath, root)) answer = false;
    answer ??= fs.existsSync(filePath);
    this.existsCache.set(filePath, answer);
    return answer;
  }
}
