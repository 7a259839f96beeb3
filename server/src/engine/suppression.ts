// Suppression comments (SPEC §3): `# noqa`, `# noqa: GF101, GF102` on the line where a finding
// starts; `# grpc-fork-guard: disable-file` or `# grpc-fork-guard: disable=GF101,GF102` on a line
// of its own. Read from the tree's comment nodes, so text inside strings never counts.
import type { Node, Tree } from 'web-tree-sitter';
import type { Finding } from './findings';

export interface Suppressions {
  /** Codes disabled for the whole file; 'all' when the whole file is disabled. */
  file: Set<string>;
  /** Line (0-based) → codes, or 'all' for a bare `# noqa`. */
  lines: Map<number, Set<string>>;
  /** The `# noqa` comment node of each line, for fixes that extend it. */
  noqaComments: Map<number, Node>;
  /** The file directive comment (`disable=`), for fixes that extend it. */
  fileDirective?: Node;
}

// Comments are file content, so these patterns must run in linear time on any comment: no two
// neighbouring quantified parts may match the same character (a lazy `[...\s]+?` before `\s*$`
// once made a 50 KB directive take minutes). Trimming is done in code.
export const NOQA = /#\s*noqa(?::\s*([A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*))?/i;
const FILE_DIRECTIVE = /^#\s*grpc-fork-guard:\s*(disable-file\s*$|disable\s*=([A-Z0-9,\s]+)$)/i;

export function readSuppressions(tree: Tree, source: string): Suppressions {
  const result: Suppressions = { file: new Set(), lines: new Map(), noqaComments: new Map() };
  // Most files have no suppression at all: skip the walk over every comment node.
  if (!/noqa|grpc-fork-guard/i.test(source)) return result;
  for (const comment of tree.rootNode.descendantsOfType('comment')) {
    if (!comment) continue;
    const directive = FILE_DIRECTIVE.exec(comment.text);
    if (directive && comment.parent?.type === 'module') {
      if (directive[1].toLowerCase().startsWith('disable-file')) result.file.add('all');
      else {
        for (const code of splitCodes(directive[2])) result.file.add(code);
        result.fileDirective = comment;
      }
      continue;
    }
    const noqa = NOQA.exec(comment.text);
    if (noqa) {
      const line = comment.startPosition.row;
      result.lines.set(line, new Set(noqa[1] ? splitCodes(noqa[1]) : ['all']));
      result.noqaComments.set(line, comment);
    }
  }
  return result;
}

function splitCodes(list: string): string[] {
  return list.split(',').map((code) => code.trim().toUpperCase()).filter(Boolean);
}

export function isSuppressed(finding: Pick<Finding, 'code' | 'range'>, suppressions: Suppressions): boolean {
  if (suppressions.file.has('all') || suppressions.file.has(finding.code)) return true;
  const codes = suppressions.lines.get(finding.range.start.line);
  return codes !== undefined && (codes.has('all') || codes.has(finding.code));
}
