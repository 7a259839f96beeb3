// Protocol tier: "Fix All in File" (the grpcForkGuard/fixAllInFile request) and the
// `source.fixAll.grpcForkGuard` code action over stdio, against the real bundled server. Both apply
// what `grpc-fork-guard fix` applies and report, like it, the findings removed and left per rule
// (counted by analysing the fixed text), naming the setting when what is left needs unsafe fixes.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CodeAction, PublishDiagnosticsParams, TextEdit } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { FIX_ALL_REPORT_COMMAND, FixAllReport, FixAllRequest } from '../../shared/protocol';
import { TestClient, startServer } from '../support/lspClient';

/** GF101 and GF102 whose only fixes are unsafe (the Pool's tasks use the parent's channel). */
const POOL = `import os
from concurrent import futures
from multiprocessing import Pool

import grpc

channel = grpc.insecure_channel(os.environ["TARGET"])
echo = channel.unary_unary("/gf.Echo/Echo")


def handle(item):
    return echo(item)


def serve():
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    server.add_insecure_port("127.0.0.1:0", options=[("grpc.max_receive_message_length", 1024)])
    return server


def main():
    echo(b"ping")
    with Pool(2) as pool:
        print(pool.map(handle, [b"a", b"b"]))


if __name__ == "__main__":
    main()
`;

/** The same with GF203's safe fix applied (what fix-all does without unsafe fixes). */
const POOL_AFTER_SAFE_FIXES = POOL.replace(
  `    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    server.add_insecure_port("127.0.0.1:0", options=[("grpc.max_receive_message_length", 1024)])`,
  `    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=2),
        options=[("grpc.max_receive_message_length", 1024)],
    )
    server.add_insecure_port("127.0.0.1:0")`,
);

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-fixall-'));
const unsafeDir = path.join(workspace, 'unsafe');
fs.mkdirSync(unsafeDir);
let client: TestClient;
const documents = new Map<string, TextDocument>();

async function open(name: string, text: string): Promise<string> {
  const uri = `file://${path.join(workspace, name)}`;
  fs.writeFileSync(path.join(workspace, name), text);
  documents.set(uri, TextDocument.create(uri, 'python', 1, text));
  const published = client.diagnostics(uri);
  client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
  await published;
  return uri;
}

/** Applies the edits as an editor would, and resolves with the diagnostics of the new version. */
async function apply(uri: string, edits: TextEdit[]): Promise<PublishDiagnosticsParams> {
  const current = documents.get(uri)!;
  const next = TextDocument.update(current, edits.map((e) => ({ range: e.range, text: e.newText })), current.version + 1);
  documents.set(uri, next);
  const published = client.diagnostics(uri, (p) => p.version === next.version);
  client.connection.sendNotification('textDocument/didChange', {
    textDocument: { uri, version: next.version },
    contentChanges: edits.map((e) => ({ range: e.range, text: e.newText })),
  });
  return published;
}

const fixAll = (uri: string) => client.connection.sendRequest(FixAllRequest.method, { textDocument: { uri } }) as Promise<FixAllReport | null>;

function sourceFixAll(uri: string): Promise<CodeAction[]> {
  return client.connection.sendRequest<CodeAction[]>('textDocument/codeAction', {
    textDocument: { uri },
    range: { start: { line: 0, character: 0 }, end: { line: documents.get(uri)!.lineCount, character: 0 } },
    context: { diagnostics: [], only: ['source.fixAll.grpcForkGuard'] },
  });
}

