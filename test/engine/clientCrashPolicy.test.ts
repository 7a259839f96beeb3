// The client's restart policy for a crashed server: bounded restarts within a window, then stop.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { CrashPolicy } from '../../client/src/crashPolicy';

test('a crashed server is restarted 4 times within 3 minutes, then the client stops and says so', () => {
  let now = 0;
  const policy = new CrashPolicy(4, 180_000, () => now);
  const decisions = [1, 2, 3, 4, 5].map(() => {
    now += 1000;
    return policy.onCrash();
  });
  assert.deepEqual(decisions.map((d) => d.restart), [true, true, true, true, false]);
  assert.match(decisions[3].status, /restarting after a crash \(4 of 4\)/);
  assert.match(decisions[4].status, /stopped after 5 crashes in 3 minutes/);
});

test('crashes older than the window no longer count, and Restart Server starts the count again', () => {
  let now = 0;
  const policy = new CrashPolicy(2, 60_000, () => now);
  policy.onCrash();
  policy.onCrash();
  now += 61_000;
  assert.equal(policy.onCrash().restart, true);
  policy.onCrash();
  assert.equal(policy.onCrash().restart, false);
  policy.reset();
  assert.equal(policy.onCrash().crashes, 1);
});
