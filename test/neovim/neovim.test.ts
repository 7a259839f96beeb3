// Neovim tier: Debian's headless Neovim attaches dist/server.js over stdio to a Python buffer
// (test/neovim/attach.lua); our diagnostics must arrive and code actions be offered.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { examplesDir, repoRoot, serverJs } from '../support/paths';

test('Neovim shows our diagnostics and offers our code actions', () => {
  const version = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
  assert.equal(version.error, undefined, 'Neovim is not installed: apt-get install -y neovim (.ci/run installs it)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-nvim-'));
  try {
    const file = path.join(dir, 'pool_worker_channel.py');
    fs.copyFileSync(path.join(examplesDir, 'pool_worker_channel.py'), file);
    const out = path.join(dir, 'result.json');
    const run = spawnSync('nvim', ['--headless', '--clean', '-u', path.join(repoRoot, 'test', 'neovim', 'attach.lua')], {
      env: { ...process.env, GF_SERVER: serverJs, GF_FILE: file, GF_OUT: out, XDG_STATE_HOME: dir, XDG_DATA_HOME: dir },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(run.status, 0, `nvim failed: ${run.stderr}`);
    const result = JSON.parse(fs.readFileSync(out, 'utf8'));
    assert.equal(result.attached, true);
    assert.deepEqual(result.diagnostics.map((d: { code: string; line: number; col: number }) => `${d.code}@${d.line}:${d.col}`), ['GF101@7:10', 'GF102@13:11']);
    assert.ok(result.diagnostics.every((d: { source: string }) => d.source === 'grpc-fork-guard'));
    assert.ok(result.actions.includes('Ignore GF101 for this line'), `actions: ${result.actions}`);
    assert.ok(result.actions.some((title: string) => title.startsWith('Create the channel in each worker')), `actions: ${result.actions}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
