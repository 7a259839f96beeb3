// `npm run bench`: the workspace scan and the editor measured on a large real corpus (not part of
// `npm test`; numbers, not pass/fail). Builds the corpus deterministically under .bench/ (git-ignored):
// the Python standard library copied until there are at least 10,000 files and 100 MB, plus a known
// set of injected hazard files, then measures in one run:
//   (a) our scan, through the CLI and through the language server's workspace scan,
//   (b) the naive baseline: parse every file with tree-sitter (one thread),
//   (c) the floor: `grep -rlE` over the same tree for the pre-filter's trigger words,
// checks that the findings equal the injected set exactly; then the same scan at larger sizes
// (`--scales=1,4,16`: the corpus hard-linked N times, deleted after); then typing latency (200
// incremental didChanges on a 5,000-line file, debounce 0; then in a function of Debian's
// grpc/_server.py, its package's imports resolving) and the server's RSS after opening 200 files, also for another build when BENCH_BASELINE_SERVER names its dist/server.js (ratios from
// one run hold on a noisy machine where absolute times do not). `--scan-only` measures the scan
// alone; BENCH_SCAN_BASELINE=/path/to/other/dist measures that build's CLI and server scan too, in
// the same run; BENCH_KEEP_SCALED=1 keeps .bench/scaled/ for the next run at the same size.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { procStatusMb, startServer } from './benchServer.mjs';
import { typingFile } from './typingFile.mjs';

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, '..');
const benchDir = path.join(root, '.bench');
const corpus = path.join(benchDir, 'corpus');
const SOURCE = '/usr/lib/python3.11';
const MIN_FILES = 10_000;
const MIN_BYTES = 100 * 1024 * 1024;
const RECIPE = 'v1';
const started = Date.now();
/** `--scales=1,4,16`: the corpus sizes the scan is measured at (16x is about 170,000 files, 2.7 GB). */
const SCALES = (process.argv.find((a) => a.startsWith('--scales='))?.slice('--scales='.length) ?? '1,4,16').split(',').map(Number).filter((n) => n >= 1);
/** `--scan-only`: the scan alone (no naive parse, no typing or editor memory). */
const SCAN_ONLY = process.argv.includes('--scan-only');
/** BENCH_SCAN_BASELINE=/path/to/other/dist: that build's CLI and server scan measured too, in the same run (ratios). */
const SCAN_BASELINE = process.env.BENCH_SCAN_BASELINE;

// ---- the corpus ---------------------------------------------------------------------------------

/** Hazard files: each line marked `# expect: CODE` must be reported, and nothing else. */
const HAZARDS = {
  'pool_channel.py': [
    'import multiprocessing as mp',
    'import grpc',
    'channel = grpc.insecure_channel("localhost:50051")  # expect: GF101',
    'def work(x):',
    '    return x',
    'with mp.Pool(2) as pool:',
    '    pool.map(work, [1, 2])',
  ],
  'server_started.py': [
    'from concurrent import futures',
    'from multiprocessing import Process',
    'import grpc',
    'server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))',
    'server.add_insecure_port("[::]:50051")',
    'server.start()  # expect: GF201',
    'def child():',
    '    pass',
    'Process(target=child).start()',
  ],
  'port_options.py': [
    'import grpc',
    'from concurrent import futures',
    'def serve():',
    '    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))',
    '    server.add_insecure_port("[::]:50051", options=[("grpc.so_reuseport", 1)])  # expect: GF203',
  ],
  'process_pool_server.py': [
    'from concurrent import futures',
    'import grpc',
    'server = grpc.server(futures.ProcessPoolExecutor(max_workers=2))  # expect: GF204',
  ],
  // A module that makes a channel at import time, and a program that never mentions gRPC but
  // imports it and forks: found only through the pre-filter's import closure.
  'shared_clients.py': [
    'import grpc',
    'CHANNEL = grpc.insecure_channel("localhost:50051")',
  ],
  'fork_after_import.py': [
    'import os',
    'import shared_clients  # expect: GF101',
    'os.fork()',
  ],
  'safe_initializer.py': [
    'import multiprocessing as mp',
    'import grpc',
    '_channel = None',
    'def init():',
    '    global _channel',
    '    _channel = grpc.insecure_channel("localhost:50051")',
    'def work(x):',
    '    return x',
    'with mp.Pool(2, initializer=init) as pool:',
    '    pool.map(work, [1])',
  ],
};
const INJECTED_DIRS = 10;

