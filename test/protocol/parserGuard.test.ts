// Protocol tier: hostile documents against the real server. A document too deep to parse gets one
// information diagnostic (GF000) and never stops the next document's diagnostics; the size budget
// is a setting; hover Markdown carries no text from the file (and so no link or image from it).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DiagnosticSeverity, type PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { TestClient, startServer } from '../support/lspClient';

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-guard-protocol-'));
const BAD = 'import multiprocessing\nimport grpc\nch = grpc.insecure_channel("x")\nmultiprocessing.Process(target=print).start()\n';

function nestedIfs(levels: number): string {
  let text = 'import grpc\n';
  for (let i = 0; i < levels; i++) text += `${' '.repeat(i)}if x:\n`;
  return `${text}${' '.repeat(levels)}pass\n`;
}

let client: TestClient;
let version = 0;

function open(name: string, text: string): Promise<PublishDiagnosticsParams> {
  const uri = `file://${path.join(workspace, name)}`;
  const published = client.diagnostics(uri, undefined, 30_000);
  client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: ++version, text } });
  return published;
}

const codes = (params: PublishDiagnosticsParams) => params.diagnostics.map((d) => d.code);

describe('hostile documents in the language server', () => {
  before(async () => {
    client = await startServer(workspace);
  });

  after(async () => {
    if (client.process.exitCode === null) client.process.kill();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  test('a deep document gets one information diagnostic; the next document still gets its diagnostics', async () => {
    const deep = await open('deep.py', nestedIfs(520));
    assert.deepEqual(codes(deep), ['GF000']);
    assert.equal(deep.diagnostics[0].severity, DiagnosticSeverity.Information);
    assert.match(deep.diagnostics[0].message, /Not analysed: its blocks are nested more than 100 levels deep/);
    assert.match(deep.diagnostics[0].codeDescription!.href, /#parser-and-budgets$/);
    assert.deepEqual(codes(await open('bad.py', BAD)), ['GF101']);
    const parens = await open('parens.py', `import grpc\nx = ${'('.repeat(4000)}1${')'.repeat(4000)}\n`);
    assert.deepEqual(codes(parens), ['GF000']);
    assert.deepEqual(codes(await open('bad2.py', BAD)), ['GF101']);
  });

  test('positions in a lone-CR document are the editor\'s lines', async () => {
    const params = await open('cr.py', BAD.replace(/\n/g, '\r'));
    assert.deepEqual(params.diagnostics.map((d) => d.range.start), [{ line: 2, character: 5 }]);
  });

  test('a document above grpcForkGuard.maxFileSize gets a notice instead of a parse', async () => {
    client.settings = { maxFileSize: 0.001 };
    client.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    const params = await open('large.py', `${BAD}${'# padding\n'.repeat(200)}`);
    assert.deepEqual(codes(params), ['GF000']);
    assert.match(params.diagnostics[0].message, /larger than 1049 bytes/);
    client.settings = {};
    client.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
  });

  test('hover carries no text from the file: the message (which quotes it) is not repeated, no link, image or HTML from a crafted value', async () => {
    const value = '` [x](https://evil.example) ![i](https://evil.example/i.png) <img src=x> *b* `';
    const text = `import os\nos.environ["GRPC_POLL_STRATEGY"] = "${value}"\nimport grpc\n`;
    const params = await open('hover.py', text);
    const gf303 = params.diagnostics.find((d) => d.code === 'GF303');
    assert.ok(gf303, `GF303 reported: ${JSON.stringify(codes(params))}`);
    assert.ok(gf303.message.includes('evil.example'), 'the diagnostic quotes the value');
    const hover = await client.connection.sendRequest<{ contents: { value: string } } | null>('textDocument/hover', {
      textDocument: { uri: params.uri },
      position: gf303.range.start,
    });
    assert.ok(hover);
    assert.equal(hover.contents.value.split('\n\n')[0], '**GF303** poll-strategy-invalid');
    assert.doesNotMatch(hover.contents.value, /evil|<img/);
  });
});
