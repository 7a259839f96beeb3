// Fixes that would break the program are not offered (issue "Fixes a maintainer would merge",
// SPEC §3 "Which fix comes first"); each case was measured under grpcio 1.51 (test/runtime/).
import * as assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Analyzer } from '../../server/src/engine/analyzer';
import { defaultConfig } from '../../server/src/engine/config';
import type { Finding, FixKind } from '../../server/src/engine/findings';
import { applyEdits, fixText } from '../../server/src/engine/fixes/fixAll';
import { grammarDir } from '../support/paths';

let analyzer: Analyzer;
before(async () => {
  analyzer = await Analyzer.create(grammarDir);
});

const analyse = (text: string): Finding[] => analyzer.analyze('/project/app.py', text, defaultConfig()).findings;
const titles = (findings: Finding[], code: string) => findings.filter((f) => f.code === code).flatMap((f) => f.fixes.filter((x) => !x.isSuppression).map((x) => x.title));
const kinds = (findings: Finding[], code: string) => findings.filter((f) => f.code === code).flatMap((f) => f.fixes.filter((x) => !x.isSuppression).map((x) => x.kind));
const SPAWN: FixKind[] = ['spawnAtForkSite', 'spawnForProgram'];

const SERVER_THROUGH_ARGS = `from concurrent import futures
from multiprocessing import Process

import grpc


def serve(server):
    server.start()
    server.wait_for_termination()


def main():
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    server.add_insecure_port("127.0.0.1:50051")
    workers = [Process(target=serve, args=(server,)) for _ in range(2)]
    for w in workers:
        w.start()


if __name__ == "__main__":
    main()
`;

const STATUS_SERVER_AND_QUEUE = `import multiprocessing
from concurrent import futures

import grpc


def worker(n, ports):
    ports.put(n)


def main():
    status = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    port = status.add_insecure_port("127.0.0.1:0")
    status.start()
    ports = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=worker, args=(n, ports)) for n in range(2)]
    for w in workers:
        w.start()
    print(port, [ports.get() for _ in workers])
    status.stop(0)


if __name__ == "__main__":
    main()
`;

const POOL_USES_PARENT_CHANNEL = `import grpc
from multiprocessing import Pool

channel = grpc.insecure_channel("localhost:50051")
echo = channel.unary_unary("/gf.Echo/Echo")


def handle(item):
    return echo(item)


def main():
    echo(b"ping")
    with Pool(2, initializer=print) as pool:
        print(pool.map(handle, [b"a", b"b"]))


if __name__ == "__main__":
    main()
`;

describe('fixes that would break the program are not offered', () => {
  test('no spawn when a gRPC server is handed to the child (it does not pickle); the server moves into the child', () => {
    const offered = titles(analyse(SERVER_THROUGH_ARGS), 'GF201');
    assert.deepEqual(kinds(analyse(SERVER_THROUGH_ARGS), 'GF201'), ['serverInChild'], offered.join(' | '));
    assert.deepEqual(offered, ['Start the server in each child (inside `serve`)']);
    const fixed = applyEdits(SERVER_THROUGH_ARGS, analyse(SERVER_THROUGH_ARGS).find((f) => f.code === 'GF201')!.fixes[0].edits);
    assert.match(fixed, /def serve\(\):\n {4}server = grpc\.server\(/);
    assert.match(fixed, /Process\(target=serve\) for _/);
    assert.deepEqual(analyse(fixed).filter((f) => f.code === 'GF201'), []);
  });

  test('a Queue from the default context shared with the children: spawn only for the whole program; the server moves below the fork first', () => {
    const findings = analyse(STATUS_SERVER_AND_QUEUE);
    const offered = titles(findings, 'GF201');
    assert.equal(offered[0], 'Start the server after the forks (move `status` below the fork)');
    assert.ok(!kinds(findings, 'GF201').includes('spawnAtForkSite'), offered.join(' | '));
    const spawn = findings.find((f) => f.code === 'GF201')!.fixes.find((f) => f.kind === 'spawnForProgram');
    assert.ok(spawn, offered.join(' | '));
    assert.match(applyEdits(STATUS_SERVER_AND_QUEUE, spawn.edits), /if __name__ == "__main__":\n {4}multiprocessing\.set_start_method\("spawn"\)\n {4}main\(\)/);
    const moved = fixText(analyse, STATUS_SERVER_AND_QUEUE, { unsafe: true }).text;
    assert.match(moved, /for w in workers:\n {8}w\.start\(\)\n {4}status = grpc\.server\(.*\)\n {4}port = status\.add_insecure_port\("127\.0\.0\.1:0"\)\n {4}status\.start\(\)\n/);
    assert.deepEqual(analyse(moved).map((f) => f.code), []);
  });

  test('no spawn for the whole program when the shared objects are made at import time', () => {
    const atImport = STATUS_SERVER_AND_QUEUE.replace('def main():\n', 'PORTS = multiprocessing.Queue()\n\n\ndef main():\n');
    assert.ok(!kinds(analyse(atImport), 'GF201').some((k) => SPAWN.includes(k)));
  });

  test('fork support is never offered, nor applied by fix-all, while a child uses the parent\'s channel', () => {
    const findings = analyse(POOL_USES_PARENT_CHANNEL);
    assert.ok(findings.some((f) => f.code === 'GF101'));
    const offered = [...titles(findings, 'GF101'), ...titles(findings, 'GF102')];
    assert.ok(![...kinds(findings, 'GF101'), ...kinds(findings, 'GF102')].includes('enableForkSupport'), offered.join(' | '));
    // Fix-all first gives each process its own channel; only then (next pass) may fork support follow.
    const applied = fixText(analyse, POOL_USES_PARENT_CHANNEL, { unsafe: true }).applied;
    assert.match(applied[0] ?? "", /^GF10\d: Create `echo` in each process/, applied.join(' | '));
  });
});
