// `grpc-fork-guard run` under Debian's grpcio 1.51 against the local echo server: each broken program
// of test/runtime/programs is reported with its rules at the lines `check` reports them on.
// (The probe tier is split in files so that each stays well inside the runner's per-file bound.)
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadCases, programsDir, pythonWithGrpc, PYTHON, startEchoServer, type EchoServer } from '../runtime/harness';
import { JsonFinding, runWithProbe, staticCheck } from './probeHarness';

/** The rules the probe can see (GF104, a runner that forks after import, is left to `check`). */
const RUN_TIME_RULES = new Set(['GF101', 'GF102', 'GF103', 'GF201', 'GF202', 'GF203', 'GF204', 'GF301', 'GF302', 'GF303']);
/** Broken programs race in grpcio 1.51 (a child may hang before its first call): a few runs, findings pooled. */
const ATTEMPTS = 3;

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

function staticLines(findings: JsonFinding[], code: string): number[] {
  return findings.filter((f) => f.code === code).map((f) => f.range.start.line);
}

describe('broken programs: every rule the probe can see, at the line check reports', { concurrency: 2 }, () => {
  for (const c of cases) {
    const expected = c.hazards.filter((code) => RUN_TIME_RULES.has(code));
    if (expected.length === 0) continue;
    test(path.basename(c.broken), async () => {
      const checked = JSON.parse((await staticCheck(c.broken, programsDir())).stdout) as JsonFinding[];
      const seen: JsonFinding[] = [];
      for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
        const { findings } = await runWithProbe([PYTHON, c.broken], { cwd: programsDir(), env: { GF_TARGET: server.address } });
        seen.push(...findings);
        if (expected.every((code) => seen.some((f) => f.code === code))) break;
      }
      for (const code of expected) {
        const found = seen.filter((f) => f.code === code);
        assert.ok(found.length > 0, `${code} not seen at run time; saw ${seen.map((f) => f.code).join(', ') || 'nothing'}`);
        // Confirmed: check reports the same rule on that line (or, for a server, on its creation; for a stub, where it wraps the channel).
        const lines = staticLines(checked, code);
        assert.ok(found.some((f) => f.confirmed), `${code} at line ${found[0].range.start.line + 1} is not confirmed by check (check: ${lines.map((l) => l + 1).join(', ')})`);
        assert.ok(found.every((f) => f.path === path.basename(c.broken)), `${code} placed in ${found.map((f) => f.path).join(', ')}`);
      }
    });
  }
});

