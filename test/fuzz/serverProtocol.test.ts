// Hostile traffic to the real bundled server over stdio: garbage and lying frames between valid
// ones, requests with parameters of the wrong shape, open/change/close storms, two scans at once
// and cancelled scans, the lifecycle out of order. Every request must be answered within the
// bound and the server must never exit unless told to.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FUZZ_ITERATIONS, FUZZ_SEED, MAX_RSS_KB, prng, randomBytes, replay } from '../support/fuzzKit';
import { fixturesDir } from '../support/paths';
import { JsonRpcMessage, RawClient } from '../support/rawClient';

const random = prng(FUZZ_SEED ^ 0x5eed);
const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-fuzz-protocol-'));
const HAZARD = 'import grpc\nimport os\nchannel = grpc.insecure_channel("h")\nos.fork()\n';
const METHODS = [
  'textDocument/hover', 'textDocument/codeAction', 'workspace/executeCommand', 'grpcForkGuard/scanWorkspace', 'textDocument/definition',
  'textDocument/didOpen', 'textDocument/didChange', 'textDocument/didClose', 'workspace/didChangeWatchedFiles', 'workspace/didChangeConfiguration',
  '$/cancelRequest', '$/setTrace', 'no/such/method',
];
let client: RawClient;
let cases = 0;
let maxRssKb = 0;
const started = Date.now();

function randomValue(depth = 0): unknown {
  switch (random.int(depth > 2 ? 6 : 9)) {
    case 0: return null;
    case 1: return random.int(2) === 0;
    case 2: return random.pick([0, -1, 2 ** 31, 1e308, 0.5]);
    case 3: return random.pick(['', 'file:///x.py', 'file:///../../etc/passwd', 'untitled:1', '😀', '\u0000', '\ud800']);
    case 4: return { textDocument: { uri: `file://${workspace}/open.py`, version: random.int(5) }, position: { line: random.int(3), character: random.int(10) } };
    case 5: return { textDocument: { uri: `file://${workspace}/open.py` }, range: { start: { line: -1, character: 1e9 }, end: { line: 1e9, character: -5 } }, context: { diagnostics: [{ code: 'GF101', source: 'grpc-fork-guard', range: { start: { line: 2, character: 10 }, end: { line: 2, character: 36 } }, message: '' }] } };
    case 6: return Array.from({ length: random.int(4) }, () => randomValue(depth + 1));
    case 7: return Object.fromEntries(Array.from({ length: random.int(4) }, (_, i) => [random.pick(['textDocument', 'uri', 'position', 'context', 'command', 'arguments', `k${i}`]), randomValue(depth + 1)]));
    default: return { textDocument: randomValue(depth + 1), contentChanges: [{ range: randomValue(depth + 1), text: 'x' }], changes: randomValue(depth + 1) };
  }
}

async function assertHealthy(caseName: string): Promise<void> {
  assert.equal(client.exitedWith, undefined, `the server exited ${JSON.stringify(client.exitedWith)} ${replay(caseName)}\n${client.stderr.slice(-3000)}`);
  const response = await client.request('textDocument/hover', { textDocument: { uri: `file://${workspace}/none.py` }, position: { line: 0, character: 0 } })
    .catch((error: Error) => assert.fail(`${error.message} ${replay(caseName)}`));
  assert.equal(response.error, undefined, `${JSON.stringify(response.error)} ${replay(caseName)}`);
  const rss = client.rssKb() ?? 0;
  maxRssKb = Math.max(maxRssKb, rss);
  assert.ok(rss < MAX_RSS_KB, `RSS ${Math.round(rss / 1024)} MB over the bound ${replay(caseName)}`);
  cases++;
}

