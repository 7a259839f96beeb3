// Entry point of dist/scanWorker.js: one worker thread of the workspace scan. Phase 1: it reads the
// files it is given, runs the pre-filter on their bytes and notes the project's Celery / Functions
// Framework modules (GF104 needs them). Phase 2: it analyses the files it is told to. One message
// per batch goes back to the scanner.
import { sep } from 'path';
import { parentPort, workerData } from 'worker_threads';
import { Analyzer } from '../engine/analyzer';
import { GrammarLoadError } from '../engine/pythonParser';
import { catalogRoots } from '../engine/relevance';
import type { RunnerFact } from '../engine/model/runners';
import { codeRunnerFactOf, mayStartRunner } from './preforkRunners';
import { ReadBuffer, readSourceFile } from './textFiles';
import { ProjectAnalysis } from './projectAnalysis';
import { prefilter } from './prefilter';
import { isNotebookPath } from '../engine/notebook/notebookInput';
import { analyzeNotebookText, notebookPrefilterBytes } from './notebookAnalysis';
import { WorkerConfiguration, WorkerInit, WorkerRequest, WorkerResponse, WorkerResult, innermostFolder } from './scanProtocol';

const init = workerData as WorkerInit;
const cancelled = new Int32Array(init.cancel);
// Set by the first message (WorkerConfiguration), before any batch.
let roots = catalogRoots([]);
// The grammar starts loading when phase 1 meets the first file that will need it, so that it is
// ready for phase 2; a worker that meets none never loads it.
let analyzer: Promise<Analyzer> | undefined;
function loadAnalyzer(): Promise<Analyzer> {
  if (!analyzer) {
    analyzer = Analyzer.create(init.grammarDir);
    analyzer.catch(() => undefined);
  }
  return analyzer;
}
const projects = new Map<number, ProjectAnalysis>();
// The worker's numbers for module names (see WorkerResponse.newModules).
const moduleNumbers = new Map<string, number>();
let newModules: string[] = [];
function moduleNumber(module: string): number {
  let number = moduleNumbers.get(module);
  if (number === undefined) {
    moduleNumbers.set(module, (number = moduleNumbers.size));
    newModules.push(module);
  }
  return number;
}
// Every file is read into this one buffer: its bytes are done with before the next file is read.
const readBuffer = new ReadBuffer();
let codeRunners: RunnerFact[] | undefined;
async function projectFor(root: number): Promise<ProjectAnalysis> {
  const ready = await loadAnalyzer();
  let project = projects.get(root);
  if (!project) {
    const layer = root >= 0 ? init.rootLayers[root] : init.fileLayer;
    const boundary = init.rootIsProject ? (filePath: string) => innermostFolder(init.rootPaths, filePath) : undefined;
    project = new ProjectAnalysis(ready, () => layer, boundary);
    // A project inside the scanned folders: its runner modules are the ones phase 1 found.
    project.codeRunnersOf = (projectRoot) => {
      if (!codeRunners || !init.rootPaths.some((r) => projectRoot === r || projectRoot.startsWith(`${r}${sep}`))) return undefined;
      return codeRunners.filter((fact) => fact.configPath.startsWith(`${projectRoot}${sep}`));
    };
    projects.set(root, project);
  }
  return project;
}

async function handle(request: WorkerRequest): Promise<WorkerResponse> {
  const results: WorkerResult[] = [];
  if (request.codeRunners) codeRunners = request.codeRunners;
  for (const { path, root } of request.files) {
    if (Atomics.load(cancelled, 0)) break;
    const read = readSourceFile(path, undefined, readBuffer);
    if ('refused' in read) {
      results.push({ outcome: 'skipped', reason: read.refused });
      continue;
    }
    if (!request.force) {
      const notebook = isNotebookPath(path);
      const bytes = notebook ? notebookPrefilterBytes(read.text()) : read.bytes;
      if (!bytes) {
        results.push({ outcome: 'triggers' });
        continue;
      }
      const verdict = prefilter(bytes, roots);
      const codeRunner = !notebook && mayStartRunner(read.bytes) ? codeRunnerFactOf(path, read.text()) : undefined;
      if (verdict.mayReport) void loadAnalyzer();
      results.push(verdict.mayReport ? { outcome: 'triggers', codeRunner } : { outcome: 'filtered', imports: verdict.imports.map(moduleNumber), codeRunner });
      continue;
    }
    try {
      const project = await projectFor(root);
      const text = read.text();
      results.push({ outcome: 'analysed', findings: isNotebookPath(path) ? analyzeNotebookText(project, path, text) : project.analyzeText(path, text) });
    } catch (error) {
      // Without a grammar nothing can be analysed: the whole scan fails, with the grammar's message.
      if (error instanceof GrammarLoadError) throw error;
      results.push({ outcome: 'skipped', reason: `analysis failed: ${(error as Error).message}` });
    }
  }
  const response: WorkerResponse = { id: request.id, results };
  if (newModules.length) {
    response.newModules = newModules;
    newModules = [];
  }
  return response;
}

// GF_SCAN_DEBUG: the worker's memory every 100 read batches and after each analysis batch.
const DEBUG = Boolean(process.env.GF_SCAN_DEBUG);
let handled = 0;
function debugMemory(request: WorkerRequest): void {
  if (!DEBUG || (++handled % 100 !== 0 && !request.force)) return;
  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
  const memory = process.memoryUsage();
  process.stderr.write(`[scan worker] ${handled} batches: heap ${mb(memory.heapUsed)}/${mb(memory.heapTotal)} MB, external ${mb(memory.external)} MB (array buffers ${mb(memory.arrayBuffers)} MB), process RSS ${mb(memory.rss)} MB\n`);
}

let queue = Promise.resolve();
parentPort!.on('message', (message: WorkerRequest | WorkerConfiguration) => {
  if (!('id' in message)) {
    roots = catalogRoots(message.channelFactories);
    return;
  }
  const request = message;
  queue = queue.then(async () => {
    try {
      parentPort!.postMessage(await handle(request));
      debugMemory(request);
    } catch (error) {
      parentPort!.postMessage({ id: request.id, results: [], error: (error as Error).stack ?? String(error) } satisfies WorkerResponse);
    }
  });
});
