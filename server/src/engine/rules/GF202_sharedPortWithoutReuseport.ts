import { addReuseportFix } from '../fixes/addReuseport';
import { describeObject, forksHere } from '../model/describe';
import { forkName } from '../model/describe';
import { makesSeveralChildren } from '../model/forkCount';
import { reuseportSetting } from '../model/serverOptions';
import type { ForkSite, GrpcObject, ProgramEvent } from '../model/timeline';
import { FORK_WORDS, defineRule } from './rule';

type PortEvent = Extract<ProgramEvent, { kind: 'serverPort' }> & { inChild: ForkSite };

export const sharedPortWithoutReuseport = defineRule({
  code: 'GF202',
  name: 'shared-port-without-reuseport',
  defaultSeverity: 'warning',
  triggers: { reportNeeds: ['grpc'], follows: ['grpc', ...FORK_WORDS] },
  docs: {
    summary: 'Several forked children start a server on the same fixed address, and `grpc.so_reuseport` is not set to 1.',
    whatItDoes:
      'Finds `grpc.server(...)` / `grpc.aio.server(...)` servers that forked children start on one fixed address ' +
      '(a literal, or a constant, with a non-zero port) when more than one child does so: a `Pool` or ' +
      '`ProcessPoolExecutor` with more than one worker, a `Process(...).start()` or `os.fork()` in a loop or ' +
      'comprehension, or two or more forks whose children bind that address. It reports when the server\'s ' +
      'options set `grpc.so_reuseport` to 0 (a warning), and, as information, when they do not set it.',
    whyIsThisBad:
      'gRPC\'s multiprocessing pattern is one server per child, all on one port, which the kernel shares out ' +
      'through SO_REUSEPORT. With `("grpc.so_reuseport", 0)` only the first child can bind: measured on grpcio ' +
      '1.51, the others fail with `RuntimeError: Failed to bind`. Left unset, gRPC turns it on by default on ' +
      'Linux, so the children start, but the program then relies on a platform default it does not state.',
    example: [
      'def serve():',
      '    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), options=[("grpc.so_reuseport", 0)])',
      '    server.add_insecure_port("[::]:50051")',
      '    server.start()',
      '    server.wait_for_termination()',
      '',
      'for _ in range(4):',
      '    multiprocessing.Process(target=serve).start()',
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
    fixes:
      'Add grpc.so_reuseport=1 to grpc.server options: adds `options=[("grpc.so_reuseport", 1)]`, appends the ' +
      'pair to a literal list or tuple, wraps a name (`options=[*opts, ("grpc.so_reuseport", 1)]`), or turns a ' +
      '`0` into `1` (also in a constant of the same file that holds it).',
    fixSafety: 'Safe: the children could not all bind with 0, and 1 is what Linux does when the option is unset.',
    options:
      'The severity setting applies to `grpc.so_reuseport` set to 0; the unset case is reported as information ' +
      '(or as hint when the configured severity is hint). Addresses computed in each child (f-strings, ' +
      'environment variables read there) and port 0 are not judged, nor options the analysis cannot see; ' +
      'a module-level address computed once in the parent is the same in every child, so it is judged.',
    references: [
      'https://github.com/grpc/grpc/tree/master/examples/python/multiprocessing',
      'https://github.com/grpc/grpc/blob/master/include/grpc/impl/channel_arg_names.h',
    ],
  },
  check(context) {
    const ports = context.timeline.events.filter((e): e is PortEvent => e.kind === 'serverPort' && !!e.inChild && (fixedPort(e.address) || e.addressGlobal !== undefined));
    const reported = new Set<GrpcObject>();
    for (const port of ports) {
      if (reported.has(port.server) || !sharedBySeveralChildren(port, ports)) continue;
      reported.add(port.server);
      const { setting } = reuseportSetting(port.server.optionsNode);
      if (setting !== 'zero' && setting !== 'unset') continue;
      const fix = port.server.creation.path === context.file.path
        ? addReuseportFix(context.edits, port.server.creation.node, port.server.optionsNode)
        : undefined;
      const what = setting === 'zero' ? 'sets `grpc.so_reuseport` to 0, so only the first child can bind' : 'does not set `grpc.so_reuseport`, so sharing the port rests on a platform default';
      context.report({
        at: port.server.creation,
        message: `${describeObject(port.server)} is started on \`${addressOf(port)}\` by several children of ${forkName(port.inChild, context.file.path)} and ${what}: add \`("grpc.so_reuseport", 1)\` to its options.`,
        related: [
          { site: port.inChild.site, message: forksHere(port.inChild, 'more than one child runs the server') },
          { site: port.site, message: `Each child binds \`${addressOf(port)}\` here.` },
        ],
        fixes: fix ? [fix] : [],
        severity: setting === 'unset' ? 'information' : undefined,
      });
    }
  },
});

/** A fixed address with a non-zero TCP port (`[::]:50051`); not port 0, not a Unix socket. */
function fixedPort(address: string | undefined): address is string {
  if (!address || address.startsWith('unix:') || address.startsWith('unix-abstract:')) return false;
  const port = /:(\d+)$/.exec(address)?.[1];
  return port !== undefined && Number(port) !== 0;
}

/** The literal address, or the module-level name that holds it. */
function addressOf(port: PortEvent): string {
  return port.address ?? port.addressGlobal ?? '';
}

/** Several children bind this address: one fork that makes several, or two or more forks. */
function sharedBySeveralChildren(port: PortEvent, ports: PortEvent[]): boolean {
  const forks = new Set(ports.filter((p) => addressOf(p) === addressOf(port)).map((p) => p.inChild.id));
  return forks.size > 1 || makesSeveralChildren(port.inChild);
}
