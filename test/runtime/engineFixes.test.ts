// Runtime proof of the engine's own fixes: for every case in programs/ (whose broken program
// handFixes.test.ts shows to fail), apply the fixes the case names through the engine — the same
// findings → fix → edits path the editor's code actions use — then run the result under real
// grpcio against the local echo server and require it to print OK and exit 0.
//
// Forking after gRPC has run in the parent is racy on grpcio 1.51 even when the fix is right
// (README.md of this folder), so a fixed program gets up to FIXED_ATTEMPTS runs.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Analyzer } from '../../server/src/engine/analyzer';
import { defaultConfig } from '../../server/src/engine/config';
import type { Finding, Fix, FixKind } from '../../server/src/engine/findings';
import { applyEdits, fixText } from '../../server/src/engine/fixes/fixAll';
import { RULES } from '../../server/src/engine/rules/registry';
import { grammarDir } from '../support/paths';
import { EchoServer, describeRun, loadCases, pythonWithGrpc, runPython, startEchoServer, succeeded } from './harness';

const FIXED_TIMEOUT_MS = 8_000;
const FIXED_ATTEMPTS = 5;

/** The kinds of engine fix behind each fix the cases name (SPEC §3's names); never their titles. */
const FIX_KINDS: Record<string, FixKind[]> = {
  'Create the channel in the child': ['poolInitializer', 'createInChild', 'createInForkBranch', 'createAfterFork', 'perProcessAccessor', 'runnerHook'],
  'Close the parent\'s channel before the fork': ['withBlock', 'closeBeforeFork'],
  'Enable gRPC fork support': ['enableForkSupport'],
  'Use the \'spawn\' start method': ['spawnAtForkSite', 'spawnForProgram'],
  'Start the server in each child': ['serverInChild', 'serverInPoolInitializer'],
  'Start the server after the forks': ['serverAfterFork'],
  'Add grpc.so_reuseport': ['addReuseport'],
  'Move options to grpc.server': ['moveOptionsToServer'],
  'Remove the arguments the port method does not take': ['removePortOptions'],
  'Move the environment settings above `import grpc`': ['moveEnvSettings'],
  'Set GRPC_POLL_STRATEGY to poll': ['setPollStrategy'],
  'Use a thread pool': ['useThreadPool'],
  'Run the command with `subprocess.run`': ['forkExecAsSubprocess'],
};

const implemented = new Set<string>(RULES.map((r) => r.code));
const grpcMissing = pythonWithGrpc();
const cases = loadCases();

function findFix(findings: Finding[], wanted: string): { finding: Finding; fix: Fix } | undefined {
  const kinds = FIX_KINDS[wanted] ?? [];
  for (const finding of findings) {
    const fix = finding.fixes.find((f) => !f.isSuppression && kinds.includes(f.kind));
    if (fix) return { finding, fix };
  }
  return undefined;
}

/**
 * A finding a case declares still reported after the fix is printed, never silently passed; it
 * must offer no other fix (fix-all would otherwise go on changing the program).
 */
function noteStillReported(t: { diagnostic(message: string): void }, remaining: Finding[]): void {
  for (const finding of remaining) {
    t.diagnostic(`still reported after the fix: ${finding.code}@${finding.range.start.line + 1} ${finding.message}`);
    assert.deepEqual(finding.fixes.filter((f) => !f.isSuppression).map((f) => f.title), [], `${finding.code} left with a fix to apply`);
  }
}

/** Runs a fixed program up to FIXED_ATTEMPTS times; it must print OK once (failed attempts are reported). */
async function requireRuns(t: { diagnostic(message: string): void }, file: string, text: string, server: EchoServer): Promise<void> {
  const failures: string[] = [];
  for (let attempt = 1; attempt <= FIXED_ATTEMPTS; attempt++) {
    const run = await runPython(file, { timeoutMs: FIXED_TIMEOUT_MS, env: { GF_TARGET: server.address } });
    if (succeeded(run)) {
      for (const failure of failures) t.diagnostic(failure);
      return;
    }
    failures.push(`attempt ${attempt}: ${describeRun(run)}`);
  }
  assert.fail(`the engine-fixed program never printed OK:\n${failures.join('\n')}\n--- program ---\n${text}`);
}

