import { describeObject, forkName } from '../model/describe';
import { inheritanceRelated, objectsAliveAtForks } from '../model/inheritedObjects';
import { channelFixes } from '../fixes/channelFixes';
import { FORK_WORDS, defineRule } from './rule';

export const aioChannelBeforeFork = defineRule({
  code: 'GF103',
  name: 'aio-channel-before-fork',
  defaultSeverity: 'warning',
  triggers: { reportNeeds: ['grpc'], catalogObjects: true, follows: ['grpc', ...FORK_WORDS] },
  docs: {
    summary: 'A `grpc.aio` channel is alive in the parent when the process forks.',
    whatItDoes: 'The same as GF101 for channels of the asyncio API (`grpc.aio.insecure_channel`, `grpc.aio.secure_channel`) and stubs built on them.',
    whyIsThisBad:
      'An aio channel is bound to the parent\'s event loop and to gRPC\'s C-core threads. gRPC\'s fork support ' +
      'covers the synchronous API only, so no environment variable makes an aio channel safe across `fork()`: ' +
      'children hang or fail with "Bad file descriptor".',
    example: [
      'channel = grpc.aio.insecure_channel(TARGET)',
      'pid = os.fork()',
    ].join('\n'),
    useInstead: [
      'pid = os.fork()',
      'if pid == 0:',
      '    asyncio.run(child_main())  # child_main creates its own grpc.aio channel',
    ].join('\n'),
    fixes: 'Create the channel in the child; create it after the fork (moves its creation, and what builds on it, below the ' +
      'statement that forks, when nothing before that and nothing the children run uses it); use the `spawn` start method. ' +
      'Fork support is not offered: it does not cover grpc.aio.',
    fixSafety: 'Unsafe: both change when and where the channel connects.',
    references: ['https://github.com/grpc/grpc/blob/master/doc/fork_support.md'],
  },
  check(context) {
    for (const inherited of objectsAliveAtForks(context.timeline, ['aioChannel'])) {
      const { object, fork, anchor } = inherited;
      const related = inheritanceRelated(inherited);
      context.report({
        at: anchor,
        message: `${describeObject(object)} is created before ${forkName(fork, context.file.path)}; fork support does not cover grpc.aio, so create it in the child.`,
        related,
        fixes: channelFixes({ edits: context.edits, timeline: context.timeline, config: context.config, object, fork, anchor, aio: true }),
      });
    }
  },
});
