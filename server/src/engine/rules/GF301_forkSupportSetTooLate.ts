import type { Node } from 'web-tree-sitter';
import { describeObject } from '../model/describe';
import { placeName } from '../model/describe';
import { FORK_SUPPORT_VARIABLE, TooLate, enablesForkSupport, entrySite, writeNode, writesInvalidPollStrategy, writesTooLate } from '../model/grpcEnvironment';
import { enableForkSupportFix, settingsBeforeGrpcEdits } from '../fixes/enableForkSupport';
import type { Fix } from '../findings';
import { callLabel } from '../model/sourceFile';
import { envSettingsMove, moveEnvSettingsFix } from '../fixes/moveEnvSettings';
import type { Site } from '../model/timeline';
import { ENVIRONMENT_WORDS, RuleContext, defineRule } from './rule';

export const forkSupportSetTooLate = defineRule({
  code: 'GF301',
  name: 'fork-support-set-too-late',
  defaultSeverity: 'warning',
  triggers: { reportNeeds: ['GRPC'], follows: ['grpc', ...ENVIRONMENT_WORDS] },
  docs: {
    summary: '`GRPC_ENABLE_FORK_SUPPORT` is set after grpc was imported, or `GRPC_POLL_STRATEGY` after the first channel or server: gRPC never sees it.',
    whatItDoes:
      'Follows the program in execution order and finds writes of `GRPC_ENABLE_FORK_SUPPORT` to the environment ' +
      '(`os.environ[...] = ...`, `os.environ.setdefault(...)`, `os.environ.update(...)`, `os.putenv(...)`) that run after ' +
      'grpc was loaded: by `import grpc` itself, by a library built on it (Google Cloud clients, `google.api_core`, ' +
      'Triton, etcd3, Milvus, Weaviate, Qdrant), by a generated `*_pb2_grpc` module, or by a module of the workspace ' +
      'that imports one of those. It also finds writes of `GRPC_POLL_STRATEGY` that run after the first gRPC channel, ' +
      'client or server was created. Writing a value that leaves fork support off (`"0"`, `"false"`) is not reported.',
    whyIsThisBad:
      'gRPC reads `GRPC_ENABLE_FORK_SUPPORT` once, when `grpc` is imported, and `GRPC_POLL_STRATEGY` once, when the ' +
      'first channel or server starts its C core (closing that channel does not make it read the variable again). A ' +
      'later write changes nothing, so the program runs without the fork support it asks for. Measured on grpcio ' +
      '1.51: a parent that has used a channel and then forks gives the child `StatusCode.UNAVAILABLE` with ' +
      '`details = "Bad file descriptor"` on its first RPC, on a brand-new channel too, exactly as if the variable had ' +
      'never been set; with the same line moved above `import grpc` the child\'s RPC succeeds.',
    example: [
      'import os',
      '',
      'import grpc',
      '',
      'os.environ["GRPC_ENABLE_FORK_SUPPORT"] = "true"',
      'os.environ["GRPC_POLL_STRATEGY"] = "poll"',
    ].join('\n'),
    useInstead: [
      'import os',
      '',
      'os.environ["GRPC_ENABLE_FORK_SUPPORT"] = "true"',
      'os.environ["GRPC_POLL_STRATEGY"] = "poll"',
      '',
      'import grpc',
    ].join('\n'),
    fixes:
      'Move the environment settings above `import grpc`: moves the late top-level writes of the file, with the ' +
      'file\'s other top-level writes of the two variables that follow that point (so the settings stay together; a ' +
      'write that turns fork support off stays put), in their order, to just before the first statement that loads ' +
      'grpc: after the module docstring and `from __future__` imports, which Python keeps first. The `import os` ' +
      'they need moves up with them when it came later, or a plain `import os` is added when that later import also ' +
      'binds other names. A write whose value is read at run time (`sys.argv[1]`) moves when the names it reads are ' +
      'imported before grpc loads; an invalid poll strategy moves only with its value corrected to `poll` (made to ' +
      'take effect as written, it would abort the program). No fix is offered for a write inside a function or a ' +
      'block, or one that reads other names: moving those could change what runs.',
    fixSafety:
      'Unsafe. The move makes fork support (or the poll strategy) take effect, which is the point, but that changes ' +
      'more than the hazard: with fork support on, gRPC closes the parent\'s channels in the child ("Cannot invoke RPC ' +
      'on closed channel!") and runs fork handlers at every fork; and the imports the settings now precede see the ' +
      'new environment too. Review the result before applying it.',
    options: '`assume-fork-support` does not silence this rule: a write in the code still says what the program expects.',
    references: [
      'https://github.com/grpc/grpc/blob/master/doc/fork_support.md',
      'https://github.com/grpc/grpc/blob/master/doc/environment_variables.md',
    ],
  },
  check(context) {
    const late = writesTooLate(context.timeline);
    if (!late.length) return;
    const move = envSettingsMove(context.edits, context.timeline, late);
    const moveFix = move && moveEnvSettingsFix(context.edits, move);
    for (const tooLate of late) {
      const { write } = tooLate;
      const movable = move?.moved.some((statement) => statement.id === write.site.node.parent?.id);
      // A write in a module this file imports is reported at the import that runs it: that is
      // where this program's order makes it late, and the only place this file can change.
      const elsewhere = write.site.path !== context.file.path;
      context.report({
        at: elsewhere ? entrySite(write.chain, write.site) : { node: writeNode(write), path: write.site.path },
        message: (elsewhere ? `Importing this runs ${placeName(write.site, context.file.path)}, where ` : '') + message(tooLate, context.file.path),
        related: related(tooLate),
        fixes: movable && moveFix ? [moveFix] : settingInTime(context, tooLate),
      });
    }
  },
});

