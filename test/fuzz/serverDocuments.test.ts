// Hostile documents through the real bundled server over stdio: random bytes, mutated fixtures,
// deep nesting, huge files and lines, awkward Unicode and line ends, forking mutual recursion,
// edit storms. After each case the server must still be running, answer a request within the
// bound, and stay under the memory bound.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { FUZZ_ITERATIONS, FUZZ_LONG, FUZZ_SEED, MAX_RSS_KB, deeplyNested, fixtureSample, mutate, prng, randomBytes, replay } from '../support/fuzzKit';
import { ANSWER_BOUND_MS, RawClient } from '../support/rawClient';

const random = prng(FUZZ_SEED);
/** Cases that fail until the parser guard lands (the server stops analysing ordinary files after them). */
const CANARY = 'import grpc\nimport os\nchannel = grpc.insecure_channel("h")\nos.fork()\n';
const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-fuzz-docs-'));
let client: RawClient;
let cases = 0;
let maxRssKb = 0;
let documentNumber = 0;
const started = Date.now();

/**
 * Runs `work` against a server of its own: WebAssembly memory never shrinks, so the parse of a
 * 20 MB file would otherwise count against every later case's memory bound.
 */
async function withOwnServer(work: () => Promise<void>): Promise<void> {
  const shared = client;
  client = new RawClient();
  client.settings = { debounceMs: 0 };
  try {
    await client.initialize(workspace);
    await work();
    assert.deepEqual(await client.shutdown(), { code: 0, signal: null });
  } finally {
    client.kill();
    client = shared;
  }
}

/** The server is alive, answers within the bound and is under the memory bound. */
async function assertHealthy(caseName: string): Promise<void> {
  assert.equal(client.exitedWith, undefined, `the server exited ${JSON.stringify(client.exitedWith)} ${replay(caseName)}\n${client.stderr.slice(-3000)}`);
  // A canary: after any hostile case an ordinary file still gets its finding.
  const canary = `file://${workspace}/canary${++documentNumber}.py`;
  const published = client.diagnostics(canary);
  client.notify('textDocument/didOpen', { textDocument: { uri: canary, languageId: 'python', version: 1, text: CANARY } });
  const canaryCodes = (await published.catch((error: Error) => assert.fail(`${error.message} ${replay(caseName)}`))).diagnostics.map((d) => d.code);
  client.notify('textDocument/didClose', { textDocument: { uri: canary } });
  assert.deepEqual(canaryCodes, ['GF101'], `after this case an ordinary file is no longer analysed right ${replay(caseName)}`);
  const response = await client.request('textDocument/hover', { textDocument: { uri: `file://${workspace}/none.py` }, position: { line: 0, character: 0 } })
    .catch((error: Error) => assert.fail(`${error.message} ${replay(caseName)}`));
  assert.equal(response.error, undefined, `${JSON.stringify(response.error)} ${replay(caseName)}`);
  const rss = client.rssKb() ?? 0;
  maxRssKb = Math.max(maxRssKb, rss);
  assert.ok(rss < MAX_RSS_KB, `RSS ${Math.round(rss / 1024)} MB over the bound ${Math.round(MAX_RSS_KB / 1024)} MB ${replay(caseName)}`);
  cases++;
}

/** Opens `text` as a new document, waits for its diagnostics, checks health, closes it. */
async function analyse(caseName: string, text: string, boundMs = ANSWER_BOUND_MS): Promise<PublishDiagnosticsParams> {
  const uri = `file://${workspace}/doc${++documentNumber}.py`;
  const published = client.diagnostics(uri, (p) => p.version === 1, boundMs);
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
  const params = await published.catch((error: Error) => assert.fail(`${error.message} ${replay(caseName)}`));
  await assertHealthy(caseName);
  client.notify('textDocument/didClose', { textDocument: { uri } });
  return params;
}

before(async () => {
  client = new RawClient();
  client.settings = { debounceMs: 0 };
  await client.initialize(workspace);
});

after(async () => {
  const exit = client.exitedWith ? client.exitedWith : await client.shutdown().catch(() => undefined);
  client.kill();
  fs.rmSync(workspace, { recursive: true, force: true });
  console.log(`fuzz (server documents): ${cases} cases in ${((Date.now() - started) / 1000).toFixed(1)} s, max RSS ${Math.round(maxRssKb / 1024)} MB, seed ${FUZZ_SEED}, iterations ${FUZZ_ITERATIONS}`);
  assert.deepEqual(exit, { code: 0, signal: null }, 'the server shuts down cleanly after the run');
});

