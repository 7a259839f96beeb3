// "Ignore GFxxx for this line" and "... for this file": edits that add or extend the comments
// suppression.ts reads.
import type { Fix, RuleCode, TextEdit } from '../findings';
import { nodeRange } from '../model/sourceFile';
import { NOQA, Suppressions } from '../suppression';
import type { EditContext } from './editContext';

export function ignoreForLine({ lines }: EditContext, code: RuleCode, line: number, suppressions: Suppressions): Fix {
  const existing = suppressions.noqaComments.get(line);
  let edit: TextEdit;
  if (existing) {
    const match = NOQA.exec(existing.text)!;
    const codes = match[1] ? `${match[1]}, ${code}` : code;
    const newText = existing.text.replace(NOQA, `# noqa: ${codes}`);
    edit = { range: nodeRange(existing), newText };
  } else {
    const end = lines.lineContentEnd(line);
    edit = { range: { start: { line, character: end }, end: { line, character: lines.lineLength(line) } }, newText: `  # noqa: ${code}` };
  }
  return { title: `Ignore ${code} for this line`, kind: 'ignoreLine', applicability: 'safe', edits: [edit], isSuppression: true };
}

export function ignoreForFile({ lines }: EditContext, code: RuleCode, suppressions: Suppressions): Fix {
  const directive = suppressions.fileDirective;
  let edit: TextEdit;
  if (directive) {
    edit = { range: nodeRange(directive), newText: `${directive.text.trimEnd()},${code}` };
  } else {
    const line = lines.headerEnd();
    edit = { range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: `# grpc-fork-guard: disable=${code}${lines.eol}` };
  }
  return { title: `Ignore ${code} for this file`, kind: 'ignoreFile', applicability: 'safe', edits: [edit], isSuppression: true };
}
