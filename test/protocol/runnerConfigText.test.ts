// Protocol tier: GF104's gunicorn `post_fork` fix edits gunicorn.conf.py too. When that file is open
// with unsaved changes, the fix is made against the editor's text of it (not the disk's), so the
// edit lands where it should in the buffer VS Code applies it to; and it follows later edits.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CodeAction, Diagnostic, TextEdit } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { TestClient, startServer } from '../support/lspClient';

const APP = `"""A WSGI app that gunicorn loads in its master (preload_app = True)."""
import os

import grpc

channel = grpc.insecure_channel(os.environ["GF_TARGET"])
echo = channel.unary_unary("/gf.Echo/Echo")


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [echo(b"ping", timeout=3)]
`;
const CONFIG_ON_DISK = 'workers = 2\npreload_app = True\nwsgi_app = "app:application"\n';
/** The editor's text of the configuration: lines added and not saved. */
const CONFIG_UNSAVED = `# Production settings\nbind = "0.0.0.0:8000"\ntimeout = 30\n${CONFIG_ON_DISK}accesslog = "-"\n`;
const POST_FORK = '\n\ndef post_fork(server, worker):\n    from app import init_echo\n    init_echo()\n';

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-runner-config-'));
const appUri = `file://${path.join(workspace, 'app.py')}`;
const configUri = `file://${path.join(workspace, 'gunicorn.conf.py')}`;
fs.writeFileSync(path.join(workspace, 'app.py'), APP);
fs.writeFileSync(path.join(workspace, 'gunicorn.conf.py'), CONFIG_ON_DISK);
let client: TestClient;

/** The post_fork fix's edits to gunicorn.conf.py, as the code action for GF104 carries them. */
async function postForkEdits(): Promise<TextEdit[]> {
  const diagnostics = client.latest(appUri)?.diagnostics ?? [];
  const gf104 = diagnostics.find((d: Diagnostic) => d.code === 'GF104');
  assert.ok(gf104, `GF104 is not reported: ${JSON.stringify(diagnostics.map((d) => d.code))}`);
  const actions = await client.connection.sendRequest<CodeAction[]>('textDocument/codeAction', {
    textDocument: { uri: appUri }, range: gf104.range, context: { diagnostics: [gf104], only: ['quickfix'] },
  });
  const hook = actions.find((a) => a.title.includes('gunicorn `post_fork`'));
  assert.ok(hook, `titles: ${actions.map((a) => a.title).join(' | ')}`);
  const edits = hook.edit?.changes?.[configUri];
  assert.ok(edits, `the hook fix edits gunicorn.conf.py: ${JSON.stringify(Object.keys(hook.edit?.changes ?? {}))}`);
  return edits;
}

const applied = (text: string, edits: TextEdit[]) =>
  TextDocument.applyEdits(TextDocument.create(configUri, 'python', 1, text), edits);

describe('a runner configuration open with unsaved changes', () => {
  before(async () => {
    client = await startServer(workspace);
    const published = client.diagnostics(appUri, (p) => p.diagnostics.some((d) => d.code === 'GF104'));
    client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: appUri, languageId: 'python', version: 1, text: APP } });
    await published;
  });

  after(async () => {
    if (client.process.exitCode === null) await client.shutdown();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  test('closed: the hook is added at the end of the file on disk', async () => {
    assert.equal(applied(CONFIG_ON_DISK, await postForkEdits()), CONFIG_ON_DISK + POST_FORK);
  });

  test('open with unsaved lines: the hook is added at the end of the editor\'s text', async () => {
    const reanalysed = client.diagnostics(appUri, (p) => p.version === 1 && p.diagnostics.some((d) => d.code === 'GF104'));
    client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: configUri, languageId: 'python', version: 1, text: CONFIG_UNSAVED } });
    await reanalysed;
    assert.equal(applied(CONFIG_UNSAVED, await postForkEdits()), CONFIG_UNSAVED + POST_FORK);
  });

  test('an edit to the open configuration moves the hook with it', async () => {
    const more = 'keepalive = 5\n';
    const end = CONFIG_UNSAVED.split('\n').length - 1;
    const reanalysed = client.diagnostics(appUri, (p) => p.diagnostics.some((d) => d.code === 'GF104'));
    client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: configUri, version: 2 },
      contentChanges: [{ range: { start: { line: end, character: 0 }, end: { line: end, character: 0 } }, text: more }],
    });
    await reanalysed;
    assert.equal(applied(CONFIG_UNSAVED + more, await postForkEdits()), CONFIG_UNSAVED + more + POST_FORK);
  });
});
