import { insertPollStrategyFix, rewritePollStrategyFix } from '../fixes/setPollStrategy';
import {
  EnvWrite, FORK_COMPATIBLE_ENGINES, FORK_SUPPORT_VARIABLE, POLL_STRATEGY_VARIABLE, enablesForkSupport, resolvePollStrategy, writeNode,
} from '../model/grpcEnvironment';
import { ENVIRONMENT_WORDS, FORK_WORDS, RuleContext, defineRule } from './rule';

export const pollStrategyIncompatible = defineRule({
  code: 'GF302',
  name: 'poll-strategy-incompatible',
  defaultSeverity: 'warning',
  triggers: { reportNeeds: ['GRPC'], follows: ['grpc', ...ENVIRONMENT_WORDS, ...FORK_WORDS] },
  docs: {
    summary: 'Fork support is enabled but `GRPC_POLL_STRATEGY` selects an engine other than `poll` or `epoll1` (information when it is not set).',
    whatItDoes:
      'When the program enables fork support (`GRPC_ENABLE_FORK_SUPPORT` set to `yes`, `true` or `1`, in any case, ' +
      'or the `assume-fork-support` option), reports each write of `GRPC_POLL_STRATEGY` whose value selects an engine ' +
      'other than `poll` or `epoll1`. The value is read as gRPC reads it: a comma list is tried in order and the first ' +
      'engine gRPC knows wins (`epoll,poll` selects `poll`), names match exactly (`POLL` is no engine), and `all` ' +
      'lets gRPC choose. Values that name no engine at all are GF303\'s. When fork support is enabled in the code and ' +
      '`GRPC_POLL_STRATEGY` is written nowhere, or set to `all`, it reports with severity information.',
    whyIsThisBad:
      'gRPC\'s fork handlers only work with the `epoll1` and `poll` engines. With any other engine gRPC skips them ' +
      'and logs, at info level only, "Fork support is only compatible with the epoll1 and poll polling strategies", ' +
      'so children inherit the parent\'s gRPC state as if fork support were off. The only other engine grpcio 1.51 ' +
      'has, `none`, is worse: measured, the first blocking RPC aborts the interpreter with "Attempted a blocking ' +
      'poll when declared non-polling." and "assertion failed: false". The default on Linux, `epoll1`, is ' +
      'compatible, but gRPC\'s fork-support guidance and its maintainers ask for `poll` to avoid occasional hangs ' +
      'after fork, hence the information when no strategy is set.',
    example: [
      'import os',
      '',
      'os.environ["GRPC_ENABLE_FORK_SUPPORT"] = "1"',
      'os.environ["GRPC_POLL_STRATEGY"] = "none"',
      '',
      'import grpc',
    ].join('\n'),
    useInstead: [
      'import os',
      '',
      'os.environ["GRPC_ENABLE_FORK_SUPPORT"] = "1"',
      'os.environ["GRPC_POLL_STRATEGY"] = "poll"',
      '',
      'import grpc',
    ].join('\n'),
    fixes:
      'Set GRPC_POLL_STRATEGY to poll: rewrites the value of the reported write to `"poll"` (keeping its quotes; a constant ' +
      'used nowhere else is changed where it is defined), or, ' +
      'when no strategy is set, adds `os.environ.setdefault("GRPC_POLL_STRATEGY", "poll")` on the line after the ' +
      'write that enables fork support, through the same `os.environ` expression.',
    fixSafety:
      'Rewriting `none` (or a list that selects it) is safe: that program aborts at its first blocking RPC. Adding ' +
      '`poll` where no strategy was set, or replacing `all`, is unsafe: the program worked with `epoll1`, and `poll` ' +
      'behaves differently under load (it scans every descriptor on each wakeup).',
    options: '`assume-fork-support = true` says the environment enables fork support outside the code: a strategy the code sets is then checked too.',
    references: [
      'https://github.com/grpc/grpc/blob/master/doc/fork_support.md',
      'https://github.com/grpc/grpc/blob/master/doc/core/grpc-polling-engines.md',
    ],
  },
  check(context) {
    const writes = envWrites(context);
    const enabling = writes.filter((w) => w.variable === FORK_SUPPORT_VARIABLE && w.value !== undefined && enablesForkSupport(w.value));
    if (!enabling.length && !context.config.assumeForkSupport) return;
    const strategies = writes.filter((w) => w.variable === POLL_STRATEGY_VARIABLE);
    for (const write of strategies) checkStrategy(context, write);
    if (strategies.length || !enabling.length) return;
    const first = enabling[0];
    context.report({
      at: { node: writeNode(first), path: first.site.path },
      message: `\`${FORK_SUPPORT_VARIABLE}\` is set to \`${first.value}\` but \`${POLL_STRATEGY_VARIABLE}\` is not set; ` +
        'gRPC asks for `poll` with fork support to avoid hangs after fork: set it to `poll`.',
      severity: 'information',
      fixes: optional(insertPollStrategyFix(context.edits, first, 'unsafe')),
    });
  },
});

function checkStrategy(context: RuleContext, write: EnvWrite): void {
  if (write.value === undefined) return;
  const strategy = resolvePollStrategy(write.value);
  if (strategy.kind === 'invalid') return;
  if (strategy.kind === 'engine' && FORK_COMPATIBLE_ENGINES.includes(strategy.engine)) return;
  const at = { node: writeNode(write), path: write.site.path };
  if (strategy.kind === 'default') {
    context.report({
      at,
      message: `\`${POLL_STRATEGY_VARIABLE}\` is set to \`${write.value}\`, which lets gRPC pick its default engine; ` +
        'gRPC asks for `poll` with fork support to avoid hangs after fork: set it to `poll`.',
      severity: 'information',
      fixes: optional(rewritePollStrategyFix(context.edits, write, 'unsafe')),
    });
    return;
  }
  context.report({
    at,
    message: `\`${POLL_STRATEGY_VARIABLE}\` is set to \`${write.value}\`, which selects the \`${strategy.engine}\` engine, ` +
      'but fork support only works with `epoll1` or `poll`: set it to `poll`.',
    fixes: optional(rewritePollStrategyFix(context.edits, write, 'safe')),
  });
}

function envWrites(context: RuleContext): EnvWrite[] {
  return context.timeline.events.filter((e): e is EnvWrite => e.kind === 'envWrite');
}

function optional<T>(value: T | undefined): T[] {
  return value ? [value] : [];
}
