// The analysis thread is replaced at rest once it has served many documents and its memory is
// past the budget (analysisHost.ts): the new thread starts from the open documents' text and
// reports the same findings. Here with a budget every thread is over (so far over that it is
// replaced as soon as no request waits).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { MessageChannel, Worker } from 'node:worker_threads';
import type { HostMessage, WorkerMessage } from '../../server/src/lsp/analysisProtocol';
import { AnalysisHost } from '../../server/src/lsp/analysisHost';
import { readClientSettings } from '../../server/src/lsp/settings';
import type { Finding } from '../../server/src/engine/findings';
import { grammarDir, repoRoot } from '../support/paths';

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-thread-replacement-'));
const settings = readClientSettings(undefined);

/** A module that imports a workspace helper and forks after making a channel (GF101 through the import). */
fs.writeFileSync(path.join(workspace, 'helper.py'), 'import grpc\n\ndef connect():\n    return grpc.insecure_channel("localhost:50051")\n');
const mainText = 'import os\nfrom helper import connect\n\nchannel = connect()\npid = os.fork()\n';
/** Quiet documents: more of them than the thread keeps trees for. */
const quietTexts = Array.from({ length: 10 }, (_, i) => `import os\n\ndef work_${i}(x):\n    return os.getpid() + x\n`);

const summary = (findings: Finding[] | undefined) => (findings ?? []).map((f) => `${f.code}@${f.range.start.line}:${f.range.start.character}`).sort();

describe('analysis thread replacement', () => {
  const logs: string[] = [];
  const host = new AnalysisHost((_level, message) => logs.push(message), () => undefined, grammarDir, path.join(repoRoot, 'dist', 'analysisWorker.js'), { heapBudgetBytes: 1, burstBudgetBytes: 1, quietMs: 20, manyDocuments: 8 });

  after(() => {
    host.stop();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  test('a thread over its budget after many documents is replaced once idle, and the new one finds the same', async () => {
    assert.equal(await host.start(), true);
    const mainUri = `file://${path.join(workspace, 'main.py')}`;
    host.open(mainUri, 'python', 1, mainText);
    const before = (await host.analyze(mainUri, 1, settings, workspace))?.findings;
    assert.ok(summary(before).some((f) => f.startsWith('GF101')), `GF101 expected, got ${summary(before).join(', ')}`);
    for (const [i, text] of quietTexts.entries()) {
      const uri = `file://${path.join(workspace, `quiet_${i}.py`)}`;
      host.open(uri, 'python', 1, text);
      assert.ok(await host.analyze(uri, 1, settings, workspace));
    }
    const deadline = Date.now() + 60_000;
    while (!logs.some((line) => line.includes('replacing it'))) {
      assert.ok(Date.now() < deadline, 'the thread was not replaced');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const afterReplacement = (await host.analyze(mainUri, 1, settings, workspace))?.findings;
    assert.deepEqual(summary(afterReplacement), summary(before));
    assert.deepEqual(afterReplacement, before);
  });

  test('a thread typing in one document never asks to be replaced; after a second document it says how many it analysed', async () => {
    // The thread itself, without the host: every message it sends, in order.
    const channel = new MessageChannel();
    const worker = new Worker(path.join(repoRoot, 'dist', 'analysisWorker.js'), { workerData: { grammarDir, port: channel.port2, heapBudgetBytes: 1 }, transferList: [channel.port2] });
    const received: WorkerMessage[] = [];
    const waiting = new Map<number, () => void>();
    worker.on('message', (message: WorkerMessage) => {
      received.push(message);
      if (message.type === 'result' || message.type === 'obsolete') waiting.get(message.id)?.();
    });
    let nextId = 1;
    const post = (message: HostMessage) => channel.port1.postMessage(message);
    const analyse = (uri: string, version: number) => new Promise<void>((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      post({ type: 'analyze', id, uri, version, settings, folder: workspace, exact: false });
    });
    try {
      const typed = `file://${path.join(workspace, 'typed.py')}`;
      post({ type: 'open', uri: typed, languageId: 'python', version: 1, text: mainText });
      for (let version = 1; version <= 12; version++) {
        if (version > 1) post({ type: 'change', uri: typed, version, changes: [{ text: `${mainText}# ${version}\n` }] });
        await analyse(typed, version);
      }
      assert.equal(received.filter((m) => m.type === 'overBudget').length, 0);
      const second = `file://${path.join(workspace, 'second.py')}`;
      post({ type: 'open', uri: second, languageId: 'python', version: 1, text: quietTexts[0] });
      await analyse(second, 1);
      // The report follows the second document's result; one more request's result follows the report.
      await analyse(second, 1);
      const reports = received.filter((m) => m.type === 'overBudget');
      assert.ok(reports.length > 0);
      assert.equal(reports[0].type === 'overBudget' && reports[0].documents, 2);
    } finally {
      await worker.terminate();
    }
  });

  test('a thread started in a burst (past the burst budget) is replaced at rest once it analysed two documents', async () => {
    const burstLogs: string[] = [];
    const replacements = () => burstLogs.filter((line) => line.includes('replacing it')).length;
    const burstHost = new AnalysisHost((_level, message) => burstLogs.push(message), () => undefined, grammarDir, path.join(repoRoot, 'dist', 'analysisWorker.js'), { heapBudgetBytes: 1, burstBudgetBytes: 1, quietMs: 20, manyDocuments: 2 });
    const until = async (count: number) => {
      const deadline = Date.now() + 60_000;
      while (replacements() < count) {
        assert.ok(Date.now() < deadline, `replacement ${count} did not happen`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    try {
      assert.equal(await burstHost.start(), true);
      const uris = quietTexts.slice(0, 5).map((text, i) => {
        const uri = `file://${path.join(workspace, `burst_${i}.py`)}`;
        burstHost.open(uri, 'python', 1, text);
        return uri;
      });
      for (const uri of uris.slice(0, 3)) assert.ok(await burstHost.analyze(uri, 1, settings, workspace));
      await until(1);
      // The new thread: two documents (not "many"), then rest.
      for (const uri of uris.slice(3, 5)) assert.ok(await burstHost.analyze(uri, 1, settings, workspace));
      await until(2);
      assert.ok(await burstHost.analyze(uris[0], 1, settings, workspace));
    } finally {
      burstHost.stop();
    }
  });
});