describe(`server: hostile traffic (seed ${FUZZ_SEED})`, () => {
  before(async () => {
    fs.writeFileSync(path.join(workspace, 'on_disk.py'), HAZARD);
    client = new RawClient();
    client.settings = { debounceMs: 0 };
    await client.initialize(workspace);
    const opened = client.diagnostics(`file://${workspace}/open.py`);
    client.notify('textDocument/didOpen', { textDocument: { uri: `file://${workspace}/open.py`, languageId: 'python', version: 1, text: HAZARD } });
    await opened;
  });

  after(async () => {
    const exit = client.exitedWith ?? await client.shutdown().catch(() => undefined);
    client.kill();
    fs.rmSync(workspace, { recursive: true, force: true });
    console.log(`fuzz (server traffic): ${cases} cases in ${((Date.now() - started) / 1000).toFixed(1)} s, max RSS ${Math.round(maxRssKb / 1024)} MB, seed ${FUZZ_SEED}, iterations ${FUZZ_ITERATIONS}`);
    assert.deepEqual(exit, { code: 0, signal: null }, 'the server shuts down cleanly after the run');
  });

  test('garbage, lying Content-Lengths and truncated frames between valid requests', async () => {
    for (let round = 0; round < 20 * FUZZ_ITERATIONS; round++) {
      const pieces: Buffer[] = [];
      for (let n = 1 + random.int(5); n > 0; n--) {
        const frame = RawClient.frame({ jsonrpc: '2.0', method: random.pick(METHODS), params: randomValue() });
        const kind = random.int(5);
        if (kind === 0) pieces.push(randomBytes(random, 300));
        else if (kind === 1) pieces.push(Buffer.concat([Buffer.from(`Content-Length: ${Math.max(1, frame.length - 20 + random.int(200))}\r\n\r\n`), frame.subarray(frame.indexOf('\r\n\r\n') + 4)]));
        else if (kind === 2) pieces.push(frame.subarray(0, random.int(frame.length)));
        else if (kind === 3) pieces.push(Buffer.from(`Content-Length: ${random.int(50)}\r\n\r\n${'{"jsonrpc":"2.0",'.slice(0, random.int(18))}`));
        else pieces.push(frame);
      }
      client.writeRaw(Buffer.concat(pieces));
      await assertHealthy(`garbage round ${round}`);
    }
  });

  test('requests with parameters of every wrong shape are answered, never with internal text', async () => {
    for (let i = 0; i < 40 * FUZZ_ITERATIONS; i++) {
      const method = random.pick(METHODS.filter((m) => m !== 'grpcForkGuard/scanWorkspace'));
      const caseName = `${method} with random parameters #${i}`;
      const response: JsonRpcMessage = await client.request(method, randomValue()).catch((error: Error) => assert.fail(`${error.message} ${replay(caseName)}`));
      if (response.error) assert.doesNotMatch(response.error.message, /TypeError|Cannot read|is not a function|\n\s+at /, `${response.error.message} ${replay(caseName)}`);
      cases++;
    }
    await assertHealthy('wrong shapes');
  });

  test('open/change/close storms on one document end in diagnostics for its final state', async () => {
    for (let storm = 0; storm < 5 * FUZZ_ITERATIONS; storm++) {
      const caseName = `open/change/close storm #${storm}`;
      const uri = `file://${workspace}/storm${storm}.py`;
      let open = false;
      let version = 0;
      const messages: JsonRpcMessage[] = [];
      for (let i = 0; i < 30; i++) {
        if (!open) {
          version = 1 + random.int(3);
          messages.push(client.notification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version, text: HAZARD.repeat(1 + random.int(50)) } }));
          open = true;
        } else if (random() < 0.25) {
          messages.push(client.notification('textDocument/didClose', { textDocument: { uri } }));
          open = false;
        } else {
          version++;
          messages.push(client.notification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range: { start: { line: random.int(20), character: 0 }, end: { line: random.int(20), character: 0 } }, text: random.pick(['', '#', HAZARD, 'def f(:\n']) }] }));
        }
      }
      const settled = open ? client.diagnostics(uri, (p) => p.version === version) : undefined;
      client.send(...messages);
      if (settled) await settled.catch((error: Error) => assert.fail(`${error.message} ${replay(caseName)}`));
      await assertHealthy(caseName);
      const last = client.publishedFor(uri).at(-1);
      if (open) assert.equal(last?.version, version, `the last diagnostics are for version ${version} ${replay(caseName)}`);
      else assert.deepEqual(last?.diagnostics ?? [], [], `a closed document keeps no diagnostics ${replay(caseName)}`);
      if (open) client.notify('textDocument/didClose', { textDocument: { uri } });
    }
  });

  test('two scans at once, and a cancelled scan, are all answered', async () => {
    const fixtures = fs.readdirSync(fixturesDir).filter((d) => /^GF/.test(d));
    for (const dir of fixtures.slice(0, 4)) fs.cpSync(path.join(fixturesDir, dir), path.join(workspace, dir), { recursive: true });
    for (let round = 0; round < FUZZ_ITERATIONS; round++) {
      // A second scan supersedes the first (which may end cancelled); it runs to the end.
      const first = client.requestMessage('grpcForkGuard/scanWorkspace', {});
      const second = client.requestMessage('grpcForkGuard/scanWorkspace', {});
      client.send(first.message, second.message);
      const [, finished] = await Promise.all([first.response, second.response]).catch((error: Error) => assert.fail(`${error.message} ${replay(`scans round ${round}`)}`));
      assert.equal((finished.result as { cancelled: boolean }).cancelled, false, JSON.stringify(finished));
      const third = client.requestMessage('grpcForkGuard/scanWorkspace', {});
      client.send(third.message, client.notification('$/cancelRequest', { id: third.message.id }));
      const cancelled = await third.response.catch((error: Error) => assert.fail(`${error.message} ${replay(`scans round ${round}`)}`));
      assert.ok(cancelled.error?.code === -32800 || (cancelled.result as { cancelled: boolean }).cancelled === true, `the cancelled scan says so: ${JSON.stringify(cancelled)}`);
      await assertHealthy(`scans round ${round}`);
    }
  });
});

describe('lifecycle out of order', () => {
  test('random requests before initialize all get -32002; after shutdown, -32600; exit without shutdown is code 1', async () => {
    const early = new RawClient();
    try {
      for (let i = 0; i < 10 * FUZZ_ITERATIONS; i++) {
        const method = random.pick(METHODS);
        const response = await early.request(method, randomValue());
        assert.equal(response.error?.code, -32002, `${method}: ${JSON.stringify(response)} ${replay('before initialize')}`);
      }
      early.notify('textDocument/didOpen', { textDocument: { uri: `file://${workspace}/early.py`, languageId: 'python', version: 1, text: HAZARD } });
      await early.initialize(workspace);
      for (let i = 0; i < 5 * FUZZ_ITERATIONS; i++) {
        const response = await early.request(random.pick(METHODS), randomValue());
        assert.notEqual(response.error?.code, -32002);
      }
      assert.equal(early.publishedFor(`file://${workspace}/early.py`).length, 0, 'a didOpen before initialize is dropped');
      early.notify('exit');
      assert.deepEqual(await early.waitForExit(), { code: 1, signal: null });
    } finally {
      early.kill();
    }
    const late = new RawClient();
    try {
      await late.initialize(workspace);
      await late.request('shutdown');
      for (let i = 0; i < 10 * FUZZ_ITERATIONS; i++) {
        const response = await late.request(random.pick(METHODS), randomValue());
        assert.equal(response.error?.code, -32600, `${JSON.stringify(response)} ${replay('after shutdown')}`);
      }
      late.notify('exit');
      assert.deepEqual(await late.waitForExit(), { code: 0, signal: null });
    } finally {
      late.kill();
    }
  });
});
