// pre-commit: Debian's `pre-commit` installs the hook of .pre-commit-hooks.yaml from a release
// commit of this repository (the tracked tree plus the built bundles, as docs/releasing.md
// describes) with system Node and npm's cache only, then runs it on a project's files.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { repoRoot } from '../support/paths';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-precommit-'));
const hookRepo = path.join(scratch, 'hook-repo');
const project = path.join(scratch, 'project');
// Offline: nodeenv links the system Node, npm may only use its cache.
const env = {
  ...process.env,
  PRE_COMMIT_HOME: path.join(scratch, 'pre-commit-home'),
  npm_config_offline: 'true',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  GIT_AUTHOR_NAME: 'test', GIT_AUTHOR_EMAIL: 'test@example.invalid',
  GIT_COMMITTER_NAME: 'test', GIT_COMMITTER_EMAIL: 'test@example.invalid',
};
const RELEASE_FILES = ['dist/cli.js', 'dist/scanWorker.js', 'dist/analysisWorker.js', 'dist/server.js', 'dist/client.js', 'grammars/tree-sitter.wasm', 'grammars/tree-sitter-python.wasm'];

// The first hook run installs the hook's npm environment (every package of the lock, from the cache).
function run(command: string, args: string[], cwd: string, timeout = 480_000) {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw new Error(`${command} ${args.join(' ')}: ${result.error.message}`);
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

function git(args: string[], cwd: string) {
  const result = run('git', args, cwd, 60_000);
  assert.equal(result.code, 0, `git ${args.join(' ')}: ${result.output}`);
  return result.output;
}

before(() => {
  // Not a skip: CI installs it (.ci/run), and a missing install must not pass silently.
  assert.equal(spawnSync('pre-commit', ['--version'], { timeout: 30_000 }).status, 0, 'pre-commit is not installed (apt-get install -y pre-commit)');
  for (const file of RELEASE_FILES) assert.ok(fs.existsSync(path.join(repoRoot, file)), `${file} is missing: run npm run build`);
  // The working tree's tracked (and new, not ignored) files, as they are now, plus the bundles.
  const listed = git(['ls-files', '-z', '--cached', '--others', '--exclude-standard'], repoRoot).split('\0');
  for (const file of [...listed, ...RELEASE_FILES]) {
    const from = path.join(repoRoot, file);
    if (!file || file === 'node_modules' || !fs.existsSync(from) || !fs.statSync(from).isFile()) continue;
    fs.mkdirSync(path.dirname(path.join(hookRepo, file)), { recursive: true });
    fs.copyFileSync(from, path.join(hookRepo, file));
  }
  git(['init', '-q'], hookRepo);
  git(['add', '-A', '-f', '.'], hookRepo);
  git(['commit', '-q', '-m', 'release'], hookRepo);

  fs.mkdirSync(project);
  git(['init', '-q'], project);
  fs.writeFileSync(path.join(project, 'jobs.py'), 'import os\nimport grpc\n\nchannel = grpc.insecure_channel("localhost:50051")\nos.fork()\n');
  fs.writeFileSync(path.join(project, 'clean.py'), 'import grpc\n\ndef main():\n    return grpc.insecure_channel("x")\n');
  fs.writeFileSync(path.join(project, 'notes.txt'), 'grpc.insecure_channel before os.fork()\n');
  git(['add', '.'], project);
});

after(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('pre-commit hook grpc-fork-guard', () => {
  test('ships as a node hook for Python files and notebooks', () => {
    const hooks = fs.readFileSync(path.join(repoRoot, '.pre-commit-hooks.yaml'), 'utf8');
    assert.match(hooks, /^- id: grpc-fork-guard$/m);
    assert.match(hooks, /^ {2}language: node$/m);
    assert.match(hooks, /^ {2}types_or: \[python, jupyter\]$/m);
    assert.match(hooks, /^ {2}entry: grpc-fork-guard check$/m);
  });

  test('try-repo: a finding fails the hook and names the rule', () => {
    const result = run('pre-commit', ['try-repo', hookRepo, 'grpc-fork-guard', '--files', 'jobs.py'], project);
    assert.equal(result.code, 1, result.output);
    assert.match(result.output, /gRPC Fork Guard\.+Failed/);
    assert.match(result.output, /jobs\.py:4:11: GF101 /);
  });

  // try-repo installs the hook into a fresh store each time: two runs, the install once each.
  test('try-repo: a clean file passes', () => {
    const clean = run('pre-commit', ['try-repo', hookRepo, 'grpc-fork-guard', '--files', 'clean.py'], project);
    assert.equal(clean.code, 0, clean.output);
    assert.match(clean.output, /gRPC Fork Guard\.+Passed/);
  });

  test('installed as the git hook, it refuses a commit with a finding and lets the others through', () => {
    const rev = git(['rev-parse', 'HEAD'], hookRepo).trim();
    fs.writeFileSync(path.join(project, '.pre-commit-config.yaml'), `repos:\n  - repo: ${hookRepo}\n    rev: ${rev}\n    hooks:\n      - id: grpc-fork-guard\n`);
    git(['add', '.pre-commit-config.yaml'], project);
    const install = run('pre-commit', ['install'], project);
    assert.equal(install.code, 0, install.output);
    const refused = run('git', ['commit', '-m', 'add jobs'], project);
    assert.notEqual(refused.code, 0, refused.output);
    assert.match(refused.output, /jobs\.py:4:11: GF101 /);
    assert.notEqual(run('git', ['rev-parse', '--verify', '-q', 'HEAD'], project).code, 0, 'the commit was made');
    git(['rm', '-q', '--cached', 'jobs.py', 'clean.py'], project);
    const textOnly = run('git', ['commit', '-m', 'notes'], project);
    assert.equal(textOnly.code, 0, textOnly.output);
    assert.match(textOnly.output, /gRPC Fork Guard\.+\(no files to check\)Skipped/);
    git(['add', 'clean.py'], project);
    const accepted = run('git', ['commit', '-m', 'add clean'], project);
    assert.equal(accepted.code, 0, accepted.output);
    assert.match(accepted.output, /gRPC Fork Guard\.+Passed/);
  });
});
