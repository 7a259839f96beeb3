// The fixes of GF202 (Add grpc.so_reuseport), GF203 (Move options to grpc.server) and GF204 (Use a
// thread pool): each case applies the fix, checks the exact text, that the finding is gone, that
// the text still parses, and that applying the safe fixes again changes nothing.
import * as assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Analyzer } from '../../server/src/engine/analyzer';
import { defaultConfig } from '../../server/src/engine/config';
import type { FixKind } from '../../server/src/engine/findings';
import { applyEdits, fixAllEdits } from '../../server/src/engine/fixes/fixAll';
import { grammarDir } from '../support/paths';

let analyzer: Analyzer;
before(async () => {
  analyzer = await Analyzer.create(grammarDir);
});

function findings(text: string) {
  return analyzer.analyze('/project/example.py', text, defaultConfig()).findings;
}

function applyFix(code: string, kind: FixKind, text: string, expected: string): void {
  const finding = findings(text).find((f) => f.code === code);
  assert.ok(finding, `${code} is not reported`);
  const fix = finding.fixes.find((f) => f.kind === kind);
  assert.ok(fix, `no ${kind} fix is offered; offered: ${finding.fixes.map((f) => f.kind).join(', ')}`);
  assert.equal(fix.applicability, 'safe');
  const fixed = applyEdits(text, fix.edits);
  assert.equal(fixed, expected);
  assert.equal(analyzer.parse(fixed).rootNode.hasError, false, 'the fixed text does not parse');
  const after = findings(fixed);
  assert.deepEqual(after.filter((f) => f.code === code).map((f) => f.message), []);
  assert.equal(applyEdits(fixed, fixAllEdits(after, { unsafe: false })), fixed, 'a second fix pass changed the text');
}

const FORK_LOOP = ['', 'for _ in range(4):', '    multiprocessing.Process(target=serve).start()', ''].join('\n');
const HEAD = ['import multiprocessing', 'from concurrent import futures', '', 'import grpc', ''].join('\n');

function serveWith(...body: string[]): string {
  return `${HEAD}${['', 'def serve():', ...body, '    server.add_insecure_port("[::]:50051")', '    server.start()', ''].join('\n')}${FORK_LOOP}`;
}

test('GF202 reports so_reuseport unset as information and 0 with the configured severity', () => {
  const severityOf = (line: string) => findings(serveWith(line)).find((f) => f.code === 'GF202')?.severity;
  assert.equal(severityOf('    server = grpc.server(futures.ThreadPoolExecutor())'), 'information');
  assert.equal(severityOf('    server = grpc.server(futures.ThreadPoolExecutor(), options=[("grpc.so_reuseport", 0)])'), 'warning');
});

describe('GF202 fix: Add grpc.so_reuseport=1 to grpc.server options', () => {
  const kind: FixKind = 'addReuseport';

  test('a zero in a constant other calls use too is overridden at the call site, the constant left as it is', () => {
    applyFix('GF202', kind,
      'import multiprocessing\n\nimport grpc\n\nOPTS = [("grpc.so_reuseport", 0)]\n\n\ndef serve():\n    server = grpc.server(None, options=OPTS)\n    server.add_insecure_port("[::]:50051")\n    server.start()\n\n\nif __name__ == "__main__":\n    for _ in range(2):\n        multiprocessing.Process(target=serve).start()\n    grpc.insecure_channel("localhost:50051", options=OPTS)\n',
      'import multiprocessing\n\nimport grpc\n\nOPTS = [("grpc.so_reuseport", 0)]\n\n\ndef serve():\n    server = grpc.server(\n        None,\n        options=[\n            *(opt for opt in OPTS if opt[0] != "grpc.so_reuseport"),\n            ("grpc.so_reuseport", 1),\n        ],\n    )\n    server.add_insecure_port("[::]:50051")\n    server.start()\n\n\nif __name__ == "__main__":\n    for _ in range(2):\n        multiprocessing.Process(target=serve).start()\n    grpc.insecure_channel("localhost:50051", options=OPTS)\n');
  });

  test('creates options= when the call has none', () => {
    applyFix('GF202', kind,
      serveWith('    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))'),
      // Longer than 79 characters with the option: wrapped at the call's bracket (fixes/lineWrap.ts).
      serveWith('    server = grpc.server(', '        futures.ThreadPoolExecutor(max_workers=2),', '        options=[("grpc.so_reuseport", 1)],', '    )'));
  });

  test('appends to a literal list written one item per line', () => {
    applyFix('GF202', kind,
      serveWith('    server = grpc.server(', '        futures.ThreadPoolExecutor(),', '        options=[', '            ("grpc.max_send_message_length", 1024),', '        ],', '    )'),
      serveWith('    server = grpc.server(', '        futures.ThreadPoolExecutor(),', '        options=[', '            ("grpc.max_send_message_length", 1024),', '            ("grpc.so_reuseport", 1),', '        ],', '    )'));
  });

  test('turns a 0 into 1', () => {
    applyFix('GF202', kind,
      serveWith('    server = grpc.server(futures.ThreadPoolExecutor(), options=(("grpc.so_reuseport", 0),))'),
      serveWith('    server = grpc.server(futures.ThreadPoolExecutor(), options=(("grpc.so_reuseport", 1),))'));
  });

  test('keeps an empty tuple a tuple of pairs', () => {
    applyFix('GF202', kind,
      serveWith('    server = grpc.server(futures.ThreadPoolExecutor(), options=())'),
      serveWith('    server = grpc.server(', '        futures.ThreadPoolExecutor(), options=(("grpc.so_reuseport", 1),)', '    )'));
  });

  test('wraps a name instead of editing the list it holds', () => {
    applyFix('GF202', kind,
      serveWith('    base = [("grpc.keepalive_time_ms", 1000)]', '    server = grpc.server(futures.ThreadPoolExecutor(), options=base)'),
      serveWith('    base = [("grpc.keepalive_time_ms", 1000)]', '    server = grpc.server(', '        futures.ThreadPoolExecutor(), options=[*base, ("grpc.so_reuseport", 1)]', '    )'));
  });
});

