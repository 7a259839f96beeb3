// GF201 where the fork only starts a program: `pid = os.fork()`, a child branch that does nothing
// but `os.exec*(...)`, then `os.waitpid(pid, 0)` after it or in its `else:` (an RPC handler
// running a command while its server serves). `subprocess.run` does the same without a fork in
// Python: no fork handlers run and the child never holds the server's state (SPEC §1: subprocess
// is no hazard). The statements become one `subprocess.run([...])` with the same argv, program
// and environment.
import type { Node } from 'web-tree-sitter';
import type { Fix, TextEdit } from '../findings';
import { field, namedChildren } from '../model/syntax';
import type { ForkSite } from '../model/timeline';
import type { EditContext } from './editContext';

/** `os.exec*` variants: `l` takes argv as arguments, `v` as one sequence; `e` ends with the environment. */
const EXEC = /^exec(l|v)(p?)(e?)$/;

export function forkExecToSubprocessFix(edits: EditContext, fork: ForkSite): Fix | undefined {
  if (fork.product !== 'pid' || fork.site.path !== edits.file.path) return undefined;
  const forkStatement = edits.statementOf(fork.site.node);
  const assignment = namedChildren(forkStatement)[0];
  const pid = assignment?.type === 'assignment' ? field(assignment, 'left') : undefined;
  if (pid?.type !== 'identifier' || field(assignment!, 'right')?.id !== fork.site.node.id) return undefined;
  const branch = forkStatement.nextNamedSibling;
  if (branch?.type !== 'if_statement' || !isChildTest(field(branch, 'condition'), pid.text)) return undefined;
  if (namedChildren(branch).some((c) => c.type === 'elif_clause')) return undefined;
  // The parent waits after the `if`, or in its `else:` as the only statement there.
  const orElse = namedChildren(branch).find((c) => c.type === 'else_clause');
  const elseBody = orElse ? namedChildren(field(orElse, 'body') ?? orElse).filter((s) => s.type !== 'comment') : undefined;
  if (elseBody && elseBody.length !== 1) return undefined;
  const wait = elseBody ? elseBody[0] : branch.nextNamedSibling;
  if (!wait) return undefined;
  const body = namedChildren(field(branch, 'consequence') ?? branch).filter((s) => s.type !== 'comment');
  const exec = body[0] && osCall(body[0], EXEC);
  // After the exec only an exit may follow (it runs when the exec fails; subprocess raises instead).
  if (!exec || body.slice(1).some((s) => !osCall(s, /^_exit$/))) return undefined;
  const waited = osCall(wait, /^waitpid$/);
  const waitArgs = waited && namedChildren(field(waited.call, 'arguments')!);
  if (!waitArgs || waitArgs.length !== 2 || waitArgs[0].text !== pid.text || waitArgs[1].text !== '0') return undefined;
  // The pid must serve nothing else in the function (the parent goes on with no child to refer to).
  const scope = enclosingScope(forkStatement);
  const pidUses = scope.descendantsOfType('identifier').filter((id) => id?.text === pid.text);
  if (pidUses.length !== 3) return undefined;
  const run = runArguments(exec.name, exec.args);
  if (!run) return undefined;
  const subprocess = edits.ensureModuleImport('subprocess');
  const replace: TextEdit = {
    range: { start: { line: forkStatement.startPosition.row, character: forkStatement.startPosition.column }, end: { line: (orElse ? branch : wait).endPosition.row, character: (orElse ? branch : wait).endPosition.column } },
    newText: `${subprocess.name}.run(${run})`,
  };
  return {
    title: 'Run the command with `subprocess.run` (no `os.fork()` under the server)',
    kind: 'forkExecAsSubprocess',
    applicability: 'unsafe',
    edits: [...withoutUnusedOs(edits, [forkStatement, branch, wait], subprocess.edits), replace],
  };
}

