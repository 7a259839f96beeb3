// "Move the environment settings above `import grpc`" (GF301): moves the top-level statements that
// write GRPC_ENABLE_FORK_SUPPORT / GRPC_POLL_STRATEGY too late to just before the first statement
// that loads grpc, together with the `os` import they need when that comes later. One fix moves all
// of the file's late settings at once, so it is the same fix on every GF301 finding it covers.
import type { Node } from 'web-tree-sitter';
import type { Fix } from '../findings';
import { EnvWrite, FORK_SUPPORT_VARIABLE, POLL_STRATEGY_VARIABLE, TooLate, enablesForkSupport, writesInvalidPollStrategy } from '../model/grpcEnvironment';
import { field } from '../model/syntax';
import type { Timeline } from '../model/timeline';
import type { EditContext } from './editContext';
import { bringBindingBefore, deleteStatements, grpcStartStatement, noqaFollowingImports, ownsItsLines, statementLines } from './envPlacement';
import { PollCorrection, importedBefore, pollCorrection } from './lateSettingValues';
import type { TextLines } from './textLines';

export const MOVE_ENV_SETTINGS_TITLE = 'Move the environment settings above `import grpc`';

/** What the move takes where: a finding whose write is not among `moved` gets no move. */
export interface EnvSettingsMove {
  /** The first statement that loads grpc: the settings go just before it. */
  target: Node;
  /** The statements that write the settings, in text order. */
  moved: Node[];
  /** Import lines the moved statements need before `target`, and the later imports they come from. */
  importLines: string[];
  movedImports: Node[];
  /** Invalid poll strategies that move only with their value corrected, by statement id. */
  corrections: Map<number, PollCorrection>;
}

export function envSettingsMove(context: EditContext, timeline: Timeline, late: TooLate[]): EnvSettingsMove | undefined {
  const file = context.file;
  const lines = context.lines;
  const target = grpcStartStatement(file, timeline);
  if (!target) return undefined;
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
    if (needed.some((n) => n === undefined)) {
      corrections.delete(statement.id);
      continue;
    }
    moved.push(statement);
    for (const n of needed) {
      for (const line of n!.importLines) if (!importLines.includes(line)) importLines.push(line);
      if (n!.moved && !movedImports.some((s) => s.id === n!.moved!.id)) movedImports.push(n!.moved);
    }
  }
  if (!moved.length) return undefined;
  moved.sort((a, b) => a.startIndex - b.startIndex);
  return { target, moved, importLines, movedImports, corrections };
}

/**
 * The statements as they are (comments included) before `target`, an invalid poll strategy
 * corrected; the imports after them get `# noqa: E402` where the project's linter wants it.
 */
export function moveEnvSettingsFix(context: EditContext, move: EnvSettingsMove): Fix {
  const { target, moved, importLines, movedImports, corrections } = move;
  const block = [...importLines, ...moved.flatMap((statement) => {
    const written = statementLines(statement, context.lines);
    const correction = corrections.get(statement.id);
    return correction ? written.map((line) => line.split(correction.from).join(correction.to)) : written;
  })];
  const removed = [...movedImports, ...moved];
  const edits = [
    context.insertLinesBefore(target.startPosition.row, block),
    ...deleteStatements(removed, context.lines),
    ...noqaFollowingImports(context, target, removed),
  ];
  const title = corrections.size ? `${MOVE_ENV_SETTINGS_TITLE} (\`${POLL_STRATEGY_VARIABLE}\` corrected to \`poll\`)` : MOVE_ENV_SETTINGS_TITLE;
  return { title, kind: 'moveEnvSettings', applicability: 'unsafe', edits };
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
