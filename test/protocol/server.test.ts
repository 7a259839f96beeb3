// Protocol tier: the real bundled server over stdio, as any LSP client would use it.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CodeAction, Diagnostic, PublishDiagnosticsParams, TextEdit } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { TestClient, startServer } from '../support/lspClient';
import { URI } from 'vscode-uri';
import { examplesDir, repoRoot } from '../support/paths';

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-protocol-'));
const poolFile = path.join(workspace, 'pool_worker_channel.py');
const poolUri = `file://${poolFile}`;
const poolText = fs.readFileSync(path.join(examplesDir, 'pool_worker_channel.py'), 'utf8');
fs.writeFileSync(poolFile, poolText);
fs.writeFileSync(path.join(workspace, 'unopened_server.py'), fs.readFileSync(path.join(examplesDir, 'server_before_fork.py')));
fs.writeFileSync(path.join(workspace, 'clean.py'), 'print("no grpc here")\n');

let client: TestClient;
let document = TextDocument.create(poolUri, 'python', 1, poolText);

function codesAt(params: PublishDiagnosticsParams): string[] {
  return params.diagnostics.map((d) => `${d.code}@${d.range.start.line}:${d.range.start.character}`).sort();
}

async function change(edits: TextEdit[]): Promise<void> {
  const version = document.version + 1;
  document = TextDocument.update(document, edits.map((e) => ({ range: e.range, text: e.newText })), version);
  client.connection.sendNotification('textDocument/didChange', {
    textDocument: { uri: poolUri, version },
    contentChanges: edits.map((e) => ({ range: e.range, text: e.newText })),
  });
}

const fromVersion = (version: number) => (p: PublishDiagnosticsParams) => (p.version ?? 0) >= version;

