// The edits behind GF101's "Enable gRPC fork support" (SPEC §3): before the first statement that
// loads grpc, `os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "true")` and
// `os.environ.setdefault("GRPC_POLL_STRATEGY", "poll")`, through an `import os` that already
// precedes that statement, else through one added there (a later plain `import os` moves up rather
// than being duplicated). A setting the program already makes in time is not added again, so the
// edits are empty once both are in place.
//
// Applicability is the caller's: turning fork support on changes what children see (gRPC closes
// the parent's channels in the child, and skips its fork handlers while other threads are inside
// gRPC), so the GF101 fix that uses these edits should be unsafe.
import type { TextEdit } from '../findings';
import { EnvWrite, FORK_SUPPORT_VARIABLE, POLL_STRATEGY_VARIABLE, enablesForkSupport, writesTooLate } from '../model/grpcEnvironment';
import type { SourceFile } from '../model/sourceFile';
import type { Timeline } from '../model/timeline';
import { bringBindingBefore, deleteStatements, grpcStartStatement, insertLinesBefore, osModuleNameBefore } from './envPlacement';
import { TextLines } from './textLines';

/** The edits, `[]` when both settings are already made in time, undefined when there is no place for them. */
export function enableForkSupportEdits(file: SourceFile, timeline: Timeline): TextEdit[] | undefined {
  const target = grpcStartStatement(file, timeline);
  if (!target) return undefined;
  const late = new Set(writesTooLate(timeline).map((t) => t.write));
  const inTime = (variable: string, accept: (w: EnvWrite) => boolean) => timeline.events.some(
    (e) => e.kind === 'envWrite' && e.variable === variable && !e.inChild && !late.has(e) && accept(e));
  const forkSupportOn = inTime(FORK_SUPPORT_VARIABLE, (w) => w.value !== undefined && enablesForkSupport(w.value));
  const strategySet = inTime(POLL_STRATEGY_VARIABLE, () => true);
  if (forkSupportOn && strategySet) return [];

  const lines = new TextLines(file.text);
  let os = osModuleNameBefore(file, target);
  let importLines: string[] = [];
  const moved = [];
  if (!os) {
    os = 'os';
    const binding = bringBindingBefore(file, 'os', target, lines);
    importLines = binding?.importLines.length ? binding.importLines : ['import os'];
    if (binding?.moved) moved.push(binding.moved);
  }
  const settings = [
    ...(forkSupportOn ? [] : [`${os}.environ.setdefault("${FORK_SUPPORT_VARIABLE}", "true")`]),
    ...(strategySet ? [] : [`${os}.environ.setdefault("${POLL_STRATEGY_VARIABLE}", "poll")`]),
  ];
  return [insertLinesBefore(target.startPosition.row, [...importLines, ...settings], lines), ...deleteStatements(moved, lines)];
}
