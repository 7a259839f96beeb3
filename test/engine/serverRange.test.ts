// GF201's range says what its message says: a server started before the fork is reported at the
// start() call (or the call leading to it beside the fork) and "is started"; a server only
// created before the fork is reported at its creation and "is created". The fixes still move
// the creation, wherever the finding is shown.
import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { Analyzer } from '../../server/src/engine/analyzer';
import { defaultConfig } from '../../server/src/engine/config';
import type { Finding } from '../../server/src/engine/findings';
import { grammarDir } from '../support/paths';

let analyzer: Analyzer;
before(async () => {
  analyzer = await Analyzer.create(grammarDir);
});

function gf201(lines: string[]): { finding: Finding; text: string; lines: string[] } {
  const findings = analyzer.analyze('/tmp/server_range.py', lines.join('\n'), defaultConfig()).findings.filter((f) => f.code === 'GF201');
  assert.equal(findings.length, 1, JSON.stringify(findings.map((f) => f.message)));
  const { start, end } = findings[0].range;
  assert.equal(start.line, end.line);
  return { finding: findings[0], text: lines[start.line].slice(start.character, end.character), lines };
}

const HEAD = ['import os', 'from concurrent import futures', 'import grpc', ''];

test('started before the fork: the start() call, "is started"', () => {
  const { finding, text } = gf201([...HEAD, 'server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))', 'server.add_insecure_port("[::]:1")', 'server.start()', 'if os.fork() == 0:', '    os._exit(0)']);
  assert.equal(text, 'server.start()');
  assert.match(finding.message, /is started before/);
  assert.ok(finding.related.some((r) => r.message === 'The server is created here.' && r.range.start.line === 4), 'the creation is related information');
  assert.ok(finding.fixes.some((fix) => !fix.isSuppression), 'a fix is offered');
});

test('started inside a helper called beside the fork: the helper call', () => {
  const { text } = gf201([...HEAD, 'server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))', 'def go():', '    server.start()', 'go()', 'if os.fork() == 0:', '    os._exit(0)']);
  assert.equal(text, 'go()');
});

test('created before the fork and started after it: the creation, "is created"', () => {
  const { finding, text } = gf201([...HEAD, 'server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))', 'if os.fork() == 0:', '    os._exit(0)', 'server.start()']);
  assert.equal(text, 'grpc.server(futures.ThreadPoolExecutor(max_workers=2))');
  assert.match(finding.message, /is created before/);
});
