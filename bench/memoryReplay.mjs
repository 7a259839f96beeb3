// Opens and analyses the 200 files `bench/editor.mjs` opens, through the engine in this process
// (as the analysis thread does: DocumentTrees, the project's module resolver, its trims), and
// prints where the memory is after it: V8's heap, the WebAssembly heap (`external`, which the
// parser's memory dominates) and RSS. `--flat` opens the flattened copies, where no import resolves;
// `--no-summaries` walks every import in every analysis (engine/model/moduleSummaries.ts off).
// Run `node bench/editor.mjs` once first (it builds the files under .bench/editor/).
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as esbuild from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');
const benchDir = path.join(root, '.bench');
const flat = process.argv.includes('--flat');
const bundle = path.join(benchDir, 'memoryEngine.cjs');
await esbuild.build({
  stdin: {
    contents: `export { Analyzer } from './server/src/engine/analyzer';
export { analyzeDocument } from './server/src/lsp/documentAnalysis';
export { DocumentTrees } from './server/src/lsp/documentTrees';
export { readClientSettings } from './server/src/lsp/settings';
export { ProjectAnalysis } from './server/src/workspace/projectAnalysis';
export { moduleSummaryCounts, useModuleSummaries } from './server/src/engine/model/moduleSummaries';`,
    resolveDir: root, loader: 'ts',
  },
  bundle: true, platform: 'node', format: 'cjs', outfile: bundle, logLevel: 'warning',
  alias: { 'web-tree-sitter': './node_modules/web-tree-sitter/tree-sitter.cjs' },
});
const { Analyzer, DocumentTrees, ProjectAnalysis, analyzeDocument, readClientSettings, moduleSummaryCounts, useModuleSummaries } = createRequire(import.meta.url)(bundle);
useModuleSummaries(!process.argv.includes('--no-summaries'));
const folder = path.join(benchDir, 'editor', flat ? 'flat' : 'ws');
const files = [];
const visit = (dir) => {
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (files.length >= 200) return;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) visit(full);
    else if (e.name.endsWith('.py')) files.push(full);
  }
};
visit(folder);
const mb = (n) => `${(n / 1024 / 1024).toFixed(0)} MB`;
const show = (label) => {
  global.gc?.();
  const m = process.memoryUsage();
  console.log(`${label.padEnd(28)} rss ${mb(m.rss)}, V8 heap used ${mb(m.heapUsed)} of ${mb(m.heapTotal)}, external ${mb(m.external)} (array buffers ${mb(m.arrayBuffers)})`);
};
show('start');
const analyzer = await Analyzer.create(path.join(root, 'grammars'));
const documents = new DocumentTrees(() => analyzer);
const openText = (filePath) => documents.get(`file://${filePath}`)?.document.getText();
const project = new ProjectAnalysis(analyzer, () => ({}), () => folder, openText);
const services = { analyzer, project, trees: documents, logger: { error: console.error, warn: () => {}, info: () => {}, debug: () => {} } };
const settings = readClientSettings(undefined);
show('grammar loaded');
let peak = 0;
let peakHeap = 0;
const started = process.hrtime.bigint();
const cpuStarted = process.cpuUsage();
for (const file of files) {
  const entry = documents.open(`file://${file}`, 'python', 1, fs.readFileSync(file, 'utf8'));
  analyzeDocument(services, entry, settings);
  peak = Math.max(peak, process.memoryUsage().external);
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  documents.trim(8);
  project.trimModules();
}
const cpu = process.cpuUsage(cpuStarted);
console.log(`analysing the ${files.length} files: ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s of CPU; module summaries kept ${moduleSummaryCounts().recorded}, replayed ${moduleSummaryCounts().replayed}`);
show(`${files.length} files analysed`);
if (global.gc) { for (let i = 0; i < 3; i++) global.gc(); await new Promise((r) => setTimeout(r, 500)); show('after three more full GCs'); }
console.log(`peak external during the analyses: ${mb(peak)}; peak V8 heap used after an analysis: ${mb(peakHeap)}`);
