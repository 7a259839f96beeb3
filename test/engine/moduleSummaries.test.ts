// Imported modules' summaries (engine/model/moduleSummaries.ts) must give every program exactly
// what walking its imports gives: the findings of each file of real projects and of ours are
// compared with summaries on (one process analysing the files in turn, both ways round, so that
// later files replay what earlier ones recorded) and off. Then the cases where a summary must not
// be reused: a new version of the module, and what one program writes into a shared namespace.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { Analyzer } from '../../server/src/engine/analyzer';
import { moduleSummaryCounts, useModuleSummaries } from '../../server/src/engine/model/moduleSummaries';
import { ProjectAnalysis } from '../../server/src/workspace/projectAnalysis';
import { listPythonFiles } from '../../server/src/workspace/pythonFiles';
import { examplesDir, fixturesDir } from '../support/paths';
import { grammarDir } from '../support/paths';

let analyzer: Analyzer;
before(async () => {
  analyzer = await Analyzer.create(grammarDir);
});
after(() => useModuleSummaries(true));

/** Each file's findings, analysed in `order` by one ProjectAnalysis rooted at `root` (its caches live across files). */
function findingsOf(root: string, files: string[], summaries: boolean): Map<string, string> {
  useModuleSummaries(summaries);
  const project = new ProjectAnalysis(analyzer, () => ({}), root);
  const found = new Map<string, string>();
  for (const file of files) found.set(file, JSON.stringify(project.analyzeFile(file).findings));
  useModuleSummaries(true);
  return found;
}

/** Real projects and ours, each analysed as one workspace; Debian's grpc package and standard library when installed. */
const CORPORA = [
  ...fs.readdirSync(path.join(fixturesDir, 'workspaces')).map((name) => path.join(fixturesDir, 'workspaces', name)),
  examplesDir,
  fixturesDir,
  '/usr/lib/python3/dist-packages/grpc',
  '/usr/lib/python3.11/multiprocessing',
  '/usr/lib/python3.11/concurrent',
  '/usr/lib/python3.11/logging',
].filter((dir) => fs.existsSync(dir));

test('with summaries each file has the findings a walk of all its imports gives, in either order', () => {
  const before = moduleSummaryCounts();
  let files = 0;
  for (const root of CORPORA) {
    const list = listPythonFiles(root, []);
    files += list.length;
    const walked = findingsOf(root, list, false);
    for (const order of [list, [...list].reverse()]) {
      const replayed = findingsOf(root, order, true);
      for (const file of list) assert.equal(replayed.get(file), walked.get(file), `${file} (in ${root}, ${order === list ? 'forward' : 'reverse'} order)`);
    }
  }
  const after = moduleSummaryCounts();
  // The comparison proves something only if summaries were kept and replayed.
  assert.ok(after.recorded - before.recorded > 50, `only ${after.recorded - before.recorded} summaries kept over ${files} files`);
  assert.ok(after.replayed - before.replayed > 200, `only ${after.replayed - before.replayed} replays over ${files} files`);
});

