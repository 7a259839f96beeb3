// CLI tier: `fix` counts the findings that really went away, per rule (one fix can remove a GF101
// and its GF102), and says when what is left has only unsafe fixes and how to allow them.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { cliJs } from '../support/paths';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-fixcounts-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

const POOL = `import os
from multiprocessing import Pool

import grpc

channel = grpc.insecure_channel(os.environ["TARGET"])
echo = channel.unary_unary("/gf.Echo/Echo")


def handle(item):
    return echo(item)


def main():
    echo(b"ping")
    with Pool(2) as pool:
        print(pool.map(handle, [b"a", b"b"]))


if __name__ == "__main__":
    main()
`;

function run(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [cliJs, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  assert.equal(result.signal, null, `the CLI did not finish: ${result.stderr}`);
  return { code: result.status, stderr: result.stderr };
}

describe('fix counts', () => {
  test('only unsafe fixes: nothing fixed, what is left per rule, and the summary names --unsafe-fixes and the setting', () => {
    const dir = fs.mkdtempSync(path.join(scratch, 'safe-'));
    fs.writeFileSync(path.join(dir, 'pool.py'), POOL);
    const result = run(['fix', 'pool.py'], dir);
    assert.match(result.stderr, /^Fixed 0 problems; 2 remaining \(GF101: 1, GF102: 1\), with only unsafe fixes: use --unsafe-fixes or the grpcForkGuard\.unsafeFixes setting to apply them\.$/m);
    assert.equal(fs.readFileSync(path.join(dir, 'pool.py'), 'utf8'), POOL);
  });

  test('one fix that removes two findings is counted as two, per rule', () => {
    const dir = fs.mkdtempSync(path.join(scratch, 'unsafe-'));
    fs.writeFileSync(path.join(dir, 'pool.py'), POOL);
    const result = run(['fix', '--unsafe-fixes', 'pool.py'], dir);
    assert.match(result.stderr, /^pool\.py: applied GF101: /m);
    assert.match(result.stderr, /^Fixed 2 problems \(GF101: 1, GF102: 1\); 0 remaining\.$/m);
  });
});
