// "Start the server in each child" (GF201): moves the server's creation, its set-up calls and
// its start into the one function the children run, so each child builds its own server after
// the fork. Offered when the parent does not touch the server after the fork and the target is a
// top-level function whose body can take the statements.
import type { Node } from 'web-tree-sitter';
import type { Fix } from '../findings';
import { field, identifiersNamed } from '../model/syntax';
import type { ForkSite, GrpcObject, Site } from '../model/timeline';
import { bindingSource, channelBinding } from './channelBinding';
import { PythonEdits, freeNames } from './pythonEdits';

export function serverInChildFix(edits: PythonEdits, object: GrpcObject, fork: ForkSite, anchor: Site): Fix | undefined {
  const binding = channelBinding(edits, object, fork, anchor, true);
  if (!binding || fork.entryFunctions.length === 0 || fork.opaqueEntry) return undefined;
  const targets = new Set(fork.entryFunctions.map((def) => def.id));
  if (targets.size !== 1) return undefined;
  const target = fork.entryFunctions[0];
  if (target.tree !== edits.file.tree || target.parent?.type !== 'module') return undefined;
  // The parent must not use the server after the moved statements: it will no longer exist there.
  const moved = [binding.statement, ...binding.derived];
  const last = moved[moved.length - 1];
  const outside = [...binding.names].flatMap((name) => identifiersNamed(edits.file.tree.rootNode, edits.file.text, name)).filter((id) =>
    !within(id, target) && !moved.some((s) => within(id, s)) && id.parent?.type !== 'keyword_argument');
  if (outside.length > 0) return undefined;
  const available = edits.moduleNames();
  const reads = moved.flatMap((s) => [...freeNames(s)]);
  if (reads.some((name) => !available.has(name) && !binding.names.has(name))) return undefined;
  const insert = edits.insertAtBodyStart(target, bindingSource(edits, binding));
  if (!insert) return undefined;
  return {
    title: `Start the server in each child (inside \`${field(target, 'name')?.text}\`)`,
    applicability: 'unsafe',
    edits: [...edits.deleteStatementRuns(moved), insert],
  };
}

function within(node: Node, container: Node): boolean {
  return node.startIndex >= container.startIndex && node.endIndex <= container.endIndex;
}