function listSource() {
  const files = [];
  const visit = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!['site-packages', 'dist-packages', '__pycache__'].includes(entry.name)) visit(full);
      } else if (entry.isFile() && entry.name.endsWith('.py')) {
        files.push(full);
      }
    }
  };
  visit(SOURCE);
  return files;
}

function buildCorpus() {
  const stamp = path.join(corpus, '.recipe');
  const source = listSource();
  const bytes = source.reduce((sum, file) => sum + fs.statSync(file).size, 0);
  const copies = Math.max(Math.ceil(MIN_FILES / source.length), Math.ceil(MIN_BYTES / bytes));
  const recipe = `${RECIPE} ${source.length} ${bytes} ${copies}`;
  const expected = [];
  for (let d = 0; d < INJECTED_DIRS; d++) {
    for (const [name, lines] of Object.entries(HAZARDS)) {
      lines.forEach((line, index) => {
        const match = /# expect: (GF\d+)/.exec(line);
        if (match) expected.push(`injected${d}/${name}:${index + 1}:${match[1]}`);
      });
    }
  }
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === recipe) return { copies, expected };
  console.log(`Building the corpus: ${copies} copies of ${source.length} files (${(bytes / 1e6).toFixed(1)} MB) from ${SOURCE} ...`);
  fs.rmSync(corpus, { recursive: true, force: true });
  fs.mkdirSync(corpus, { recursive: true });
  // Its own repository root, so that the worktree's .gitignore (which ignores .bench/) stays outside.
  execFileSync('git', ['init', '-q', corpus]);
  for (let c = 1; c <= copies; c++) {
    const target = path.join(corpus, `copy${String(c).padStart(2, '0')}`);
    for (const file of source) {
      const destination = path.join(target, path.relative(SOURCE, file));
      fs.mkdirSync(path.dirname(destination), { recursive: true });
      fs.copyFileSync(file, destination);
    }
  }
  for (let d = 0; d < INJECTED_DIRS; d++) {
    for (const [name, lines] of Object.entries(HAZARDS)) {
      const file = path.join(corpus, `injected${d}`, name);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, `${lines.join('\n')}\n`);
    }
  }
  fs.writeFileSync(stamp, recipe);
  return { copies, expected };
}

function corpusSize() {
  let files = 0;
  let bytes = 0;
  const visit = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === '.git') continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.name.endsWith('.py')) {
        files++;
        bytes += fs.statSync(full).size;
      }
    }
  };
  visit(corpus);
  return { files, bytes };
}

// ---- helpers ------------------------------------------------------------------------------------

/** Runs a command under /usr/bin/time: wall seconds and peak RSS (MB) of the whole process. */
function timed(command, args, options = {}) {
  const timeFile = path.join(benchDir, 'time.txt');
  const t0 = process.hrtime.bigint();
  const result = spawnSync('/usr/bin/time', ['-o', timeFile, '-f', '%M', command, ...args], { encoding: 'utf8', maxBuffer: 1 << 30, ...options });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const peakMb = Number(fs.readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)) / 1024;
  return { wall, peakMb, stdout: result.stdout, stderr: result.stderr, status: result.status };
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function compare(label, actual, expected) {
  const a = new Set(actual);
  const e = new Set(expected);
  const missing = [...e].filter((k) => !a.has(k));
  const extra = [...a].filter((k) => !e.has(k));
  const ok = missing.length === 0 && extra.length === 0;
  console.log(`  ${label}: ${actual.length} findings, ${ok ? 'equal to the injected set' : 'DIFFERENT from the injected set'}`);
  if (!ok) {
    for (const k of missing) console.log(`    missing: ${k}`);
    for (const k of extra.slice(0, 20)) console.log(`    extra:   ${k}`);
  }
  return ok;
}

// ---- the run ------------------------------------------------------------------------------------

