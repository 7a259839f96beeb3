// Protocol tier, notebooks: the real bundled server over stdio, synced through LSP notebook
// document notifications; diagnostics arrive on the cell URIs in the cells' own lines, and a
// quick fix edits the cells its edits belong to.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CodeAction, InitializeResult, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { TestClient, startServer } from '../support/lspClient';
import { fixturesDir } from '../support/paths';

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-protocol-notebooks-'));
const notebookPath = path.join(workspace, 'pool.ipynb');
const notebookUri = `file://${notebookPath}`;
const fixture = JSON.parse(fs.readFileSync(path.join(fixturesDir, 'notebooks', 'pubsub_pool.ipynb'), 'utf8')) as { cells: { cell_type: string; source: string[] }[] };
fs.writeFileSync(notebookPath, JSON.stringify(fixture));

const cellUri = (i: number) => `vscode-notebook-cell:${notebookPath}#cell${i}`;
const cells = fixture.cells.map((cell, i) => ({ kind: cell.cell_type === 'code' ? 2 : 1, document: cellUri(i) }));
const cellText = fixture.cells.map((cell) => cell.source.join(''));

let client: TestClient;
const codesAt = (p: PublishDiagnosticsParams) => p.diagnostics.map((d) => `${d.code}@${d.range.start.line}:${d.range.start.character}`);

describe('notebooks over the protocol', () => {
  before(async () => {
    client = await startServer(workspace);
  });

  after(async () => {
    if (client.process.exitCode === null) client.process.kill();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  test('declares notebook document sync for Jupyter notebooks with Python cells', () => {
    const capabilities = (client.initializeResult as InitializeResult).capabilities;
    assert.deepEqual(capabilities.notebookDocumentSync, { notebookSelector: [{ notebook: { notebookType: 'jupyter-notebook' }, cells: [{ language: 'python' }] }] });
  });

  test('diagnostics land on the cell URIs, in the cells\' lines', async () => {
    const gf101 = client.diagnostics(cellUri(3), (p) => p.diagnostics.length > 0);
    const gf102 = client.diagnostics(cellUri(5), (p) => p.diagnostics.length > 0);
    client.connection.sendNotification('notebookDocument/didOpen', {
      notebookDocument: { uri: notebookUri, notebookType: 'jupyter-notebook', version: 1, cells },
      cellTextDocuments: fixture.cells.flatMap((cell, i) => (cell.cell_type === 'code' ? [{ uri: cellUri(i), languageId: 'python', version: 1, text: cellText[i] }] : [])),
    });
    const [onClient, onUse] = await Promise.all([gf101, gf102]);
    assert.deepEqual(codesAt(onClient), ['GF101@0:12']);
    assert.deepEqual(codesAt(onUse), ['GF102@1:11']);
    const related = onClient.diagnostics[0].relatedInformation![0];
    assert.equal(related.location.uri, cellUri(6), 'the fork site is shown in its own cell');
    assert.equal(related.location.range.start.line, 1);
    assert.match(onClient.diagnostics[0].message, /fork at cell 7, line 2/);
  });

  test('an edit to a cell moves its diagnostics; the cells are re-analysed as one program', async () => {
    // Two lines put before the client in cell 4: GF101 moves down by two lines in that cell.
    const moved = client.diagnostics(cellUri(3), (p) => p.diagnostics.some((d) => d.range.start.line === 2));
    client.connection.sendNotification('notebookDocument/didChange', {
      notebookDocument: { uri: notebookUri, version: 2 },
      change: { cells: { textContent: [{ document: { uri: cellUri(3), version: 2 }, changes: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# made once\n\n' }] }] } },
    });
    assert.deepEqual(codesAt(await moved), ['GF101@2:12']);
    cellText[3] = `# made once\n\n${cellText[3]}`;
  });

  test('hover on a cell\'s finding explains it, with the fixes, without repeating the message', async () => {
    const hover = await client.connection.sendRequest<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri: cellUri(3) }, position: { line: 2, character: 15 } });
    assert.match(hover!.contents.value, /\*\*GF101\*\*/);
    assert.match(hover!.contents.value, /Pool initializer/);
    // VS Code shows the diagnostic's message above the hover: the hover does not say it again.
    const message = client.latest(cellUri(3))!.diagnostics.find((d) => d.code === 'GF101')!.message;
    assert.ok(!hover!.contents.value.includes(message), 'the diagnostic message is not repeated');
    assert.doesNotMatch(hover!.contents.value, /fork at cell 7/);
    const nothing = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: cellUri(3) }, position: { line: 0, character: 0 } });
    assert.equal(nothing, null);
  });

  test('a quick fix edits the cells its edits fall in', async () => {
    const published = client.latest(cellUri(3))!;
    const diagnostic = published.diagnostics.find((d) => d.code === 'GF101')!;
    const actions = await client.connection.sendRequest<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: cellUri(3) },
      range: diagnostic.range,
      context: { diagnostics: [diagnostic], only: ['quickfix'] },
    });
    const initializer = actions.find((a) => /Pool initializer/.test(a.title));
    assert.ok(initializer, actions.map((a) => a.title).join('; '));
    const changes = initializer.edit!.changes!;
    assert.deepEqual(Object.keys(changes).sort(), [cellUri(3), cellUri(6)], 'the worker function goes in cell 4, the initializer argument in cell 7');
    const poolEdit = changes[cellUri(6)][0];
    assert.equal(poolEdit.range.start.line, 1, 'cell 7\'s own line 2 (`with mp.Pool(...)`)');
    assert.match(poolEdit.newText, /initializer=/);
    const ignore = actions.find((a) => a.title === 'Ignore GF101 for this line');
    assert.deepEqual(Object.keys(ignore!.edit!.changes!), [cellUri(3)]);
  });

  test('an untitled notebook is analysed from its cells alone', async () => {
    const untitledCell = (i: number) => `vscode-notebook-cell:Untitled-1.ipynb#cell${i}`;
    const published = client.diagnostics(untitledCell(1), (p) => p.diagnostics.length > 0);
    client.connection.sendNotification('notebookDocument/didOpen', {
      notebookDocument: { uri: 'untitled:Untitled-1.ipynb', notebookType: 'jupyter-notebook', version: 1, cells: [0, 1].map((i) => ({ kind: 2, document: untitledCell(i) })) },
      cellTextDocuments: [
        { uri: untitledCell(0), languageId: 'python', version: 1, text: '!pip install grpcio\nimport os\nimport grpc\n' },
        { uri: untitledCell(1), languageId: 'python', version: 1, text: 'channel = grpc.insecure_channel("localhost:50051")\nos.fork()\n' },
      ],
    });
    assert.deepEqual(codesAt(await published), ['GF101@0:10']);
  });

  test('closing the notebook clears its cells\' diagnostics', async () => {
    const cleared = client.diagnostics(cellUri(3), (p) => p.diagnostics.length === 0);
    client.connection.sendNotification('notebookDocument/didClose', { notebookDocument: { uri: notebookUri }, cellTextDocuments: cells.map((c) => ({ uri: c.document })) });
    await cleared;
  });
});

