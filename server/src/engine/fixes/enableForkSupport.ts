// The edits behind GF101's "Enable gRPC fork support" (SPEC §3): before the first statement that
// loads grpc, `os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "true")` and
// `os.environ.setdefault("GRPC_POLL_STRATEGY", "poll")`, through an `import os` that already
// precedes that statement, else through one added in the standard library's section of the import
// block (a later plain `import os` moves up rather than being duplicated). The imports after the
// settings get `# noqa: E402`, so flake8 reports nothing new. A setting the program already makes in
// time is not added again, so the edits are empty once both are in place.
//
// Applicability is the caller's: turning fork support on changes what children see (gRPC closes
// the parent's channels in the child, and skips its fork handlers while other threads are inside
// gRPC), so the GF101 fix that uses these edits should be unsafe.
import type { Fix, TextEdit } from '../findings';
import { EnvWrite, FORK_SUPPORT_VARIABLE, POLL_STRATEGY_VARIABLE, enablesForkSupport, writesTooLate } from '../model/grpcEnvironment';
import type { Timeline } from '../model/timeline';
import type { EditContext } from './editContext';
import { bringBindingBefore, deleteStatements, grpcStartStatement, noqaFollowingImports, osModuleNameBefore } from './envPlacement';

export const ENABLE_FORK_SUPPORT_TITLE = 'Enable gRPC fork support before `import grpc`';

/** GF101's (and GF301's) "Enable gRPC fork support" fix; undefined when there is nothing to add or no place for it. */
export function enableForkSupportFix(context: EditContext, timeline: Timeline): Fix | undefined {
  const edits = enableForkSupportEdits(context, timeline);
  return edits?.length ? { title: ENABLE_FORK_SUPPORT_TITLE, kind: 'enableForkSupport', applicability: 'unsafe', edits } : undefined;
}

/** The edits, `[]` when both settings are already made in time, undefined when there is no place for them. */
export function enableForkSupportEdits(context: EditContext, timeline: Timeline): TextEdit[] | undefined {
  const target = grpcStartStatement(context.file, timeline);
  if (!target) return undefined;
  const late = new Set(writesTooLate(timeline).map((t) => t.write));
  const inTime = (variable: string, accept: (w: EnvWrite) => boolean) => timeline.events.some(
    (e) => e.kind === 'envWrite' && e.variable === variable && !e.inChild && !late.has(e) && accept(e));
  const forkSupportOn = inTime(FORK_SUPPORT_VARIABLE, (w) => w.value !== undefined && enablesForkSupport(w.value));
  const strategySet = inTime(POLL_STRATEGY_VARIABLE, () => true);
  return settingsBeforeGrpcEdits(context, timeline, [
    ...(forkSupportOn ? [] : [[FORK_SUPPORT_VARIABLE, 'true'] as [string, string]]),
    ...(strategySet ? [] : [[POLL_STRATEGY_VARIABLE, 'poll'] as [string, string]]),
  ], target);
}

/**
 * The edits that set each variable to its value before the first statement that loads grpc
 * (`[]` when there is nothing to set), as `os.environ.setdefault(...)` (SPEC §3); used by GF301 for
 * a setting no move can bring up in time. The imports that follow get `# noqa: E402`.
 */
export function settingsBeforeGrpcEdits(
  context: EditContext, timeline: Timeline, values: [string, string][], target = grpcStartStatement(context.file, timeline),
): TextEdit[] | undefined {
  if (!target) return undefined;
  if (values.length === 0) return [];
  let os = osModuleNameBefore(context.file, target);
  let importLines: string[] = [];
  const moved = [];
  const edits: TextEdit[] = [];
  if (!os) {
    os = 'os';
    const binding = bringBindingBefore(context.file, 'os', target, context.lines);
    // `import os` in the standard library's section of the import block, when that is before `target`.
    const placement = binding ? undefined : context.imports.placement('os', 'import os', context.eol, false, target);
    if (placement && placement.row !== target.startPosition.row) edits.push({ range: { start: { line: placement.row, character: 0 }, end: { line: placement.row, character: 0 } }, newText: placement.newText });
    else if (placement) importLines = placement.newText.split(context.eol).slice(0, -1);
    else importLines = binding?.importLines.length ? binding.importLines : ['import os'];
    if (binding?.moved) moved.push(binding.moved);
  }
  const settings = values.map(([variable, value]) => `${os}.environ.setdefault("${variable}", "${value}")`);
  return [
    ...edits,
    context.insertLinesBefore(target.startPosition.row, [...importLines, ...settings]),
    ...deleteStatements(moved, context.lines),
    ...noqaFollowingImports(context, target, moved),
  ];
}
