// The probe's events to findings, without Python: placement (UTF-8 columns to UTF-16, the workspace
// frame first), one finding for many forks, GF101 left out when fork support was on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProbeEvent, ProbeFrame } from '../../server/src/probe/probeEvents';
import { runtimeFindings } from '../../server/src/probe/runtimeFindings';

const SOURCE: Record<string, string[]> = {
  '/ws/app.py': ['import grpc', 'café = grpc.insecure_channel("x")', 'os.fork()', 'stub.Echo(b"x")'],
  '/lib/client.py': ['def connect():', '    return grpc.insecure_channel("x")'],
};
const frame = (file: string, line: number, column?: number, endColumn?: number): ProbeFrame => ({ file, line, function: 'f', user: true, ...(column === undefined ? {} : { column, endLine: line, endColumn }) });
const fork = (id: string, forkSupport: boolean, stack = [frame('/ws/app.py', 2, 8, 34)]): ProbeEvent => ({
  event: 'fork', pid: 1, id, stack: [frame('/ws/app.py', 3, 0, 9)], method: 'os.fork', grpcImported: true, forkSupport,
  alive: [{ id: '1.1', kind: 'channel', api: 'grpc.insecure_channel', stack, started: null }],
});

test('a column in UTF-8 bytes becomes a UTF-16 column', () => {
  // "café = " is 8 bytes and 7 UTF-16 units; the call starts at byte 8.
  const [found] = runtimeFindings([fork('1.f1', false, [frame('/ws/app.py', 2, 8, 34)])], (f) => SOURCE[f]);
  assert.equal(found.finding.code, 'GF101');
  assert.deepEqual(found.finding.range, { start: { line: 1, character: 7 }, end: { line: 1, character: 33 } });
  assert.match(found.finding.message, /`grpc\.insecure_channel\("x"\)` is alive at the fork at line 3 \(`os\.fork\(\)`\)/);
});

test('twenty forks of one site give one finding that counts them', () => {
  const events = Array.from({ length: 20 }, (_, n) => fork(`1.f${n}`, false, [frame('/ws/app.py', 2, 8, 34)]));
  const found = runtimeFindings(events, (f) => SOURCE[f]);
  assert.equal(found.length, 1);
  assert.match(found[0].finding.message, /\(20 forks\)/);
});

test('with fork support on at import, a channel alive at the fork is not GF101; its use in the child is GF102', () => {
  const use: ProbeEvent = { event: 'use', pid: 2, ppid: 1, record: '1.1', fork: '1.f1', what: '__call__', stack: [frame('/ws/app.py', 4, 0, 15)] };
  const found = runtimeFindings([fork('1.f1', true, [frame('/ws/app.py', 2, 8, 34)]), use], (f) => SOURCE[f]);
  assert.deepEqual(found.map((f) => f.finding.code), ['GF102']);
  assert.equal(found[0].finding.severity, 'error');
  assert.deepEqual(found[0].finding.related.map((r) => r.range.start.line), [1, 2]);
});

test('a channel made inside a library is placed at the workspace call, with the library line related', () => {
  const stack = [frame('/lib/client.py', 2, 11, 37), frame('/ws/app.py', 2, 8, 34)];
  const [found] = runtimeFindings([fork('1.f1', false, stack)], (f) => SOURCE[f], '/ws');
  assert.equal(found.path, '/ws/app.py');
  assert.ok(found.finding.related.some((r) => r.path === '/lib/client.py' && r.range.start.line === 1));
});
