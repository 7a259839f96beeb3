import { placeName, forkName } from '../model/describe';
import { createdHere, describeObject, forksHere } from '../model/describe';
import { ChildEntry, rootOf } from '../model/timeline';
import { channelFixes } from '../fixes/channelFixes';
import { objectAnchor } from '../model/anchors';
import { FORK_WORDS, defineRule } from './rule';

const HOW: Record<ChildEntry['how'], string> = {
  target: 'the process target',
  task: 'a pool task',
  initializer: 'the pool initializer',
  run: 'the process\'s run()',
  forkBranch: 'the child branch of the fork',
};

export const parentChannelUsedInChild = defineRule({
  code: 'GF102',
  name: 'parent-channel-used-in-child',
  defaultSeverity: 'error',
  triggers: { reportNeeds: ['grpc'], catalogObjects: true, follows: ['grpc', ...FORK_WORDS] },
  docs: {
    summary: 'Code that runs in a child process uses a gRPC channel or stub made in the parent.',
    whatItDoes:
      'Follows what runs in each child (a `Process` target or `run()`, a `Pool`/executor task or initializer, the ' +
      '`pid == 0` branch of `os.fork()`) and finds uses of channels, stubs and gRPC-backed clients that the parent ' +
      'created: through a global, a closure, a function argument or `args=`.',
    whyIsThisBad:
      'A channel does not survive a fork: its sockets and polling threads belong to the parent. Measured on grpcio ' +
      '1.51, a child calling through a channel the parent already used fails at once with `StatusCode.UNAVAILABLE ' +
      '"Socket operation on non-socket"`; with `GRPC_ENABLE_FORK_SUPPORT` on it gets "Cannot invoke RPC on closed ' +
      'channel!". Other versions hang until the deadline. Fork support never makes a parent channel usable in a child.',
    example: [
      'channel = grpc.insecure_channel(TARGET)',
      'stub = EchoStub(channel)',
      '',
      'def worker(n):',
      '    stub.Echo(Request(n=n))  # the parent\'s channel, in the child',
      '',
      'Process(target=worker, args=(1,)).start()',
    ].join('\n'),
    useInstead: [
      'def worker(n):',
      '    with grpc.insecure_channel(TARGET) as channel:',
      '        EchoStub(channel).Echo(Request(n=n))',
      '',
      'Process(target=worker, args=(1,)).start()',
    ].join('\n'),
    fixes:
      'Create the channel in the child: inside the worker function, or once per worker with the pool\'s `initializer`. ' +
      'A nested target (a closure) gets the channel\'s creation moved into it; a function that receives the channel ' +
      'through `functools.partial`, `args=` or `initargs=`, and a `Process` subclass that stores it in `__init__`, ' +
      'receive its address instead and make the channel themselves (in the function, or at the start of `run()`); a ' +
      'channel made as a default argument is made when the function runs. When the parent used the channel before ' +
      'the fork, the fix also closes the parent\'s before the fork.',
    fixSafety: 'Unsafe: the channel then connects from each child, later than before.',
    references: ['https://github.com/grpc/grpc/blob/master/doc/fork_support.md'],
  },
  check(context) {
    const reported = new Set<string>();
    for (const event of context.timeline.events) {
      if (event.kind !== 'use' || event.object.kind === 'server' || event.object.kind === 'aioServer') continue;
      // One report per channel and child entry: a wrapper, its channel and its stubs are one thing.
      const key = `${rootOf(event.object).id}:${event.fork.id}:${event.entry.site.node.id}`;
      if (reported.has(key)) continue;
      reported.add(key);
      const object = event.object;
      const where = placeName(object.creation, context.file.path);
      // A use inside a helper of another module is reported at this file's call that reaches it.
      const at = event.site.path === context.file.path ? event.site : [...event.chain].reverse().find((site) => site.path === context.file.path);
      if (!at) continue;
      context.report({
        at,
        message: `${describeObject(object)}, created in the parent at ${where}, is used${through(event.site.node.text, object.label)} in ${HOW[event.entry.how]} after ${forkName(event.fork, context.file.path)}; a channel does not survive a fork: create it in the child.`,
        related: [
          ...(at === event.site ? [] : [{ site: event.site, message: 'The child uses the parent\'s channel here.' }]),
          { site: object.creation, message: createdHere('channel', 'in the parent') },
          { site: event.fork.site, message: forksHere(event.fork) },
        ],
        fixes: channelFixes({
          edits: context.edits, timeline: context.timeline, config: context.config, object, fork: event.fork,
          anchor: objectAnchor(object, event.fork), aio: object.kind === 'aioChannel',
        }).filter((fix) => fix.kind !== 'closeBeforeFork' && fix.kind !== 'withBlock'),
      });
    }
  },
});

/** ` through \`ping\`` when the child reaches the channel under another name. */
function through(usedText: string, label: string): string {
  const name = usedText.split('.')[0];
  return name && name !== label ? ` through \`${name}\`` : '';
}
