// The workspace scan's worker threads (dist/scanWorker.js): files go out in small batches, a few
// in flight per worker, so that results stream back steadily and a cancellation stops soon.
import { Worker } from 'worker_threads';
import type { RunnerFact } from '../engine/model/runners';
import type { WorkerInit, WorkerRequest, WorkerResponse, WorkerResult } from './scanProtocol';

/** Files a batch holds; also how often the scan reports progress. */
export const BATCH_SIZE = 128;
const BATCHES_IN_FLIGHT = 2;

/** A file for a worker: its path, the index of its scanned folder (-1: named alone), and whether to analyse it whatever the pre-filter says. */
export interface PoolFile {
  path: string;
  root: number;
  force: boolean;
}

export class WorkerPool {
  private readonly workers: Worker[] = [];
  private nextId = 1;

  constructor(script: string, init: WorkerInit, count: number) {
    for (let i = 0; i < count; i++) this.workers.push(new Worker(script, { workerData: init }));
  }

  run(
    files: PoolFile[],
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
