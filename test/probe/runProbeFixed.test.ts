// `grpc-fork-guard run` under Debian's grpcio 1.51 against the local echo server: the fixed programs
// of test/runtime/programs report nothing.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadCases, programsDir, pythonWithGrpc, PYTHON, startEchoServer, type EchoServer } from '../runtime/harness';
import { runWithProbe } from './probeHarness';

/**
 * Fixed programs whose parent still holds a channel at the fork, so the probe rightly sees it; `check`
 * reports the same (the per-process accessor keeps the parent's stub alive across the fork).
 */
const FIXED_BUT_ALIVE: Record<string, string[]> = { 'module_stub_global.fixed.py': ['GF101'] };

const grpcMissing = pythonWithGrpc();
const cases = grpcMissing ? [] : loadCases();
let server: EchoServer;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-probe-tier-'));

before(async () => {
  assert.equal(grpcMissing, undefined, grpcMissing);
  server = await startEchoServer();
});
after(async () => {
  await server?.stop();
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe('fixed programs: nothing to report', { concurrency: 2 }, () => {
  for (const c of cases) {
    const name = path.basename(c.fixed);
    test(name, async () => {
      const { findings } = await runWithProbe([PYTHON, c.fixed], { cwd: programsDir(), env: { GF_TARGET: server.address } });
      // A rule the case says the engine still reports after its fix (`# still reported:`) is still seen at run time too.
      const expected = [...(FIXED_BUT_ALIVE[name] ?? []), ...c.stillReported].sort();
      assert.deepEqual(findings.map((f) => f.code).sort(), expected, findings.map((f) => `${f.code} ${f.message}`).join('\n'));
    });
  }
});

