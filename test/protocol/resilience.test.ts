// Protocol robustness of the real bundled server over stdio: broken frames, the LSP lifecycle,
// generic error replies, refused URIs, superseded versions, signals. Every wait is bounded, so a
// deaf or hung server fails the test instead of stalling it.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RawClient } from '../support/rawClient';

const HAZARD = 'import grpc\nimport os\nchannel = grpc.insecure_channel("localhost:50051")\nos.fork()\n';
const codes = (diagnostics: { code?: unknown }[]) => diagnostics.map((d) => String(d.code));

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-resilience-'));
const projectDir = path.join(workspace, 'project');
// A folder beside the workspace whose pyproject.toml silences GF101: read, it would hide the finding.
const outsideDir = path.join(workspace, 'outside');
fs.mkdirSync(projectDir);
fs.mkdirSync(outsideDir);
fs.writeFileSync(path.join(outsideDir, 'pyproject.toml'), '[tool.grpc-fork-guard]\nignore = ["GF101"]\n');
// And one with no configuration at all, whose file a watched-file event must not make the server read.
const elsewhereDir = path.join(workspace, 'elsewhere');
fs.mkdirSync(elsewhereDir);
fs.writeFileSync(path.join(elsewhereDir, 'escaped.py'), HAZARD);

after(() => fs.rmSync(workspace, { recursive: true, force: true }));

/** A request any initialized server answers at once (null): proof that it still listens. */
async function stillAnswers(client: RawClient): Promise<void> {
  const response = await client.request('textDocument/hover', { textDocument: { uri: `file://${projectDir}/none.py` }, position: { line: 0, character: 0 } });
  assert.equal(response.error, undefined, JSON.stringify(response));
  assert.equal(response.result, null);
}

describe('LSP lifecycle', () => {
  test('requests before initialize get -32002, a second initialize and requests after shutdown are refused', async () => {
    const client = new RawClient();
    try {
      const early = await client.request('textDocument/hover', { textDocument: { uri: 'file:///x.py' }, position: { line: 0, character: 0 } });
      assert.equal(early.error?.code, -32002);
      const unknown = await client.request('grpcForkGuard/scanWorkspace', {});
      assert.equal(unknown.error?.code, -32002);
      const init = await client.initialize(projectDir);
      assert.ok((init.result as { capabilities?: unknown }).capabilities, JSON.stringify(init));
      const again = await client.request('initialize', { processId: null, rootUri: null, capabilities: {} });
      assert.equal(again.error?.code, -32600);
      await stillAnswers(client);
      const shutdown = await client.request('shutdown');
      assert.equal(shutdown.error, undefined);
      const late = await client.request('textDocument/hover', { textDocument: { uri: 'file:///x.py' }, position: { line: 0, character: 0 } });
      assert.equal(late.error?.code, -32600);
      client.notify('exit');
      assert.deepEqual(await client.waitForExit(), { code: 0, signal: null });
    } finally {
      client.kill();
    }
  });

  test('exit without shutdown ends the server with code 1', async () => {
    const client = new RawClient();
    try {
      await client.initialize(projectDir);
      await stillAnswers(client);
      client.notify('exit');
      assert.deepEqual(await client.waitForExit(), { code: 1, signal: null });
    } finally {
      client.kill();
    }
  });

  test('exit before initialize ends the server too', async () => {
    const client = new RawClient();
    try {
      client.notify('exit');
      assert.deepEqual(await client.waitForExit(), { code: 1, signal: null });
    } finally {
      client.kill();
    }
  });
});

