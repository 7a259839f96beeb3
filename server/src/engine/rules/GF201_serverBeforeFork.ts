import type { Node } from 'web-tree-sitter';
import { anchorBetween } from '../model/anchors';
import { describeObject, forkName } from '../model/describe';
import { inheritanceRelated, objectsAliveAtForks } from '../model/inheritedObjects';
import { forkExecToSubprocessFix } from '../fixes/forkExecToSubprocess';
import { libraryWorkersAsThreadsFix } from '../fixes/libraryWorkersAsThreads';
import { serverAfterForkFix } from '../fixes/serverAfterFork';
import { serverInChildFix } from '../fixes/serverInChild';
import { spawnStartMethodFix } from '../fixes/spawnStartMethod';
import { identifiersNamed } from '../model/syntax';
import type { ForkSite, GrpcObject, ProgramEvent, Timeline } from '../model/timeline';
import { FORK_WORDS, defineRule } from './rule';

export const serverBeforeFork = defineRule({
  code: 'GF201',
  name: 'server-before-fork',
  defaultSeverity: 'error',
  triggers: { reportNeeds: ['grpc'], follows: ['grpc', ...FORK_WORDS] },
  docs: {
    summary: 'A gRPC server is created or started in the parent before the process forks.',
    whatItDoes: 'Finds `grpc.server(...)` and `grpc.aio.server(...)` objects that exist, not stopped, when the parent forks.',
    whyIsThisBad:
      'A server owns completion queues, polling threads and listening sockets. Forking under it leaves the child ' +
      'with a half-copied server and the parent with threads that raced the fork. Measured on grpcio 1.51: a server ' +
      'built in the parent and started in forked children never answers (clients fail with `FutureTimeoutError` / ' +
      '`DEADLINE_EXCEEDED`); gRPC also reports parents crashing with SIGSEGV when a started server is forked. ' +
      'gRPC\'s guidance is to fork first and start one server per child, sharing the port through SO_REUSEPORT.',
    example: [
      'server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))',
      'server.add_insecure_port("[::]:50051")',
      'server.start()',
      'for _ in range(4):',
      '    multiprocessing.Process(target=work).start()',
    ].join('\n'),
    useInstead: [
      'def serve():',
      '    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), options=[("grpc.so_reuseport", 1)])',
      '    server.add_insecure_port("[::]:50051")',
      '    server.start()',
      '    server.wait_for_termination()',
      '',
      'for _ in range(4):',
      '    multiprocessing.Process(target=serve).start()',
    ].join('\n'),
    fixes: 'Run the command with `subprocess.run` (a fork whose child only calls `os.exec*`, waited for with `os.waitpid`, as in an RPC handler); ' +
      'feed the data from threads (`use_multiprocessing=False`, when the fork is Keras\' worker pool); ' +
      'start the server after the forks (moves its creation, set-up and start below the statement that forks, when the children do not use it); ' +
      'start the server in each child (moves its creation, ports and start into the child\'s target; for a Pool or process executor, into a new ' +
      'initializer, one server per worker); use the `spawn` start method.',
    fixSafety: 'Unsafe: the server then starts later (after the forks), or runs in the children instead of the parent.',
    references: ['https://github.com/grpc/grpc/tree/master/examples/python/multiprocessing'],
  },
  check(context) {
    for (const inherited of objectsAliveAtForks(context.timeline, ['server', 'aioServer'])) {
      const { object, fork, anchor } = inherited;
      // Reported where the server is started when that happens before the fork (what the message
      // says); else where it is created. The fixes move the creation: they keep the creation's anchor.
      const start = startBefore(context.timeline, object, fork);
      const at = start ? anchorBetween([...start.chain, start.site], [...fork.chain, fork.site]) : anchor;
      const related = inheritanceRelated({ ...inherited, anchor: at });
      context.report({
        at,
        message: `${describeObject(object)} is ${start ? 'started' : 'created'} before ${forkName(fork, context.file.path)}; fork first, then start one server per child.`,
        related,
        fixes: [
          // Smallest first (SPEC §3): a fork that only runs a program becomes subprocess.run; the
          // parent keeps its server, built after the forks; else one per child.
          forkExecToSubprocessFix(context.edits, fork),
          libraryWorkersAsThreadsFix(fork, context.file.path),
          serverAfterForkFix(context.edits, object, fork, anchor),
          serverInChildFix(context.edits, object, fork, anchor),
          // Children that use the parent's server would, under spawn, each build theirs again at
          // import (a new port, maybe) while the parent's stays bound: measured to hang clients.
          childrenUseServer(context.file.text, fork.entryFunctions, object.label) ? undefined : spawnStartMethodFix(context.edits, context.timeline, fork),
        ].filter((f) => f !== undefined),
      });
    }
  },
});

/** The last start of the server in its own process before the fork, if any. */
function startBefore(timeline: Timeline, object: GrpcObject, fork: ForkSite): Extract<ProgramEvent, { kind: 'start' }> | undefined {
  let last: Extract<ProgramEvent, { kind: 'start' }> | undefined;
  for (const event of timeline.events) {
    if (event.kind === 'fork' && event.fork === fork) return last;
    if (event.kind === 'start' && event.object === object && event.inChild === object.createdInChild) last = event;
  }
  return last;
}

function childrenUseServer(text: string, entries: Node[], name: string): boolean {
  return /^[A-Za-z_]\w*$/.test(name) && entries.some((def) => def.tree.rootNode.text === text && identifiersNamed(def, text, name).some((id) => id.startIndex >= def.startIndex && id.endIndex <= def.endIndex));
}
