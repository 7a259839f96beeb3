// Typing inside a function nothing walks carries the findings over (engine/carryOver.ts) through
// the real server: the keystroke's diagnostics are the previous ones, a full analysis confirms them
// once typing stops, and a quick fix asked for afterwards comes from a full analysis of the text.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CodeAction, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { TestClient, startServer, until } from '../support/lspClient';

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-carried-'));
const file = path.join(workspace, 'typed.py');
const uri = `file://${file}`;
const text = [
  'import os',
  'import grpc',
  '',
  'def describe(x):',
  '    return "value " + str(x)',
  '',
  'channel = grpc.insecure_channel("localhost:50051")',
  'channel.unary_unary("/svc/Ping")',
  'pid = os.fork()',
  '',
].join('\n');
fs.writeFileSync(file, text);

let client: TestClient;
const codesAt = (p: PublishDiagnosticsParams) => p.diagnostics.map((d) => `${d.code}@${d.range.start.line}:${d.range.start.character}`).sort();
const analysedLines = (version: number) => client.logs.filter((line) => line.includes(`Analysed ${uri} (version ${version})`));

describe('findings carried over an edit', () => {
  let first: PublishDiagnosticsParams;

  before(async () => {
    client = await startServer(workspace, { initializationOptions: { logLevel: 'debug' } });
    const published = client.diagnostics(uri, (p) => p.version === 1, 20_000);
    client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
    first = await published;
    assert.ok(first.diagnostics.some((d) => d.code === 'GF101'), 'the program has a GF101 to carry');
  });

  after(async () => {
    await client.shutdown();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  test('a keystroke in a string of a quiet function is carried over, then confirmed by a full analysis', async () => {
    const at = { line: 4, character: 17 };
    const published = client.diagnostics(uri, (p) => p.version === 2, 20_000);
    client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ range: { start: at, end: at }, text: 'd' }] });
    assert.deepEqual(codesAt(await published), codesAt(first));
    assert.match(analysedLines(2)[0] ?? '', /carried over from the previous version/);
    // Once typing stops, a full analysis of version 2 confirms what was carried (and finds the same: nothing new is sent).
    await until(() => analysedLines(2).length === 2, 'the confirming analysis');
    assert.doesNotMatch(analysedLines(2)[1], /carried over/);
    await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } });
    assert.equal(client.latest(uri)?.version, 2);
  });

  test('a new line in the quiet function moves the findings below it; the quick fix edits the moved lines', async () => {
    const end = { line: 4, character: 29 };
    const published = client.diagnostics(uri, (p) => p.version === 3, 20_000);
    client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 3 }, contentChanges: [{ range: { start: end, end }, text: '\n    y = 2' }] });
    const moved = await published;
    assert.deepEqual(codesAt(moved), codesAt(first).map((key) => key.replace(/@(\d+):/, (_, line) => `@${Number(line) + 1}:`)));
    const gf101 = moved.diagnostics.find((d) => d.code === 'GF101')!;
    assert.equal(gf101.range.start.line, 7);
    const actions = await client.connection.sendRequest<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri }, range: gf101.range, context: { diagnostics: [gf101] },
    });
    const fix = actions.find((a) => a.kind === 'quickfix' && a.edit?.changes?.[uri]?.length);
    assert.ok(fix, 'no quick fix for GF101');
    // Every edit of the fix lies outside the function that was typed in (lines 3 to 5 now).
    for (const edit of fix.edit!.changes![uri]) assert.ok(edit.range.start.line > 5 || edit.range.end.line < 3, `an edit at line ${edit.range.start.line}`);
  });
});
