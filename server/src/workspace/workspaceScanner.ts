/**
 * The workspace scan, shared by the CLI (a directory argument) and the language server ("Scan
 * Workspace"): lists the Python files of the given folders (honouring `exclude` and .gitignore),
 * has worker threads read every file and parse only those the pre-filter lets through
 * (prefilter.ts says why that loses nothing), and streams each file's report as it comes.
 *
 * Two phases. (1) Workers read every file and run the pre-filter; for the files it drops they
 * return the modules their import statements name, and for every file whether it starts a Celery
 * or Functions Framework app (GF104 needs the project's list: found here, it is not searched
 * again for each analysed file). (2) The scanner closes the analysed set over those imports
 * (importClosure.ts): a file is analysed when it imports, directly or through other files, a
 * module that is; the workers (scanWorkerPool.ts) then analyse the files that passed and those the
 * closure adds.
 *
 * What it keeps per file until the end is small and fixed: the listing (scanListing.ts: folder
 * paths once, interned names, a few integers per file) and, for a dropped file, the ids of the
 * imports the closure may follow. Files go to the workers straight from the listing, reports go
 * out as they come.
 */
import * as os from 'os';
import * as path from 'path';
import { ConfigLayer, mergeConfig } from '../engine/config';
import type { Finding } from '../engine/findings';
import type { RunnerFact } from '../engine/model/runners';
import { catalogRoots } from '../engine/relevance';
import { ImportClosure } from './importClosure';
import { nearestPyproject, readPyproject } from './projectConfig';
import { visitPythonTree } from './pythonFiles';
import type { WorkerInit, WorkerResult } from './scanProtocol';
import { FileListing, ListedFlag } from './scanListing';
import { BATCH_SIZE, PoolFile, WorkerPool } from './scanWorkerPool';

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
  /** The file was reported before in this scan (the pre-filter dropped it, the import closure had it analysed). */
  repeat?: boolean;
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

export async function scanWorkspace(options: ScanOptions): Promise<ScanSummary> {
  const started = performance.now();
  const summary: ScanSummary = { files: 0, analysed: 0, skipped: 0, findings: 0, filesWithFindings: 0, cancelled: false, pyprojects: [], elapsedMs: 0 };
  const cancelFlag = new SharedArrayBuffer(4);
  const cancel = () => Atomics.store(new Int32Array(cancelFlag), 0, 1);
  if (options.signal?.aborted) cancel();
  options.signal?.addEventListener('abort', cancel);
  const init: WorkerInit = {
    rootLayers: options.roots.map((root) => root.layer),
    fileLayer: options.fileLayer ?? {},
    rootPaths: options.roots.map((root) => root.path),
    rootIsProject: options.rootIsProject ?? false,
    cancel: cancelFlag,
  };
  // One worker starts while the folders are listed (a thread and its script take as long as
  // listing ten thousand files); the others once the listing says they have work.
  const pool = new WorkerPool(options.workerScript ?? path.join(__dirname, 'scanWorker.js'), init, 1);
  try {
    await scanWith(pool, cancelFlag, options, summary, started);
  } finally {
    options.signal?.removeEventListener('abort', cancel);
    await pool.close();
  }
  summary.elapsedMs = performance.now() - started;
  return summary;
}

