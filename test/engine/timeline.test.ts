// Timeline snapshots: a small program in, the ordered events of its walk out. They test the
// execution model directly (paths, joins, terminators, loops, entry points, children), not only
// through the rules that read it.
import * as assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Analyzer } from '../../server/src/engine/analyzer';
import { buildTimeline } from '../../server/src/engine/model/executionOrder';
import { relevanceTest } from '../../server/src/engine/relevance';
import type { ProgramEvent } from '../../server/src/engine/model/timeline';
import { grammarDir } from '../support/paths';

let analyzer: Analyzer;
before(async () => {
  analyzer = await Analyzer.create(grammarDir);
});

function line(node: { startPosition: { row: number } }): number {
  return node.startPosition.row + 1;
}

function describeEvent(event: ProgramEvent): string | undefined {
  switch (event.kind) {
    case 'create':
      return `create ${event.object.kind} ${event.object.label} @${line(event.object.creation.node)}${event.object.createdInChild ? ' in child' : ''}`;
    case 'close':
      return `close ${event.object.label} @${line(event.site.node)}`;
    case 'start':
      return `start ${event.object.label} @${line(event.site.node)}`;
    case 'fork':
      return `fork @${line(event.fork.site.node)} alive=[${event.alive.map((o) => o.label).join(', ')}]${event.fork.inChild ? ' in child' : ''}`;
    case 'parentUse':
      return `parent uses ${event.object.label} @${line(event.site.node)}`;
    case 'use':
      return `child uses ${event.object.label} @${line(event.site.node)} (${event.entry.how})`;
    case 'envWrite':
      return `env ${event.variable}=${event.value} @${line(event.site.node)}`;
    case 'serverPort':
      return `port ${event.server.label} ${event.address ?? event.addressGlobal ?? '?'} @${line(event.site.node)}`;
    default:
      // Imports and the import-time mark are left out: they would repeat in every snapshot.
      return undefined;
  }
}

function events(lines: string[]): string[] {
  const text = lines.join('\n');
  const tree = analyzer.parse(text);
  try {
    const timeline = buildTimeline({ path: '/w/prog.py', text, tree }, { targetPython: [3, 9], targetPlatform: 'linux', channelFactories: [], canMatter: relevanceTest() });
    return timeline.events.map(describeEvent).filter((e): e is string => e !== undefined);
  } finally {
    tree.delete();
  }
}

