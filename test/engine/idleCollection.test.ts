// The analysis thread's collection at a quiet moment (server/src/lsp/idleCollection.ts): it runs
// once the thread stays idle after work that left a heap much larger than what is in use, never
// after new work cancelled it, and never for a heap not worth it. Order, not time, is asserted:
// timers of equal delay fire in the order they were set.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { HeapFigures, IdleCollection, fullCollection } from '../../server/src/lsp/idleCollection';

const MB = 1024 * 1024;
const QUIET_MS = 5;

function collection(heap: HeapFigures, events: string[], name: string): IdleCollection {
  return new IdleCollection({ quietMs: QUIET_MS, minHeapBytes: 48 * MB, slack: 2, heap: () => heap, collect: () => events.push(name) });
}

/** Resolves when a timer set now with the same delay fires: every earlier timer of that delay has fired by then. */
function afterEarlierTimers(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, QUIET_MS));
}

test('a heap mostly garbage is collected once the thread stays quiet', async () => {
  const events: string[] = [];
  collection({ heapTotal: 200 * MB, heapUsed: 40 * MB }, events, 'collected').workDone();
  await afterEarlierTimers();
  assert.deepEqual(events, ['collected']);
});

test('work arriving before the quiet period ends cancels the collection', async () => {
  const events: string[] = [];
  const idle = collection({ heapTotal: 200 * MB, heapUsed: 40 * MB }, events, 'collected');
  idle.workDone();
  idle.cancel();
  await afterEarlierTimers();
  assert.deepEqual(events, []);
  // Work done again schedules it again.
  idle.workDone();
  await afterEarlierTimers();
  assert.deepEqual(events, ['collected']);
});

test('a small heap, or one mostly in use, is left alone', async () => {
  const events: string[] = [];
  collection({ heapTotal: 30 * MB, heapUsed: 5 * MB }, events, 'small').workDone();
  collection({ heapTotal: 200 * MB, heapUsed: 150 * MB }, events, 'in use').workDone();
  collection({ heapTotal: 200 * MB, heapUsed: 60 * MB }, events, 'garbage').workDone();
  await afterEarlierTimers();
  assert.deepEqual(events, ['garbage']);
});

test('the runtime hands out a full collection that runs', () => {
  const collect = fullCollection();
  assert.equal(typeof collect, 'function');
  collect!();
});