function workspace(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-summaries-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

const codes = (findings: { code: string; range: { start: { line: number } } }[]) => findings.map((f) => `${f.code}@${f.range.start.line}`);

test('a new version of an imported module is walked again, not replayed', () => {
  const dir = workspace({
    'clients.py': 'import grpc\n\nTIMEOUT = 5.0\n',
    'forksupport.py': 'import os\n\nos.environ["GRPC_ENABLE_FORK_SUPPORT"] = "true"\n',
    'main.py': 'import clients\nimport forksupport\n\nprint(clients.TIMEOUT, forksupport)\n',
    'other.py': 'import clients\nimport forksupport\n',
  });
  try {
    const project = new ProjectAnalysis(analyzer, () => ({}), dir);
    const main = path.join(dir, 'main.py');
    const replays = moduleSummaryCounts().replayed;
    project.analyzeFile(path.join(dir, 'other.py'));
    assert.deepEqual(codes(project.analyzeFile(main).findings), ['GF301@1']);
    assert.ok(moduleSummaryCounts().replayed > replays, 'main.py replayed what other.py recorded');
    // The module no longer writes fork support: the finding goes, as it does for a fresh walk.
    fs.writeFileSync(path.join(dir, 'forksupport.py'), 'import os\n\nos.environ["OTHER_SETTING"] = "true"\n');
    project.invalidate(path.join(dir, 'forksupport.py'));
    assert.deepEqual(codes(project.analyzeFile(main).findings), []);
    fs.writeFileSync(path.join(dir, 'forksupport.py'), 'import os\n\nos.environ["GRPC_ENABLE_FORK_SUPPORT"] = "true"\n');
    project.invalidate(path.join(dir, 'forksupport.py'));
    assert.deepEqual(codes(project.analyzeFile(main).findings), ['GF301@1']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("what one program writes into an imported module's namespace is not seen by the next", () => {
  const dir = workspace({
    // Imported by both programs; its summary is kept by the first and replayed into the second.
    'settings.py': 'import os\n\nCHANNEL = None\nLEVEL = os.environ.get("LEVEL")\n\n\ndef install(channel):\n    global CHANNEL\n    CHANNEL = channel\n',
    'first.py': 'import grpc\nimport settings\n\nsettings.CHANNEL = grpc.insecure_channel("localhost:1")\nsettings.install(grpc.insecure_channel("localhost:2"))\n',
    'second.py': 'import multiprocessing\nimport settings\n\n\ndef work():\n    settings.CHANNEL.unary_unary("/a.B/C")(b"")\n\n\nif __name__ == "__main__":\n    multiprocessing.Process(target=work).start()\n',
  });
  try {
    const files = ['first.py', 'second.py'].map((name) => path.join(dir, name));
    const walked = findingsOf(dir, files, false);
    const replays = moduleSummaryCounts().replayed;
    const replayed = findingsOf(dir, files, true);
    assert.ok(moduleSummaryCounts().replayed > replays, 'second.py replayed settings.py');
    assert.equal(replayed.get(files[1]), walked.get(files[1]));
    assert.equal(replayed.get(files[1]), '[]');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('analysing the same program again replays every module it imports, a package that imports itself and a cycle included', () => {
  const dir = workspace({});
  try {
    fs.mkdirSync(path.join(dir, 'pkg'));
    // The package imports its own modules and names from itself; one of its modules imports the package back.
    fs.writeFileSync(path.join(dir, 'pkg', '__init__.py'), 'import os\n\nfrom . import settings\nfrom pkg import helpers\n\nLEVEL = os.environ.get("LEVEL")\n');
    fs.writeFileSync(path.join(dir, 'pkg', 'settings.py'), 'import os\n\nTIMEOUT = float(os.environ.get("TIMEOUT", "5"))\n');
    fs.writeFileSync(path.join(dir, 'pkg', 'helpers.py'), 'import os\n\nimport pkg\n\n\ndef level():\n    return pkg.LEVEL or os.environ.get("LEVEL")\n');
    fs.writeFileSync(path.join(dir, 'client.py'), 'import multiprocessing\n\nimport grpc\n\nimport pkg\nfrom pkg import helpers\n\nchannel = grpc.insecure_channel("localhost:50051")\n\n\ndef work(n):\n    return n\n\n\nif __name__ == "__main__":\n    print(helpers.level())\n    with multiprocessing.Pool(2) as pool:\n        pool.map(work, range(3))\n');
    const file = path.join(dir, 'client.py');
    const walked = findingsOf(dir, [file], false).get(file);
    assert.notEqual(walked, '[]', 'the program has a finding to compare');
    const project = new ProjectAnalysis(analyzer, () => ({}), dir);
    const first = JSON.stringify(project.analyzeFile(file).findings);
    const counts = moduleSummaryCounts();
    const again = JSON.stringify(project.analyzeFile(file).findings);
    assert.equal(first, walked);
    assert.equal(again, walked);
    const after = moduleSummaryCounts();
    assert.equal(after.recorded, counts.recorded, 'nothing walked again');
    assert.ok(after.replayed > counts.replayed, 'the package was replayed');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
