// `npm ci` on Node 20 prints no engine warning: no package of the lock refuses Node 20
// (scripts/checkEngines.mjs decides, with the semver npm itself uses).
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/paths';

const script = path.join(repoRoot, 'scripts', 'checkEngines.mjs');

function check(...args: string[]) {
  const result = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, out: result.stdout };
}

test('the check names a package whose engines refuse the version, and passes one that accepts it', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-engines-'));
  try {
    const lock = path.join(dir, 'package-lock.json');
    fs.writeFileSync(lock, JSON.stringify({ packages: { '': {}, 'node_modules/new-only': { version: '1.0.0', engines: { node: '>=22' } }, 'node_modules/old-ok': { version: '2.0.0', engines: { node: '>=16' } } } }));
    const refused = check('20.20.2', `--lock=${lock}`);
    assert.equal(refused.code, 1);
    assert.match(refused.out, /^new-only@1\.0\.0 needs node >=22/m);
    assert.doesNotMatch(refused.out, /old-ok/);
    assert.equal(check('22.1.0', `--lock=${lock}`).code, 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('package.json declares the Node the bundles target', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  assert.equal(manifest.engines.node, '>=20');
});

// @vscode/vsce 3.9.2, @vscode/test-electron 2.5.2 and an override holding @azure/identity at 4.13.1
// keep every locked package on Node 20 (docs/testing.md, "Node version"): `npm ci` prints no EBADENGINE.
test('every package of package-lock.json accepts Node 20.20', () => {
  const result = check('20.20.2');
  assert.equal(result.code, 0, result.out);
});