describe('broken frames', () => {
  let client: RawClient;
  before(async () => {
    client = new RawClient();
    await client.initialize(projectDir);
  });
  after(() => client.kill());

  const cases: [string, () => Buffer][] = [
    ['bytes outside any message', () => Buffer.from('hello\r\n\r\n\0\xff garbage {"jsonrpc":"2.0"}')],
    ['a Content-Length that is not a number', () => Buffer.from('Content-Length: twelve\r\n\r\n{"jsonrpc":"2.0"}')],
    ['a header that never ends', () => Buffer.from(`Content-Length: 10\r\nX-Junk: ${'y'.repeat(5000)}`)],
    ['a header cut short by the next frame', () => Buffer.from('Content-Length: 10\r\nX-Junk: abc')],
    ['a body that is not JSON', () => Buffer.from('Content-Length: 9\r\n\r\n{not json')],
    ['a body that is JSON but not a message', () => Buffer.from('Content-Length: 7\r\n\r\n[1,2,3]')],
    ['a Content-Length of zero', () => Buffer.from('Content-Length: 0\r\n\r\n')],
    ['a Content-Length larger than the body', () => Buffer.from('Content-Length: 100000\r\n\r\n{"jsonrpc":"2.0","method":"initialized"}')],
    ['a Content-Length smaller than the body', () => Buffer.from('Content-Length: 12\r\n\r\n{"jsonrpc":"2.0","id":999,"method":"shutdown"}')],
    ['a Content-Length of a terabyte', () => Buffer.from('Content-Length: 1099511627776\r\n\r\n{}')],
    ['a JSON body with invalid UTF-8 and a lone surrogate escape', () => Buffer.concat([Buffer.from('Content-Length: 45\r\n\r\n{"jsonrpc":"2.0","method":"x","params":"\\ud800'), Buffer.from([0xff, 0xfe, 0x22, 0x7d])])],
  ];
  for (const [name, bytes] of cases) {
    test(`after ${name}, the next valid message is answered`, async () => {
      client.writeRaw(bytes());
      await stillAnswers(client);
      assert.equal(client.exitedWith, undefined);
    });
  }

  test('a message the JSON-RPC layer throws on does not hold back the frames behind it', async () => {
    const hover = client.requestMessage('textDocument/hover', { textDocument: { uri: 'file:///x.py' }, position: { line: 0, character: 0 } });
    const cancel = client.requestMessage('$/cancelRequest', null);
    client.send(client.notification('$/cancelRequest'), client.notification('$/cancelRequest', { id: {} }), cancel.message, hover.message);
    assert.equal((await cancel.response).error?.code, -32602);
    assert.equal((await hover.response).result, null);
  });

  test('a frame split byte by byte still arrives', async () => {
    const { message, response } = client.requestMessage('textDocument/hover', { textDocument: { uri: 'file:///x.py' }, position: { line: 0, character: 0 } });
    const bytes = RawClient.frame(message);
    for (let i = 0; i < bytes.length; i++) client.writeRaw(bytes.subarray(i, i + 1));
    assert.equal((await response).result, null);
  });

  test('after all that, documents are still analysed', async () => {
    const uri = `file://${projectDir}/after_garbage.py`;
    const published = client.diagnostics(uri);
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: HAZARD } });
    assert.deepEqual(codes((await published).diagnostics), ['GF101']);
  });

  test('a handler that fails answers with a generic message; the stack goes to the log only', async () => {
    const uri = `file://${projectDir}/after_garbage.py`;
    // No `context`: the code-action handler fails reading it.
    const response = await client.request('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } });
    assert.equal(response.error?.code, -32603, JSON.stringify(response));
    assert.doesNotMatch(response.error!.message, /TypeError|Cannot read|undefined|\.js|\n\s+at /);
    assert.match(response.error!.message, /output/);
    assert.ok(client.logs.some((line) => /textDocument\/codeAction failed: TypeError/.test(line) && /\n\s+at /.test(line)), 'the stack is logged');
    await stillAnswers(client);
  });
});

describe('document URIs', () => {
  let client: RawClient;
  before(async () => {
    client = new RawClient();
    await client.initialize(projectDir);
  });
  after(() => client.kill());

  test('a plain file URI reads its pyproject.toml (the control case)', async () => {
    const uri = `file://${outsideDir}/app.py`;
    const published = client.diagnostics(uri);
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: HAZARD } });
    assert.deepEqual(codes((await published).diagnostics), [], 'the outside pyproject.toml silences GF101');
  });

  test('a URI that escapes with `..` is analysed from its text alone: no file beside it is read', async () => {
    for (const uri of [`file://${projectDir}/../outside/app2.py`, `file://${projectDir}/%2E%2E/outside/app3.py`]) {
      const published = client.diagnostics(uri);
      client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: HAZARD } });
      assert.deepEqual(codes((await published).diagnostics), ['GF101'], `${uri}: the pyproject.toml beside it was read`);
    }
  });

  test('non-file schemes are analysed in memory', async () => {
    for (const uri of ['untitled:Untitled-1', `https://example.com${outsideDir}/remote.py`, 'vscode-notebook-cell:/nb.ipynb#W0sZmlsZQ%3D%3D']) {
      const published = client.diagnostics(uri);
      client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: HAZARD } });
      assert.deepEqual(codes((await published).diagnostics), ['GF101'], uri);
    }
  });

  test('a watched-file event for an escaping URI reads nothing', async () => {
    // Watched-file events matter only once a scan has seen the workspace.
    fs.writeFileSync(path.join(projectDir, 'existing.py'), 'x = 1\n');
    const scan = await client.request('grpcForkGuard/scanWorkspace', {});
    assert.equal(scan.error, undefined);
    const escaped = `file://${projectDir}/../elsewhere/escaped.py`;
    const inside = path.join(projectDir, 'created.py');
    fs.writeFileSync(inside, HAZARD);
    const insideUri = `file://${inside}`;
    const publishedBefore = client.published.length;
    const insidePublished = client.diagnostics(insideUri);
    client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: escaped, type: 1 }, { uri: 'https://example.com/x.py', type: 1 }, { uri: insideUri, type: 1 }] });
    assert.deepEqual(codes((await insidePublished).diagnostics), ['GF101']);
    await stillAnswers(client);
    assert.deepEqual(client.published.slice(publishedBefore).filter((p) => /escaped\.py|example\.com/.test(p.uri)), []);
  });
});

