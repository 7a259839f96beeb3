// `npm run bench` (also alone: node bench/probeOverhead.mjs [--rounds=N]): the run-time probe's cost
// to a program that never forks. 10,000 unary RPCs on 127.0.0.1 against test/runtime/echo_server.py,
// under /usr/bin/python3 with Debian's grpcio, with and without the probe, in alternating rounds;
// prints the medians of the RPC loop and of the whole process (start-up included) and the ratio.
// Numbers, not pass/fail: the target is at most 3 % slower.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const PYTHON = '/usr/bin/python3';
const CALLS = 10_000;
const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice('--rounds='.length) ?? 7);

const LOOP = `import os, sys, time
import grpc

channel = grpc.insecure_channel(os.environ["GF_TARGET"])
echo = channel.unary_unary("/gf.Echo/Echo")
for _ in range(200):
    echo(b"warm-up", timeout=5)
started = time.perf_counter()
for _ in range(${CALLS}):
    echo(b"ping", timeout=5)
print(time.perf_counter() - started)
channel.close()
`;

if (spawnSync(PYTHON, ['-c', 'import grpc']).status !== 0) {
  console.log('probe overhead: skipped (/usr/bin/python3 cannot import grpc: apt-get install -y python3-grpcio)');
  process.exit(0);
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-probe-bench-'));
const program = path.join(scratch, 'rpc_loop.py');
fs.writeFileSync(program, LOOP);
const server = spawn(PYTHON, [path.join(root, 'test', 'runtime', 'echo_server.py')], { stdio: ['ignore', 'pipe', 'inherit'] });
try {
  const port = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('echo server printed no port in 15 s')), 15_000);
    server.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(Number(out.split('\n')[0]));
      }
    });
  });
  const base = { ...process.env, GF_TARGET: `127.0.0.1:${port}`, PYTHONDONTWRITEBYTECODE: '1' };
  for (const key of Object.keys(base)) if (key.startsWith('GRPC_')) delete base[key];
  const probed = { ...base, PYTHONPATH: path.join(root, 'probe'), GRPC_FORK_GUARD_REPORT: path.join(scratch, 'report.jsonl') };
  const samples = { plain: { loop: [], process: [] }, probed: { loop: [], process: [] } };
  const once = (env) => {
    const started = process.hrtime.bigint();
    const r = spawnSync(PYTHON, [program], { env, encoding: 'utf8', timeout: 300_000 });
    const wall = Number(process.hrtime.bigint() - started) / 1e9;
    if (r.status !== 0) throw new Error(`the RPC loop failed: ${r.stderr || r.error}`);
    return { loop: Number(r.stdout.trim()), process: wall };
  };
  once(base); // warms the page cache and the server
  for (let round = 0; round < rounds; round++) {
    // Alternating, so a slow minute of a shared machine hits both sides alike.
    for (const [name, env] of round % 2 ? [['probed', probed], ['plain', base]] : [['plain', base], ['probed', probed]]) {
      const s = once(env);
      samples[name].loop.push(s.loop);
      samples[name].process.push(s.process);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const line = (what) => {
    const plain = median(samples.plain[what]);
    const withProbe = median(samples.probed[what]);
    const percent = ((withProbe / plain - 1) * 100).toFixed(1);
    return `${what === 'loop' ? `${CALLS} unary RPCs` : 'whole process     '}: ${plain.toFixed(3)} s without the probe, ${withProbe.toFixed(3)} s with it (${percent >= 0 ? '+' : ''}${percent} %)`;
  };
  console.log(`probe overhead (median of ${rounds} alternating rounds, 127.0.0.1, ${PYTHON}):`);
  console.log(`  ${line('loop')}`);
  console.log(`  ${line('process')}`);
} finally {
  server.kill('SIGKILL');
  fs.rmSync(scratch, { recursive: true, force: true });
}
