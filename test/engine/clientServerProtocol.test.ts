// The shared client/server protocol module against the extension manifest: every command the
// client registers is contributed in package.json and every contributed setting lives under the
// one settings section, so a renamed id cannot leave the two sides apart.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { ClientCommands, FIX_ALL_KIND, SETTINGS_SECTION } from '../../shared/protocol';
import { repoRoot } from '../support/paths';

const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));

test('the client commands of the protocol module are the commands package.json contributes', () => {
  const contributed = (manifest.contributes.commands as { command: string }[]).map((c) => c.command);
  assert.deepEqual([...contributed].sort(), Object.values(ClientCommands).sort());
});

test('every contributed setting is under the protocol settings section', () => {
  for (const key of Object.keys(manifest.contributes.configuration.properties)) {
    assert.ok(key.startsWith(`${SETTINGS_SECTION}.`), key);
  }
});

test('fix all is a source.fixAll kind', () => {
  assert.ok(FIX_ALL_KIND.startsWith('source.fixAll.'));
});
