// "Set GRPC_POLL_STRATEGY to poll" (GF302, GF303): rewrites the value a write stores, or, when fork
// support is enabled and no strategy is set, adds `<environ>.setdefault("GRPC_POLL_STRATEGY", "poll")`
// on the line after the fork-support write, in the same scope and with the same indentation.
import type { Node } from 'web-tree-sitter';
import type { Applicability, Fix } from '../findings';
import { EnvWrite, POLL_STRATEGY_VARIABLE, writtenValueNode } from '../model/grpcEnvironment';
import { nodeRange } from '../model/sourceFile';
import { field, namedChildren } from '../model/syntax';
import type { EditContext } from './editContext';
import { ownsItsLines } from './envPlacement';
import { mentionedElsewhere } from './pythonEdits';

export const SET_POLL_STRATEGY_TITLE = 'Set GRPC_POLL_STRATEGY to poll';

/**
 * Replaces the stored value by `"poll"`, keeping the quote style of a string literal. A value read
 * from a constant (`os.environ[...] = STRATEGY`) is changed where the constant is defined when
 * nothing else uses it (else the constant would be left dead), otherwise replaced by the literal.
 */
export function rewritePollStrategyFix(context: EditContext, write: EnvWrite, applicability: Applicability): Fix | undefined {
  const written = writtenValueNode(write);
  if (!written) return undefined;
  const value = (written.type === 'identifier' && onlyUseOfConstant(context, written)) || written;
  const literal = /^([rRuU]?)("""|'''|"|')/.exec(value.type === 'string' ? value.text : '');
  const newText = literal ? `${literal[1]}${literal[2]}poll${literal[2]}` : '"poll"';
  return { title: SET_POLL_STRATEGY_TITLE, kind: 'setPollStrategy', applicability, edits: [{ range: nodeRange(value), newText }] };
}

/** The string a constant is defined with, when `name` is its only use and it is assigned once, at the top level. */
function onlyUseOfConstant(context: EditContext, name: Node): Node | undefined {
  const root = context.file.tree.rootNode;
  const definitions = namedChildren(root)
    .map((statement) => (statement.type === 'expression_statement' ? namedChildren(statement)[0] : undefined))
    .filter((a): a is Node => a?.type === 'assignment' && field(a, 'left')?.type === 'identifier' && field(a, 'left')?.text === name.text);
  const value = definitions.length === 1 ? field(definitions[0], 'right') : undefined;
  if (value?.type !== 'string' || value.text.includes('{')) return undefined;
  if (mentionedElsewhere(root, name.text, [field(definitions[0], 'left')!, name])) return undefined;
  return value;
}

/** Adds the strategy after the statement that enables fork support. */
export function insertPollStrategyFix(context: EditContext, forkSupportWrite: EnvWrite, applicability: Applicability): Fix | undefined {
  const lines = context.lines;
  const statement = forkSupportWrite.site.node.parent;
  if (statement?.type !== 'expression_statement' || !ownsItsLines(statement, lines)) return undefined;
  const environ = environExpression(forkSupportWrite);
  if (!environ) return undefined;
  const quote = keyQuote(forkSupportWrite.site.node);
  const row = statement.endPosition.row;
  const call = `${environ}.setdefault(${quote}${POLL_STRATEGY_VARIABLE}${quote}, ${quote}poll${quote})`;
  const edit = {
    range: { start: { line: row, character: lines.lineLength(row) }, end: { line: row, character: lines.lineLength(row) } },
    newText: `${lines.eol}${lines.indentOf(statement.startPosition.row)}${call}`,
  };
  return { title: SET_POLL_STRATEGY_TITLE, kind: 'setPollStrategy', applicability, edits: [edit] };
}

/** The expression the write reaches `os.environ` through: `os.environ`, `environ`, `_os.environ`. */
function environExpression(write: EnvWrite): string | undefined {
  const node = write.site.node;
  if (write.how === 'item assignment') return field(field(node, 'left') ?? node, 'value')?.text;
  const callee = field(node, 'function');
  if (callee?.type !== 'attribute') return undefined;
  const owner = field(callee, 'object')?.text;
  return write.how === 'os.putenv' ? (owner ? `${owner}.environ` : undefined) : owner;
}

/** The quote character of the first string in the write, so the new line matches its style. */
function keyQuote(node: Node): string {
  const first = node.descendantsOfType('string')[0];
  const quote = first ? /["']/.exec(first.text)?.[0] : undefined;
  return quote ?? '"';
}
