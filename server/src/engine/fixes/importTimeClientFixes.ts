// GF104's fix: a channel, stub or client that a module makes at import time, before a pre-forking
// runner (Celery, gunicorn with preload, uWSGI) forks its workers, is made lazily instead, once
// per process, through an accessor keyed on `os.getpid()`; its uses are rewritten to call it.
// The master process then holds no channel when it forks, and each worker makes its own.
import type { Fix } from '../findings';
import { field, namedChildren } from '../model/syntax';
import type { GrpcObject, Site } from '../model/timeline';
import { channelBinding } from './channelBinding';
import { perProcessAccessorFix } from './perProcessAccessor';
import type { PythonEdits } from './pythonEdits';

export function lazyPerProcessFix(edits: PythonEdits, object: GrpcObject, anchor: Site): Fix | undefined {
  // `stub = Stub(grpc.insecure_channel(...))`: the statement binds the outer call, built on the channel.
  const statement = edits.statementOf(anchor.node);
  const assignment = namedChildren(statement)[0];
  const right = assignment?.type === 'assignment' ? field(assignment, 'right') : undefined;
  const outer = right && right.startIndex <= anchor.node.startIndex && right.endIndex >= anchor.node.endIndex ? { node: right, path: anchor.path } : anchor;
  const binding = channelBinding(edits, object, undefined, outer);
  if (!binding) return undefined;
  const fix = perProcessAccessorFix(edits, binding);
  if (!fix) return undefined;
  return {
    title: `Create \`${fix.name}\` lazily in each worker process (per-process accessor \`${fix.accessor}()\`)`,
    applicability: fix.applicability,
    edits: fix.edits,
  };
}
