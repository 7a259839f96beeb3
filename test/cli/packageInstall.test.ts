// The npm package: `npm pack` ships the bundles, the grammar and the rule pages (not the sources
// or tests), and `npm install -g` of the tarball into a fresh prefix, offline, gives a working
// `grpc-fork-guard` (the bundles need no runtime dependency).
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { repoRoot } from '../support/paths';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-package-'));
const prefix = path.join(scratch, 'prefix');
const env = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
let packed: { filename: string; files: { path: string }[] };

function npm(args: string[], cwd: string) {
  const result = spawnSync('npm', args, { cwd, env, encoding: 'utf8', timeout: 180_000, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw new Error(`npm ${args.join(' ')}: ${result.error.message}`);
  assert.equal(result.status, 0, `npm ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

before(() => {
  assert.ok(fs.existsSync(path.join(repoRoot, 'dist', 'cli.js')), 'dist/cli.js is missing: run npm run build');
  [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', scratch], repoRoot));
  npm(['install', '--global', '--prefix', prefix, '--offline', '--no-package-lock', path.join(scratch, packed.filename)], scratch);
});

after(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('npm package', () => {
  test('ships the bundles, the grammar, README, LICENSE and the rule pages only', () => {
    const files = packed.files.map((f) => f.path).sort();
    for (const needed of ['bin/grpc-fork-guard.cjs', 'dist/cli.js', 'dist/scanWorker.js', 'dist/analysisWorker.js', 'dist/server.js', 'grammars/tree-sitter.wasm', 'grammars/tree-sitter-python.wasm', 'README.md', 'LICENSE', 'package.json', 'docs/rules/GF101.md', 'probe/sitecustomize.py', 'probe/grpc_fork_guard_probe/objects.py']) {
      assert.ok(files.includes(needed), `${needed} is not in the package`);
    }
    const unexpected = files.filter((f) => !/^(bin\/grpc-fork-guard\.cjs|dist\/[a-zA-Z]+\.js|grammars\/[-a-z]+\.wasm|grammars\/README\.md|docs\/rules\/[A-Z0-9]+\.md|probe\/(grpc_fork_guard_probe\/)?[_a-z]+\.py|README\.md|LICENSE|package\.json)$/.test(f));
    assert.deepEqual(unexpected, []);
  });

  test('has no runtime dependencies to fetch', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    assert.deepEqual(manifest.dependencies ?? {}, {});
  });

  test('the installed grpc-fork-guard checks a file', () => {
    const bin = path.join(prefix, 'bin', 'grpc-fork-guard');
    const project = path.join(scratch, 'project');
    fs.mkdirSync(project, { recursive: true });
    fs.writeFileSync(path.join(project, 'jobs.py'), 'import os\nimport grpc\n\nchannel = grpc.insecure_channel("localhost:50051")\nos.fork()\n');
    const result = spawnSync(bin, ['check', 'jobs.py'], { cwd: project, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(result.error, undefined);
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stdout, /^jobs\.py:4:11: GF101 /m);
    const version = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(version.stdout.trim(), JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version);
  });

  test('the installed grpc-fork-guard runs a program with its probe', () => {
    const bin = path.join(prefix, 'bin', 'grpc-fork-guard');
    const project = path.join(scratch, 'probed');
    fs.mkdirSync(project, { recursive: true });
    // No grpc needed: the probe reports that the program never imported it, and the exit code passes through.
    fs.writeFileSync(path.join(project, 'hello.py'), 'import sys\nprint("hello")\nsys.exit(3)\n');
    const result = spawnSync(bin, ['run', '--', '/usr/bin/python3', 'hello.py'], { cwd: project, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(result.status, 3, result.stderr);
    assert.match(result.stdout, /^hello$/m);
    assert.match(result.stderr, /never imported grpc/);
  });

  test('installed from a commit without a build, the command says what is missing', () => {
    // The package as a source commit packs it: the manifest and the launcher, no dist/.
    const source = path.join(scratch, 'source');
    fs.mkdirSync(path.join(source, 'bin'), { recursive: true });
    for (const file of ['package.json', 'README.md', 'LICENSE', 'bin/grpc-fork-guard.cjs']) fs.copyFileSync(path.join(repoRoot, file), path.join(source, file));
    const [unbuilt] = JSON.parse(npm(['pack', '--json', '--pack-destination', scratch], source));
    const unbuiltPrefix = path.join(scratch, 'unbuilt-prefix');
    npm(['install', '--global', '--prefix', unbuiltPrefix, '--offline', '--no-package-lock', path.join(scratch, unbuilt.filename)], scratch);
    const result = spawnSync(path.join(unbuiltPrefix, 'bin', 'grpc-fork-guard'), ['check', '.'], { cwd: scratch, encoding: 'utf8', timeout: 60_000 });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^grpc-fork-guard: error: this install has no built CLI \(dist\/cli\.js is missing\)/);
  });
});
