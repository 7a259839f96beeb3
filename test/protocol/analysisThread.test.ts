// The analysis runs off the server's thread: while a long analysis of one document runs, the
// server still answers hover and code actions on another. Proved by the order of the answers
// (no timing): each answer arrives before the long analysis's diagnostics.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CodeAction, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { TestClient, startServer, until } from '../support/lspClient';

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-analysis-thread-'));
const smallFile = path.join(workspace, 'small.py');
const smallUri = `file://${smallFile}`;
const smallText = [
  'import multiprocessing as mp',
  'import grpc',
  'channel = grpc.insecure_channel("localhost:50051")',
  'def work(x):',
  '    return x',
  'with mp.Pool(2) as pool:',
  '    pool.map(work, [1, 2])',
  '',
].join('\n');
fs.writeFileSync(smallFile, smallText);

/** A long file (about a second or more to analyse from scratch on any machine). */
function longText(lines: number): string {
  const out = ['import multiprocessing as mp', 'import grpc', 'channel = grpc.insecure_channel("localhost:50051")', ''];
  for (let i = 0; out.length < lines; i++) {
    out.push(`def handler_${i}(request, context):`, `    total = sum(x * ${i} for x in request.items)`, `    return {"total": total, "name": "h${i}"}`, '');
  }
  out.push('def main():', '    with mp.Pool(4) as pool:', '        pool.map(handler_0, [])', '', 'main()', '');
  return out.join('\n');
}

let client: TestClient;

describe('analysis thread', () => {
  before(async () => {
    client = await startServer(workspace, { initializationOptions: { logLevel: 'debug' } });
    client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: smallUri, languageId: 'python', version: 1, text: smallText } });
    const published = await client.diagnostics(smallUri, (p) => p.diagnostics.some((d) => d.code === 'GF101'), 20_000);
    assert.ok(published.diagnostics.length > 0);
  });

  after(async () => {
    await client.shutdown();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  for (const [name, lines] of [['hover', 40_000], ['codeAction', 40_001]] as const) {
    test(`${name} on one document is answered while another document's long analysis runs`, async () => {
      const longFile = path.join(workspace, `long_${name}.py`);
      const longUri = `file://${longFile}`;
      const text = longText(lines);
      fs.writeFileSync(longFile, text);
      const order: string[] = [];
      const longDiagnostics = client.diagnostics(longUri, () => true, 120_000).then((p: PublishDiagnosticsParams) => {
        order.push('long diagnostics');
        return p;
      });
      const started = `Analysing ${longUri} (version 1) in the analysis thread`;
      client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: longUri, languageId: 'python', version: 1, text } });
      await until(() => client.logs.some((line) => line.includes(started)), 'the long analysis starting');
      const channelLine = { start: { line: 2, character: 10 }, end: { line: 2, character: 10 } };
      const answer = name === 'hover'
        ? client.connection.sendRequest<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri: smallUri }, position: channelLine.start })
          .then((hover) => hover?.contents.value ?? '')
        : client.connection.sendRequest<CodeAction[]>('textDocument/codeAction', {
          textDocument: { uri: smallUri }, range: channelLine, context: { diagnostics: client.latest(smallUri)!.diagnostics },
        }).then((actions) => actions.map((a) => a.title).join('\n'));
      const answered = await answer;
      order.push(name);
      await longDiagnostics;
      assert.match(answered, /GF101/);
      assert.deepEqual(order, [name, 'long diagnostics'], 'the answer waited for the other document\'s analysis');
    });
  }

  test('a newer version overtakes an older one: the last diagnostics are of the last version', async () => {
    const file = path.join(workspace, 'typed.py');
    const uri = `file://${file}`;
    fs.writeFileSync(file, smallText);
    client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: smallText } });
    // Ten keystrokes at once: the line with the channel is commented out, then the comment removed, and so on.
    for (let version = 2; version <= 11; version++) {
      const at = { line: 2, character: 0 };
      const change = version % 2 === 0 ? { range: { start: at, end: at }, text: '# ' } : { range: { start: at, end: { line: 2, character: 2 } }, text: '' };
      client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [change] });
    }
    const last = await client.diagnostics(uri, (p) => p.version === 11, 20_000);
    assert.ok(last.diagnostics.some((d) => d.code === 'GF101'), 'version 11 has the channel back');
    // Nothing older may arrive after the newest: wait for one more round trip through the server.
    await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } });
    assert.equal(client.latest(uri)?.version, 11);
  });
});