describe('language server over stdio', () => {
  before(async () => {
    client = await startServer(workspace);
  });

  after(async () => {
    if (client.process.exitCode === null) client.process.kill();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  let firstDiagnostics: Diagnostic[] = [];

  test('publishes diagnostics with codes, ranges, documentation links and related locations on open', async () => {
    const published = client.diagnostics(poolUri);
    client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: poolUri, languageId: 'python', version: 1, text: poolText } });
    const params = await published;
    assert.deepEqual(codesAt(params), ['GF101@7:10', 'GF102@13:11']);
    const gf101 = params.diagnostics.find((d) => d.code === 'GF101')!;
    assert.equal(gf101.source, 'grpc-fork-guard');
    assert.deepEqual(gf101.range, { start: { line: 7, character: 10 }, end: { line: 7, character: 39 } });
    assert.match(gf101.codeDescription!.href, /docs\/rules\/GF101\.md$/);
    assert.equal(gf101.relatedInformation?.[0].location.range.start.line, 18, 'related information points at the Pool(...) fork site');
    assert.match(gf101.message, /`channel`.*line 19.*mp\.Pool/);
    firstDiagnostics = params.diagnostics;
  });

  test('incremental edits move the diagnostics and remove them when the hazard goes', async () => {
    let published = client.diagnostics(poolUri, fromVersion(2));
    await change([{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: '# header\n\n' }]);
    assert.deepEqual(codesAt(await published), ['GF101@9:10', 'GF102@15:11']);

    // Replace the channel creation itself: both findings disappear.
    published = client.diagnostics(poolUri, fromVersion(3));
    const line = document.getText().split('\n').findIndex((l) => l.startsWith('channel = '));
    await change([{ range: { start: { line, character: 10 }, end: { line, character: 40 } }, newText: 'None' }]);
    assert.deepEqual(codesAt(await published), []);

    // Undo the edit by typing the call back one keystroke group at a time.
    published = client.diagnostics(poolUri, (p) => (p.version ?? 0) >= 5);
    await change([{ range: { start: { line, character: 10 }, end: { line, character: 14 } }, newText: 'grpc.insecure_' }]);
    await change([{ range: { start: { line, character: 24 }, end: { line, character: 24 } }, newText: 'channel(TARGET)' }]);
    assert.deepEqual(codesAt(await published), ['GF101@9:10', 'GF102@15:11']);
  });

  test('offers quick fixes for a diagnostic, and the "ignore for this line" fix silences it', async () => {
    const published = client.latest(poolUri)!;
    assert.equal(published.version, 5);
    const diagnostic = published.diagnostics.find((d) => d.code === 'GF101')!;
    const actions = await client.connection.sendRequest<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: poolUri },
      range: diagnostic.range,
      context: { diagnostics: [diagnostic], only: ['quickfix'] },
    });
    const titles = actions.map((a) => a.title);
    assert.ok(titles.includes('Ignore GF101 for this line'), `titles: ${titles}`);
    assert.ok(titles.includes('Ignore GF101 for this file'), `titles: ${titles}`);
    assert.ok(actions.every((a) => a.kind === 'quickfix' && a.diagnostics?.[0].code === 'GF101'));
    assert.equal(titles.at(-1), 'Show documentation for GF101');
    assert.ok(titles.indexOf('Ignore GF101 for this line') > titles.findIndex((t) => t.startsWith('Create the channel')), 'fixes come before suppressions');
    const docs = actions.at(-1)!;
    assert.equal(docs.command?.command, 'grpcForkGuard.server.showDocumentation');
    await client.connection.sendRequest('workspace/executeCommand', { command: docs.command!.command, arguments: docs.command!.arguments });
    // The page shipped beside dist/ (it matches the installed version and needs no network).
    const shown = client.messages.find((m) => m.startsWith('showDocument: '));
    assert.equal(shown, `showDocument: ${URI.file(path.join(repoRoot, 'docs', 'rules', 'GF101.md')).toString()}`, `messages: ${client.messages}`);
    assert.ok(fs.existsSync(URI.parse(shown.slice('showDocument: '.length)).fsPath));
    const ignore = actions.find((a) => a.title === 'Ignore GF101 for this line')!;
    const edits = ignore.edit!.changes![poolUri];
    const next = client.diagnostics(poolUri, fromVersion(6));
    await change(edits);
    assert.match(document.getText().split('\n')[9], /# noqa: GF101$/);
    assert.deepEqual(codesAt(await next), ['GF102@15:11']);
  });

  test('hover on a flagged call gives the rule, why and the fixes (not the message again) and links the rule page', async () => {
    const hover = await client.connection.sendRequest<{ contents: { kind: string; value: string } } | null>('textDocument/hover', {
      textDocument: { uri: poolUri },
      position: { line: 15, character: 13 },
    });
    assert.ok(hover, 'no hover on the GF102 use');
    assert.equal(hover.contents.kind, 'markdown');
    assert.equal(hover.contents.value.split('\n\n')[0], '**GF102** parent-channel-used-in-child');
    assert.match(hover.contents.value, /\[GF102 documentation\]\(https:[^)]*docs\/rules\/GF102\.md\)/);
    assert.ok(hover.contents.value.includes(`([offline copy](${URI.file(path.join(repoRoot, 'docs', 'rules', 'GF102.md')).toString()}))`), hover.contents.value);
    // The why and the fixes; not the diagnostic's message, which VS Code shows above the hover already.
    assert.match(hover.contents.value, /\n\nFixes:\n- /);
    const gf102 = firstDiagnostics.find((d) => d.code === 'GF102')!;
    assert.ok(!hover.contents.value.includes(gf102.message.slice(0, 30)), hover.contents.value);
    const nothing = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: poolUri }, position: { line: 0, character: 0 } });
    assert.equal(nothing, null);
  });

  test('removing a noqa comment brings the finding back (incremental parse stays right)', async () => {
    const line = 9;
    const length = document.getText().split('\n')[line].length;
    let next = client.diagnostics(poolUri, fromVersion(document.version + 1));
    await change([{ range: { start: { line, character: length - '  # noqa: GF101'.length }, end: { line, character: length } }, newText: '' }]);
    assert.deepEqual(codesAt(await next), ['GF101@9:10', 'GF102@15:11']);
    next = client.diagnostics(poolUri, fromVersion(document.version + 1));
    await change([{ range: { start: { line, character: length - '  # noqa: GF101'.length }, end: { line, character: length - '  # noqa: GF101'.length } }, newText: '  # noqa: GF101' }]);
    assert.deepEqual(codesAt(await next), ['GF102@15:11']);
  });

  test('a settings change takes effect without a restart', async () => {
    client.settings = { ignore: ['GF102'] };
    const next = client.diagnostics(poolUri, (p) => p.diagnostics.length === 0);
    client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    assert.deepEqual(codesAt(await next), []);
    client.settings = {};
    const restored = client.diagnostics(poolUri, (p) => p.diagnostics.length === 1);
    client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    assert.deepEqual(codesAt(await restored), ['GF102@15:11']);
  });

  test('the workspace scan publishes diagnostics for files that are not open', async () => {
    const unopenedUri = `file://${path.join(workspace, 'unopened_server.py')}`;
    const published = client.diagnostics(unopenedUri);
    const result = await client.connection.sendRequest<{ files: number; findings: number; cancelled: boolean }>('grpcForkGuard/scanWorkspace', {});
    assert.equal(result.files, 3);
    assert.equal(result.cancelled, false);
    assert.deepEqual((await published).diagnostics.map((d) => d.code), ['GF201']);
  });

  test('survives hostile input: NUL bytes, deep nesting, non-BMP characters, CRLF', async () => {
    const uri = `file://${path.join(workspace, 'hostile.py')}`;
    // 150 nested brackets: deep, yet within what CPython accepts (deeper files get GF000: parserGuard.test.ts).
    const text = `s = "😀\u0000"\r\nx = ${'('.repeat(150)}1${')'.repeat(150)}\r\nimport grpc\r\nch = grpc.insecure_channel("😀")\r\nimport os\r\nos.fork()\r\n`;
    const published = client.diagnostics(uri);
    client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
    const params = await published;
    // Python refuses a NUL byte in source: the file says so (GF000 at the NUL) and the rest is checked.
    assert.deepEqual(codesAt(params), ['GF000@0:4', 'GF101@3:5']);
    const channel = params.diagnostics.find((d) => d.code === 'GF101');
    assert.deepEqual(channel?.range.end, { line: 3, character: 32 }, 'UTF-16 columns: the emoji counts as two');
  });

  test('shuts down cleanly', async () => {
    assert.ok(firstDiagnostics.length > 0);
    const code = await client.shutdown();
    assert.equal(code, 0, client.stderr());
  });
});
