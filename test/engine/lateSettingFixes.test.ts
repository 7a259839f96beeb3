// GF301 on a setting no move can bring up in time (in `__main__`, a function, a fork child): the
// fix makes the same setting before the statement that loads grpc. Exact text, and the finding
// is gone or no fix is offered again (fix-all must not add the setting twice).
import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { Analyzer } from '../../server/src/engine/analyzer';
import { defaultConfig } from '../../server/src/engine/config';
import { applyEdits, fixText } from '../../server/src/engine/fixes/fixAll';
import { grammarDir } from '../support/paths';

let analyzer: Analyzer;
before(async () => {
  analyzer = await Analyzer.create(grammarDir);
});

const analyse = (text: string) => analyzer.analyze('/project/main.py', text, defaultConfig()).findings;

const IN_MAIN = [
  'import multiprocessing',
  'import os',
  '',
  'import grpc',
  '',
  '',
  'def work(n):',
  '    with grpc.insecure_channel("localhost:50051") as channel:',
  '        return n if channel else None',
  '',
  '',
  'if __name__ == "__main__":',
  '    os.environ["GRPC_ENABLE_FORK_SUPPORT"] = "1"',
  '    with multiprocessing.Pool(2) as pool:',
  '        pool.map(work, range(3))',
  '',
].join('\n');

test('fork support set in __main__ is enabled before `import grpc`, with the poll strategy it needs', () => {
  const finding = analyse(IN_MAIN).find((f) => f.code === 'GF301');
  const fix = finding?.fixes.find((f) => !f.isSuppression);
  assert.equal(fix?.kind, 'enableForkSupport');
  assert.equal(fix.applicability, 'unsafe');
  const fixed = applyEdits(IN_MAIN, fix.edits);
  assert.equal(fixed, IN_MAIN.replace('import os\n\nimport grpc\n', [
    'import os',
    '',
    'os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "true")',
    'os.environ.setdefault("GRPC_POLL_STRATEGY", "poll")',
    'import grpc  # noqa: E402',
    '',
  ].join('\n')));
  // The late write stays, asking for what is now in effect: no GF301 on it any more.
  assert.deepEqual(analyse(fixed).filter((f) => f.code === 'GF301').map((f) => f.message), []);
  assert.ok(analyse(IN_MAIN.replace('"true"', '"1"')).some((f) => f.code === 'GF301'));
  // Fix-all (GF302 also adds a poll strategy beside the late write) sets fork support once.
  const result = fixText(analyse, IN_MAIN, { unsafe: true });
  assert.equal(result.text.split('os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "true")').length, 2, result.text);
});

