// A file with a syntax error says so (one GF000 notice at the first place that does not parse) and
// still gets the findings its parseable parts support; a file no rule could report in stays quiet.
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

const analyse = (text: string): Finding[] => analyzer.analyze('/project/broken.py', text, defaultConfig()).findings;

test('a syntax error is reported where it is, and the parseable parts are still checked', () => {
  const findings = analyse('import grpc\nimport os\nchannel = grpc.insecure_channel("x")\ndef f(:\n    pass\nos.fork()\n');
  const notice = findings.find((f) => f.code === 'GF000');
  assert.ok(notice, 'no syntax-error notice');
  assert.match(notice.message, /^Syntax error at line 4\b/);
  assert.equal(notice.range.start.line, 3);
  assert.deepEqual(findings.filter((f) => f.code !== 'GF000').map((f) => `${f.code}:${f.range.start.line + 1}`), ['GF101:3']);
});

test('an unclosed bracket at the end of the file is a syntax error at its line', () => {
  const findings = analyse('import grpc\nchannel = grpc.insecure_channel(\n');
  assert.deepEqual(findings.map((f) => f.code), ['GF000']);
  assert.match(findings[0].message, /Syntax error at line \d+/);
});

test('a file that parses gets no notice, and a broken file no rule could report in stays quiet', () => {
  assert.deepEqual(analyse('import grpc\nchannel = grpc.insecure_channel("x")\nchannel.close()\n'), []);
  assert.deepEqual(analyse('import os\ndef f(:\n    pass\nos.fork()\n'), []);
});

test("a broken file that imports a catalog client gets the notice, as the scan pre-filter would check it", () => {
  // No rule word in the text (`grpc`, `GRPC`, `secure_port`): only the import of a catalog root
  // (`google`) says a rule could report here; the pre-filter and the notice ask the same question.
  const text = 'from google.cloud import pubsub_v1\npublisher = pubsub_v1.PublisherClient(\n';
  assert.deepEqual(analyse(text).map((f) => f.code), ['GF000']);
  const withSetting = analyzer.analyze('/project/broken.py', 'import acme.rpc\nclient = acme.rpc.make(\n', {
    ...defaultConfig(), channelFactories: ['acme.rpc.make'],
  }).findings;
  assert.deepEqual(withSetting.map((f) => f.code), ['GF000']);
  assert.deepEqual(analyse('import json\nvalue = json.loads(\n'), []);
});

test('a suppressed file stays quiet even when it does not parse', () => {
  assert.deepEqual(analyse('# grpc-fork-guard: disable-file\nimport grpc\ndef f(:\n'), []);
});