/**
 * A write no move can bring up in time (inside a function, a fork child, a `__main__` block) is
 * made again where it takes effect, before the statement that loads grpc, with the value it
 * stores; the late write is left as it is (it no longer changes anything). A value known only at
 * run time, or one that turns fork support off, gets no fix.
 */
function settingInTime(context: RuleContext, { write }: TooLate): Fix[] {
  if (write.site.path !== context.file.path || write.value === undefined) return [];
  if (write.variable === FORK_SUPPORT_VARIABLE) {
    if (!enablesForkSupport(write.value)) return [];
    const fix = enableForkSupportFix(context.edits, context.timeline);
    return fix ? [fix] : [];
  }
  if (!/^[\w,-]+$/.test(write.value)) return [];
  // Made to take effect, an invalid poll strategy would abort the program at its first channel (GF303).
  if (writesInvalidPollStrategy(write)) return [];
  const late = new Set(writesTooLate(context.timeline).map((t) => t.write));
  // A write in time of another value would be overridden, and one of the same value at the top level
  // already makes this setting in time. One of the same value in a function (the parent's copy of a
  // pool initializer's setting, on one path) agrees with the setting this fix adds.
  if (context.timeline.events.some((e) => e.kind === 'envWrite' && e.variable === write.variable && !e.inChild && !late.has(e)
    && (e.value !== write.value || (e.chain.length === 0 && !insideFunction(e.site.node))))) return [];
  const edits = settingsBeforeGrpcEdits(context.edits, context.timeline, [[write.variable, write.value]]);
  return edits?.length ? [{ title: `Set ${write.variable} to \`${write.value}\` before \`import grpc\``, kind: 'setEnvBeforeGrpc', applicability: 'unsafe', edits }] : [];
}

function insideFunction(node: Node): boolean {
  for (let n = node.parent; n; n = n.parent) if (n.type === 'function_definition' || n.type === 'lambda') return true;
  return false;
}

function message({ write, cause }: TooLate, fromPath: string): string {
  const setTo = write.value === undefined ? 'is set' : `is set to \`${write.value}\``;
  if (cause.kind === 'import') {
    const load = entrySite(cause.event.chain, cause.event.site);
    return `\`${FORK_SUPPORT_VARIABLE}\` ${setTo} after \`${callLabel(load.node)}\` at ${placeName(load, fromPath)} loaded grpc, ` +
      'which reads it only at import: set it before that import.';
  }
  const creation = entrySite(cause.object.chain, cause.object.creation);
  return `\`${write.variable}\` ${setTo} after ${describeObject(cause.object)} at ${placeName(creation, fromPath)} started gRPC's core, ` +
    'which reads it only then: set it before the first channel or server (best: before `import grpc`).';
}

function related({ cause }: TooLate): { site: Site; message: string }[] {
  if (cause.kind === 'import') {
    const load = entrySite(cause.event.chain, cause.event.site);
    const result = [{ site: load, message: 'grpc is loaded here; it reads GRPC_ENABLE_FORK_SUPPORT now.' }];
    if (load.node.id !== cause.event.site.node.id) result.push({ site: cause.event.site, message: `This imports \`${cause.event.module}\`.` });
    return result;
  }
  return [{ site: cause.object.creation, message: 'The first gRPC object is created here; gRPC reads GRPC_POLL_STRATEGY now.' }];
}
