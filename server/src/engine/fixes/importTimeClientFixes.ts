// GF104's fixes: a channel, stub or client that a module makes at import time, before a
// pre-forking runner (Celery, gunicorn with preload, uWSGI) forks its workers, is made in each
// worker instead. First, lazily once per process through an accessor keyed on `os.getpid()` (its
// uses call it; it works whichever process calls first); then in the runner's own per-worker hook
// (runnerHookFixes.ts), when only code that runs in the workers reads it.
import type { Fix, TextEdit } from '../findings';
import { field, namedChildren } from '../model/syntax';
import type { GrpcObject, Site } from '../model/timeline';
import { ChannelBinding, channelBinding } from './channelBinding';
import { perProcessAccessorFix } from './perProcessAccessor';
import type { EditContext } from './editContext';
import { splitPathHelpers } from './staticPathHelpers';
import { HookContext, RunnerHook, runnerHookFix } from './runnerHookFixes';

export function importTimeClientFixes(edits: EditContext, object: GrpcObject, anchor: Site, hook: RunnerHook | undefined, context: HookContext): Fix[] {
  const binding = bindingOf(edits, object, anchor);
  if (!binding) return [];
  const fixes: Fix[] = [];
  // The accessor replaces the module's names: a module that imports one of them would then fail.
  const importedElsewhere = [...binding.names].some((name) => context.importersUse(name));
  const title = (name: string, accessorName: string) => `Create \`${name}\` lazily in each worker process (per-process accessor \`${accessorName}()\`)`;
  const accessor = importedElsewhere ? undefined : lazyAccessor(edits, binding, title);
  if (accessor) fixes.push(accessor);
  const hooked = hook && runnerHookFix(edits, binding, object, hook, context);
  if (hooked) fixes.push(hooked);
  return fixes;
}

/**
 * The accessor for the client; `TOPIC = publisher.topic_path(...)` beside it is no use of the
 * client: it calls the static helper on the class instead (staticPathHelpers.ts).
 */
function lazyAccessor(edits: EditContext, binding: ChannelBinding, title: (name: string, accessor: string) => string): Fix | undefined {
  const whole = perProcessAccessorFix(edits, binding, title);
  if (whole) return whole;
  const split = splitPathHelpers(binding);
  const accessor = split && perProcessAccessorFix(edits, split.binding, title);
  if (!split || !accessor) return undefined;
  const receiverAt = (edit: TextEdit) => split.receivers.some((r) => r.startPosition.row === edit.range.start.line && r.startPosition.column === edit.range.start.character);
  return { ...accessor, edits: [...accessor.edits.filter((e) => !receiverAt(e)), ...split.edits] };
}

function bindingOf(edits: EditContext, object: GrpcObject, anchor: Site): ChannelBinding | undefined {
  // `stub = Stub(grpc.insecure_channel(...))`: the statement binds the outer call, built on the channel.
  const statement = edits.statementOf(anchor.node);
  const assignment = namedChildren(statement)[0];
  const right = assignment?.type === 'assignment' ? field(assignment, 'right') : undefined;
  const outer = right && right.startIndex <= anchor.node.startIndex && right.endIndex >= anchor.node.endIndex ? { node: right, path: anchor.path } : anchor;
  return channelBinding(edits, object, undefined, outer);
}
