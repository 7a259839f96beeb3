// The docs pages are generated from the rule modules; this keeps them from drifting apart.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { RULES } from '../../server/src/engine/rules/registry';
import { renderRuleDoc } from '../../server/src/engine/rules/ruleDocs';
import { repoRoot } from '../support/paths';

for (const rule of RULES) {
  test(`docs/rules/${rule.code}.md matches the rule module (run "npm run docs" after editing a rule)`, () => {
    const page = path.join(repoRoot, 'docs', 'rules', `${rule.code}.md`);
    assert.ok(fs.existsSync(page), `${page} is missing`);
    assert.equal(fs.readFileSync(page, 'utf8'), renderRuleDoc(rule));
  });
}

test('every rule has its documentation sections filled in', () => {
  for (const rule of RULES) {
    for (const key of ['summary', 'whatItDoes', 'whyIsThisBad', 'example', 'useInstead', 'fixes'] as const) {
      assert.ok(rule.docs[key].trim().length > 10, `${rule.code}.${key} is empty`);
    }
  }
});
