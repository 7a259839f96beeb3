import { inheritanceRelated, objectsAliveAtForks } from '../model/inheritedObjects';
import { describeObject, forkName } from '../model/describe';
import { channelFixes } from '../fixes/channelFixes';
import { forkSupportEnabled } from '../model/grpcEnvironment';
import { ENVIRONMENT_WORDS, FORK_WORDS, defineRule } from './rule';

export const channelBeforeFork = defineRule({
  code: 'GF101',
  name: 'channel-before-fork',
  defaultSeverity: 'warning',
  triggers: { reportNeeds: ['grpc'], catalogObjects: true, follows: ['grpc', ...FORK_WORDS, ...ENVIRONMENT_WORDS] },
  docs: {
    summary: 'A gRPC channel, stub or gRPC-backed client is alive in the parent when the process forks.',
    whatItDoes:
      'Finds sync gRPC channels (`grpc.insecure_channel`, `grpc.secure_channel`, `grpc.intercept_channel`), ' +
      'generated `*Stub(channel)` objects, classes of the workspace that hold one, and clients of libraries that run ' +
      'on gRPC (Google Cloud clients, Triton, Qdrant with `prefer_grpc=True`, Milvus, Weaviate, etcd3) that exist in ' +
      'the parent process when it forks: `os.fork()`, `multiprocessing.Process.start()`, `Pool(...)`, the first task ' +
      'of a `ProcessPoolExecutor`, with a start method that forks.',
    whyIsThisBad:
      'gRPC runs on a C core with its own threads, sockets and pollers. `fork()` copies memory but only the calling ' +
      'thread, so the child inherits dead threads, shared epoll descriptors and possibly held locks. Children then ' +
      'hang on their first RPC or fail with `StatusCode.UNAVAILABLE "Socket operation on non-socket"`, ' +
      '`OSError: [Errno 9] Bad file descriptor` or "Cannot invoke RPC on closed channel!". Measured on grpcio 1.51: ' +
      'a channel the parent has used and still holds at the fork breaks even a brand-new channel made in the child.',
    example: [
      'import grpc',
      'from multiprocessing import Pool',
      '',
      'channel = grpc.insecure_channel("localhost:50051")',
      'stub = EchoStub(channel)',
      '',
      'def work(item):',
      '    return stub.Echo(item)',
      '',
      'with Pool(4) as pool:',
      '    pool.map(work, items)',
    ].join('\n'),
    useInstead: [
      'import grpc',
      'from multiprocessing import Pool',
      '',
      '_stub = None',
      '',
      'def init_worker():',
      '    global _stub',
      '    _stub = EchoStub(grpc.insecure_channel("localhost:50051"))',
      '',
      'def work(item):',
      '    return _stub.Echo(item)',
      '',
      'with Pool(4, initializer=init_worker) as pool:',
      '    pool.map(work, items)',
    ].join('\n'),
    fixes:
      'Create the channel in the child (moved into the worker, made by the pool initializer, or a per-process ' +
      'accessor keyed on `os.getpid()`); close the parent\'s channel before the fork; enable gRPC fork support before ' +
      '`import grpc`; use the `spawn` start method.',
    fixSafety:
      'Moving a channel changes when it connects and the `spawn` start method needs picklable targets: those fixes ' +
      'are unsafe. Closing a channel the parent no longer uses is safe. Measured on grpcio 1.51 (test/runtime): every ' +
      'fix that still forks after gRPC has run in the parent leaves a small race (a run in 10 to 40 under load hangs ' +
      'in gRPC\'s fork handlers); only `spawn` removes the fork itself.',
    options:
      '`target-python` and `target-platform` decide whether the default start method forks; `channel-factories` adds ' +
      'client factories; with `assume-fork-support` (or `GRPC_ENABLE_FORK_SUPPORT` set to true before `import grpc` in ' +
      'the program) the rule is silent, since gRPC then handles the fork itself.',
    references: [
      'https://github.com/grpc/grpc/blob/master/doc/fork_support.md',
      'https://github.com/grpc/grpc/tree/master/examples/python/multiprocessing',
    ],
  },
  check(context) {
    // With fork support on before `import grpc`, gRPC's own guidance allows channels across forks
    // (GF102 still reports children that use them).
    if (forkSupportEnabled(context.timeline, context.config.assumeForkSupport)) return;
    for (const inherited of objectsAliveAtForks(context.timeline, ['channel', 'stub', 'client'])) {
      const { object, fork, anchor } = inherited;
      const related = inheritanceRelated(inherited);
      context.report({
        at: anchor,
        message: `${describeObject(object)} is created before ${forkName(fork, context.file.path)}; the child inherits its threads and sockets.`,
        related,
        fixes: channelFixes({ edits: context.edits, timeline: context.timeline, config: context.config, object, fork, anchor, aio: false, offerForkSupport: true }),
      });
    }
  },
});
