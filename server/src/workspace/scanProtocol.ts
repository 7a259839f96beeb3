// Messages between the workspace scanner and its worker threads (structured-clone data only).
import type { ConfigLayer } from '../engine/config';
import type { Finding } from '../engine/findings';
import type { RunnerFact } from '../engine/model/runners';

export interface WorkerInit {
  /** Setting overrides per scanned folder, by index; `fileLayer` for files given one by one. */
  rootLayers: ConfigLayer[];
  fileLayer: ConfigLayer;
  /** Scanned folders; with `rootIsProject`, the innermost holding a file bounds its project (see projectRootOf). */
  rootPaths: string[];
  rootIsProject: boolean;
  grammarDir?: string;
  /** One Int32: set to 1 to stop every worker after its current file. */
  cancel: SharedArrayBuffer;
}

/**
 * The first message to a worker: the extra channel factories of every configuration in force, for
 * the pre-filter's import test (known once the listing has found every pyproject.toml; the worker
 * starts before).
 */
export interface WorkerConfiguration {
  channelFactories: string[];
}

export interface WorkerRequest {
  id: number;
  files: { path: string; root: number }[];
  /** Analyse every file, whatever the pre-filter says; else only read and pre-filter them. */
  force: boolean;
  /** Every Celery / Functions Framework module of the scanned folders (phase 1 found them). */
  codeRunners?: RunnerFact[];
}

/** What a worker found of one file: a response's `results[i]` is about its request's `files[i]` (a response has fewer when the scan is cancelled). */
export type WorkerResult =
  | { outcome: 'analysed'; findings: Finding[] }
  /** Phase 1: the file can hold a finding; phase 2 analyses it. */
  | { outcome: 'triggers'; codeRunner?: RunnerFact }
  /** `imports`: module names the file imports, as the worker's numbers for them (WorkerResponse.newModules). */
  | { outcome: 'filtered'; imports: number[]; codeRunner?: RunnerFact }
  | { outcome: 'skipped'; reason: string };

export interface WorkerResponse {
  id: number;
  results: WorkerResult[];
  /**
   * Module names this worker numbers for the first time, numbered on from those it sent before: a
   * module name crosses from a worker once, not once per file importing it (a hundred thousand
   * files' imports as strings were most of what the scanner's thread allocated).
   */
  newModules?: string[];
  error?: string;
}

/** The innermost of `folders` that holds `filePath`, if any. */
export function innermostFolder(folders: readonly string[], filePath: string): string | undefined {
  let best: string | undefined;
  for (const folder of folders) {
    if ((filePath === folder || filePath.startsWith(folder.endsWith('/') ? folder : `${folder}/`)) && (!best || folder.length > best.length)) best = folder;
  }
  return best;
}
