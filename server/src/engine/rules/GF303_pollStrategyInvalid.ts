import { rewritePollStrategyFix } from '../fixes/setPollStrategy';
import { EnvWrite, POLL_ENGINES, POLL_STRATEGY_VARIABLE, resolvePollStrategy, writeNode } from '../model/grpcEnvironment';
import { ENVIRONMENT_WORDS, defineRule } from './rule';

export const pollStrategyInvalid = defineRule({
  code: 'GF303',
  name: 'poll-strategy-invalid',
  defaultSeverity: 'error',
  triggers: { reportNeeds: ['GRPC'], follows: [...ENVIRONMENT_WORDS] },
  docs: {
    summary: '`GRPC_POLL_STRATEGY` names no polling engine gRPC knows: the interpreter aborts at the first channel or server.',
    whatItDoes:
      'Finds writes of `GRPC_POLL_STRATEGY` to the environment (`os.environ[...] = ...`, `setdefault`, `update`, ' +
      '`os.putenv`) whose value, read as gRPC reads it, selects no engine: no entry of the comma list is exactly ' +
      '`epoll1`, `poll`, `none` or `all`. Names are matched exactly, so `epoll`, `epollex`, `EPOLL1`, `" poll"` and ' +
      'the empty string are all invalid, while `epoll,poll` is valid (it falls back to `poll`). Values computed at ' +
      'run time are not judged.',
    whyIsThisBad:
      'gRPC does not reject the value with an exception: when the first channel or server starts its C core, it logs ' +
      'and aborts the whole interpreter (SIGABRT, exit status 134, no traceback, no `finally`). Measured on grpcio ' +
      '1.51 with `GRPC_POLL_STRATEGY=epoll`: `E... ev_posix.cc:190] No event engine could be initialized from epoll`, ' +
      'then the process dies. `epoll` and `epollex` are the usual mistakes: the Linux engine is called `epoll1`, and ' +
      '`epollex`, an engine of older releases, is gone by grpcio 1.51 (same abort).',
    example: [
      'import os',
      '',
      'os.environ.setdefault("GRPC_POLL_STRATEGY", "epoll")',
      '',
      'import grpc',
    ].join('\n'),
    useInstead: [
      'import os',
      '',
      'os.environ.setdefault("GRPC_POLL_STRATEGY", "poll")',
      '',
      'import grpc',
    ].join('\n'),
    fixes: 'Set GRPC_POLL_STRATEGY to poll: rewrites the value of the write to `"poll"` (keeping its quotes; a name or expression is replaced by the literal).',
    fixSafety: 'Safe: the program could not create a channel or server with the old value.',
    references: [
      'https://github.com/grpc/grpc/blob/master/doc/environment_variables.md',
      'https://github.com/grpc/grpc/blob/master/doc/core/grpc-polling-engines.md',
    ],
  },
  check(context) {
    for (const event of context.timeline.events) {
      if (event.kind !== 'envWrite' || event.variable !== POLL_STRATEGY_VARIABLE || event.value === undefined) continue;
      if (resolvePollStrategy(event.value).kind !== 'invalid') continue;
      const write: EnvWrite = event;
      const fix = rewritePollStrategyFix(context.edits, write, 'safe');
      context.report({
        at: { node: writeNode(write), path: write.site.path },
        message: `\`${POLL_STRATEGY_VARIABLE}\` is set to \`${write.value}\`, which names no polling engine gRPC knows ` +
          `(${POLL_ENGINES.map((e) => `\`${e}\``).join(', ')}), so the interpreter aborts at the first channel: set it to \`poll\`.`,
        fixes: fix ? [fix] : [],
      });
    }
  },
});
