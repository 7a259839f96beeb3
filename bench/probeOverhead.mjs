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

// Prints the loop's wall time and CPU time (this process, gRPC's threads included). With the probe,
// and GF_BENCH_BLOCKS set, it then runs the same calls in alternating blocks through the probe's wrapper and through the
// method it wraps: one process, one machine state, so only the wrapper differs.
const LOOP = `import os, sys, time
import grpc

channel = grpc.insecure_channel(os.environ["GF_TARGET"])
echo = channel.unary_unary("/gf.Echo/Echo")
for _ in range(200):
    echo(b"warm-up", timeout=5)
wall, cpu = time.perf_counter(), time.process_time()
for _ in range(${CALLS}):
    echo(b"ping", timeout=5)
print(time.perf_counter() - wall, time.process_time() - cpu)
call = type(echo).__call__
unwrapped = getattr(call, "__wrapped__", None)
if unwrapped is not None and os.environ.get("GF_BENCH_BLOCKS"):
    spent = {"wrapped": [0.0, 0.0], "unwrapped": [0.0, 0.0]}
    for block in range(${CALLS} // 250):
        for name, function in (("wrapped", call), ("unwrapped", unwrapped)) if block % 2 else (("unwrapped", unwrapped), ("wrapped", call)):
            wall, cpu = time.perf_counter(), time.process_time()
            for _ in range(250):
                function(echo, b"ping", timeout=5)
            spent[name][0] += time.perf_counter() - wall
            spent[name][1] += time.process_time() - cpu
    print(*spent["wrapped"], *spent["unwrapped"])
    # The wrapper's own cost, on a call that does nothing: the minimum of repeats is steady on a busy machine.
    import timeit
    from grpc_fork_guard_probe import objects

    class Nothing(object):
        def __call__(self, *args, **kwargs):
            return None

    nothing = Nothing()
    bare = Nothing.__call__
    wrapper = objects._call_wrapper(bare, "__call__")
    bare_time = min(timeit.repeat(lambda: bare(nothing, b"ping", timeout=5), number=200000, repeat=7))
    wrapped_time = min(timeit.repeat(lambda: wrapper(nothing, b"ping", timeout=5), number=200000, repeat=7))
    print((wrapped_time - bare_time) / 200000 * 1e9)
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
  const samples = { plain: { loop: [], cpu: [], process: [] }, probed: { loop: [], cpu: [], process: [] } };
  const inProcess = { wrapped: [0, 0], unwrapped: [0, 0] };
  const wrapperNs = [];
  const once = (env) => {
    const started = process.hrtime.bigint();
    const r = spawnSync(PYTHON, [program], { env, encoding: 'utf8', timeout: 600_000 });
    const wall = Number(process.hrtime.bigint() - started) / 1e9;
    if (r.status !== 0) throw new Error(`the RPC loop failed: ${r.stderr || r.error}`);
    const [loopLine, blocksLine, wrapperLine] = r.stdout.trim().split('\n');
    if (wrapperLine) wrapperNs.push(Number(wrapperLine));
    const [loop, cpu] = loopLine.split(' ').map(Number);
    if (blocksLine) {
      const [wrappedWall, wrappedCpu, unwrappedWall, unwrappedCpu] = blocksLine.split(' ').map(Number);
      inProcess.wrapped[0] += wrappedWall;
      inProcess.wrapped[1] += wrappedCpu;
      inProcess.unwrapped[0] += unwrappedWall;
      inProcess.unwrapped[1] += unwrappedCpu;
    }
    return { loop, cpu, process: wall };
  };
  once(base); // warms the page cache and the server
  for (let round = 0; round < rounds; round++) {
    // Alternating, so a slow minute of a shared machine hits both sides alike.
    for (const [name, env] of round % 2 ? [['probed', probed], ['plain', base]] : [['plain', base], ['probed', probed]]) {
      const s = once(env);
      samples[name].loop.push(s.loop);
      samples[name].cpu.push(s.cpu);
      samples[name].process.push(s.process);
    }
    once({ ...probed, GF_BENCH_BLOCKS: '1' });
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const line = (what) => {
    const plain = median(samples.plain[what]);
    const withProbe = median(samples.probed[what]);
    const percent = ((withProbe / plain - 1) * 100).toFixed(1);
    const label = { loop: `${CALLS} unary RPCs, wall`, cpu: `${CALLS} unary RPCs, CPU `, process: 'whole process, wall ' }[what];
    return `${label}: ${plain.toFixed(3)} s without the probe, ${withProbe.toFixed(3)} s with it (${percent >= 0 ? '+' : ''}${percent} %)`;
  };
  const ratio = (i) => (((inProcess.wrapped[i] / inProcess.unwrapped[i]) - 1) * 100).toFixed(1);
  console.log(`probe overhead (median of ${rounds} alternating rounds, 127.0.0.1, ${PYTHON}):`);
  console.log(`  ${line('loop')}`);
  console.log(`  ${line('cpu')}`);
  console.log(`  ${line('process')}`);
  const perCallUs = (median(samples.plain.loop) / CALLS) * 1e6;
  const ns = median(wrapperNs);
  console.log(`  the wrapper itself: ${ns.toFixed(0)} ns per call (median of ${wrapperNs.length}), ${((ns / 1000 / perCallUs) * 100).toFixed(3)} % of one unary RPC here (${perCallUs.toFixed(0)} µs)`);
  console.log(`  same process, alternating blocks of 250 calls through the probe's wrapper and around it (${rounds * CALLS} calls each): wall ${inProcess.wrapped[0].toFixed(3)} s vs ${inProcess.unwrapped[0].toFixed(3)} s (${ratio(0)} %), CPU ${inProcess.wrapped[1].toFixed(3)} s vs ${inProcess.unwrapped[1].toFixed(3)} s (${ratio(1)} %)`);
} finally {
  server.kill('SIGKILL');
  fs.rmSync(scratch, { recursive: true, force: true });
}
