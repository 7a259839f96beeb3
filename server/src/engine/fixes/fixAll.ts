// "Fix all": the preferred fix of every finding, safe ones only unless unsafe fixes are allowed,
// skipping fixes whose edits overlap one already taken. Suppressions are never applied.
import type { Finding, Fix, Position, TextEdit } from '../findings';

export interface FixAllOptions {
  unsafe: boolean;
}

export function chosenFix(finding: Finding, options: FixAllOptions): Fix | undefined {
  return finding.fixes.find((fix) => !fix.isSuppression && !fix.otherFiles && (fix.applicability === 'safe' || options.unsafe));
}

/** The edits of one "fix all" pass over a document's current findings (fix-on-save). */
export function fixAllEdits(findings: Finding[], options: FixAllOptions): TextEdit[] {
  return selectFixes(findings, options).edits;
}

/** One fix per finding, skipping any whose edits overlap a fix already taken. */
function selectFixes(findings: Finding[], options: FixAllOptions): { edits: TextEdit[]; titles: string[] } {
  const edits: TextEdit[] = [];
  const titles: string[] = [];
  const hazards = new Set<string>();
  for (const finding of findings) {
    const fix = chosenFix(finding, options);
    if (!fix || (fix.hazard && hazards.has(fix.hazard))) continue;
    if (fix.edits.some((edit) => edits.some((other) => overlaps(edit, other)))) continue;
    if (fix.hazard) hazards.add(fix.hazard);
    edits.push(...fix.edits);
    titles.push(`${finding.code}: ${fix.title}`);
  }
  return { edits, titles };
}

function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

function overlaps(a: TextEdit, b: TextEdit): boolean {
  // Two insertions at one point conflict too: their order would be ambiguous.
  return !before(a.range.end, b.range.start) && !before(b.range.end, a.range.start);
}

/** Applies non-overlapping edits to a text (positions in UTF-16 units, as LSP). */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\n') lineStarts.push(i + 1);
    else if (text[i] === '\r' && text[i + 1] !== '\n') lineStarts.push(i + 1);
  }
  const offset = (p: Position) => Math.min((lineStarts[p.line] ?? text.length) + p.character, text.length);
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let result = text;
  for (const edit of sorted) {
    result = result.slice(0, offset(edit.range.start)) + edit.newText + result.slice(offset(edit.range.end));
  }
  return result;
}

export interface FixTextResult {
  text: string;
  /** Titles of the fixes applied, in order. */
  applied: string[];
}

/**
 * Applies fixes until nothing more applies (each pass re-analyses, since one fix can change what
 * another should do), at most `maxPasses` times. `analyse` is the engine bound to a file.
 */
export function fixText(analyse: (text: string) => Finding[], text: string, options: FixAllOptions, maxPasses = 5): FixTextResult {
  const applied: string[] = [];
  let current = text;
  for (let pass = 0; pass < maxPasses; pass++) {
    const { edits: taken, titles } = selectFixes(analyse(current), options);
    if (taken.length === 0) break;
    const next = applyEdits(current, taken);
    if (next === current) break;
    current = next;
    applied.push(...titles);
  }
  return { text: current, applied };
}
