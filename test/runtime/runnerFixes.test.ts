// Runtime proof of GF104's fixes on programs that imitate pre-forking runners (runners/<case>/):
// run.py does what the runner does (import the app module in the master, fork the workers, run
// the per-worker hook, then the work), and the module it loads makes its client at import time.
// Each case must fail as written, and run after the engine's preferred fix, after each fix it
// offers (a hook fix's edits to the configuration file included), and after fix-all with unsafe
// fixes. The runners are found as the editor finds them (workspace/preforkRunners.ts).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Analyzer } from '../../server/src/engine/analyzer';
import { defaultConfig } from '../../server/src/engine/config';
import type { Finding, Fix } from '../../server/src/engine/findings';
import { applyEdits, fixText } from '../../server/src/engine/fixes/fixAll';
import { preforkRunners } from '../../server/src/workspace/preforkRunners';
import { grammarDir } from '../support/paths';
import { EchoServer, describeRun, pythonWithGrpc, runPython, runtimeDir, startEchoServer, succeeded } from './harness';

const TIMEOUT_MS = 8_000;
const ATTEMPTS = 5;

/** Each case: its folder under runners/, the module the runner loads, and the fix titles expected. */
const CASES = [
  { name: 'celery_like', module: 'tasks.py', fixes: [/^Create `charge_rpc` lazily in each worker process/, /^Create `charge_rpc` in each worker process \(Celery `worker_process_init`\)$/] },
  { name: 'gunicorn_like', module: 'app.py', fixes: [/^Create `echo` lazily in each worker process/, /^Create `echo` in each worker process \(gunicorn `post_fork` in gunicorn\.conf\.py\)$/] },
  // uWSGI is not installed here: run.py stands in for it and uwsgidecorators.py for its module,
  // whose `@postfork` functions run.py calls in each worker after the fork, as uWSGI does.
  { name: 'uwsgi_like', module: 'app.py', fixes: [/^Create `echo` lazily in each worker process/, /^Create `echo` in each worker process \(uWSGI `@postfork`\)$/] },
];

const grpcMissing = pythonWithGrpc();

describe('runtime: GF104 fixes on programs run by imitated pre-forking runners', () => {
  let analyzer: Analyzer;
  let server: EchoServer | undefined;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-runner-fixes-'));
  let copies = 0;

  before(async () => {
    assert.equal(grpcMissing, undefined, grpcMissing);
    analyzer = await Analyzer.create(grammarDir);
    server = await startEchoServer();
  });

  after(async () => {
    await server?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  /** A fresh copy of the case's folder, so each fix is applied to the program as written. */
  function copyOf(name: string): string {
    const dir = path.join(scratch, `${name}_${++copies}`);
    fs.cpSync(path.join(runtimeDir(), 'runners', name), dir, { recursive: true });
    return dir;
  }

  function analyse(dir: string, module: string, text: string): Finding[] {
    const runners = preforkRunners(dir, dir, []);
    return analyzer.analyze(path.join(dir, module), text, defaultConfig(), { runners }).findings;
  }

  /** Writes the fix's edits into the copy: the module's, and those of any other file it edits. */
  function applyFix(dir: string, module: string, fix: Fix): void {
    const file = path.join(dir, module);
    fs.writeFileSync(file, applyEdits(fs.readFileSync(file, 'utf8'), fix.edits));
    for (const other of fix.otherFiles ?? []) {
      assert.ok(other.path.startsWith(dir), `the fix edits a file outside the program: ${other.path}`);
      fs.writeFileSync(other.path, applyEdits(fs.readFileSync(other.path, 'utf8'), other.edits));
    }
  }

  async function requireRuns(t: { diagnostic(message: string): void }, dir: string, module: string): Promise<void> {
    const failures: string[] = [];
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const run = await runPython(path.join(dir, 'run.py'), { timeoutMs: TIMEOUT_MS, env: { GF_TARGET: server!.address } });
      if (succeeded(run)) {
        for (const failure of failures) t.diagnostic(failure);
        return;
      }
      failures.push(`attempt ${attempt}: ${describeRun(run)}`);
    }
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.py')).map((f) => `--- ${f} ---\n${fs.readFileSync(path.join(dir, f), 'utf8')}`);
    assert.fail(`the fixed program never printed OK (module ${module}):\n${failures.join('\n')}\n${files.join('\n')}`);
  }

  for (const c of CASES) {
    test(`${c.name}: fails as written`, async () => {
      const dir = copyOf(c.name);
      const run = await runPython(path.join(dir, 'run.py'), { timeoutMs: TIMEOUT_MS, env: { GF_TARGET: server!.address } });
      assert.equal(succeeded(run), false, `the broken program ran: ${describeRun(run)}`);
    });

    test(`${c.name}: GF104 offers the accessor and the runner's hook, and each one alone makes it run`, async (t) => {
      const original = fs.readFileSync(path.join(runtimeDir(), 'runners', c.name, c.module), 'utf8');
      const finding = analyse(copyOf(c.name), c.module, original).find((f) => f.code === 'GF104');
      assert.ok(finding, 'GF104 is not reported');
      const fixes = finding.fixes.filter((f) => !f.isSuppression);
      assert.deepEqual(fixes.map((f) => c.fixes.findIndex((p) => p.test(f.title))), c.fixes.map((_, i) => i), `offered: ${fixes.map((f) => f.title).join(' | ')}`);
      for (const [index, fix] of fixes.entries()) {
        const dir = copyOf(c.name);
        // Offsets of the analysis of one copy fit every copy: the texts are the same.
        applyFix(dir, c.module, fix.otherFiles ? { ...fix, otherFiles: fix.otherFiles.map((o) => ({ ...o, path: path.join(dir, path.basename(o.path)) })) } : fix);
        t.diagnostic(`${index === 0 ? 'preferred' : 'also offered'}: ${fix.title}`);
        const fixed = fs.readFileSync(path.join(dir, c.module), 'utf8');
        assert.deepEqual(analyse(dir, c.module, fixed).filter((f) => f.code === 'GF104').map((f) => f.message), [], `GF104 is still reported:\n${fixed}`);
        await requireRuns(t, dir, c.module);
      }
    });

    test(`${c.name}: fix-all with unsafe fixes`, async (t) => {
      const dir = copyOf(c.name);
      const file = path.join(dir, c.module);
      const result = fixText((text) => analyse(dir, c.module, text), fs.readFileSync(file, 'utf8'), { unsafe: true });
      t.diagnostic(`applied: ${result.applied.join('; ')}`);
      assert.ok(result.applied.length > 0, 'fix-all applied nothing');
      fs.writeFileSync(file, result.text);
      assert.deepEqual(analyse(dir, c.module, result.text).filter((f) => f.code === 'GF104').map((f) => f.message), [], `fix-all left GF104:\n${result.text}`);
      await requireRuns(t, dir, c.module);
    });
  }
});
