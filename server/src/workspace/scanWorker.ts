// Entry point of dist/scanWorker.js: one worker thread of the workspace scan. It reads the files
// it is given, runs the pre-filter on their bytes and analyses those that can matter (or all of
// them when told to), and posts one message per batch back to the scanner.
import { parentPort, workerData } from 'worker_threads';
import { Analyzer } from '../engine/analyzer';
import { GrammarLoadError } from '../engine/pythonParser';
import { readSourceFile } from './scanFiles';
import { ProjectAnalysis } from './projectAnalysis';
import { catalogRoots, prefilter } from './prefilter';
import { WorkerInit, WorkerRequest, WorkerResponse, WorkerResult, innermostFolder } from './scanProtocol';

const init = workerData as WorkerInit;
const cancelled = new Int32Array(init.cancel);
const roots = catalogRoots(init.channelFactories);
let analyzer: Promise<Analyzer> | undefined;
const projects = new Map<number, ProjectAnalysis>();

async function projectFor(root: number): Promise<ProjectAnalysis> {
  analyzer ??= Analyzer.create(init.grammarDir);
  const ready = await analyzer;
  let project = projects.get(root);
  if (!project) {
    const layer = root >= 0 ? init.rootLayers[root] : init.fileLayer;
    const fallback = init.rootIsProject ? (filePath: string) => innermostFolder(init.rootPaths, filePath) ?? init.fallbackRoot : init.fallbackRoot;
    project = new ProjectAnalysis(ready, () => layer, fallback);
    projects.set(root, project);
  }
  return project;
}

async function handle(request: WorkerRequest): Promise<WorkerResponse> {
  const results: WorkerResult[] = [];
  for (const { path, root } of request.files) {
    if (Atomics.load(cancelled, 0)) break;
    const read = readSourceFile(path);
    if ('skipped' in read) {
      results.push({ path, outcome: 'skipped', reason: read.skipped });
      continue;
    }
    const verdict = prefilter(read.bytes, roots);
    if (!verdict.triggers && !request.force) {
      results.push({ path, outcome: 'filtered', imports: verdict.imports });
      continue;
    }
    try {
      const project = await projectFor(root);
      results.push({ path, outcome: 'analysed', findings: project.analyzeText(path, read.text()), imports: verdict.imports });
    } catch (error) {
      // Without a grammar nothing can be analysed: the whole scan fails, with the grammar's message.
      if (error instanceof GrammarLoadError) throw error;
      results.push({ path, outcome: 'skipped', reason: `analysis failed: ${(error as Error).message}` });
    }
  }
  return { id: request.id, results };
}

let queue = Promise.resolve();
parentPort!.on('message', (request: WorkerRequest) => {
  queue = queue.then(async () => {
    try {
      parentPort!.postMessage(await handle(request));
    } catch (error) {
      parentPort!.postMessage({ id: request.id, results: [], error: (error as Error).stack ?? String(error) } satisfies WorkerResponse);
    }
  });
});
