// Replays the bench's typing (200 one-character edits in the middle of a 5,000-line file) through
// the engine in this process, without the language server: the analysis alone, per keystroke, as
// CPU milliseconds (steadier than wall time on a shared machine). For finding where the time goes:
//   node --cpu-prof --cpu-prof-dir=.bench/profile bench/typingReplay.mjs
// then open the .cpuprofile in Chrome's DevTools (Performance tab). Writes only under .bench/.
//
// `--baseline=DIR` (a checkout of another version, with its grammars/ built) replays the same
// keystrokes through that version's engine too, alternating keystroke by keystroke, so both see
// the same load, and prints the ratios: on a shared machine only those are worth comparing.
// `--rounds=N` replays the 200 keystrokes N times (default 1).
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { typingFile } from './typingFile.mjs';

const root = path.resolve(import.meta.dirname, '..');
const benchDir = path.join(root, '.bench');
const workDir = path.join(benchDir, 'typing');
const option = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const baselineRoot = option('baseline') && path.resolve(option('baseline'));
const rounds = Number(option('rounds') ?? 1);
fs.mkdirSync(workDir, { recursive: true });

const { lines, text, keystroke: toggle } = typingFile();
// `--insert-only`: every keystroke adds a character (a new text each time, as real typing makes).
const keystroke = process.argv.includes('--insert-only') ? (i) => toggle(0) : toggle;
const file = path.join(workDir, 'big.py');
fs.writeFileSync(file, text);

/** One version's engine, bundled from its checkout, with the document open and analysed once. */
async function replayer(checkout, name) {
  const bundle = path.join(benchDir, `typingEngine-${name}.cjs`);
  await esbuild.build({
    stdin: {
      contents: `export { Analyzer } from './server/src/engine/analyzer';
export { analyzeDocument } from './server/src/lsp/documentAnalysis';
export { DocumentTrees } from './server/src/lsp/documentTrees';
export { readClientSettings } from './server/src/lsp/settings';
export { ProjectAnalysis } from './server/src/workspace/projectAnalysis';`,
      resolveDir: checkout, loader: 'ts',
    },
    bundle: true, platform: 'node', format: 'cjs', outfile: bundle, logLevel: 'warning',
    alias: { 'web-tree-sitter': path.join(checkout, 'node_modules/web-tree-sitter/tree-sitter.cjs') },
  });
  const { Analyzer, DocumentTrees, ProjectAnalysis, analyzeDocument, readClientSettings } = createRequire(import.meta.url)(bundle);
  const analyzer = await Analyzer.create(path.join(checkout, 'grammars'));
  const project = new ProjectAnalysis(analyzer, () => ({}), workDir);
  const documents = new DocumentTrees(() => analyzer);
  const uri = `file://${file}`;
  const entry = documents.open(uri, 'python', 1, text);
  // The editor's own analysis call (the analysis thread and the server's thread run it), default settings.
  const services = { analyzer, project, trees: documents, logger: { error: console.error, warn: () => {}, info: () => {}, debug: () => {} } };
  const settings = readClientSettings(undefined);
  // Versions before the carry-over returned the findings alone; later ones say whether they were carried.
  const analyse = () => {
    const result = analyzeDocument(services, entry, settings);
    return Array.isArray(result) ? result : result.findings;
  };
  const findings = JSON.stringify(analyse());
  let version = 1;
  return {
    findings,
    /** The CPU milliseconds of one keystroke: the change, the parse and the analysis. */
    type(i) {
      const before = process.cpuUsage();
      documents.change(uri, ++version, [keystroke(i)]);
      analyse();
      const spent = process.cpuUsage(before);
      return (spent.user + spent.system) / 1000;
    },
  };
}

const current = await replayer(root, 'current');
const baseline = baselineRoot ? await replayer(baselineRoot, 'baseline') : undefined;
if (baseline && baseline.findings !== current.findings) console.log('Note: the two versions report different findings on the typing file.');
const costs = { current: [], baseline: [] };
for (let round = 0; round < rounds; round++) {
  for (let i = 0; i < 200; i++) {
    // Alternating which goes first, so neither always runs on a cache the other just warmed.
    if (baseline && i % 2 === 1) costs.baseline.push(baseline.type(i));
    costs.current.push(current.type(i));
    if (baseline && i % 2 === 0) costs.baseline.push(baseline.type(i));
  }
}
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const summary = (values) => `p50 ${percentile(values, 50).toFixed(1)}, p95 ${percentile(values, 95).toFixed(1)}, max ${Math.max(...values).toFixed(1)}`;
console.log(`Analysis per keystroke (CPU ms, ${lines.length}-line file, ${costs.current.length} edits): ${summary(costs.current)}`);
if (baseline) {
  console.log(`Baseline ${baselineRoot}, same keystrokes, alternating: ${summary(costs.baseline)}`);
  const ratio = (p) => (percentile(costs.current, p) / percentile(costs.baseline, p)).toFixed(2);
  console.log(`Ratio to the baseline: p50 ${ratio(50)}, p95 ${ratio(95)}`);
}
if (process.argv.includes('--memory')) {
  global.gc?.();
  const { heapUsed } = process.memoryUsage();
  console.log(`V8 heap in use after the replay${global.gc ? ' (after a full GC)' : ' (run with --expose-gc for a figure without garbage)'}: ${(heapUsed / 1024 / 1024).toFixed(0)} MB`);
}
