// The registry is the one list of rules: package.json's settings, the generated docs and the
// relevance tests all follow it, so a rule added or removed in one place and not the others fails here.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { FOLLOWED_WORDS, REPORT_NEEDS } from '../../server/src/engine/relevance';
import { RULE_CODES, RULES } from '../../server/src/engine/rules/registry';
import { ruleSelectors } from '../../server/src/engine/settingsTable';
import { repoRoot } from '../support/paths';

const RULE_CODE = /^GF\d{3}$/;

/** Every `enum` under contributes.configuration that lists rule codes, by the setting it sits in. */
function ruleCodeEnums(): Map<string, unknown[]> {
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  const found = new Map<string, unknown[]>();
  const visit = (value: unknown, setting: string) => {
    if (Array.isArray(value)) value.forEach((item) => visit(item, setting));
    else if (value && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        if (key === 'enum' && Array.isArray(child) && child.some((c) => typeof c === 'string' && RULE_CODE.test(c))) found.set(setting, child);
        else visit(child, key.startsWith('grpcForkGuard.') ? key : setting);
      }
    }
  };
  visit(manifest.contributes.configuration, '');
  return found;
}

test('rule codes are unique and the registry lists them in code order', () => {
  assert.deepEqual([...RULE_CODES], [...new Set(RULE_CODES)].sort());
  for (const code of RULE_CODES) assert.match(code, RULE_CODE);
});

test("package.json's rule-code enums are exactly the registry's codes and their prefixes", () => {
  const enums = ruleCodeEnums();
  assert.deepEqual([...enums.keys()].sort(), ['grpcForkGuard.ignore', 'grpcForkGuard.select']);
  for (const [setting, values] of enums) {
    const codes = values.filter((value) => typeof value === 'string' && RULE_CODE.test(value));
    assert.deepEqual(codes, [...RULE_CODES], `${setting} lists other codes than the registry`);
    assert.deepEqual(values, ruleSelectors(), `${setting} lists other prefixes than the registry's codes give`);
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  const sections = [manifest.contributes.configuration].flat();
  const severity = sections.map((section) => section.properties?.['grpcForkGuard.severity']).find(Boolean);
  assert.deepEqual(Object.keys(severity.properties), [...RULE_CODES], 'grpcForkGuard.severity lists other codes than the registry');
});

test('docs/rules holds one page per registered rule and its index lists them all', () => {
  const dir = path.join(repoRoot, 'docs', 'rules');
  const pages = fs.readdirSync(dir).filter((name) => RULE_CODE.test(name.replace(/\.md$/, ''))).map((name) => name.replace(/\.md$/, ''));
  assert.deepEqual(pages.sort(), [...RULE_CODES]);
  const index = fs.readFileSync(path.join(dir, 'README.md'), 'utf8');
  const listed = [...index.matchAll(/^\| \[(GF\d{3})\]/gm)].map((match) => match[1]);
  assert.deepEqual(listed, [...RULE_CODES]);
});

test('every rule declares what it needs, and the relevance tests take the union', () => {
  for (const rule of RULES) {
    assert.ok(rule.triggers.reportNeeds.length > 0, `${rule.code} declares no report needs`);
    assert.ok(rule.triggers.follows.length > 0, `${rule.code} declares no followed words`);
    for (const need of rule.triggers.reportNeeds) assert.ok(REPORT_NEEDS.includes(need), `${rule.code}: ${need}`);
    for (const word of rule.triggers.follows) assert.ok(FOLLOWED_WORDS.includes(word), `${rule.code}: ${word}`);
  }
});
