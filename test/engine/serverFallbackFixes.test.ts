// GF203 and GF204 where the usual fix cannot be built: options given to a port of a server made
// elsewhere are removed (unsafe), and a process pool passed to grpc.server through a name is
// replaced where the name is bound. Exact fixed text, and the finding is gone.
import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { Analyzer } from '../../server/src/engine/analyzer';
import { defaultConfig } from '../../server/src/engine/config';
import { applyEdits } from '../../server/src/engine/fixes/fixAll';
import { grammarDir } from '../support/paths';

let analyzer: Analyzer;
before(async () => {
  analyzer = await Analyzer.create(grammarDir);
});

const analyse = (text: string) => analyzer.analyze('/project/service.py', text, defaultConfig()).findings;

function onlyFix(code: string, text: string) {
  const finding = analyse(text).find((f) => f.code === code);
  assert.ok(finding, `${code} is not reported`);
  const fixes = finding.fixes.filter((f) => !f.isSuppression);
  assert.equal(fixes.length, 1, fixes.map((f) => f.title).join(' | '));
  return fixes[0];
}

test('GF203: options on the port of a server made elsewhere are removed, unsafe', () => {
  const text = 'import grpc\n\nOPTIONS = [("grpc.max_send_message_length", 1 << 24)]\n\n\ndef start(server, port):\n    server.add_insecure_port(f"[::]:{port}", OPTIONS)\n    server.start()\n';
  const fix = onlyFix('GF203', text);
  assert.equal(fix.title, 'Remove `OPTIONS` from `add_insecure_port` (give it to grpc.server instead)');
  assert.equal(fix.applicability, 'unsafe');
  const fixed = applyEdits(text, fix.edits);
  assert.equal(fixed, text.replace('f"[::]:{port}", OPTIONS)', 'f"[::]:{port}")'));
  assert.deepEqual(analyse(fixed).map((f) => f.code), []);
});

test('GF203: keyword arguments the method does not take are removed together', () => {
  const text = 'import grpc\n\n\ndef start(server, creds):\n    server.add_secure_port("[::]:443", creds, options=[], compression=None)\n';
  const fix = onlyFix('GF203', text);
  assert.equal(fix.title, 'Remove `options=`, `compression=` from `add_secure_port` (give them to grpc.server instead)');
  assert.equal(applyEdits(text, fix.edits), text.replace(', options=[], compression=None', ''));
});

test('GF204: a pool bound to a name and used only by grpc.server is replaced where it is made', () => {
  const text = 'import concurrent.futures\n\nimport grpc\n\npool = concurrent.futures.ProcessPoolExecutor(max_workers=8)\nserver = grpc.server(pool)\nserver.start()\n';
  const fix = onlyFix('GF204', text);
  assert.equal(fix.title, 'Use a thread pool');
  const fixed = applyEdits(text, fix.edits);
  assert.equal(fixed, text.replace('ProcessPoolExecutor', 'ThreadPoolExecutor'));
  assert.deepEqual(analyse(fixed).map((f) => f.code), []);
});

test('GF204: not through a name the program also uses for its own work', () => {
  const text = 'import concurrent.futures\n\nimport grpc\n\npool = concurrent.futures.ProcessPoolExecutor(max_workers=8)\nserver = grpc.server(pool)\npool.submit(print)\n';
  const finding = analyse(text).find((f) => f.code === 'GF204');
  assert.ok(finding);
  assert.deepEqual(finding.fixes.filter((f) => !f.isSuppression).map((f) => f.title), []);
});

test('GF204: the import only the dropped `mp_context=` used goes too (no F401)', () => {
  const text = 'import multiprocessing\nfrom concurrent.futures import ProcessPoolExecutor\n\nimport grpc\n\nexecutor = ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn"))\nserver = grpc.server(executor)\n';
  const fixed = applyEdits(text, onlyFix('GF204', text).edits);
  assert.doesNotMatch(fixed, /import multiprocessing/);
  assert.match(fixed, /ThreadPoolExecutor\(max_workers=2\)/);
  assert.deepEqual(analyse(fixed).map((f) => f.code), []);
});