describe('superseded versions', () => {
  let client: RawClient;
  const uri = `file://${projectDir}/large.py`;
  // Large enough that each analysis takes a while, so that edits pile up behind it.
  const functions = Array.from({ length: 1500 }, (_, i) => `def make_${i}():\n    ch = grpc.insecure_channel("h:${i}")\n    return ch.unary_unary("/s/m")\n`).join('\n');
  const text = `${HAZARD}${functions}`;
  let version = 1;

  before(async () => {
    client = new RawClient();
    client.settings = { debounceMs: 0 };
    await client.initialize(projectDir);
    const published = client.diagnostics(uri);
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version, text } });
    await published;
  });
  after(() => client.kill());

  const edit = (v: number, line: number) => client.notification('textDocument/didChange', {
    textDocument: { uri, version: v },
    contentChanges: [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: '#' }],
  });

  test('a burst of edits is analysed once, at its newest version, not once per version', async () => {
    const before = client.publishedFor(uri).length;
    const burst = Array.from({ length: 40 }, () => edit(++version, 4));
    const newest = client.diagnostics(uri, (p) => p.version === version);
    client.send(...burst);
    await newest;
    await stillAnswers(client);
    const versions = client.publishedFor(uri).slice(before).map((p) => p.version);
    assert.ok(versions.length <= 3, `published for versions ${versions}`);
    assert.equal(versions.at(-1), version);
  });

  test('a code action asked for a version that a queued edit replaces returns nothing', async () => {
    const current = client.publishedFor(uri).at(-1)!;
    const diagnostic = current.diagnostics.find((d) => d.code === 'GF101')!;
    const params = { textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] } };
    const fresh = await client.request('textDocument/codeAction', params);
    assert.ok((fresh.result as unknown[]).length > 0, 'the control: actions for the current version');
    const stale = client.requestMessage('textDocument/codeAction', params);
    client.send(stale.message, edit(++version, 5));
    assert.deepEqual((await stale.response).result, []);
    await client.diagnostics(uri, (p) => p.version === version);
  });

  test('a close queued behind an edit publishes nothing stale', async () => {
    client.send(edit(++version, 6), client.notification('textDocument/didClose', { textDocument: { uri } }));
    await client.diagnostics(uri, (p) => p.diagnostics.length === 0);
    await stillAnswers(client);
    const last = client.publishedFor(uri).at(-1)!;
    assert.deepEqual(last.diagnostics, [], 'the last word on a closed file is "no diagnostics"');
  });
});

describe('signals', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`${signal} during a workspace scan ends the server and its scan workers`, async () => {
      const scanned = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-signal-'));
      try {
        for (let i = 0; i < 150; i++) fs.writeFileSync(path.join(scanned, `m${i}.py`), `${HAZARD}${'# padding\n'.repeat(200)}`);
        const client = new RawClient();
        try {
          await client.initialize(scanned);
          const firstReport = client.diagnosticsWhere((p) => p.uri.startsWith(`file://${scanned}/`)).catch(() => undefined);
          const scan = client.request('grpcForkGuard/scanWorkspace', {}).catch(() => undefined);
          await Promise.race([firstReport, scan]);
          client.process.kill(signal);
          const exit = await client.waitForExit();
          assert.ok(exit.signal === signal || exit.code !== null, JSON.stringify(exit));
          // The worker threads lived in that process: nothing of it is left.
          assert.equal(fs.existsSync(`/proc/${client.pid}`), false);
        } finally {
          client.kill();
        }
      } finally {
        fs.rmSync(scanned, { recursive: true, force: true });
      }
    });
  }
});