describe('timeline snapshots', () => {
  test('if/elif/else are alternatives: the fork sees only its own path', () => {
    assert.deepEqual(events([
      'import grpc, multiprocessing',           // 1
      'def main(opt):',                          // 2
      '    if opt == "c":',                      // 3
      '        ch = grpc.insecure_channel("x")', // 4
      '    elif opt == "p":',                    // 5
      '        multiprocessing.Pool(2)',         // 6
      'main("c")',                               // 7
    ]), ['create channel ch @4', 'fork @6 alive=[]']);
  });

  test('a branch without else joins with the path that skipped it: a close on one path does not close the other', () => {
    assert.deepEqual(events([
      'import grpc, os',                         // 1
      'ch = grpc.insecure_channel("x")',         // 2
      'if os.environ.get("CLOSE"):',             // 3
      '    ch.close()',                          // 4
      'os.fork()',                               // 5
    ]), ['create channel ch @2', 'close ch @4', 'fork @5 alive=[ch]']);
  });

  test('sys.exit(), raise and return end their path', () => {
    assert.deepEqual(events([
      'import grpc, os, sys',                    // 1
      'def run(a):',                             // 2
      '    if a == 1:',                          // 3
      '        x = grpc.insecure_channel("x")',  // 4
      '        sys.exit(1)',                     // 5
      '    if a == 2:',                          // 6
      '        y = grpc.insecure_channel("y")',  // 7
      '        raise SystemExit(2)',             // 8
      '    if a == 3:',                          // 9
      '        z = grpc.insecure_channel("z")',  // 10
      '        return z',                        // 11
      '    os.fork()',                           // 12
      'run(0)',                                  // 13
    ]), ['create channel x @4', 'create channel y @7', 'create channel z @10', 'fork @12 alive=[]']);
  });

  test('a loop body runs a second time and sees what the first left alive', () => {
    assert.deepEqual(events([
      'import grpc, os',                         // 1
      'for job in range(3):',                    // 2
      '    os.fork()',                           // 3
      '    ch = grpc.insecure_channel("x")',     // 4
    ]), ['fork @3 alive=[]', 'create channel ch @4', 'fork @3 alive=[ch]', 'create channel ch @4']);
  });

  test('break leaves the loop with what it had; the else clause runs only when the loop ends normally', () => {
    assert.deepEqual(events([
      'import grpc, os',                         // 1
      'while True:',                             // 2
      '    ch = grpc.insecure_channel("x")',     // 3
      '    break',                               // 4
      'else:',                                   // 5
      '    ch.close()',                          // 6
      'os.fork()',                               // 7
    ]), ['create channel ch @3', 'fork @7 alive=[ch]']);
  });

  test('try: the handler starts from any point of the body; finally runs on the way out', () => {
    assert.deepEqual(events([
      'import grpc, os',                         // 1
      'def go():',                               // 2
      '    ch = grpc.insecure_channel("x")',     // 3
      '    try:',                                // 4
      '        return ch.unary_unary("/a")(b"")',// 5
      '    finally:',                            // 6
      '        ch.close()',                      // 7
      'go()',                                    // 8
      'os.fork()',                               // 9
    ]), ['create channel ch @3', 'parent uses ch @5', 'close ch @7', 'fork @9 alive=[]']);
  });

  test('a with block closes its channel on every way out, return included', () => {
    assert.deepEqual(events([
      'import grpc, os',                         // 1
      'def ping():',                             // 2
      '    with grpc.insecure_channel("x") as ch:', // 3
      '        return ch.unary_unary("/a")(b"")',// 4
      'keep = []',                               // 5
      'keep.append(ping())',                     // 6
      'os.fork()',                               // 7
    ]), ['create channel ch @3', 'parent uses ch @4', 'close ch @3', 'fork @7 alive=[]']);
  });

  test('a child-only target runs in the child on a copy of the parent path, in each iteration', () => {
    assert.deepEqual(events([
      'import grpc, multiprocessing',            // 1
      'class Pool:',                             // 2
      '    def _serve(self):',                   // 3
      '        s = grpc.server(None)',           // 4
      '        s.start()',                       // 5
      '    def launch(self):',                   // 6
      '        for _ in range(2):',              // 7
      '            multiprocessing.Process(target=self._serve).start()', // 8
      'Pool().launch()',                         // 9
    ]), ['fork @8 alive=[]', 'create server s @4 in child', 'start s @5']);
  });

  test('an uncalled public function is an entry of its own: what it makes is not alive in another entry', () => {
    assert.deepEqual(events([
      'import grpc, multiprocessing',            // 1
      'def helper():',                           // 2
      '    return grpc.insecure_channel("x")',   // 3
      'def main():',                             // 4
      '    multiprocessing.Pool(2)',             // 5
    ]), ['create channel grpc.insecure_channel(...) @3', 'fork @5 alive=[]']);
  });

  test('a class lifecycle: each public method starts from the state __init__ left', () => {
    assert.deepEqual(events([
      'import grpc, multiprocessing',            // 1
      'class Service:',                          // 2
      '    def __init__(self):',                 // 3
      '        self.ch = grpc.insecure_channel("x")', // 4
      '    def ping(self):',                     // 5
      '        self.ch.close()',                 // 6
      '    def work(self):',                     // 7
      '        multiprocessing.Pool(2)',         // 8
    ]), ['create channel self.ch @4', 'close self.ch @6', 'fork @8 alive=[self.ch]']);
  });

  test('the child branch of os.fork() runs in the child; the parent branch goes on', () => {
    assert.deepEqual(events([
      'import grpc, os',                         // 1
      'ch = grpc.insecure_channel("x")',         // 2
      'pid = os.fork()',                         // 3
      'if pid == 0:',                            // 4
      '    ch.unary_unary("/a")(b"")',           // 5
      '    os._exit(0)',                         // 6
      'ch.close()',                              // 7
    ]), ['create channel ch @2', 'fork @3 alive=[ch]', 'child uses ch @5 (forkBranch)', 'close ch @7']);
  });

  test('a local channel dropped when its function returns is gone before the fork', () => {
    assert.deepEqual(events([
      'import grpc, os',                         // 1
      'def check():',                            // 2
      '    ch = grpc.insecure_channel("x")',     // 3
      '    ch.unary_unary("/a")(b"")',           // 4
      'check()',                                 // 5
      'os.fork()',                               // 6
    ]), ['create channel ch @3', 'parent uses ch @4', 'fork @6 alive=[]']);
  });

  test('a local stored in a module-level list survives its function', () => {
    assert.deepEqual(events([
      'import grpc, os',                         // 1
      'POOL = []',                               // 2
      'def open_one():',                         // 3
      '    ch = grpc.insecure_channel("x")',     // 4
      '    POOL.append(ch)',                     // 5
      'open_one()',                              // 6
      'os.fork()',                               // 7
    ]), ['create channel ch @4', 'fork @7 alive=[ch]']);
  });

  test('deep expression nesting is bounded, not a stack overflow', () => {
    const chain = Array.from({ length: 20_000 }, () => '1').join(' + ');
    assert.deepEqual(events(['import grpc, os', `x = ${chain}`, 'ch = grpc.insecure_channel("x")', 'os.fork()']), ['create channel ch @3', 'fork @4 alive=[ch]']);
  });
});
