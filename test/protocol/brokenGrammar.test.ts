// A server installed without its grammar says so once and keeps answering: no crash loop.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { startServer } from '../support/lspClient';
import { serverJs } from '../support/paths';

test('a server without its grammar reports one clear error and stays up', async () => {
  const install = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-nogrammar-'));
  fs.mkdirSync(path.join(install, 'dist'));
  fs.copyFileSync(serverJs, path.join(install, 'dist', 'server.js'));
  const client = await startServer(install, { serverPath: path.join(install, 'dist', 'server.js') });
  try {
    const uri = `file://${install}/a.py`;
    client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: 'import os\nos.fork()\n' } });
    const hover = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } });
    assert.equal(hover, null);
    assert.equal(client.messages.length, 1, `messages: ${client.messages}`);
    assert.match(client.messages[0], /^1: gRPC Fork Guard: The Python grammar could not be loaded: .*tree-sitter\.wasm is missing/);
    assert.equal(client.process.exitCode, null, 'the server is still running');
    assert.equal(await client.shutdown(), 0);
  } finally {
    if (client.process.exitCode === null) client.process.kill();
    fs.rmSync(install, { recursive: true, force: true });
  }
});