describe(`server: hostile documents (seed ${FUZZ_SEED})`, () => {
  test('random bytes as documents', async () => {
    for (let i = 0; i < 10 * FUZZ_ITERATIONS; i++) await analyse(`random bytes #${i}`, randomBytes(random, 4096).toString('utf8'));
  });

  test('mutated fixtures: byte flips, truncations, line duplications', async () => {
    for (let round = 0; round < FUZZ_ITERATIONS; round++) {
      for (const file of fixtureSample(random, 25)) {
        await analyse(`mutation of ${path.basename(file)} (round ${round})`, mutate(random, fs.readFileSync(file, 'utf8')).toString('utf8'));
      }
    }
  });

  // Each in a server of its own: a case that broke the parser must not take the later cases with it.
  for (const kind of ['parentheses', 'brackets', 'lambda', 'if', 'def', 'with'] as const) {
    test(`nesting 10,000 deep: ${kind}`, async () => {
      await withOwnServer(() => analyse(`${kind} nested 10,000 deep`, deeplyNested(kind, 10_000)).then(() => undefined));
    });
  }

  for (const kind of ['chain', 'sum'] as const) {
    test(`a 20,000-term ${kind}`, async () => {
      await withOwnServer(() => analyse(`20,000-term ${kind}`, deeplyNested(kind, 20_000)).then(() => undefined));
    });
  }

  test('a 1 MB line', async () => {
    await analyse('1 MB line', `import grpc\nx = "${'a'.repeat(1024 * 1024)}"; ch = grpc.insecure_channel("h")\n`);
  });

  test('100,000 repeated `import grpc`', async () => {
    // 100,000 statements the walker must run (each import is an event): about 5 s on a quiet
    // 2-core machine, three times that under a full load. The bound catches a hang, not a slow run.
    await analyse('100,000 imports', 'import grpc\n'.repeat(100_000), 3 * ANSWER_BOUND_MS);
  });

  // Past the size budget (5 MB): one GF000 notice, not a parse.
  test('a 20 MB file', async () => {
    const block = 'import grpc\nimport os\n\ndef handler(request):\n    channel = grpc.insecure_channel("localhost:50051")\n    return channel\n\n';
    await withOwnServer(() => analyse('20 MB file', block.repeat(Math.ceil((20 * 1024 * 1024) / block.length))).then(() => undefined));
  });

  test('invalid UTF-8 bytes inside the JSON of a didOpen', async () => {
    const uri = `file://${workspace}/invalid_utf8.py`;
    const published = client.diagnostics(uri, (p) => p.version === 1);
    const head = Buffer.from(JSON.stringify({ jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'python', version: 1, text: '@@' } } }));
    const at = head.indexOf('@@');
    const body = Buffer.concat([head.subarray(0, at), Buffer.from([0xc3, 0x28, 0xff, 0xed, 0xa0, 0x80, 0x41]), head.subarray(at + 2)]);
    client.writeRaw(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]));
    await published;
    await assertHealthy('invalid UTF-8 in the frame');
  });

  test('NUL bytes, lone surrogates, BOM, mixed LF/CRLF, form feeds, non-BMP characters: exact UTF-16 ranges', async () => {
    const call = 'grpc.insecure_channel("😀𝒳")';
    const variants: [string, string][] = [
      ['CRLF and a BOM inside a string', `import grpc\r\nimport os\r\ns = "\uFEFF𝒳😀"; ch = ${call}\r\nos.fork()\r\n`],
      ['mixed LF and CRLF, a lone surrogate', `import grpc\nimport os\n\r\ns = "\ud800"; ch = ${call}\r\nos.fork()\n`],
      ['form feeds', `import grpc\n\fimport os\n\f\ns = "\udfff𝒳"  ;  ch = ${call}\nos.fork()\n`],
      ['non-BMP before the call', `import grpc, os\n${'𝒳'.repeat(50)} = 1; ch = ${call}\nos.fork()\n`],
    ];
    // Python refuses source with a NUL byte: a line holding one may lose its findings, but nothing breaks.
    await analyse('unicode: a NUL byte inside the flagged line', `import grpc\nimport os\ns = "\u0000"; ch = ${call}\nos.fork()\n`);
    for (const [name, text] of variants) {
      const params = await analyse(`unicode: ${name}`, text);
      const document = TextDocument.create('file:///x.py', 'python', 1, text);
      const start = document.positionAt(text.indexOf(call));
      const end = document.positionAt(text.indexOf(call) + call.length);
      const gf101 = params.diagnostics.filter((d) => d.code === 'GF101');
      assert.equal(gf101.length, 1, `${name}: ${JSON.stringify(params.diagnostics.map((d) => d.code))} ${replay(name)}`);
      assert.deepEqual(gf101[0].range, { start, end }, `${name}: the range counts UTF-16 code units ${replay(name)}`);
    }
  });

  test('a byte-order mark that starts the text is ignored, as Python ignores it', async () => {
    const text = '\uFEFFimport grpc\nimport os\nch = grpc.insecure_channel("h")\nos.fork()\n';
    const params = await analyse('leading BOM', text);
    assert.deepEqual(params.diagnostics.map((d) => `${d.code}@${d.range.start.line}:${d.range.start.character}`), ['GF101@2:5']);
  });

  test('a lone CR ends a line for the ranges as it does for LSP and Python', async () => {
    const text = 'import grpc\nimport os\rch = grpc.insecure_channel("h")\nos.fork()\n';
    const params = await analyse('lone CR', text);
    assert.deepEqual(params.diagnostics.map((d) => `${d.code}@${d.range.start.line}:${d.range.start.character}`), ['GF101@2:5']);
  });

  test('mutual recursion that forks', async () => {
    await analyse('two functions', 'import grpc, os\nch = grpc.insecure_channel("h")\ndef a(n):\n    b(n)\n    os.fork()\ndef b(n):\n    a(n)\n    ch.close()\na(3)\n');
    const ring = Array.from({ length: 500 }, (_, i) => `def f${i}():\n    os.fork()\n    f${(i + 1) % 500}()\n    ch.m()\n`).join('');
    await analyse('a ring of 500 functions', `import grpc, os\nch = grpc.insecure_channel("h")\n${ring}f0()\n`);
  });

  test('edit storms with random and out-of-range positions end in the same diagnostics as a fresh open', async () => {
    for (let storm = 0; storm < 3 * FUZZ_ITERATIONS; storm++) {
      const caseName = `edit storm #${storm}`;
      const uri = `file://${workspace}/storm${storm}.py`;
      const initial = 'import grpc\nimport os\nchannel = grpc.insecure_channel("h")\nos.fork()\n';
      let local = TextDocument.create(uri, 'python', 1, initial);
      client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: initial } });
      const pieces = ['', '\n', '(', ')', 'grpc.insecure_channel("x")', 'os.fork()\n', '    ', '😀', '\r\n', 'def f():\n', '"""', '#'];
      const coordinate = () => random.pick([0, random.int(5), random.int(80), 1e6, 2 ** 31 - 1]);
      for (let burst = 0; burst < 5; burst++) {
        const messages = [];
        for (let i = 0; i < 20; i++) {
          const change = random() < 0.05
            ? { text: pieces.map(() => random.pick(pieces)).join('') }
            : { range: { start: { line: coordinate(), character: coordinate() }, end: { line: coordinate(), character: coordinate() } }, text: random.pick(pieces) };
          local = TextDocument.update(local, [change], local.version + 1);
          messages.push(client.notification('textDocument/didChange', { textDocument: { uri, version: local.version }, contentChanges: [change] }));
        }
        client.send(...messages);
      }
      const final = await client.diagnostics(uri, (p) => p.version === local.version).catch((error: Error) => assert.fail(`${error.message} ${replay(caseName)}`));
      await assertHealthy(caseName);
      client.notify('textDocument/didClose', { textDocument: { uri } });
      const fresh = await analyse(`${caseName}: fresh open`, local.getText());
      const summary = (p: PublishDiagnosticsParams) => p.diagnostics.map((d) => `${d.code}@${JSON.stringify(d.range)}`).sort();
      assert.deepEqual(summary(final), summary(fresh), `incremental and fresh analyses differ ${replay(caseName)}`);
    }
  });
});