describe('GF203 fix: Move options to grpc.server', () => {
  const kind: FixKind = 'moveOptionsToServer';
  const program = (server: string, port: string) => [
    'from concurrent import futures', '', 'import grpc', '', server, port, 'server.start()', '',
  ].join('\n');

  test('creates options= on a server that has none', () => {
    applyFix('GF203', kind,
      program('server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))', 'server.add_insecure_port("[::]:50051", options=[("grpc.so_reuseport", 1)])'),
      program('server = grpc.server(\n    futures.ThreadPoolExecutor(max_workers=4),\n    options=[("grpc.so_reuseport", 1)],\n)', 'server.add_insecure_port("[::]:50051")'));
  });

  test('merges a positional list into the server\'s literal options, skipping a pair it already has', () => {
    applyFix('GF203', kind,
      program('server = grpc.server(futures.ThreadPoolExecutor(), options=[("grpc.so_reuseport", 1)])', 'server.add_insecure_port("[::]:50051", [("grpc.so_reuseport", 1), ("grpc.max_connection_idle_ms", 5000)])'),
      program('server = grpc.server(\n    futures.ThreadPoolExecutor(),\n    options=[("grpc.so_reuseport", 1), ("grpc.max_connection_idle_ms", 5000)],\n)', 'server.add_insecure_port("[::]:50051")'));
  });

  test('wraps the server\'s options name and keeps the credentials of add_secure_port', () => {
    const head = 'OPTS = [("grpc.keepalive_time_ms", 1000)]\ncreds = grpc.ssl_server_credentials([])';
    applyFix('GF203', kind,
      program(`${head}\nserver = grpc.server(futures.ThreadPoolExecutor(), options=OPTS)`, 'server.add_secure_port("[::]:443", creds, options=[("grpc.so_reuseport", 1)])'),
      program(`${head}\nserver = grpc.server(\n    futures.ThreadPoolExecutor(), options=[*OPTS, ("grpc.so_reuseport", 1)]\n)`, 'server.add_secure_port("[::]:443", creds)'));
  });

  test('is not offered when the server sets the same key to another value', () => {
    const text = program('server = grpc.server(futures.ThreadPoolExecutor(), options=[("grpc.so_reuseport", 0)])', 'server.add_insecure_port("[::]:1", options=[("grpc.so_reuseport", 1)])');
    const finding = findings(text).find((f) => f.code === 'GF203');
    assert.ok(finding);
    assert.deepEqual(finding.fixes.filter((f) => !f.isSuppression).map((f) => f.title), []);
  });
});

describe('GF204 fix: Use a thread pool', () => {
  const kind: FixKind = 'useThreadPool';

  test('keeps the module alias and max_workers', () => {
    applyFix('GF204', kind,
      'from concurrent import futures\n\nimport grpc\n\nserver = grpc.server(futures.ProcessPoolExecutor(max_workers=4))\n',
      'from concurrent import futures\n\nimport grpc\n\nserver = grpc.server(futures.ThreadPoolExecutor(max_workers=4))\n');
  });

  test('imports futures in the place of the ProcessPoolExecutor import it replaces (standard library, unused now)', () => {
    applyFix('GF204', kind,
      '"""Service."""\nfrom concurrent.futures import ProcessPoolExecutor as PPE\nimport grpc\n\n\ndef serve():\n    return grpc.server(PPE(8))\n',
      '"""Service."""\nfrom concurrent import futures\nimport grpc\n\n\ndef serve():\n    return grpc.server(futures.ThreadPoolExecutor(max_workers=8))\n');
  });

  test('adds `from concurrent import futures` to the standard-library section, not after the third-party imports', () => {
    applyFix('GF204', kind,
      'import multiprocessing\nimport os\n\nimport grpc\nfrom multiprocessing import Pool\n\nserver = grpc.server(Pool(2))\nprint(os.getpid(), multiprocessing)\n',
      'import multiprocessing\nimport os\nfrom concurrent import futures\n\nimport grpc\n\nserver = grpc.server(futures.ThreadPoolExecutor(max_workers=2))\nprint(os.getpid(), multiprocessing)\n');
  });

  test('replaces a multiprocessing Pool through an existing concurrent.futures alias, keeping the initializer and dropping the unused import', () => {
    applyFix('GF204', kind,
      'import concurrent.futures as cf\nimport multiprocessing\n\nimport grpc\n\n\ndef init():\n    pass\n\n\nserver = grpc.server(multiprocessing.Pool(2, init))\n',
      'import concurrent.futures as cf\n\nimport grpc\n\n\ndef init():\n    pass\n\n\nserver = grpc.server(cf.ThreadPoolExecutor(max_workers=2, initializer=init))\n');
  });
});
