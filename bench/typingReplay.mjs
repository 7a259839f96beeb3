// Replays the bench's typing (200 one-character edits in the middle of a 5,000-line file) through
// the engine in this process, without the language server: the analysis alone, per keystroke, as
// CPU milliseconds (steadier than wall time on a shared machine). For finding where the time goes:
//   node --cpu-prof --cpu-prof-dir=.bench/profile bench/typingReplay.mjs
// then open the .cpuprofile in Chrome's DevTools (Performance tab). Writes only under .bench/.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { typingFile } from './typingFile.mjs';

const root = path.resolve(import.meta.dirname, '..');
const benchDir = path.join(root, '.bench');
const workDir = path.join(benchDir, 'typing');
fs.mkdirSync(workDir, { recursive: true });
const bundle = path.join(benchDir, 'typingEngine.cjs');
await esbuild.build({
  stdin: {
    contents: `export { Analyzer } from './server/src/engine/analyzer';
export { analyzeDocument } from './server/src/lsp/documentAnalysis';
export { DocumentTrees } from './server/src/lsp/documentTrees';
export { readClientSettings } from './server/src/lsp/settings';
export { ProjectAnalysis } from './server/src/workspace/projectAnalysis';`,
    resolveDir: root, loader: 'ts',
  },
  bundle: true, platform: 'node', format: 'cjs', outfile: bundle, logLevel: 'warning',
  alias: { 'web-tree-sitter': './node_modules/web-tree-sitter/tree-sitter.cjs' },
});
const { Analyzer, DocumentTrees, ProjectAnalysis, analyzeDocument, readClientSettings } = createRequire(import.meta.url)(bundle);

const { lines, text, keystroke } = typingFile();
const file = path.join(workDir, 'big.py');
fs.writeFileSync(file, text);

const analyzer = await Analyzer.create(path.join(root, 'grammars'));
const project = new ProjectAnalysis(analyzer, () => ({}), workDir);
const documents = new DocumentTrees(() => analyzer);
const uri = `file://${file}`;
const entry = documents.open(uri, 'python', 1, text);
// The editor's own analysis call (the analysis thread and the server's thread run it), default settings.
const services = { analyzer, project, trees: documents, logger: { error: console.error, warn: () => {}, info: () => {}, debug: () => {} } };
const settings = readClientSettings(undefined);
const analyse = () => analyzeDocument(services, entry, settings);
analyse();
const costs = [];
for (let i = 0; i < 200; i++) {
  const change = keystroke(i);
  const before = process.cpuUsage();
  documents.change(uri, i + 2, [change]);
  analyse();
  const spent = process.cpuUsage(before);
  costs.push((spent.user + spent.system) / 1000);
}
costs.sort((a, b) => a - b);
const at = (p) => costs[Math.min(costs.length - 1, Math.ceil((p / 100) * costs.length) - 1)];
console.log(`Analysis per keystroke (CPU ms, ${lines.length}-line file, 200 edits): p50 ${at(50).toFixed(1)}, p95 ${at(95).toFixed(1)}, max ${costs.at(-1).toFixed(1)}`);
