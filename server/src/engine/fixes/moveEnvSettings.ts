// "Move the environment settings above `import grpc`" (GF301): moves the top-level statements that
// write GRPC_ENABLE_FORK_SUPPORT / GRPC_POLL_STRATEGY too late to just before the first statement
// that loads grpc, together with the `os` import they need when that comes later. One fix moves all
// of the file's late settings at once, so it is the same fix on every GF301 finding it covers.
import type { Node } from 'web-tree-sitter';
import type { Fix } from '../findings';
import { EnvWrite, FORK_SUPPORT_VARIABLE, POLL_STRATEGY_VARIABLE, TooLate, enablesForkSupport, writesInvalidPollStrategy } from '../model/grpcEnvironment';
import type { SourceFile } from '../model/sourceFile';
import { field, namedChildren } from '../model/syntax';
import type { Timeline } from '../model/timeline';
import { bringBindingBefore, deleteStatements, grpcStartStatement, insertLinesBefore, ownsItsLines, statementLines } from './envPlacement';
import { detectIndentUnit } from './pythonEdits';
import { TextLines } from './textLines';
import { PollCorrection, importedBefore, isPureRead, pollCorrection } from './lateSettingValues';

export const MOVE_ENV_SETTINGS_TITLE = 'Move the environment settings above `import grpc`';

export interface MoveEnvSettings {
  fix: Fix;
  /** The statements the fix moves; a finding whose write is not among them gets no fix. */
  moved: Node[];
}

export function moveEnvSettingsFix(file: SourceFile, timeline: Timeline, late: TooLate[]): MoveEnvSettings | undefined {
  const target = grpcStartStatement(file, timeline);
  if (!target) return undefined;
  const lines = new TextLines(file.text);
  const moved: Node[] = [];
  const importLines: string[] = [];
  const movedImports: Node[] = [];
  const corrections = new Map<number, PollCorrection>();
  // The late writes, and with them the file's other writes of the two variables that come after
  // `target` (moving those earlier changes nothing gRPC sees, and keeps the settings together).
  // A write that leaves fork support off stays where it is: moved up, it would override the deployment.
  const lateWrites = new Set(late.map((t) => t.write));
  const companions = timeline.events.filter((e): e is EnvWrite => e.kind === 'envWrite' && !lateWrites.has(e) && (
    e.variable === POLL_STRATEGY_VARIABLE || (e.variable === FORK_SUPPORT_VARIABLE && (e.value === undefined || enablesForkSupport(e.value)))));
  for (const write of [...lateWrites, ...companions]) {
    if (write.site.path !== file.path || write.chain.length) continue;
    const statement = movableStatement(write.site.node, target, lines);
    if (!statement || moved.some((s) => s.id === statement.id)) continue;
    // Too late, an invalid poll strategy does nothing; moved up as it is, it would abort the program
    // at its first channel (GF303). It moves only with its value corrected to `poll`.
    if (writesInvalidPollStrategy(write)) {
      const correction = pollCorrection(statement, write);
      if (!correction) continue;
      corrections.set(statement.id, correction);
    }
    // Names bound by an import that already runs before grpc loads (`sys` for `sys.argv[1]`) stay.
    const needed = namesUsed(statement).map((name) => bringBindingBefore(file, name, target, lines) ?? (importedBefore(file, name, target) ? { importLines: [] } : undefined));
    if (needed.some((n) => n === undefined)) corrections.delete(statement.id);
    if (needed.some((n) => n === undefined)) continue;
    moved.push(statement);
    for (const n of needed) {
      for (const line of n!.importLines) if (!importLines.includes(line)) importLines.push(line);
      if (n!.moved && !movedImports.some((s) => s.id === n!.moved!.id)) movedImports.push(n!.moved);
    }
  }
  if (!moved.length) return undefined;
  moved.sort((a, b) => a.startIndex - b.startIndex);
  // Among imports a plain statement makes every later import an E402 (flake8); an `if` does not.
  const amongImports = namedChildren(file.tree.rootNode).some((s) => s.startIndex >= target.startIndex && IMPORTS.has(s.type));
  const unit = detectIndentUnit(lines.lines);
  const block = [...importLines, ...moved.flatMap((statement) => {
    const written = (amongImports && guardedWrite(statement, lines, unit)) || statementLines(statement, lines);
    const correction = corrections.get(statement.id);
    return correction ? written.map((line) => line.split(correction.from).join(correction.to)) : written;
  })];
  const edits = [insertLinesBefore(target.startPosition.row, block, lines), ...deleteStatements([...movedImports, ...moved], lines)];
  const title = corrections.size ? `${MOVE_ENV_SETTINGS_TITLE} (\`${POLL_STRATEGY_VARIABLE}\` corrected to \`poll\`)` : MOVE_ENV_SETTINGS_TITLE;
  return { fix: { title, applicability: 'unsafe', edits }, moved };
}

