// GF202's fix: make `grpc.so_reuseport` 1 in the options of a `grpc.server(...)` call, editing
// whatever form the options take (none, a literal, a name, a 0 to turn into 1).
import type { Node } from 'web-tree-sitter';
import type { Fix, TextEdit } from '../findings';
import { optionsLiteral, reuseportSetting } from '../model/serverOptions';
import { field } from '../model/syntax';
import { appendItem, replaceNode, starred } from './sequenceEdits';

export const ADD_REUSEPORT_TITLE = 'Add grpc.so_reuseport=1 to grpc.server options';
const PAIR = '("grpc.so_reuseport", 1)';

export function addReuseportFix(serverCall: Node, optionsNode: Node | undefined, lineText: (line: number) => string): Fix | undefined {
  const edit = reuseportEdit(serverCall, optionsNode, lineText);
  return edit ? { title: ADD_REUSEPORT_TITLE, applicability: 'safe', edits: [edit] } : undefined;
}

function reuseportEdit(serverCall: Node, optionsNode: Node | undefined, lineText: (line: number) => string): TextEdit | undefined {
  const { setting, entry } = reuseportSetting(optionsNode);
  if (setting === 'zero' && entry?.value) return replaceNode(entry.value, '1');
  if (setting !== 'unset') return undefined;
  if (!optionsNode) {
    const args = field(serverCall, 'arguments');
    return args?.type === 'argument_list' ? appendItem(args, `options=[${PAIR}]`, lineText) : undefined;
  }
  if (optionsNode.type === 'none') return replaceNode(optionsNode, `[${PAIR}]`);
  const literal = optionsLiteral(optionsNode);
  // A literal written in the call grows in place; a shared name is wrapped, not edited.
  if (literal && !literal.viaName) return appendItem(literal.node, PAIR, lineText);
  return replaceNode(optionsNode, `[${starred(optionsNode)}, ${PAIR}]`);
}