describe('Scan Workspace with a notebook on disk', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-protocol-notebook-scan-'));
  const file = path.join(folder, 'analysis.ipynb');
  const fileUri = `file://${file}`;
  let scanClient: TestClient;

  before(async () => {
    fs.writeFileSync(file, JSON.stringify(fixture, null, 1));
    scanClient = await startServer(folder);
  });

  after(async () => {
    if (scanClient.process.exitCode === null) scanClient.process.kill();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  test('publishes the notebook\'s findings on its file, naming cell, line and column', async () => {
    const published = scanClient.diagnostics(fileUri, (p) => p.diagnostics.length > 0);
    const result = await scanClient.connection.sendRequest<{ files: number; analysed: number }>('grpcForkGuard/scanWorkspace', {});
    assert.equal(result.files, 1);
    assert.equal(result.analysed, 1);
    const { diagnostics } = await published;
    assert.deepEqual(diagnostics.map((d) => d.code), ['GF101', 'GF102']);
    assert.match(diagnostics[0].message, /^cell 4, line 1, column 13: gRPC client `publisher`/);
    assert.deepEqual(diagnostics[0].range, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, 'the JSON\'s lines are not the cell\'s');
  });

  test('opening the notebook moves its diagnostics onto the cells; closing it brings the file\'s back', async () => {
    const cleared = scanClient.diagnostics(fileUri, (p) => p.diagnostics.length === 0);
    const onCell = scanClient.diagnostics(cellUri(3), (p) => p.diagnostics.length > 0);
    scanClient.connection.sendNotification('notebookDocument/didOpen', {
      notebookDocument: { uri: fileUri, notebookType: 'jupyter-notebook', version: 1, cells },
      cellTextDocuments: fixture.cells.flatMap((cell, i) => (cell.cell_type === 'code' ? [{ uri: cellUri(i), languageId: 'python', version: 1, text: cell.source.join('') }] : [])),
    });
    await Promise.all([cleared, onCell]);
    const back = scanClient.diagnostics(fileUri, (p) => p.diagnostics.length > 0);
    scanClient.connection.sendNotification('notebookDocument/didClose', { notebookDocument: { uri: fileUri }, cellTextDocuments: cells.map((c) => ({ uri: c.document })) });
    assert.equal((await back).diagnostics.length, 2);
  });
});
