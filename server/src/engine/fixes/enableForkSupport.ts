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
import { sortedImportRow } from './importPlacement';
import { detectIndentUnit } from './pythonEdits';
import { TextLines } from './textLines';
import { namedChildren } from '../model/syntax';

/** The edits, `[]` when both settings are already made in time, undefined when there is no place for them. */
export function enableForkSupportEdits(file: SourceFile, timeline: Timeline): TextEdit[] | undefined {
  const target = grpcStartStatement(file, timeline);
  if (!target) return undefined;
  const late = new Set(writesTooLate(timeline).map((t) => t.write));
  const inTime = (variable: string, accept: (w: EnvWrite) => boolean) => timeline.events.some(
    (e) => e.kind === 'envWrite' && e.variable === variable && !e.inChild && !late.has(e) && accept(e));
  const forkSupportOn = inTime(FORK_SUPPORT_VARIABLE, (w) => w.value !== undefined && enablesForkSupport(w.value));
  const strategySet = inTime(POLL_STRATEGY_VARIABLE, () => true);
  return settingsBeforeGrpcEdits(file, timeline, [
    ...(forkSupportOn ? [] : [[FORK_SUPPORT_VARIABLE, 'true'] as [string, string]]),
    ...(strategySet ? [] : [[POLL_STRATEGY_VARIABLE, 'poll'] as [string, string]]),
  ], target);
}

/**
 * The edits that set each variable to its value before the first statement that loads grpc
 * (`[]` when there is nothing to set); used by GF301 for a setting no move can bring up in time.
 */
export function settingsBeforeGrpcEdits(file: SourceFile, timeline: Timeline, values: [string, string][], target = grpcStartStatement(file, timeline)): TextEdit[] | undefined {
  if (!target) return undefined;
  if (values.length === 0) return [];

  const lines = new TextLines(file.text);
  let os = osModuleNameBefore(file, target);
  let importLines: string[] = [];
  const moved = [];
  const edits: TextEdit[] = [];
  if (!os) {
    os = 'os';
    const binding = bringBindingBefore(file, 'os', target, lines);
    const row = binding ? undefined : sortedImportRow(file.tree.rootNode, 'os', target);
    if (row !== undefined) edits.push(insertLinesBefore(row, ['import os'], lines));
    else importLines = binding?.importLines.length ? binding.importLines : ['import os'];
    if (binding?.moved) moved.push(binding.moved);
  }
  // Before a top-level import, a plain statement makes that import (and every later one) a
  // flake8/pycodestyle E402; an `if` block is accepted among imports, so the settings take that form.
  const amongImports = target.parent?.type === 'module' && namedChildren(file.tree.rootNode).some((s) => s.startIndex >= target.startIndex && IMPORTS.has(s.type));
  const unit = detectIndentUnit(lines.lines);
  const settings = values.flatMap(([variable, value]) => (amongImports
    ? [`if "${variable}" not in ${os}.environ:`, `${unit}${os}.environ["${variable}"] = "${value}"`]
    : [`${os}.environ.setdefault("${variable}", "${value}")`]));
  return [...edits, insertLinesBefore(target.startPosition.row, [...importLines, ...settings], lines), ...deleteStatements(moved, lines)];
}

const IMPORTS = new Set(['import_statement', 'import_from_statement']);
