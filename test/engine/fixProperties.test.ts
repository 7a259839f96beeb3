// Properties every fix must have, over every fixture and example: it applies cleanly, the result
// parses with no new syntax errors, re-analysis no longer reports the finding it fixed, and
// "fix all" reaches a fixed point (a second run changes nothing).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import type { Tree } from 'web-tree-sitter';
import { Analyzer } from '../../server/src/engine/analyzer';
import { mergeConfig } from '../../server/src/engine/config';
import type { Finding } from '../../server/src/engine/findings';
import { applyEdits, fixText } from '../../server/src/engine/fixes/fixAll';
import { listPythonFiles } from '../../server/src/workspace/pythonFiles';
import { fixtureConfig } from '../support/fixtureExpectations';
import { examplesDir, fixturesDir, grammarDir, repoRoot } from '../support/paths';

let analyzer: Analyzer;
before(async () => {
  analyzer = await Analyzer.create(grammarDir);
});

function errorCount(tree: Tree): number {
  return tree.rootNode.descendantsOfType(['ERROR']).length + (tree.rootNode.hasError ? tree.rootNode.descendantsOfType('MISSING').length : 0);
}

function sourceOf(text: string, finding: Finding): string {
  const lines = text.split(/\r\n|\r|\n/);
  const { start, end } = finding.range;
  if (start.line === end.line) return lines[start.line].slice(start.character, end.character);
  return [lines[start.line].slice(start.character), ...lines.slice(start.line + 1, end.line), lines[end.line].slice(0, end.character)].join('\n');
}

const corpus = [
  ...listPythonFiles(examplesDir, []),
  ...(fs.existsSync(fixturesDir) ? listPythonFiles(fixturesDir, []).filter((f) => !f.includes(`${path.sep}workspaces${path.sep}`)) : []),
  ...(fs.existsSync(path.join(repoRoot, 'test', 'runtime', 'programs')) ? listPythonFiles(path.join(repoRoot, 'test', 'runtime', 'programs'), []) : []),
];

describe('fix properties', () => {
  for (const file of corpus) {
    test(path.relative(repoRoot, file), () => {
      const text = fs.readFileSync(file, 'utf8');
      const config = mergeConfig(fixtureConfig(text));
      const analyse = (t: string) => analyzer.analyze(file, t, config).findings;
      const baseErrors = errorCount(analyzer.parse(text));
      for (const finding of analyse(text)) {
        for (const fix of finding.fixes) {
          const fixed = applyEdits(text, fix.edits);
          const label = `${finding.code} at ${finding.range.start.line + 1}: "${fix.title}"`;
          assert.notEqual(fixed, text, `${label} changes nothing`);
          assert.ok(errorCount(analyzer.parse(fixed)) <= baseErrors, `${label} leaves a syntax error:\n${fixed}`);
          const again = analyse(fixed);
          if (fix.kind === 'ignoreFile') {
            assert.equal(again.filter((f) => f.code === finding.code).length, 0, `${label} leaves ${finding.code} findings`);
          } else if (fix.isSuppression) {
            assert.equal(again.filter((f) => f.code === finding.code).length, analyse(text).filter((f) => f.code === finding.code).length - 1, `${label} does not silence exactly one finding`);
          } else if (!fix.partial) {
            // A fix whose title says it is half of the job may leave its finding for the other half.
            const original = sourceOf(text, finding);
            assert.ok(!again.some((f) => f.code === finding.code && sourceOf(fixed, f) === original && f.message === finding.message), `${label} leaves the finding in place:\n${fixed}`);
          }
          // Applying the same fix to its own result must not apply again (idempotent).
          // (A suppression is per line: an identical statement on another line is another finding.)
          const sameLine = (f: Finding) => !fix.isSuppression || f.range.start.line === finding.range.start.line;
          const second = again.find((f) => f.code === finding.code && sameLine(f) && f.fixes.some((g) => g.kind === fix.kind && sourceOf(fixed, f) === sourceOf(text, finding)));
          assert.equal(second, undefined, `${label} is offered again after it was applied`);
        }
      }
      for (const unsafe of [false, true]) {
        const once = fixText(analyse, text, { unsafe });
        assert.ok(errorCount(analyzer.parse(once.text)) <= baseErrors, `fix-all (unsafe=${unsafe}) leaves a syntax error:\n${once.text}`);
        const twice = fixText(analyse, once.text, { unsafe });
        assert.equal(twice.text, once.text, `fix-all (unsafe=${unsafe}) is not idempotent: a second run applied ${twice.applied.join('; ')}`);
      }
    });
  }
});
