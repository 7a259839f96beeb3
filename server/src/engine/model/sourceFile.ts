// A parsed Python file: its text, tree and the conversions between tree nodes and LSP ranges.
import type { Node, Tree } from 'web-tree-sitter';
import type { Range } from '../findings';

export interface SourceFile {
  /** Absolute path, or a URI-like label for unsaved documents. */
  path: string;
  text: string;
  tree: Tree;
}

// web-tree-sitter parses JavaScript strings as UTF-16, so its columns are already UTF-16 code
// units, which is what LSP positions use.
export function nodeRange(node: Node): Range {
  return {
    start: { line: node.startPosition.row, character: node.startPosition.column },
    end: { line: node.endPosition.row, character: node.endPosition.column },
  };
}

/** Source text of a node, shortened for messages: `Pool(...)` rather than the whole argument list. */
export function callLabel(node: Node): string {
  if (node.type === 'call') {
    const callee = node.childForFieldName('function');
    const args = node.childForFieldName('arguments');
    if (callee) return `${callee.text}(${args && args.namedChildCount > 0 ? '...' : ''})`;
  }
  const text = node.text.replace(/\s+/g, ' ');
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
