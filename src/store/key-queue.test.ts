import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { KeyQueue } from './key-queue.js';

function gate(): { open: () => void; opened: Promise<void> } {
  let open!: () => void;
  const opened = new Promise<void>((ok) => (open = ok));
  return { open, opened };
}

test('tasks of one key run one at a time, in arrival order', async () => {
  const queue = new KeyQueue();
  const events: string[] = [];
  const first = gate();
  const a = queue.run('k', async () => {
    events.push('a start');
    await first.opened;
    events.push('a end');
    return 'a';
  });
  const b = queue.run('k', async () => {
    events.push('b start');
    return 'b';
  });
  await tick();
  assert.deepEqual(events, ['a start'], 'b waits while a runs');
  first.open();
  assert.deepEqual(await Promise.all([a, b]), ['a', 'b']);
  assert.deepEqual(events, ['a start', 'a end', 'b start']);
});

test('tasks of different keys run concurrently', async () => {
  const queue = new KeyQueue();
  const held = gate();
  const started: string[] = [];
  const a = queue.run('one', async () => {
    started.push('one');
    await held.opened;
  });
  const b = queue.run('two', async () => {
    started.push('two');
  });
  await b;
  assert.deepEqual(started, ['one', 'two']);
  held.open();
  await a;
});

test('a failing task rejects its own caller and does not stop the next', async () => {
  const queue = new KeyQueue();
  const failed = queue.run('k', async () => {
    throw new Error('boom');
  });
  const next = queue.run('k', async () => 'ran');
  await assert.rejects(failed, /boom/);
  assert.equal(await next, 'ran');
});

test('keys are forgotten once their tasks are done', async () => {
  const queue = new KeyQueue();
  await Promise.all(Array.from({ length: 100 }, (_, i) => queue.run(`k${i % 7}`, async () => i)));
  await tick();
  assert.equal(queue.size, 0);
});