/**
 * The import edits, and the `import os` line removed when the replaced statements were its only
 * users (flake8 F401 otherwise); an `import subprocess` that would go right below it takes its line.
 */
function withoutUnusedOs(edits: EditContext, replaced: Node[], importEdits: TextEdit[]): TextEdit[] {
  const root = edits.file.tree.rootNode;
  const imports = namedChildren(root).filter((s) => s.type === 'import_statement' && s.text === 'import os');
  if (imports.length !== 1) return importEdits;
  const inside = (id: Node) => replaced.some((s) => id.startIndex >= s.startIndex && id.endIndex <= s.endIndex) || id.parent?.type === 'dotted_name';
  if (root.descendantsOfType('identifier').some((id) => id !== null && id.text === 'os' && !inside(id))) return importEdits;
  const row = imports[0].startPosition.row;
  const removal: TextEdit = { range: { start: { line: row, character: 0 }, end: { line: row + 1, character: 0 } }, newText: '' };
  const merged = importEdits.length === 1 && importEdits[0].range.start.line === row + 1 && importEdits[0].range.start.character === 0;
  return merged ? [{ ...removal, newText: importEdits[0].newText }] : [...importEdits, removal];
}

/** `pid == 0`, `0 == pid`, `not pid`. */
function isChildTest(condition: Node | null | undefined, pid: string): boolean {
  if (!condition) return false;
  if (condition.type === 'not_operator') return field(condition, 'argument')?.text === pid;
  if (condition.type !== 'comparison_operator') return false;
  const [left, right] = namedChildren(condition);
  const operator = condition.children.find((c) => c && !c.isNamed)?.type;
  return operator === '==' && ((left?.text === pid && right?.text === '0') || (left?.text === '0' && right?.text === pid));
}

/** An expression statement `os.<name>(...)` whose name matches. */
function osCall(statement: Node, name: RegExp): { call: Node; name: string; args: Node[] } | undefined {
  const call = statement.type === 'expression_statement' ? namedChildren(statement)[0] : undefined;
  const callee = call?.type === 'call' ? field(call, 'function') : undefined;
  if (callee?.type !== 'attribute' || field(callee, 'object')?.text !== 'os') return undefined;
  const method = field(callee, 'attribute')?.text ?? '';
  const argumentList = field(call!, 'arguments');
  if (!name.test(method) || argumentList?.type !== 'argument_list') return undefined;
  const args = namedChildren(argumentList).filter((a) => a.type !== 'comment');
  if (args.some((a) => a.type === 'keyword_argument' || a.type === 'list_splat' || a.type === 'dictionary_splat')) return undefined;
  return { call: call!, name: method, args };
}

/** `subprocess.run`'s arguments for an exec call: argv, plus `executable=` when the program is not argv[0], plus `env=`. */
function runArguments(method: string, args: Node[]): string | undefined {
  const [, form, , withEnv] = EXEC.exec(method) ?? [];
  const env = withEnv ? args[args.length - 1] : undefined;
  const rest = withEnv ? args.slice(0, -1) : args;
  const program = rest[0];
  if (!program) return undefined;
  let argv: string;
  let first: string | undefined;
  if (form === 'l') {
    if (rest.length < 2) return undefined;
    argv = `[${rest.slice(1).map((a) => a.text).join(', ')}]`;
    first = rest[1].text;
  } else {
    if (rest.length !== 2) return undefined;
    argv = rest[1].text;
    // An argv held in a variable: its first item is unknown, so the program is always named.
    first = rest[1].type === 'list' || rest[1].type === 'tuple' ? namedChildren(rest[1])[0]?.text : undefined;
  }
  return [argv, ...(first === program.text ? [] : [`executable=${program.text}`]), ...(env ? [`env=${env.text}`] : [])].join(', ');
}

function enclosingScope(node: Node): Node {
  for (let n = node.parent; n; n = n.parent) if (n.type === 'function_definition' || n.type === 'module') return n;
  return node.tree.rootNode;
}