/** The write's statement when it stands on its own lines at the module's top level after `target`. */
function movableStatement(write: Node, target: Node, lines: TextLines): Node | undefined {
  const statement = write.parent;
  if (statement?.type !== 'expression_statement' || statement.parent?.type !== 'module') return undefined;
  if (statement.startIndex <= target.startIndex || !ownsItsLines(statement, lines)) return undefined;
  return statement;
}

/** Names the statement reads (not attribute names, not keyword-argument names). */
function namesUsed(statement: Node): string[] {
  const names = new Set<string>();
  for (const identifier of statement.descendantsOfType('identifier')) {
    if (!identifier) continue;
    const parent = identifier.parent;
    if (parent?.type === 'attribute' && field(parent, 'attribute')?.id === identifier.id) continue;
    if (parent?.type === 'keyword_argument' && field(parent, 'name')?.id === identifier.id) continue;
    names.add(identifier.text);
  }
  return [...names];
}

const IMPORTS = new Set(['import_statement', 'import_from_statement']);

/**
 * The write as an `if` block with the same effect, for a place among imports:
 * `env["V"] = "x"` → `if env.get("V") != "x":` + the assignment; `env.setdefault("V", "x")` →
 * `if "V" not in env:` + `env["V"] = "x"`. Literal strings only (evaluated twice otherwise);
 * a trailing comment stays on the assignment.
 */
function guardedWrite(statement: Node, lines: TextLines, unit: string): string[] | undefined {
  if (statement.startPosition.row !== statement.endPosition.row) return undefined;
  const comment = lines.lines[statement.endPosition.row].slice(statement.endPosition.column).trim();
  const tail = comment ? `  ${comment}` : '';
  const inner = namedChildren(statement)[0];
  if (inner?.type === 'assignment') {
    const left = field(inner, 'left');
    const value = field(inner, 'right');
    const environ = left?.type === 'subscript' ? field(left, 'value') : undefined;
    const key = left?.type === 'subscript' ? field(left, 'subscript') : undefined;
    // A value read twice (in the test and the assignment) must read the same both times: a literal,
    // or names, attributes and literal subscripts (`sys.argv[1]`), never a call.
    if (!environ || key?.type !== 'string' || !value || !isPureRead(value)) return undefined;
    return [`if ${environ.text}.get(${key.text}) != ${value.text}:`, `${unit}${inner.text}${tail}`];
  }
  if (inner?.type === 'call') {
    const callee = field(inner, 'function');
    const args = namedChildren(field(inner, 'arguments') ?? inner);
    const method = callee?.type === 'attribute' ? field(callee, 'attribute')?.text : undefined;
    const pairs = method === 'update' && args.length === 1 && args[0].type === 'dictionary' ? namedChildren(args[0]) : [];
    if (pairs.length && pairs.every((p) => p.type === 'pair' && field(p, 'key')?.type === 'string' && field(p, 'value')?.type === 'string')) {
      const environ = field(callee!, 'object')!.text;
      return pairs.flatMap((p, i) => [`if ${environ}.get(${field(p, 'key')!.text}) != ${field(p, 'value')!.text}:`,
        `${unit}${environ}[${field(p, 'key')!.text}] = ${field(p, 'value')!.text}${i === 0 ? tail : ''}`]);
    }
    if (!callee || (method !== 'setdefault' && method !== 'putenv') || args.length !== 2 || args.some((a) => a.type !== 'string')) return undefined;
    // `os.putenv` skips os.environ; os.environ mirrors the process environment otherwise, so the test holds.
    if (method === 'putenv') return [`if ${field(callee, 'object')!.text}.environ.get(${args[0].text}) != ${args[1].text}:`, `${unit}${inner.text}${tail}`];
    const environ = field(callee, 'object')!.text;
    return [`if ${args[0].text} not in ${environ}:`, `${unit}${environ}[${args[0].text}] = ${args[1].text}${tail}`];
  }
  return undefined;
}
