// The editor's figures alone, without the scan corpus: typing latency on the 5,000-line file
// through the server, and the server's RSS with 200 files open, split by what holds it. Much
// quicker than `npm run bench` (no 171 MB corpus, no 2.7 GB scaled copies), for comparing builds:
//   node bench/editor.mjs [--baseline=/path/to/other/dist/server.js] [--rounds=N] [--memory-only | --typing-only]
// (BENCH_RSS_SERIES=1 prints the server's RSS every 25 files opened.)
// With a baseline, both builds are measured in turns, round after round, so that both see the same
// load; the ratios are the figures to read on a shared machine. Writes only under .bench/.
//
// RSS is measured for: the server idle (one small file open, so the analysis thread has its
// grammar); 200 files (right after the last one's diagnostics, and 3 s later) of Debian's standard library open, in a copy of it as the workspace (their
// workspace imports resolve, as in `npm run bench`); the same 200 files flattened into a folder
// where no import resolves; and the first case again with the analysis thread off.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { procStatusMb, startServer } from './benchServer.mjs';
import { typingFile } from './typingFile.mjs';

const root = path.resolve(import.meta.dirname, '..');
const option = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const baselineServer = option('baseline') && path.resolve(option('baseline'));
const rounds = Number(option('rounds') ?? 1);
const SOURCE = '/usr/lib/python3.11';
const benchDir = path.join(root, '.bench', 'editor');
const workspace = path.join(benchDir, 'ws');
const flat = path.join(benchDir, 'flat');
const typingDir = path.join(benchDir, 'typing');

/** The first 200 .py files of the standard library, in name order (as `npm run bench` opens them). */
function firstFiles(dir, files = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (files.length >= 200) break;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!['site-packages', 'dist-packages', '__pycache__'].includes(e.name)) firstFiles(full, files);
    } else if (e.isFile() && e.name.endsWith('.py')) files.push(full);
  }
  return files;
}

function copyTree(from, to) {
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    if (['site-packages', 'dist-packages', '__pycache__'].includes(e.name)) continue;
    const source = path.join(from, e.name);
    const target = path.join(to, e.name);
    if (e.isDirectory()) copyTree(source, target);
    else if (e.isFile() && e.name.endsWith('.py')) {
      fs.mkdirSync(to, { recursive: true });
      fs.copyFileSync(source, target);
    }
  }
}

if (!fs.existsSync(path.join(workspace, '.done'))) {
  fs.rmSync(benchDir, { recursive: true, force: true });
  copyTree(SOURCE, path.join(workspace, 'copy01'));
  fs.writeFileSync(path.join(workspace, '.done'), '');
}
const opened = firstFiles(path.join(workspace, 'copy01'));
fs.mkdirSync(flat, { recursive: true });
const flatFiles = opened.map((file) => {
  const target = path.join(flat, path.relative(workspace, file).replace(/[\\/]/g, '__'));
  fs.copyFileSync(file, target);
  return target;
});
const { lines, text: bigText, keystroke } = typingFile();
fs.mkdirSync(typingDir, { recursive: true });
const bigFile = path.join(typingDir, 'big.py');
fs.writeFileSync(bigFile, bigText);

const rssMb = (pid) => procStatusMb(pid);

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

async function typing(serverJs) {
  const server = await startServer(serverJs, typingDir, { debounceMs: 0 });
  await server.open(bigFile, bigText);
  const uri = `file://${bigFile}`;
  const latencies = [];
  for (let i = 0; i < 200; i++) {
    const version = i + 2;
    const published = server.waitFor((p) => p.uri === uri && p.version === version);
    const t0 = process.hrtime.bigint();
    server.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [keystroke(i)] });
    await published;
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  await server.stop();
  return latencies;
}

async function memory(serverJs, folder, files, env = {}) {
  const server = await startServer(serverJs, folder, {}, env);
  const small = path.join(typingDir, 'small.py');
  fs.writeFileSync(small, 'import os\n');
  await server.open(small);
  const idle = rssMb(server.child.pid);
  const series = [];
  const started = process.hrtime.bigint();
  for (const [index, file] of files.entries()) {
    await server.open(file);
    if ((index + 1) % 25 === 0) series.push(Math.round(rssMb(server.child.pid)));
  }
  const open = rssMb(server.child.pid);
  const openSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  // What the editor holds at rest: a moment later, with nothing to do.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const rested = rssMb(server.child.pid);
  // The first edit after the rest, then a second: what a replaced analysis thread costs the user
  // (its caches are cold). Each includes the server's 150 ms debounce.
  const last = files[files.length - 1];
  const lastText = fs.readFileSync(last, 'utf8');
  const edit = async (version) => {
    const uri = `file://${last}`;
    const published = server.waitFor((p) => p.uri === uri && p.version === version);
    const t0 = process.hrtime.bigint();
    server.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text: `${lastText}\n# edit ${version}\n` }] });
    await published;
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  const firstEdit = await edit(2);
  const secondEdit = await edit(3);
  await server.stop();
  if (process.env.BENCH_RSS_SERIES) console.log(`  RSS every 25 files (${path.basename(folder)}${env.GRPC_FORK_GUARD_ANALYSIS_THREAD ? ', thread off' : ''}): ${series.join(' ')} MB`);
  return { idle, open, rested, firstEdit, secondEdit, openSeconds };
}