test('a poll strategy set after the first server is set before `import grpc` with its value', () => {
  const text = [
    'import os',
    'from concurrent import futures',
    '',
    'import grpc',
    '',
    'server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))',
    '',
    '',
    'def main():',
    '    os.environ.setdefault("GRPC_POLL_STRATEGY", "epoll1")',
    '    server.start()',
    '',
  ].join('\n');
  const fix = analyse(text).find((f) => f.code === 'GF301')?.fixes.find((f) => !f.isSuppression);
  assert.equal(fix?.kind, 'setEnvBeforeGrpc');
  const fixed = applyEdits(text, fix.edits);
  assert.match(fixed, /from concurrent import futures\n\nos\.environ\.setdefault\("GRPC_POLL_STRATEGY", "epoll1"\)\nimport grpc {2}# noqa: E402\n/);
  assert.equal(fixText(analyse, text, { unsafe: true }).text, fixed, 'fix-all applied the setting more than once');
});

test('a value known only at run time gets no fix', () => {
  const text = 'import os\nimport sys\n\nimport grpc\n\n\ndef main():\n    os.environ["GRPC_ENABLE_FORK_SUPPORT"] = sys.argv[1]\n    print(grpc)\n';
  const finding = analyse(text).find((f) => f.code === 'GF301');
  assert.ok(finding);
  assert.deepEqual(finding.fixes.filter((f) => !f.isSuppression).map((f) => f.title), []);
});

test('a top-level value read at run time moves up with its write when the names it reads are imported before grpc', () => {
  const text = 'import os\nimport sys\n\nimport grpc\n\nos.environ["GRPC_ENABLE_FORK_SUPPORT"] = sys.argv[1]\nprint(grpc)\n';
  const fix = analyse(text).find((f) => f.code === 'GF301')?.fixes.find((f) => !f.isSuppression);
  assert.equal(fix?.title, 'Move the environment settings above `import grpc`');
  // The statement as it is; the import after it says why it is not at the top (flake8's E402).
  assert.equal(applyEdits(text, fix.edits), 'import os\nimport sys\n\nos.environ["GRPC_ENABLE_FORK_SUPPORT"] = sys.argv[1]\nimport grpc  # noqa: E402\n\nprint(grpc)\n');
  // A name bound only after grpc loads cannot come along.
  const later = text.replace('import sys\n\nimport grpc\n', 'import grpc\nimport sys\n');
  assert.deepEqual(analyse(later).find((f) => f.code === 'GF301')?.fixes.filter((f) => !f.isSuppression).map((f) => f.title), []);
});

test('an invalid poll strategy written too late is never made to take effect; its GF303 fix corrects it first', () => {
  for (const where of ['top level', 'in __main__']) {
    const write = 'os.environ["GRPC_POLL_STRATEGY"] = "epoll"';
    const text = where === 'top level'
      ? ['import os', 'import grpc', '', 'channel = grpc.insecure_channel("localhost:50051")', write, ''].join('\n')
      : ['import os', 'import grpc', '', 'if __name__ == "__main__":', '    channel = grpc.insecure_channel("localhost:50051")', `    ${write}`, ''].join('\n');
    const findings = analyse(text);
    const late = findings.find((f) => f.code === 'GF301');
    assert.ok(late, `${where}: no GF301`);
    // A GF301 fix may move the write up only with its value corrected to `poll`.
    for (const fix of late.fixes.filter((f) => !f.isSuppression)) {
      const moved = applyEdits(text, fix.edits);
      assert.doesNotMatch(moved, /"epoll"/, `${where}: "${fix.title}" would make "epoll" take effect`);
      assert.match(moved, /os\.environ\["GRPC_POLL_STRATEGY"\] = "poll"\nimport grpc( {2}# noqa: E402)?\n/, `${where}: "${fix.title}" does not set poll before import grpc`);
    }
    if (where === 'top level') assert.equal(late.fixes.filter((f) => !f.isSuppression)[0]?.title, 'Move the environment settings above `import grpc` (`GRPC_POLL_STRATEGY` corrected to `poll`)');
    const invalid = findings.find((f) => f.code === 'GF303');
    assert.ok(invalid?.fixes.some((f) => !f.isSuppression), `${where}: GF303 has no fix`);
    // Fix-all leaves no invalid strategy behind, wherever it writes.
    const fixed = fixText((t) => analyse(t), text, { unsafe: true }).text;
    assert.doesNotMatch(fixed, /"epoll"/, `${where}: fix-all left the invalid value`);
  }
});

test('in a Ruff project the settings stand among the imports without `# noqa: E402` (Ruff allows os.environ writes there)', () => {
  const text = 'import os\n\nimport grpc\nimport numpy\n\nos.environ["GRPC_ENABLE_FORK_SUPPORT"] = "true"\nprint(grpc, numpy)\n';
  const moveIn = (importLint: 'ruff' | 'pycodestyle') => {
    const findings = analyzer.analyze('/project/main.py', text, { ...defaultConfig(), importLint }).findings;
    const fix = findings.find((f) => f.code === 'GF301')?.fixes.find((f) => f.kind === 'moveEnvSettings');
    assert.ok(fix, `${importLint}: no move`);
    return applyEdits(text, fix.edits);
  };
  assert.equal(moveIn('ruff'), 'import os\n\nos.environ["GRPC_ENABLE_FORK_SUPPORT"] = "true"\nimport grpc\nimport numpy\n\nprint(grpc, numpy)\n');
  assert.equal(moveIn('pycodestyle'), 'import os\n\nos.environ["GRPC_ENABLE_FORK_SUPPORT"] = "true"\nimport grpc  # noqa: E402\nimport numpy  # noqa: E402\n\nprint(grpc, numpy)\n');
  // The fork-support insertion follows the same rule.
  const forking = 'import os\n\nimport grpc\n\nchannel = grpc.insecure_channel("x")\nos.fork()\n';
  const enable = (importLint: 'ruff' | 'pycodestyle') => analyzer.analyze('/project/main.py', forking, { ...defaultConfig(), importLint }).findings
    .flatMap((f) => f.fixes).find((f) => f.kind === 'enableForkSupport');
  assert.ok(enable('ruff') && enable('pycodestyle'), 'no fork-support fix');
  assert.doesNotMatch(applyEdits(forking, enable('ruff')!.edits), /noqa/);
  assert.match(applyEdits(forking, enable('pycodestyle')!.edits), /import grpc {2}# noqa: E402/);
});