async function scanWith(pool: WorkerPool, cancelFlag: SharedArrayBuffer, options: ScanOptions, summary: ScanSummary, started: number): Promise<void> {
  // ---- listing ------------------------------------------------------------------------------
  const listing = new FileListing();
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
    visitPythonTree(root.path, config.exclude, {
      file: (dir, name) => listing.add(dir, name, index),
      skipped: (entry) => skippedEntries.add(entry),
      refused: (entry, reason) => refusedEntries.set(entry, reason),
      pyprojectDir: (dir) => pyprojectDirs.add(dir),
    });
  });
  const forced = (options.files ?? []).filter((file) => !listing.has(file));
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
  const total = listing.size + forced.length;
  debug(`listed ${total} files`, started);
  for (const [entry, reason] of refusedEntries) {
    summary.skipped++;
    options.onReport?.({ path: entry, findings: [], analysed: false, skipped: reason });
  }

  // ---- workers ------------------------------------------------------------------------------
  pool.configure({ channelFactories: [...channelFactories] });
  pool.grow(Math.max(1, Math.min(options.workers ?? os.availableParallelism(), Math.ceil(total / BATCH_SIZE) || 1)));
  const isCancelled = () => Atomics.load(new Int32Array(cancelFlag), 0) === 1;

  const closure = new ImportClosure({
    rootPaths: options.roots.map((root) => root.path),
    rootIsProject: options.rootIsProject ?? false,
    listing,
    skipped: skippedEntries,
    catalog: catalogRoots([...channelFactories]),
  });
  let triggering = 0;
  const codeRunners: RunnerFact[] = [];
  let done = 0;
  const repeated = (file: PoolFile, phase: 1 | 2) => (phase === 2 && file.id >= 0 && listing.hasFlag(file.id, ListedFlag.ImportsAnalysed) ? { repeat: true } : {});
  const record = (file: PoolFile, result: WorkerResult, phase: 1 | 2, moduleNames: readonly string[]) => {
    if (phase === 1) {
      done++;
      summary.files++;
    }
    if (result.outcome === 'triggers') {
      listing.setFlag(file.id, ListedFlag.PassedPrefilter);
      triggering++;
      if (result.codeRunner) codeRunners.push(result.codeRunner);
    } else if (result.outcome === 'filtered') {
      closure.add(file.id, result.imports, moduleNames);
      if (result.codeRunner) codeRunners.push(result.codeRunner);
      options.onReport?.({ path: file.path, findings: [], analysed: false });
    } else if (result.outcome === 'skipped') {
      summary.skipped++;
      options.onReport?.({ path: file.path, findings: [], analysed: false, skipped: result.reason, ...repeated(file, phase) });
    } else {
      summary.analysed++;
      if (result.findings.length) {
        summary.filesWithFindings++;
        summary.findings += result.findings.length;
      }
      options.onReport?.({ path: file.path, findings: result.findings, analysed: true, ...repeated(file, phase) });
    }
  };

  await pool.run(phase1Files(listing, forced), isCancelled, undefined, (file, result, moduleNames) => {
    record(file, result, 1, moduleNames);
    if (done % BATCH_SIZE === 0 || done === total) options.onProgress?.(done, total);
  });
  debug(`phase 1 done: ${triggering} pass the pre-filter`, started);
  if (isCancelled()) {
    summary.cancelled = true;
  } else {
    const closed = closure.filesToAnalyse();
    debug(`closure: ${closed.length} more`, started);
    await pool.run(phase2Files(listing, closed), isCancelled, codeRunners, (file, result, moduleNames) => {
      record(file, result, 2, moduleNames);
    });
    summary.cancelled = isCancelled();
    debug('phase 2 done', started);
  }
  options.onProgress?.(done, total);
}

/**
 * A listed file for the workers. Its path is made when asked for (for the worker's request, for a
 * report), not held: the batches in flight outlive many young-generation collections, and their
 * paths were most of what survived them.
 */
class ListedFile implements PoolFile {
  constructor(private readonly listing: FileListing, readonly id: number, readonly force: boolean) {}

  get path(): string {
    return this.listing.pathOf(this.id);
  }

  get root(): number {
    return this.listing.rootOf(this.id);
  }
}

/** Every listed file, then the files named alone (always analysed). */
function* phase1Files(listing: FileListing, forced: string[]): Generator<PoolFile> {
  for (let id = 0; id < listing.size; id++) yield new ListedFile(listing, id, false);
  for (const file of forced) yield { path: file, id: -1, root: -1, force: true };
}

/** The listed files that passed the pre-filter, then those the import closure adds. */
function* phase2Files(listing: FileListing, closed: number[]): Generator<PoolFile> {
  for (let id = 0; id < listing.size; id++) {
    if (listing.hasFlag(id, ListedFlag.PassedPrefilter)) yield new ListedFile(listing, id, true);
  }
  for (const id of closed) yield new ListedFile(listing, id, true);
}

const DEBUG = Boolean(process.env.GF_SCAN_DEBUG);
function debug(message: string, since: number): void {
  if (!DEBUG) return;
  const memory = process.memoryUsage();
  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
  process.stderr.write(`[scan ${(performance.now() - since).toFixed(0)} ms, rss ${mb(memory.rss)} MB, main heap ${mb(memory.heapUsed)}/${mb(memory.heapTotal)} MB, external ${mb(memory.external)} MB] ${message}\n`);
}