describe('Fix All in File: what is removed and what is left, per rule', () => {
  before(async () => {
    client = await startServer(workspace);
    // Files under unsafe/ are fixed with grpcForkGuard.unsafeFixes on.
    client.settingsFor = (scopeUri) => (scopeUri?.startsWith(`file://${unsafeDir}/`) ? { unsafeFixes: true } : {});
  });

  after(async () => {
    if (client.process.exitCode === null) await client.shutdown();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  test('the safe fix is applied; what is left has only unsafe fixes, and the message names the setting', async () => {
    const uri = await open('pool.py', POOL);
    const report = await fixAll(uri);
    assert.ok(report, 'the server answers for an open document');
    assert.equal(report.version, 1);
    assert.equal(report.message, 'Fixed 1 problem (GF203: 1); 2 left (GF101: 1, GF102: 1), with only unsafe fixes: turn on the grpcForkGuard.unsafeFixes setting to apply them.');
    assert.deepEqual(report.removed, { GF203: 1 });
    assert.deepEqual(report.left, { GF101: 1, GF102: 1 });
    assert.deepEqual(report.unsafeOnly, { GF101: 1, GF102: 1 });
    assert.equal(report.unsafeFixesSetting, 'grpcForkGuard.unsafeFixes');
    const published = await apply(uri, report.edits);
    assert.equal(documents.get(uri)!.getText(), POOL_AFTER_SAFE_FIXES);
    assert.deepEqual(published.diagnostics.map((d) => d.code).sort(), ['GF101', 'GF102'], 'what the report says is left is what the editor shows');

    const again = await fixAll(uri);
    assert.deepEqual(again?.edits, []);
    assert.equal(again?.message, 'Fixed 0 problems; 2 left (GF101: 1, GF102: 1), with only unsafe fixes: turn on the grpcForkGuard.unsafeFixes setting to apply them.');
    assert.deepEqual(await sourceFixAll(uri), [], 'no fix-on-save action when nothing applies');
  });

  test('with grpcForkGuard.unsafeFixes on, one fix that removes GF101 and its GF102 counts both, and nothing is left', async () => {
    const uri = await open('unsafe/pool.py', POOL);
    const report = await fixAll(uri);
    assert.ok(report);
    assert.equal(report.message, 'Fixed 3 problems (GF101: 1, GF102: 1, GF203: 1); 0 left.');
    assert.deepEqual(report.left, {});
    assert.equal(report.unsafeFixesSetting, undefined);
    const published = await apply(uri, report.edits);
    assert.deepEqual(published.diagnostics, []);
    assert.notEqual(documents.get(uri)!.getText(), POOL_AFTER_SAFE_FIXES);
  });

  test('source.fixAll carries the same edit, and its command (run after the edit, on save too) logs and returns the counts', async () => {
    const uri = await open('on_save.py', POOL);
    const expected = await fixAll(uri);
    const actions = await sourceFixAll(uri);
    assert.equal(actions.length, 1);
    const [action] = actions;
    assert.equal(action.kind, 'source.fixAll.grpcForkGuard');
    assert.deepEqual(action.edit?.changes?.[uri], expected?.edits);
    assert.equal(action.command?.command, FIX_ALL_REPORT_COMMAND);
    const capabilities = client.initializeResult as { capabilities: { executeCommandProvider: { commands: string[] } } };
    assert.ok(capabilities.capabilities.executeCommandProvider.commands.includes(FIX_ALL_REPORT_COMMAND), 'the server declares the command');
    await apply(uri, action.edit!.changes![uri]);
    const result = await client.connection.sendRequest<FixAllReport>('workspace/executeCommand', { command: action.command!.command, arguments: action.command!.arguments });
    assert.equal(result.message, expected?.message);
    assert.ok(client.logs.some((line) => line.includes(`Fix all of ${uri}: Fixed 1 problem (GF203: 1); 2 left`)), client.logs.join('\n'));
  });

  test('a clean file: nothing to apply, nothing left', async () => {
    const uri = await open('clean.py', 'print("no grpc here")\n');
    const report = await fixAll(uri);
    assert.deepEqual(report?.edits, []);
    assert.equal(report?.message, 'Fixed 0 problems; 0 left.');
  });

  test('a document that is not open gets null, not an error', async () => {
    assert.equal(await fixAll(`file://${path.join(workspace, 'never_opened.py')}`), null);
  });
});
