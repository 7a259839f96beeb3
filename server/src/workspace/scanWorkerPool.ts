// The workspace scan's worker threads (dist/scanWorker.js): files go out in small batches, a few
// in flight per worker, so that results stream back steadily and a cancellation stops soon. The
// files are drawn from an iterator as batches are needed: no list of them is built.
import { Worker } from 'worker_threads';
import type { RunnerFact } from '../engine/model/runners';
import type { WorkerConfiguration, WorkerInit, WorkerRequest, WorkerResponse, WorkerResult } from './scanProtocol';

/** Files a batch holds; also how often the scan reports progress. */
export const BATCH_SIZE = 128;
/**
 * Files a batch to analyse holds: a parse costs a thousand times a read, and phase 2 is often
 * shorter than one read batch, which gave all of it to one worker while the other waited.
 */
const ANALYSIS_BATCH_SIZE = 8;
const BATCHES_IN_FLIGHT = 2;
/**
 * A worker's young generation. V8 lets it grow to 16 MB per semi-space when a thread allocates
 * fast, as reading a hundred thousand files does: three threads' worth of mostly dead objects were
 * a third of the scan's peak RSS. Almost everything a worker allocates dies with its file, so a
 * small one costs cheap scavenges and no old-generation growth.
 */
const YOUNG_GENERATION_MB = 4;

/** A file for a worker: its path, its listing id, the index of its scanned folder (-1 for both: named alone), and whether to analyse it whatever the pre-filter says. */
export interface PoolFile {
  readonly path: string;
  readonly id: number;
  readonly root: number;
  readonly force: boolean;
}

export class WorkerPool {
  private readonly workers: WorkerWithLoad[] = [];
  private nextId = 1;
  private configuration: WorkerConfiguration | undefined;

  constructor(private readonly script: string, private readonly init: WorkerInit, count: number) {
    this.grow(count);
  }

  /** Starts workers until there are `count`. */
  grow(count: number): void {
    const resourceLimits = { maxYoungGenerationSizeMb: Number(process.env.GF_SCAN_YOUNG_MB ?? YOUNG_GENERATION_MB) };
    while (this.workers.length < count) {
      const worker = new Worker(this.script, { workerData: this.init, resourceLimits });
      if (this.configuration) worker.postMessage(this.configuration);
      this.workers.push(Object.assign(worker, { load: 0, moduleNames: [] }));
    }
  }

  /** Configures every worker, before its first batch (and those started later). */
  configure(configuration: WorkerConfiguration): void {
    this.configuration = configuration;
    for (const worker of this.workers) worker.postMessage(configuration);
  }

  run(
    files: Iterator<PoolFile>,
    isCancelled: () => boolean,
    codeRunners: RunnerFact[] | undefined,
    onResult: (file: PoolFile, result: WorkerResult, moduleNames: readonly string[]) => void,
  ): Promise<void> {
    let waiting = files.next();
    let inFlight = 0;
    // The files of each batch in flight: a worker's results name no file, they come in the batch's order.
    const batches = new Map<number, PoolFile[]>();
    return new Promise((resolve, reject) => {
      const cleanups: (() => void)[] = [];
      const finish = (error?: Error) => {
        for (const cleanup of cleanups) cleanup();
        if (error) reject(error);
        else resolve();
      };
      const feed = (worker: WorkerWithLoad) => {
        while (!isCancelled() && !waiting.done && worker.load < BATCHES_IN_FLIGHT) {
          // A batch is all forced or all not: forced files come last and never share a batch.
          const force = waiting.value.force;
          const request: WorkerRequest = { id: this.nextId++, files: [], force, codeRunners };
          const batch: PoolFile[] = [];
          const size = force ? ANALYSIS_BATCH_SIZE : BATCH_SIZE;
          while (!waiting.done && waiting.value.force === force && batch.length < size) {
            batch.push(waiting.value);
            request.files.push({ path: waiting.value.path, root: waiting.value.root });
            waiting = files.next();
          }
          batches.set(request.id, batch);
          worker.load++;
          inFlight++;
          worker.postMessage(request);
        }
        if (inFlight === 0) finish();
      };
      for (const worker of this.workers) {
        worker.load = 0;
        const onMessage = (response: WorkerResponse) => {
          worker.load--;
          inFlight--;
          if (response.error) return finish(new Error(`scan worker failed: ${response.error}`));
          const moduleNames = worker.moduleNames;
          if (response.newModules) for (const module of response.newModules) moduleNames.push(module);
          const batch = batches.get(response.id)!;
          batches.delete(response.id);
          response.results.forEach((result, index) => onResult(batch[index], result, moduleNames));
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

/** A worker, its batches in flight, and the module names it numbered (by its numbers). */
type WorkerWithLoad = Worker & { load: number; moduleNames: string[] };
