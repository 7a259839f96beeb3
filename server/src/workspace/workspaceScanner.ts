/**
 * The workspace scan, shared by the CLI (a directory argument) and the language server ("Scan
 * Workspace"): lists the Python files of the given folders (honouring `exclude` and .gitignore),
 * has worker threads read every file and parse only those the pre-filter lets through
 * (prefilter.ts says why that loses nothing), and streams each file's report as it comes.
 *
 * Two phases. (1) Workers read every file: a file whose text can hold a finding is analysed at
 * once; for the others they return the modules their import statements name. (2) The scanner
 * resolves those imports as the engine would (same resolver, same roots) and closes the analysed
 * set over them: a file is analysed when it imports, directly or through other files, a module
 * that is. Modules outside the scanned tree (above it, or excluded) are read here and take part
 * in the closure too, so nothing the engine would follow is missed.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { ConfigLayer, mergeConfig } from '../engine/config';
import type { Finding } from '../engine/findings';
import { DiskModuleResolver } from './diskModules';
import { catalogRoots, prefilter } from './prefilter';
import { nearestPyproject, readPyproject } from './projectConfig';
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
  /** Project root of files with no pyproject.toml above them. */
  fallbackRoot: string;
  /** The language server's rule: such a file's project is the innermost scanned folder holding it. */
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

  // ---- workers ------------------------------------------------------------------------------
  const cancelFlag = new SharedArrayBuffer(4);
  const cancel = () => Atomics.store(new Int32Array(cancelFlag), 0, 1);
  if (options.signal?.aborted) cancel();
  options.signal?.addEventListener('abort', cancel);
  const init: WorkerInit = {
    rootLayers: options.roots.map((root) => root.layer),
    fileLayer: options.fileLayer ?? {},
    fallbackRoot: options.fallbackRoot,
    rootPaths: options.roots.map((root) => root.path),
    rootIsProject: options.rootIsProject ?? false,
    channelFactories: [...channelFactories],
    cancel: cancelFlag,
  };
  const workerCount = Math.max(1, Math.min(options.workers ?? os.availableParallelism(), Math.ceil(total / BATCH_SIZE) || 1));
  const script = options.workerScript ?? path.join(__dirname, 'scanWorker.js');
  const pool = new WorkerPool(script, init, workerCount);
  const isCancelled = () => Atomics.load(new Int32Array(cancelFlag), 0) === 1;

  const filteredImports = new Map<string, string[]>();
  const triggering = new Set<string>();
  let done = 0;
  const record = (result: WorkerResult, phase: 1 | 2) => {
    if (phase === 1) {
      done++;
      summary.files++;
    }
    if (result.outcome === 'filtered') {
      filteredImports.set(result.path, result.imports);
      options.onReport?.({ path: result.path, findings: [], analysed: false });
    } else if (result.outcome === 'skipped') {
      summary.skipped++;
      options.onReport?.({ path: result.path, findings: [], analysed: false, skipped: result.reason });
    } else {
      if (phase === 1) triggering.add(result.path);
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
    await pool.run(phase1, isCancelled, (result) => {
      record(result, 1);
      if (done % BATCH_SIZE === 0 || done === total) options.onProgress?.(done, total);
    });
    debug(`phase 1 done: ${triggering.size} analysed`, started);
    if (isCancelled()) {
      summary.cancelled = true;
    } else {
      const closure = new ImportClosure(options, listed, skippedEntries, pyprojectDirs, rootPyprojects, catalogRoots([...channelFactories]));
      const phase2 = closure.filesToAnalyse(triggering, filteredImports).map((file) => ({ path: file, root: listed.get(file) ?? -1, force: true }));
      debug(`closure: ${phase2.length} more`, started);
      await pool.run(phase2, isCancelled, (result) => {
        if (result.outcome === 'analysed') filteredImports.delete(result.path);
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
          const request: WorkerRequest = { id: this.nextId++, files: slice.map(({ path: p, root }) => ({ path: p, root })), force: slice[0].force };
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
    private readonly pyprojectDirs: Set<string>,
    private readonly rootPyprojects: Map<string, string | undefined>,
    private readonly catalog: Set<string>,
  ) {
    this.rootPaths = options.roots.map((root) => root.path);
  }

  filesToAnalyse(triggering: Set<string>, filteredImports: Map<string, string[]>): string[] {
    const importers = new Map<string, string[]>();
    const interesting = new Set(triggering);
    const outside = new Map<string, string[]>();
    const pending = [...filteredImports];
    while (pending.length) {
      const [file, modules] = pending.pop()!;
      const dir = path.dirname(file);
      const projectRoot = this.projectRootOf(dir);
      const places = [this.namesIn(dir), this.namesIn(projectRoot), this.namesIn(path.join(projectRoot, 'src'))];
      for (const module of modules) {
        // A quick necessary condition: an absolute import resolves only if its first component is
        // a file or folder in one of the resolver's roots. Most imports (the standard library,
        // third-party packages) fail it and are never resolved.
        if (!module.startsWith('.')) {
          const dot = module.indexOf('.');
          const first = dot < 0 ? module : module.slice(0, dot);
          if (!places.some((names) => names.has(first))) continue;
        }
        const target = this.resolve(file, dir, projectRoot, module);
        if (!target || target === file) continue;
        let list = importers.get(target);
        if (!list) importers.set(target, (list = []));
        list.push(file);
        // A module the listing left out (above the folder, excluded, ignored) is read here.
        if (!this.listed.has(target) && !outside.has(target) && !interesting.has(target)) {
          const read = readSourceFile(target);
          if ('skipped' in read) {
            outside.set(target, []);
            continue;
          }
          const verdict = prefilter(read.bytes, this.catalog);
          if (verdict.triggers) interesting.add(target);
          outside.set(target, verdict.imports);
          pending.push([target, verdict.imports]);
        }
      }
    }
    const result: string[] = [];
    const queue = [...interesting];
    while (queue.length) {
      const module = queue.pop()!;
      for (const importer of importers.get(module) ?? []) {
        if (interesting.has(importer)) continue;
        interesting.add(importer);
        queue.push(importer);
        if (filteredImports.has(importer)) result.push(importer);
      }
    }
    return result.sort();
  }

  /** Names (without `.py`) of the entries of a folder that may hold a module. */
  private namesIn(dir: string): Set<string> {
    if (!this.names) {
      this.names = new Map();
      const add = (entry: string) => {
        const parent = path.dirname(entry);
        let set = this.names!.get(parent);
        if (!set) this.names!.set(parent, (set = new Set()));
        const base = path.basename(entry);
        const name = base.endsWith('.py') ? base.slice(0, -3) : base;
        if (set.has(name)) return false;
        set.add(name);
        return true;
      };
      for (const file of this.listed.keys()) {
        add(file);
        for (let dir = path.dirname(file); !this.rootPaths.includes(dir) && add(dir); dir = path.dirname(dir));
      }
      for (const entry of this.skipped) add(entry);
    }
    let names = this.names.get(dir);
    if (names) return names;
    const root = this.rootPaths.find((r) => dir === r || dir.startsWith(r + path.sep));
    names = new Set();
    if (root === undefined || this.isUnderSkipped(dir, root)) {
      try {
        for (const entry of fs.readdirSync(dir)) names.add(entry.endsWith('.py') ? entry.slice(0, -3) : entry);
      } catch {
        // No such folder: nothing resolves there.
      }
    }
    this.names.set(dir, names);
    return names;
  }

  private names: Map<string, Set<string>> | undefined;

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

  /** nearestPyproject's answer, from the folders the listing saw. */
  private projectRootOf(dir: string): string {
    let answer = this.projectRoots.get(dir);
    if (!answer) {
      answer = this.pyprojectDirOf(dir) ?? this.fallbackFor(dir);
      this.projectRoots.set(dir, answer);
    }
    return answer;
  }

  private readonly pyprojectDirCache = new Map<string, string | undefined>();

  private pyprojectDirOf(dir: string): string | undefined {
    if (this.pyprojectDirCache.has(dir)) return this.pyprojectDirCache.get(dir);
    let answer: string | undefined;
    if (this.pyprojectDirs.has(dir)) {
      answer = dir;
    } else if (this.rootPyprojects.has(dir)) {
      const pyproject = this.rootPyprojects.get(dir);
      answer = pyproject ? path.dirname(pyproject) : undefined;
    } else if (!this.rootPaths.some((r) => dir.startsWith(r + path.sep))) {
      const pyproject = nearestPyproject(path.join(dir, '__init__.py'));
      answer = pyproject ? path.dirname(pyproject) : undefined;
    } else {
      answer = this.pyprojectDirOf(path.dirname(dir));
    }
    this.pyprojectDirCache.set(dir, answer);
    return answer;
  }

  private fallbackFor(dir: string): string {
    return (this.options.rootIsProject ? innermostFolder(this.rootPaths, dir) : undefined) ?? this.options.fallbackRoot;
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
