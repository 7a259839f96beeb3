// A file that does not fully parse says so, as Ruff's syntax-error diagnostics do: one GF000 notice
// at the first place the parser could not read. The rest of the tree is still analysed (tree-sitter
// recovers around the error), so the notice says that findings may be missing there, not that the
// file was skipped. Only files where a rule could report get it (the same text-level test as the
// workspace scan's pre-filter, or a finding already reported): a syntax error elsewhere is not
// this tool's business (the editor's Python support already shows it).
import type { Node, Tree } from 'web-tree-sitter';
import { notAnalysed } from './budgets';
import type { Finding } from './findings';
import { catalogRoots, readTextVerdict } from './relevance';

export function syntaxErrorNotice(tree: Tree, text: string, channelFactories: readonly string[], reported: boolean): Finding | undefined {
  if (!tree.rootNode.hasError) return undefined;
  if (!reported && !readTextVerdict(Buffer.from(text), catalogRoots(channelFactories)).mayReport) return undefined;
  const at = firstUnreadable(tree.rootNode);
  if (!at) return undefined;
  const line = at.startPosition.row + 1;
  const what = at.isMissing ? `\`${at.type}\` is missing` : 'the code does not parse';
  const notice = notAnalysed(
    `Syntax error at line ${line}: ${what}; the rest of the file was checked, but findings that need this part may be missing.`,
  );
  // A MISSING node is zero-width: point at where it belongs. An ERROR node: at its first line.
  const start = { line: at.startPosition.row, character: at.startPosition.column };
  const end = at.endPosition.row === at.startPosition.row
    ? { line: at.endPosition.row, character: at.endPosition.column }
    : start;
  return { ...notice, range: { start, end } };
}

/** The first ERROR or MISSING node in source order, found by descending only into subtrees that hold one. */
function firstUnreadable(root: Node): Node | undefined {
  let node: Node | null = root;
  // Iterative: an error deep in a long file must not cost stack.
  outer: while (node) {
    for (const child of node.children) {
      if (!child) continue;
      if (child.isError || child.isMissing) return child;
      if (child.hasError) {
        node = child;
        continue outer;
      }
    }
    return node === root ? undefined : node;
  }
  return undefined;
}
