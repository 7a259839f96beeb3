// CLI tier, the workspace scanner behind a directory argument and the CI output formats:
// .gitignore, the pre-filter's import closure, SARIF (validated against the SARIF 2.1.0 schema),
// GitHub annotations, --exit-zero and --statistics.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { cliJs, repoRoot } from '../support/paths';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-scan-'));
const HAZARD = 'import os, grpc\nch = grpc.insecure_channel("x")\nos.fork()\n';

function run(args: string[], cwd = scratch) {
  const result = spawnSync(process.execPath, [cliJs, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function write(relative: string, content: string): string {
  const file = path.join(scratch, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

function paths(stdout: string): string[] {
  return (JSON.parse(stdout) as { path: string }[]).map((f) => f.path).sort();
}

after(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('directory scan', () => {
  test('honours .gitignore (nested files and negation) inside a repository', () => {
    fs.mkdirSync(path.join(scratch, 'repo/.git'), { recursive: true });
    write('repo/.gitignore', 'build/\ngenerated_*.py\n!generated_keep.py\n');
    write('repo/app.py', HAZARD);
    write('repo/build/out.py', HAZARD);
    write('repo/generated_stub.py', HAZARD);
    write('repo/generated_keep.py', HAZARD);
    write('repo/sub/.gitignore', 'local.py\n');
    write('repo/sub/local.py', HAZARD);
    write('repo/sub/kept.py', HAZARD);
    const result = run(['check', 'repo', '--format', 'json']);
    assert.equal(result.code, 1, result.stderr);
    assert.deepEqual(paths(result.stdout), ['repo/app.py', 'repo/generated_keep.py', 'repo/sub/kept.py']);
  });

  test('a file that never mentions gRPC is analysed when it imports a module that makes a channel at import time', () => {
    write('closure/pkg/clients.py', 'import grpc\nchannel = grpc.insecure_channel("x")\n');
    write('closure/pkg/__init__.py', 'from . import clients\n');
    write('closure/direct.py', 'import os\nimport pkg.clients\nos.fork()\n');
    write('closure/through_package.py', 'import os\nimport pkg\nos.fork()\n');
    write('closure/unrelated.py', 'import os\nimport json\nos.fork()\n');
    const result = run(['check', 'closure', '--format', 'json']);
    assert.equal(result.code, 1, result.stderr);
    assert.deepEqual(paths(result.stdout), ['closure/direct.py', 'closure/through_package.py']);
  });

  test('the import closure follows imports into excluded, ignored and outside modules, packages and links', () => {
    fs.mkdirSync(path.join(scratch, 'reach/.git'), { recursive: true });
    write('reach/pyproject.toml', '[tool.grpc-fork-guard]\nexclude = ["vendor"]\n');
    write('reach/.gitignore', 'sub/gen/\n');
    const channel = 'import grpc\nCHANNEL = grpc.insecure_channel("x")\n';
    // Outside the scanned folder `sub`, in the project above it.
    write('reach/helpers.py', channel);
    write('reach/mid.py', 'import helpers\n');
    write('reach/sub/uses_outside.py', 'import os\nimport helpers\nos.fork()\n');
    write('reach/sub/uses_chain.py', 'import os\nimport mid\nos.fork()\n');
    // Ignored by .gitignore, excluded by the configuration.
    write('reach/sub/gen/__init__.py', '');
    write('reach/sub/gen/stubs.py', channel);
    write('reach/sub/uses_ignored.py', 'import os\nfrom gen import stubs\nos.fork()\n');
    write('reach/sub/vendor/lib/__init__.py', channel);
    write('reach/sub/uses_excluded.py', 'import os\nimport vendor.lib\nos.fork()\n');
    // A package whose __init__ imports the module, relatively; a link to a module outside.
    write('reach/sub/pkg/__init__.py', 'from . import chan\n');
    write('reach/sub/pkg/chan.py', channel);
    write('reach/sub/uses_pkg.py', 'import os, pkg\nos.fork()\n');
    fs.symlinkSync('../helpers.py', path.join(scratch, 'reach/sub/linked.py'));
    write('reach/sub/uses_link.py', 'import os\nimport linked\nos.fork()\n');
    write('reach/sub/plain.py', 'import os, json\nos.fork()\n');
    const cwd = path.join(scratch, 'reach');
    const expected = ['sub/uses_chain.py', 'sub/uses_excluded.py', 'sub/uses_ignored.py', 'sub/uses_link.py', 'sub/uses_outside.py', 'sub/uses_pkg.py'];
    const result = run(['check', 'sub', '--format', 'json'], cwd);
    assert.equal(result.code, 1, result.stderr);
    assert.deepEqual(paths(result.stdout), expected);
    // Folders inside folders and files also inside a folder: each file is checked once.
    const overlapping = run(['check', 'sub', 'sub/pkg', 'sub/uses_pkg.py', 'sub', '--format', 'json'], cwd);
    assert.deepEqual(paths(overlapping.stdout), expected);
    const text = run(['check', 'sub/pkg', 'sub/plain.py', '--format', 'text', '--exit-zero'], cwd);
    assert.match(text.stdout, /All checks passed!/);
  });

  test('gives the same findings as analysing every file one by one', () => {
    const examples = path.join(repoRoot, 'examples');
    const files = fs.readdirSync(examples).filter((f) => f.endsWith('.py')).map((f) => path.join(examples, f));
    const scanned = JSON.parse(run(['check', examples, '--format', 'json']).stdout);
    const oneByOne = files.flatMap((file) => JSON.parse(run(['check', file, '--format', 'json']).stdout));
    const key = (f: { path: string; code: string; range: { start: { line: number } } }) => `${path.basename(f.path)}:${f.code}:${f.range.start.line}`;
    assert.deepEqual(scanned.map(key).sort(), oneByOne.map(key).sort());
  });
});

describe('output formats and flags', () => {
  write('formats/jobs.py', HAZARD);
  write('formats/server.py', 'import grpc\nserver = grpc.server(None)\nserver.add_insecure_port("[::]:1", options=[("grpc.so_reuseport", 1)])\n');
  write('formats/clean.py', 'print("hello")\n');

  test('--format sarif is valid SARIF 2.1.0 with rules, help URIs and 1-based regions', () => {
    const result = run(['check', 'formats', '--format', 'sarif']);
    assert.equal(result.code, 1, result.stderr);
    const log = JSON.parse(result.stdout) as { version: string; runs: any[] };
    const schemaFile = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json', { paths: [repoRoot] });
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaFile, 'utf8')));
    assert.ok(validate(log), JSON.stringify(validate.errors, null, 2));
    const [run0] = log.runs;
    assert.equal(log.version, '2.1.0');
    assert.equal(run0.tool.driver.name, 'grpc-fork-guard');
    const gf101 = run0.tool.driver.rules.find((r: { id: string }) => r.id === 'GF101');
    assert.match(gf101.helpUri, /docs\/rules\/GF101\.md$/);
    const result101 = run0.results.find((r: { ruleId: string }) => r.ruleId === 'GF101');
    assert.equal(run0.tool.driver.rules[result101.ruleIndex].id, 'GF101');
    assert.equal(result101.level, 'warning');
    assert.deepEqual(result101.locations[0].physicalLocation.artifactLocation, { uri: 'formats/jobs.py', uriBaseId: '%SRCROOT%' });
    assert.equal(result101.locations[0].physicalLocation.region.startLine, 2);
    assert.equal(result101.locations[0].physicalLocation.region.startColumn, 6);
    assert.ok(run0.results.some((r: { ruleId: string; level: string }) => r.ruleId === 'GF203' && r.level === 'error'));
  });

  test('--format github prints one workflow command per finding', () => {
    const result = run(['check', 'formats', '--format', 'github']);
    assert.equal(result.code, 1, result.stderr);
    const lines = result.stdout.trim().split('\n');
    assert.ok(lines.includes('::warning file=formats/jobs.py,line=2,col=6,endLine=2,endColumn=32,title=GF101::GF101 gRPC channel `ch` is created before the fork at line 3 (`os.fork()`); the child inherits its threads and sockets.'), lines.join('\n'));
    assert.ok(lines.some((l) => /^::error file=formats\/server\.py,line=3,col=1,.*title=GF203::GF203 /.test(l)));
    assert.ok(lines.every((l) => l.startsWith('::')));
  });

  test('--exit-zero reports findings but exits 0', () => {
    const result = run(['check', 'formats', '--exit-zero']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /GF101/);
  });

  test('--statistics counts findings per rule, as text or JSON', () => {
    const text = run(['check', 'formats', '--statistics']);
    assert.equal(text.code, 1);
    assert.match(text.stdout, /^1\tGF101\tchannel-before-fork$/m);
    assert.match(text.stdout, /^1\tGF203\tport-options-misplaced$/m);
    const json = JSON.parse(run(['check', 'formats', '--statistics', '--format', 'json']).stdout);
    assert.deepEqual(json.map((c: { code: string; count: number }) => `${c.code}:${c.count}`).sort(), ['GF101:1', 'GF203:1']);
    assert.equal(run(['check', 'formats', '--statistics', '--format', 'sarif']).code, 2);
  });
});
