// Entry point of dist/analysisWorker.js: the thread that analyses open documents, so that the
// language server's thread answers hover, code actions and document sync while an analysis runs.
// It mirrors the open documents (and their trees) from the server's events. Before each analysis
// it reads every message already sent: a request that a newer version, a newer request or a
// close has overtaken is answered "obsolete" instead of being analysed.
import { MessagePort, parentPort, receiveMessageOnPort, workerData } from 'worker_threads';
import { Analyzer } from '../engine/analyzer';
import { ProjectAnalysis } from '../workspace/projectAnalysis';
import type { AnalysisWorkerInit, HostMessage, LogLevel, WorkerMessage } from './analysisProtocol';
import { AnalysisLog, AnalysisServices, documentFindings } from './documentAnalysis';
import { diskPathOf } from './documentPaths';
import { DocumentTrees } from './documentTrees';

const init = workerData as AnalysisWorkerInit;
const port: MessagePort = init.port;
const send = (message: WorkerMessage) => parentPort!.postMessage(message);
const log = (level: LogLevel, message: string) => send({ type: 'log', level, message });
const logger: AnalysisLog = {
  error: (message) => log('error', message),
  warn: (message) => log('warn', message),
  info: (message) => log('info', message),
  debug: (message) => log('debug', message),
};

let analyzer: Analyzer | undefined;
/** The workspace folder of the file being analysed, sent with each request. */
let folder: string | undefined;
const documents = new DocumentTrees(() => analyzer);
const openText = (filePath: string) => {
  for (const entry of documents.all()) if (diskPathOf(entry.document.uri) === filePath) return entry.document.getText();
  return undefined;
};
let services: AnalysisServices | undefined;

/** Documents whose trees are kept between analyses: the ones being typed in. */
const KEPT_DOCUMENT_TREES = 8;

const queue: HostMessage[] = [];
let draining = false;

function drain(): void {
  for (let next = receiveMessageOnPort(port); next; next = receiveMessageOnPort(port)) queue.push(next.message as HostMessage);
}

function overtaken(request: Extract<HostMessage, { type: 'analyze' }>): boolean {
  return queue.some((m) => m.type !== 'invalidate' && m.uri === request.uri);
}

function handle(message: HostMessage): void {
  switch (message.type) {
    case 'open':
      documents.open(message.uri, message.languageId, message.version, message.text);
      return;
    case 'change':
      documents.change(message.uri, message.version, message.changes);
      return;
    case 'close':
      documents.close(message.uri);
      return;
    case 'invalidate':
      services?.project.invalidate(message.filePath);
      documents.invalidated();
      return;
    case 'analyze': {
      const entry = documents.get(message.uri);
      if (!entry || !services || entry.document.version !== message.version || overtaken(message)) {
        send({ type: 'obsolete', id: message.id });
        return;
      }
      log('debug', `Analysing ${message.uri} (version ${message.version}) in the analysis thread`);
      const started = Date.now();
      folder = message.folder;
      // The settings come with each request: this thread keeps none of its own.
      const { findings, carried } = documentFindings(services, entry, message.settings, message.exact);
      send({ type: 'result', id: message.id, version: message.version, findings, carried, durationMs: Date.now() - started });
      documents.trim(KEPT_DOCUMENT_TREES);
      services.project.trimModules();
      reportHeap(message.uri);
    }
  }
}

/** Documents analysed since this thread started: the host decides from their number (analysisHost.ts). */
const analysedDocuments = new Set<string>();

/**
 * Past the budget (V8's heap and the WebAssembly memory, which never shrinks), the host replaces
 * this thread when it is idle; told after each analysis, since how far past decides how soon.
 */
function reportHeap(uri: string): void {
  analysedDocuments.add(uri);
  // Typing in one document never asks: not even the cost of reading the figures.
  if (analysedDocuments.size <= 1) return;
  const { heapTotal, external } = process.memoryUsage();
  if (heapTotal + external > init.heapBudgetBytes) send({ type: 'overBudget', bytes: heapTotal + external, documents: analysedDocuments.size });
}

function work(): void {
  // Until the grammar is loaded, messages wait in the queue (a request is not obsolete for that).
  if (draining || !analyzer) return;
  draining = true;
  try {
    drain();
    for (let message = queue.shift(); message; message = queue.shift()) {
      // What arrived while the last message was handled may overtake the next request.
      if (message.type === 'analyze') drain();
      handle(message);
    }
  } finally {
    draining = false;
  }
}

port.on('message', (message: HostMessage) => {
  queue.push(message);
  work();
});

Analyzer.create(init.grammarDir).then((created) => {
  analyzer = created;
  // No default overrides: each analysis passes its request's settings to configFor.
  const project = new ProjectAnalysis(created, () => ({}), () => folder, openText);
  services = {
    analyzer: created, project, trees: documents, logger,
    onConfig: (resolved, editorLayer) => send({ type: 'config', projectRoot: resolved.projectRoot, pyproject: resolved.pyproject, editorLayer }),
  };
  send({ type: 'ready' });
  work();
}, (error: Error) => send({ type: 'failed', message: error.message }));