const { expected } = buildCorpus();
const size = corpusSize();
const mb = size.bytes / 1024 / 1024;
console.log(`Corpus: ${corpus}: ${size.files} .py files, ${mb.toFixed(1)} MB, ${expected.length} injected findings in ${INJECTED_DIRS * Object.keys(HAZARDS).length} files`);
console.log(`Machine: ${os.cpus()[0].model}, ${os.availableParallelism()} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GB RAM, ${os.type()} ${os.release()}, Node ${process.version}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);

// The pre-filter's words, from the engine's relevance module (bundled on the fly).
const helper = path.join(benchDir, 'relevance.cjs');
await esbuild.build({ entryPoints: [path.join(root, 'server/src/engine/relevance.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: helper, logLevel: 'warning' });
const { REPORT_NEEDS, catalogRoots } = require(helper);
const words = [...REPORT_NEEDS, ...catalogRoots()];
const pattern = words.map((w) => w.replace(/[.]/g, '\\.')).join('|');

const results = {};
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const best = (runs) => runs.reduce((a, b) => (a.wall <= b.wall ? a : b));

/**
 * The scan of `scanRoot` by grep (the floor), the CLI and the language server's workspace scan,
 * each the best of `runs` runs; the findings of the first run compared with `expectedKeys`.
 */
async function measureScan(scanRoot, expectedKeys, runs, label) {
  // Warm the page cache once so that every contender reads from memory.
  spawnSync('grep', ['-rlE', pattern, scanRoot]);
  const grep = best(Array.from({ length: runs }, () => timed('grep', ['-rlE', pattern, scanRoot])));
  const measured = { grep, ...(await measureBuild(path.join(root, 'dist'), scanRoot, expectedKeys, runs, label)) };
  if (SCAN_BASELINE) measured.baseline = await measureBuild(SCAN_BASELINE, scanRoot, expectedKeys, runs, `${label}, baseline build`);
  return measured;
}

/** The CLI's and the server's scan of `scanRoot` with the build in `dist`, each the best of `runs` runs. */
async function measureBuild(dist, scanRoot, expectedKeys, runs, label) {
  const keyOf = (file, line, code) => `${path.relative(scanRoot, file)}:${line}:${code}`;
  const cli = best(Array.from({ length: runs }, () => timed(process.execPath, [path.join(dist, 'cli.js'), 'check', scanRoot, '--format', 'json', '--exit-zero'], { cwd: scanRoot })));
  console.log(`Findings (${label}):`);
  const cliOk = compare('CLI', JSON.parse(cli.stdout).map((f) => keyOf(path.resolve(scanRoot, f.path), f.range.start.line + 1, f.code)), expectedKeys);
  const server = await startServer(path.join(dist, 'server.js'), scanRoot, {});
  const serverRuns = [];
  let serverOk = false;
  for (let r = 0; r < runs; r++) {
    server.published.clear();
    const t0 = process.hrtime.bigint();
    const scan = await server.connection.sendRequest('grpcForkGuard/scanWorkspace', {});
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    serverRuns.push({ wall, peakMb: procStatusMb(server.child.pid, 'VmHWM'), scan });
    if (r === 0) {
      const keys = [];
      for (const [uri, params] of server.published) {
        for (const d of params.diagnostics) keys.push(keyOf(decodeURIComponent(uri.replace('file://', '')), d.range.start.line + 1, d.code));
      }
      serverOk = compare('language server', keys, expectedKeys);
      console.log(`  server scan: ${scan.files} files read, ${scan.analysed} parsed and analysed`);
    }
  }
  await server.stop();
  return { cli, server: best(serverRuns), cliOk, serverOk };
}

const scan1 = SCALES.includes(1) ? await measureScan(corpus, expected, rounds, '1x') : undefined;
if (scan1) Object.assign(results, { grep: scan1.grep, cli: scan1.cli, server: scan1.server });
const cliOk = scan1?.cliOk ?? true;
const serverOk = scan1?.serverOk ?? true;

// ---- the scan at larger sizes: the corpus hard-linked N times under .bench/scaled/ ---------------
// (Hard links: no extra disk, and the page cache is as warm as at 1x; what grows is the number of
// files and bytes every contender reads.)
const scaled = [];
for (const factor of SCALES.filter((f) => f > 1)) {
  const scaledRoot = path.join(benchDir, 'scaled');
  // BENCH_KEEP_SCALED=1: the copies stay after the run and a later run at the same factor reuses them.
  const keep = Boolean(process.env.BENCH_KEEP_SCALED);
  const stamp = path.join(scaledRoot, '.factor');
  const scaledExpected = Array.from({ length: factor }, (_, k) => expected.map((key) => `x${k}/${key}`)).flat();
  if (keep && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === String(factor)) {
    scaled.push({ factor, ...(await measureScan(scaledRoot, scaledExpected, Number(process.env.BENCH_SCALED_ROUNDS ?? 1), `${factor}x`)) });
    continue;
  }
  fs.rmSync(scaledRoot, { recursive: true, force: true });
  const free = fs.statfsSync(benchDir);
  const neededBytes = size.files * 4096 * factor;
  if (free.bavail * free.bsize < neededBytes * 2) {
    console.log(`\nScan at ${factor}x skipped: ${(free.bavail * free.bsize / 2 ** 30).toFixed(1)} GB free on the disk`);
    continue;
  }
  fs.mkdirSync(scaledRoot, { recursive: true });
  // Its own repository root, as the corpus is: the worktree's .gitignore ignores .bench/.
  execFileSync('git', ['init', '-q', scaledRoot]);
  for (let k = 0; k < factor; k++) execFileSync('cp', ['-al', corpus, path.join(scaledRoot, `x${k}`)]);
  fs.writeFileSync(stamp, String(factor));
  const measured = await measureScan(scaledRoot, scaledExpected, Number(process.env.BENCH_SCALED_ROUNDS ?? 1), `${factor}x`);
  scaled.push({ factor, ...measured });
  if (!keep) fs.rmSync(scaledRoot, { recursive: true, force: true });
}

// (b) the naive baseline: every file parsed by tree-sitter, one thread
const naiveScript = path.join(benchDir, 'naive.cjs');
fs.writeFileSync(naiveScript, `
const fs = require('fs'), path = require('path');
const { Parser, Language } = require(${JSON.stringify(path.join(root, 'node_modules/web-tree-sitter/tree-sitter.cjs'))});
(async () => {
  await Parser.init({ locateFile: () => ${JSON.stringify(path.join(root, 'grammars/tree-sitter.wasm'))} });
  const parser = new Parser();
  parser.setLanguage(await Language.load(fs.readFileSync(${JSON.stringify(path.join(root, 'grammars/tree-sitter-python.wasm'))})));
  let files = 0;
  const visit = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) { if (e.name !== '.git') visit(full); }
      else if (e.name.endsWith('.py')) { const tree = parser.parse(fs.readFileSync(full, 'utf8')); tree.delete(); files++; }
    }
  };
  visit(process.argv[2]);
  console.log(files);
})();
`);
if (!SCAN_ONLY) results.naive = timed(process.execPath, [naiveScript, corpus]);

// ---- typing latency and memory ------------------------------------------------------------------
const editorDir = path.join(benchDir, 'editor');
fs.rmSync(editorDir, { recursive: true, force: true });
fs.mkdirSync(editorDir, { recursive: true });
const { lines: bigLines, text: bigText, keystroke } = typingFile();
const bigFile = path.join(editorDir, 'big.py');
fs.writeFileSync(bigFile, bigText);

/** p50, p95 and max milliseconds from each of 200 keystrokes in `file` (opened with `text` in `folder`) to its diagnostics. */
async function typingLatency(serverJs, folder, file, text, change) {
  const editor = await startServer(serverJs, folder, { debounceMs: 0 });
  const uri = `file://${file}`;
  const opened = editor.waitFor((p) => p.uri === uri);
  editor.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
  await opened;
  const latencies = [];
  for (let i = 0; i < 200; i++) {
    const version = i + 2;
    const published = editor.waitFor((p) => p.uri === uri && p.version === version);
    const t0 = process.hrtime.bigint();
    editor.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [change(i)] });
    await published;
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  await editor.stop();
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p95: percentile(latencies, 95), max: latencies.at(-1) };
}

