// Work done ahead of a body's end but handed on only after it: nothing before arrival, at most
// the limit taken ahead, every item in order after, and failures where the next item would be.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aheadOfArrival } from './read-ahead.js';

/** A signal settled by hand. */
function signal(): { promise: Promise<void>; resolve(): void; reject(err: Error): void } {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((ok, fail) => ((resolve = ok), (reject = fail)));
  return { promise, resolve, reject };
}

/** Items 0..count-1, noting how many were asked for and whether the source was stopped. */
function counted(count: number, failAt?: number) {
  const seen = { taken: 0, stopped: false };
  async function* items(): AsyncGenerator<number> {
    try {
      for (let i = 0; i < count; i++) {
        if (i === failAt) throw new Error(`item ${i} failed`);
        seen.taken++;
        yield i;
      }
    } finally {
      if (seen.taken < count) seen.stopped = true;
    }
  }
  return { seen, items: items() };
}

const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('work ahead of a body’s arrival', () => {
  it('hands nothing on before arrival, takes at most the limit ahead, then hands on every item in order', async () => {
    const arrived = signal();
    const { seen, items } = counted(10);
    const out: number[] = [];
    const reading = (async () => {
      for await (const item of aheadOfArrival(items, arrived.promise, 3)) out.push(item);
    })();
    await turns(20);
    assert.deepEqual(out, []);
    assert.equal(seen.taken, 3);
    arrived.resolve();
    await reading;
    assert.deepEqual(out, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('hands on an item asked for before arrival but given after it, once', async () => {
    const arrived = signal();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    async function* slow(): AsyncGenerator<string> {
      yield 'a';
      await gate;
      yield 'b';
      yield 'c';
    }
    const out: string[] = [];
    const reading = (async () => {
      for await (const item of aheadOfArrival(slow(), arrived.promise, 5)) out.push(item);
    })();
    await turns(5);
    arrived.resolve();
    await turns(5);
    release();
    await reading;
    assert.deepEqual(out, ['a', 'b', 'c']);
  });

  it("throws the body's failure, and stops the source", async () => {
    const arrived = signal();
    const { seen, items } = counted(100);
    const reading = (async () => {
      for await (const _ of aheadOfArrival(items, arrived.promise, 2)) assert.fail('nothing may be handed on');
    })();
    await turns(10);
    arrived.reject(new Error('too large'));
    await assert.rejects(reading, /too large/);
    assert.equal(seen.stopped, true);
  });

  it("throws the body's failure at once while an item is still asked for, and stops the source once it comes", async () => {
    const arrived = signal();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let stopped = false;
    async function* stuck(): AsyncGenerator<number> {
      try {
        await gate;
        yield 1;
      } finally {
        stopped = true;
      }
    }
    const reading = (async () => {
      for await (const _ of aheadOfArrival(stuck(), arrived.promise, 2)) assert.fail('nothing may be handed on');
    })();
    await turns(5);
    arrived.reject(new Error('client went away'));
    await assert.rejects(reading, /client went away/);
    release();
    await turns(5);
    assert.equal(stopped, true);
  });

  it("throws the source's failure where its item would be, after the items before it", async () => {
    const arrived = signal();
    const { items } = counted(10, 4);
    const out: number[] = [];
    const reading = (async () => {
      for await (const item of aheadOfArrival(items, arrived.promise, 2)) out.push(item);
    })();
    arrived.resolve();
    await assert.rejects(reading, /item 4 failed/);
    assert.deepEqual(out, [0, 1, 2, 3]);
  });

  it('stops the source when the reader stops early', async () => {
    const arrived = signal();
    arrived.resolve();
    const { seen, items } = counted(10);
    for await (const item of aheadOfArrival(items, arrived.promise, 2)) if (item === 4) break;
    assert.equal(seen.stopped, true);
    assert.equal(seen.taken, 5);
  });
});
