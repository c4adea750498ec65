// ImportSlots: at most `size` holders, the rest served first come first served; a slot given
// back once however often its release is called; a waiter that gives up leaves the queue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ImportSlots } from './import-slots.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('grants up to its size at once, then one slot per release, in the order asked', async () => {
  const slots = new ImportSlots(2);
  const order: string[] = [];
  const a = await slots.acquire();
  const b = await slots.acquire();
  const waiters = ['c', 'd', 'e'].map((name) => slots.acquire().then((release) => (order.push(name), release)));
  await tick();
  assert.deepEqual(order, []);
  assert.equal(slots.queued, 3);
  a();
  a(); // a second call gives back nothing more
  await tick();
  assert.deepEqual(order, ['c']);
  b();
  await tick();
  assert.deepEqual(order, ['c', 'd']);
  const c = await waiters[0];
  c();
  const [d, e] = [await waiters[1], await waiters[2]];
  assert.deepEqual(order, ['c', 'd', 'e']);
  d();
  e();
  // Two free again: two acquire at once.
  await Promise.all([slots.acquire(), slots.acquire()]);
  assert.equal(slots.queued, 0);
});

test('a waiter whose signal aborts leaves the queue and never gets a slot', async () => {
  const slots = new ImportSlots(1);
  const held = await slots.acquire();
  const gone = new AbortController();
  const leaving = slots.acquire(gone.signal);
  const staying = slots.acquire();
  assert.equal(slots.queued, 2);
  gone.abort(new Error('hung up'));
  await assert.rejects(leaving, /hung up/);
  assert.equal(slots.queued, 1);
  held();
  const next = await staying;
  next();
  await assert.rejects(slots.acquire(AbortSignal.abort(new Error('already gone'))), /already gone/);
  assert.equal(slots.queued, 0);
  (await slots.acquire())();
});

test('refuses a size that is not a whole number of one or more', () => {
  for (const size of [0, -1, 1.5, Number.NaN]) assert.throws(() => new ImportSlots(size), RangeError);
});