describe('runtime: the engine\'s fixes turn each broken program into one that runs', () => {
  let analyzer: Analyzer;
  let server: EchoServer | undefined;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-engine-fixes-'));

  before(async () => {
    assert.equal(grpcMissing, undefined, grpcMissing);
    analyzer = await Analyzer.create(grammarDir);
    server = await startEchoServer();
  });

  after(async () => {
    await server?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  for (const c of cases) {
    const pending = c.hazards.filter((code) => !implemented.has(code));
    test(`${c.name}: ${c.fixes.join(' + ')}`, { skip: pending.length ? `rules not implemented yet: ${pending.join(', ')}` : false }, async (t) => {
      const file = path.join(scratch, path.basename(c.broken));
      let text = fs.readFileSync(c.broken, 'utf8');
      const analyse = (source: string) => analyzer.analyze(file, source, defaultConfig()).findings;
      const before = analyse(text);
      for (const code of c.hazards) assert.ok(before.some((f) => f.code === code), `${code} is not reported on the broken program`);
      const applied: string[] = [];
      for (const wanted of c.fixes) {
        const found = findFix(analyse(text), wanted);
        // A combined fix ("... and close the parent's before the fork") may have done this part already.
        if (!found) {
          assert.ok(applied.length > 0, `no engine fix for "${wanted}"; offered: ${analyse(text).flatMap((f) => f.fixes.map((x) => x.title)).join(' | ')}`);
          continue;
        }
        text = applyEdits(text, found.fix.edits);
        applied.push(`${found.finding.code}: ${found.fix.title}`);
      }
      t.diagnostic(`applied: ${applied.join('; ')}`);
      fs.writeFileSync(file, text);
      const remaining = analyse(text).filter((f) => c.hazards.includes(f.code));
      assert.deepEqual(remaining.filter((f) => !c.stillReported.includes(f.code)).map((f) => `${f.code}@${f.range.start.line + 1}`), [], `the fixed program still has findings:\n${text}`);
      noteStillReported(t, remaining);
      await requireRuns(t, file, text, server!);
    });

    // No fix the engine offers on the program may break it: each one alone must leave it running
    // (a fix whose title says it is half of the job included: measured to run on its own here too).
    test(`${c.name}: every offered fix, alone, leaves it running`, { skip: pending.length ? `rules not implemented yet: ${pending.join(', ')}` : false }, async (t) => {
      const text = fs.readFileSync(c.broken, 'utf8');
      const analyse = (source: string) => analyzer.analyze(path.join(scratch, path.basename(c.broken)), source, defaultConfig()).findings;
      const titles = new Set<string>();
      for (const finding of analyse(text)) {
        for (const fix of finding.fixes) {
          if (fix.isSuppression || titles.has(fix.title)) continue;
          titles.add(fix.title);
          const file = path.join(scratch, `each${titles.size}_${path.basename(c.broken)}`);
          const fixed = applyEdits(text, fix.edits);
          fs.writeFileSync(file, fixed);
          t.diagnostic(`${finding.code}: ${fix.title}`);
          await requireRuns(t, file, fixed, server!);
        }
      }
    });

    // What `fix --unsafe-fixes` and "Fix All" with unsafe fixes apply: each finding's first choice.
    test(`${c.name}: fix-all with unsafe fixes`, { skip: pending.length ? `rules not implemented yet: ${pending.join(', ')}` : false }, async (t) => {
      const file = path.join(scratch, `fixall_${path.basename(c.broken)}`);
      const analyse = (source: string) => analyzer.analyze(file, source, defaultConfig()).findings;
      const result = fixText(analyse, fs.readFileSync(c.broken, 'utf8'), { unsafe: true });
      t.diagnostic(`applied: ${result.applied.join('; ')}`);
      fs.writeFileSync(file, result.text);
      const remaining = analyse(result.text).filter((f) => c.hazards.includes(f.code));
      assert.deepEqual(remaining.filter((f) => !c.stillReported.includes(f.code)).map((f) => `${f.code}@${f.range.start.line + 1}`), [], `fix-all left findings:\n${result.text}`);
      noteStillReported(t, remaining);
      await requireRuns(t, file, result.text, server!);
    });
  }
});