/**
 * Real code whose imports resolve: Debian's grpc package (python3-grpcio) copied into the bench
 * folder, typing in a function of its grpc/_server.py (1,004 lines, importing a dozen modules of
 * its package). Every keystroke walks the module's import closure, or replays it (module summaries).
 */
const GRPC_PACKAGE = '/usr/lib/python3/dist-packages/grpc';
function realModuleTyping() {
  if (!fs.existsSync(path.join(GRPC_PACKAGE, '_server.py'))) return undefined;
  const folder = path.join(editorDir, 'real');
  fs.cpSync(GRPC_PACKAGE, path.join(folder, 'grpc'), { recursive: true, filter: (source) => !source.includes('__pycache__') });
  const file = path.join(folder, 'grpc', '_server.py');
  const text = fs.readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.startsWith('def _details(')) + 1;
  if (line <= 0) return undefined;
  const at = { line, character: lines[line].length };
  const change = (i) => (i % 2 === 0 ? { range: { start: at, end: at }, text: ' ' } : { range: { start: at, end: { line, character: at.character + 1 } }, text: '' });
  return { folder, file, text, change };
}
const realModule = realModuleTyping();

/** Typing latency on the big file (and in a real module) and RSS with 200 files open, with the server at `serverJs`. */
async function measureEditor(serverJs) {
  const typing = await typingLatency(serverJs, editorDir, bigFile, bigText, keystroke);
  const realTyping = realModule && await typingLatency(serverJs, realModule.folder, realModule.file, realModule.text, realModule.change);

  // RSS after opening 200 files of the corpus.
  const openFiles = [];
  const collect = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (openFiles.length >= 200) return;
      const full = path.join(dir, e.name);
      if (e.isDirectory()) { if (e.name !== '.git') collect(full); } else if (e.name.endsWith('.py')) openFiles.push(full);
    }
  };
  collect(path.join(corpus, 'copy01'));
  const memory = await startServer(serverJs, corpus, {});
  for (const file of openFiles) {
    const uri = `file://${file}`;
    const done = memory.waitFor((p) => p.uri === uri);
    memory.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: fs.readFileSync(file, 'utf8') } });
    await done;
  }
  const rss200 = procStatusMb(memory.child.pid);
  // And at rest: the analysis thread is replaced once it is idle past its memory budget (lsp/analysisHost.ts).
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const rss200Rested = procStatusMb(memory.child.pid);
  const openedBytes = openFiles.reduce((s, f) => s + fs.statSync(f).size, 0);
  await memory.stop();
  return { typing, realTyping, rss200, rss200Rested, openedBytes };
}

