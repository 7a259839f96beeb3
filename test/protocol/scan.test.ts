// Protocol tier, the workspace scan through the real server: work-done progress with file counts,
// cancellation, diagnostics for unopened files, and watched-file changes and deletions.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import { TestClient, startServer } from '../support/lspClient';

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-scan-protocol-'));
const HAZARD = 'import os, grpc\nch = grpc.insecure_channel("x")\nos.fork()\n';
const FILLER = `${'def f(x):\n    return [i * x for i in range(10)]  # plain Python, nothing to report\n'.repeat(40)}`;
const CLEAN_FILES = 3000;

function write(relative: string, content: string): string {
  const file = path.join(workspace, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

for (let i = 0; i < CLEAN_FILES; i++) write(`pkg${Math.floor(i / 100)}/m${i}.py`, FILLER);
const hazardFile = write('app/jobs.py', HAZARD);
const laterHazard = write('app/later.py', 'print("clean for now")\n');
write('.gitignore', 'ignored/\n');
fs.mkdirSync(path.join(workspace, '.git'));
write('ignored/skip.py', HAZARD);
const TOTAL = CLEAN_FILES + 2;
const uri = (file: string) => `file://${file}`;

interface Progress {
  kind: string;
  message?: string;
  percentage?: number;
}

describe('workspace scan over the protocol', () => {
  let client: TestClient;
  const progress = new Map<string, Progress[]>();

  before(async () => {
    client = await startServer(workspace);
    client.connection.onNotification('$/progress', (params: { token: string; value: Progress }) => {
      const list = progress.get(params.token) ?? [];
      list.push(params.value);
      progress.set(params.token, list);
    });
  });

  after(async () => {
    if (client.process.exitCode === null) client.process.kill();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  test('reports work-done progress with file counts and publishes diagnostics for unopened files', async () => {
    const published = client.diagnostics(uri(hazardFile));
    const result = await client.connection.sendRequest<{ files: number; total: number; analysed: number; cancelled: boolean }>(
      'grpcForkGuard/scanWorkspace', { workDoneToken: 'scan-1' },
    );
    assert.equal(result.cancelled, false);
    assert.equal(result.files, TOTAL, 'every file except the .gitignored one is read');
    assert.ok(result.analysed < 10, `only files that can matter are parsed (${result.analysed})`);
    assert.deepEqual((await published).diagnostics.map((d) => d.code), ['GF101']);
    assert.equal(client.latest(uri(path.join(workspace, 'ignored/skip.py'))), undefined);
    const values = progress.get('scan-1') ?? [];
    assert.equal(values[0].kind, 'begin');
    assert.equal(values[0].message, `0/${TOTAL} files`);
    const reports = values.filter((v) => v.kind === 'report');
    assert.ok(reports.length >= 2, 'several reports while scanning');
    assert.match(reports[0].message ?? '', new RegExp(`^\\d+/${TOTAL} files$`));
    assert.equal(reports.at(-1)!.message, `${TOTAL}/${TOTAL} files`);
    assert.equal(values.at(-1)!.kind, 'end');
  });

  test('a file changed on disk is analysed again; a deleted one loses its diagnostics', async () => {
    fs.writeFileSync(laterHazard, HAZARD);
    const found = client.diagnostics(uri(laterHazard), (p) => p.diagnostics.length === 1);
    client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(laterHazard), type: 2 }] });
    assert.equal((await found).diagnostics[0].code, 'GF101');

    const created = write('app/created.py', HAZARD);
    const createdFound = client.diagnostics(uri(created), (p) => p.diagnostics.length === 1);
    client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(created), type: 1 }] });
    await createdFound;

    fs.rmSync(hazardFile);
    const cleared = client.diagnostics(uri(hazardFile), (p) => p.diagnostics.length === 0);
    client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(hazardFile), type: 3 }] });
    await cleared;
  });

  test('$/cancelRequest stops the scan early and the result says so', async () => {
    const source = new CancellationTokenSource();
    const token = 'scan-cancel';
    client.connection.onNotification('$/progress', (params: { token: string; value: Progress }) => {
      if (params.token === token && params.value.kind === 'report') source.cancel();
    });
    const result = await client.connection.sendRequest<{ files: number; total: number; cancelled: boolean }>(
      'grpcForkGuard/scanWorkspace', { workDoneToken: token }, source.token,
    ).catch((error: Error) => ({ error }));
    assert.ok(!('error' in result), `the request answers instead of failing: ${'error' in result ? result.error.message : ''}`);
    assert.equal(result.cancelled, true);
    assert.ok(result.files < result.total, `fewer files (${result.files}) than listed (${result.total})`);
  });
});
