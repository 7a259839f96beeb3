// Engine tier: the counts a fix run reports (engine/fixes/fixCounts.ts, shared by the CLI's `fix`
// and the editor's "Fix All in File"): per rule, removed by comparing analyses, and the sentence
// that says which of the findings left need unsafe fixes.
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Applicability, Finding, FindingCode } from '../../server/src/engine/findings';
import { countFixes, describeFixCounts } from '../../server/src/engine/fixes/fixCounts';

const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };
function finding(code: FindingCode, ...fixes: (Applicability | 'suppression')[]): Finding {
  return {
    code, severity: 'warning', message: code, range, related: [],
    fixes: fixes.map((kind) => ({
      title: kind, kind: kind === 'suppression' ? 'ignoreLine' : 'closeBeforeFork', applicability: kind === 'suppression' ? 'safe' : kind, edits: [], isSuppression: kind === 'suppression',
    })),
  };
}
const WORDS = { fixed: 'Fixed', left: 'left', allowUnsafe: 'allow them' };

describe('fix counts', () => {
  test('removed per rule by comparing the analyses; left per rule; unsafe-only ones among them', () => {
    const before = [finding('GF101', 'unsafe'), finding('GF102', 'unsafe'), finding('GF203', 'safe'), finding('GF104', 'suppression')];
    const after = [finding('GF101', 'unsafe', 'suppression'), finding('GF104', 'suppression')];
    const counts = countFixes(before, after, false);
    assert.deepEqual([...counts.removed], [['GF102', 1], ['GF203', 1]]);
    assert.deepEqual([...counts.left], [['GF101', 1], ['GF104', 1]]);
    assert.deepEqual([...counts.unsafeOnly], [['GF101', 1]], 'a finding with only a suppression needs no unsafe fix');
    assert.equal(describeFixCounts(counts, WORDS), 'Fixed 2 problems (GF102: 1, GF203: 1); 2 left (GF101: 1, GF104: 1); 1 of them has only unsafe fixes (GF101: 1): allow them.');
  });

  test('every finding left needs unsafe fixes; none when unsafe fixes were allowed', () => {
    const left = [finding('GF102', 'unsafe'), finding('GF101', 'unsafe'), finding('GF101', 'unsafe')];
    assert.equal(describeFixCounts(countFixes(left, left, false), WORDS), 'Fixed 0 problems; 3 left (GF101: 2, GF102: 1), with only unsafe fixes: allow them.');
    assert.equal(describeFixCounts(countFixes(left, left, true), WORDS), 'Fixed 0 problems; 3 left (GF101: 2, GF102: 1).');
  });

  test('a finding the fixes added is counted as left, never as a negative removal', () => {
    const counts = countFixes([finding('GF203', 'safe')], [finding('GF202', 'safe')], false);
    assert.deepEqual([...counts.removed], [['GF203', 1]]);
    assert.equal(describeFixCounts(counts, WORDS), 'Fixed 1 problem (GF203: 1); 1 left (GF202: 1).');
  });
});