if (!SCAN_ONLY) Object.assign(results, await measureEditor(path.join(root, 'dist/server.js')));
// BENCH_BASELINE_SERVER=/path/to/an/older/dist/server.js: the same measures of another build in the same run, for ratios.
const baselineServer = process.env.BENCH_BASELINE_SERVER;
const editorBaseline = baselineServer && !SCAN_ONLY ? await measureEditor(baselineServer) : undefined;

// ---- report -------------------------------------------------------------------------------------
const rowAt = (factor) => (label, r) => `  ${label.padEnd(34)} ${r.wall.toFixed(2).padStart(6)} s ${((mb * factor) / r.wall).toFixed(0).padStart(6)} MB/s ${((size.files * factor) / r.wall).toFixed(0).padStart(7)} files/s ${r.peakMb.toFixed(0).padStart(5)} MB peak RSS`;
/** The baseline build's rows and its ratios to this build (time and peak RSS), when it was measured. */
function printBaseline(run, row) {
  if (!run.baseline) return;
  const b = run.baseline;
  console.log(row('    baseline build: CLI', b.cli));
  console.log(row('    baseline build: server', b.server));
  console.log(`    this build / baseline: CLI time ${(run.cli.wall / b.cli.wall).toFixed(2)}, RSS ${(run.cli.peakMb / b.cli.peakMb).toFixed(2)}; server time ${(run.server.wall / b.server.wall).toFixed(2)}, RSS ${(run.server.peakMb / b.server.peakMb).toFixed(2)}; baseline / grep: CLI ${(b.cli.wall / run.grep.wall).toFixed(2)}, server ${(b.server.wall / run.grep.wall).toFixed(2)}; baseline findings equal the injected set: CLI ${b.cliOk ? 'yes' : 'NO'}, server ${b.serverOk ? 'yes' : 'NO'}`);
}
if (scan1) {
  const row = rowAt(1);
  console.log(`\nScan of ${size.files} files, ${mb.toFixed(1)} MB (best of ${rounds} runs, warm page cache):`);
  console.log(row('(a) CLI: grpc-fork-guard check', results.cli));
  console.log(row('(a) server: Scan Workspace request', results.server));
  if (results.naive) console.log(row('(b) naive: tree-sitter parse all', results.naive));
  console.log(row('(c) floor: grep -rlE trigger words', results.grep));
  console.log(`  ratio a/c (CLI / grep):    ${(results.cli.wall / results.grep.wall).toFixed(2)}   (target <= 2)`);
  console.log(`  ratio a/c (server / grep): ${(results.server.wall / results.grep.wall).toFixed(2)}   (target <= 1.5)`);
  if (results.naive) console.log(`  ratio b/a (naive / CLI):   ${(results.naive.wall / results.cli.wall).toFixed(1)}`);
  printBaseline(scan1, row);
}
for (const run of scaled) {
  const row = rowAt(run.factor);
  console.log(`\nScan at ${run.factor}x: ${size.files * run.factor} files, ${(mb * run.factor).toFixed(0)} MB (one run each unless BENCH_SCALED_ROUNDS is set):`);
  console.log(row('(a) CLI: grpc-fork-guard check', run.cli));
  console.log(row('(a) server: Scan Workspace request', run.server));
  console.log(row('(c) floor: grep -rlE trigger words', run.grep));
  console.log(`  ratio CLI / grep: ${(run.cli.wall / run.grep.wall).toFixed(2)} (target <= 2), server / grep: ${(run.server.wall / run.grep.wall).toFixed(2)} (target <= 1.5); time per 1x: CLI ${(run.cli.wall / run.factor).toFixed(2)} s, server ${(run.server.wall / run.factor).toFixed(2)} s`);
  console.log(`  findings equal the injected set: CLI ${run.cliOk ? 'yes' : 'NO'}, server ${run.serverOk ? 'yes' : 'NO'}`);
  printBaseline(run, row);
}
if (results.typing) {
  console.log(`\nTyping: 200 incremental didChanges on a ${bigLines.length}-line file, debounce 0, change -> publishDiagnostics:`);
  console.log(`  p50 ${results.typing.p50.toFixed(1)} ms, p95 ${results.typing.p95.toFixed(1)} ms, max ${results.typing.max.toFixed(1)} ms   (target p50 <= 5 ms, p95 <= 10 ms)`);
  if (editorBaseline) {
    const t = editorBaseline.typing;
    console.log(`  baseline build (${baselineServer}), same run: p50 ${t.p50.toFixed(1)} ms, p95 ${t.p95.toFixed(1)} ms, max ${t.max.toFixed(1)} ms; ratio now/baseline p50 ${(results.typing.p50 / t.p50).toFixed(2)}, p95 ${(results.typing.p95 / t.p95).toFixed(2)}`);
  }
  if (results.realTyping) {
    const r = results.realTyping;
    console.log(`Typing in real code whose imports resolve: 200 keystrokes in a function of Debian's grpc/_server.py, its package copied as the workspace, debounce 0:`);
    console.log(`  p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms, max ${r.max.toFixed(1)} ms`);
    const b = editorBaseline?.realTyping;
    if (b) console.log(`  baseline build, same run: p50 ${b.p50.toFixed(1)} ms, p95 ${b.p95.toFixed(1)} ms; ratio now/baseline p50 ${(r.p50 / b.p50).toFixed(2)}, p95 ${(r.p95 / b.p95).toFixed(2)}`);
  }
  console.log(`Server RSS after opening 200 files (${(results.openedBytes / 1e6).toFixed(1)} MB of Python): ${results.rss200.toFixed(0)} MB right after the last, ${results.rss200Rested.toFixed(0)} MB 3 s later   (target <= 120 MB)`);
  if (editorBaseline) {
    console.log(`  baseline build, same run: ${editorBaseline.rss200.toFixed(0)} MB and ${editorBaseline.rss200Rested.toFixed(0)} MB; ratios now/baseline ${(results.rss200 / editorBaseline.rss200).toFixed(2)} and ${(results.rss200Rested / editorBaseline.rss200Rested).toFixed(2)}`);
  }
}
console.log(`Findings equal the injected set: CLI ${cliOk ? 'yes' : 'NO'}, server ${serverOk ? 'yes' : 'NO'}`);
console.log(`Benchmark took ${((Date.now() - started) / 1000).toFixed(0)} s.`);
const withoutOutput = (r) => r && { ...r, stdout: undefined, stderr: undefined };
const scanRecord = (r) => ({ cli: withoutOutput(r.cli), server: r.server, grep: withoutOutput(r.grep), cliOk: r.cliOk, serverOk: r.serverOk, baseline: r.baseline && { ...r.baseline, cli: withoutOutput(r.baseline.cli) } });
fs.writeFileSync(path.join(benchDir, 'results.json'), JSON.stringify({ ...results, scan1: scan1 && scanRecord(scan1), scaled: scaled.map((r) => ({ factor: r.factor, ...scanRecord(r) })), cli: withoutOutput(results.cli), grep: withoutOutput(results.grep), naive: withoutOutput(results.naive), files: size.files, mb }, null, 2));
process.exitCode = cliOk && serverOk && scaled.every((r) => r.cliOk && r.serverOk && (!r.baseline || (r.baseline.cliOk && r.baseline.serverOk))) ? 0 : 1;
