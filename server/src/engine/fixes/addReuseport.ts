// GF202's fix: make `grpc.so_reuseport` 1 in the options of a `grpc.server(...)` call, editing
// whatever form the options take (none, a literal, a name, a 0 to turn into 1). A constant that
// other calls use too is left as it is: the call site gets options of its own built from it.
import type { Node } from 'web-tree-sitter';
import type { Fix, TextEdit } from '../findings';
import { optionsLiteral, reuseportSetting } from '../model/serverOptions';
import { field } from '../model/syntax';
import type { EditContext } from './editContext';
import { mentionedElsewhere } from './pythonEdits';
import { appendItem, replaceNode, starred } from './sequenceEdits';

export const ADD_REUSEPORT_TITLE = 'Add grpc.so_reuseport=1 to grpc.server options';
const KEY = '"grpc.so_reuseport"';
const PAIR = `(${KEY}, 1)`;

export function addReuseportFix(edits: EditContext, serverCall: Node, optionsNode: Node | undefined): Fix | undefined {
  const edit = reuseportEdit(edits, serverCall, optionsNode);
  return edit ? { title: ADD_REUSEPORT_TITLE, kind: 'addReuseport', applicability: 'safe', edits: [edit] } : undefined;
}

function reuseportEdit(edits: EditContext, serverCall: Node, optionsNode: Node | undefined): TextEdit | undefined {
  const { setting, entry } = reuseportSetting(optionsNode);
  if (setting === 'zero' && entry?.value) {
    if (!optionsNode || !sharedName(edits, optionsNode)) return replaceNode(entry.value, '1');
    // gRPC reads the first of two equal keys in some versions and the last in others: the 0 goes.
    return replaceNode(optionsNode, `[*(opt for opt in ${optionsNode.text} if opt[0] != ${KEY}), ${PAIR}]`);
  }
  if (setting !== 'unset') return undefined;
  if (!optionsNode) {
    const args = field(serverCall, 'arguments');
    return args?.type === 'argument_list' ? appendItem(args, `options=[${PAIR}]`, edits) : undefined;
  }
  if (optionsNode.type === 'none') return replaceNode(optionsNode, `[${PAIR}]`);
  const literal = optionsLiteral(optionsNode);
  // A literal written in the call grows in place; a shared name is wrapped, not edited.
  if (literal && !literal.viaName) return appendItem(literal.node, PAIR, edits);
  return replaceNode(optionsNode, `[${starred(optionsNode)}, ${PAIR}]`);
}

/** A name whose value other statements of the file use too (another server, a channel). */
function sharedName(edits: EditContext, optionsNode: Node): boolean {
  if (optionsNode.type !== 'identifier') return false;
  const literal = optionsLiteral(optionsNode);
  const definition = literal?.node.parent;
  return !definition || mentionedElsewhere(edits.file.tree.rootNode, optionsNode.text, [definition, optionsNode]);
}
