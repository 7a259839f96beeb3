// Protocol tier: a language server started in `/` with no workspace folder finds each document's
// project from the document (SPEC §2), not from its working directory: the findings come, and
// they are those of the file's own project.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { TestClient, startServer } from '../support/lspClient';
import { fixturesDir } from '../support/paths';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-roots-lsp-'));
const workspace = path.join(scratch, 'project_roots');
fs.cpSync(path.join(fixturesDir, 'workspaces', 'project_roots'), workspace, { recursive: true });
let client: TestClient;

before(async () => {
  client = await startServer(undefined, { cwd: '/' });
});

after(async () => {
  if (client.process.exitCode === null) await client.shutdown().catch(() => client.process.kill());
  fs.rmSync(scratch, { recursive: true, force: true });
});

async function open(relative: string): Promise<string[]> {
  const file = path.join(workspace, relative);
  const uri = `file://${file}`;
  const published = client.diagnostics(uri, () => true, 30_000);
  client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: fs.readFileSync(file, 'utf8') } });
  return (await published).diagnostics.map((d) => `${d.range.start.line + 1}:${d.code}`);
}

test('a package module resolves its absolute self-import from the package root', async () => {
  assert.deepEqual(await open('pkgdir/pkg/main.py'), ['6:GF101']);
});

test('an app finds the gunicorn.conf.py beside it', async () => {
  assert.deepEqual(await open('back/app.py'), ['6:GF104']);
});

test('a module imported by a Celery tasks module of its project', async () => {
  assert.deepEqual(await open('worker/inventory/clients.py'), ['4:GF104']);
});