async function measure(serverJs) {
  const latencies = process.argv.includes('--memory-only') ? [NaN] : await typing(serverJs);
  if (process.argv.includes('--typing-only')) return { latencies };
  const resolving = await memory(serverJs, workspace, opened);
  const flattened = await memory(serverJs, flat, flatFiles);
  const ownThread = await memory(serverJs, workspace, opened, { GRPC_FORK_GUARD_ANALYSIS_THREAD: 'off' });
  return { latencies, idle: resolving.idle, open200: resolving.open, rested200: resolving.rested, firstEdit: resolving.firstEdit, secondEdit: resolving.secondEdit, openSeconds: resolving.openSeconds, flatRested200: flattened.rested, flat200: flattened.open, threadOff200: ownThread.open, threadOffIdle: ownThread.idle };
}

const builds = { current: path.join(root, 'dist/server.js'), ...(baselineServer ? { baseline: baselineServer } : {}) };
const results = Object.fromEntries(Object.keys(builds).map((name) => [name, []]));
for (let round = 0; round < rounds; round++) {
  for (const [name, serverJs] of Object.entries(builds)) results[name].push(await measure(serverJs));
}

const median = (values) => percentile(values, 50);
const summarise = (runs) => {
  const latencies = runs.flatMap((r) => r.latencies);
  const of = (key) => median(runs.map((r) => r[key]));
  return { p50: percentile(latencies, 50), p95: percentile(latencies, 95), max: Math.max(...latencies), idle: of('idle'), open200: of('open200'), rested200: of('rested200'), firstEdit: of('firstEdit'), secondEdit: of('secondEdit'), openSeconds: of('openSeconds'), flat200: of('flat200'), flatRested200: of('flatRested200'), threadOff200: of('threadOff200'), threadOffIdle: of('threadOffIdle') };
};
const openedMb = opened.reduce((s, f) => s + fs.statSync(f).size, 0) / 1e6;
console.log(`Editor figures (${rounds} round(s); load average ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} at the end)`);
const summaries = Object.fromEntries(Object.entries(results).map(([name, runs]) => [name, summarise(runs)]));
for (const [name, s] of Object.entries(summaries)) {
  console.log(`\n${name} (${builds[name]}):`);
  console.log(`  typing on the ${lines.length}-line file, change -> publishDiagnostics: p50 ${s.p50.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms, max ${s.max.toFixed(1)} ms (target p50 <= 5, p95 <= 10)`);
  if (process.argv.includes('--typing-only')) continue;
  console.log(`  RSS, one small file open: ${s.idle.toFixed(0)} MB (analysis thread off: ${s.threadOffIdle.toFixed(0)} MB)`);
  console.log(`  RSS, 200 files open (${openedMb.toFixed(1)} MB of Python), imports resolving (opened one after the other in ${s.openSeconds.toFixed(1)} s): ${s.open200.toFixed(0)} MB right after the last, ${s.rested200.toFixed(0)} MB 3 s later (target <= 120); analysis thread off: ${s.threadOff200.toFixed(0)} MB`);
  console.log(`  RSS, the same 200 files where no import resolves: ${s.flat200.toFixed(0)} MB right after the last, ${s.flatRested200.toFixed(0)} MB 3 s later`);
  console.log(`  an edit of the last file opened, 3 s after it (imports resolving), change -> publishDiagnostics with the 150 ms debounce: ${s.firstEdit.toFixed(0)} ms, the next edit ${s.secondEdit.toFixed(0)} ms`);
}
if (summaries.baseline) {
  const [c, b] = [summaries.current, summaries.baseline];
  const r = (key) => (c[key] / b[key]).toFixed(2);
  console.log(`\nRatios current/baseline: typing p50 ${r('p50')}, p95 ${r('p95')}; RSS idle ${r('idle')}, 200 open ${r('open200')}, 3 s later ${r('rested200')}, 200 flat ${r('flat200')}, 3 s later ${r('flatRested200')}, first edit after the rest ${r('firstEdit')}, time to open the 200 ${r('openSeconds')}, 200 thread off ${r('threadOff200')}`);
}
fs.writeFileSync(path.join(benchDir, 'results.json'), JSON.stringify({ builds, results, summaries }, null, 2));
