import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EndpointSlots } from './endpoint-slots.js';

describe('EndpointSlots', () => {
  test('gives at most the limit per URL; a call over it waits and gets the next slot given back', async () => {
    const slots = new EndpointSlots(2);
    const signal = new AbortController().signal;
    const a = await slots.acquire('https://eval.example/check', signal);
    await slots.acquire('https://eval.example/check?user=2', signal); // the query is the same endpoint
    let third: (() => void) | undefined;
    const waiting = slots.acquire('https://eval.example/check', signal).then((release) => (third = release));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(third, undefined);
    assert.deepEqual(slots.load('https://eval.example/check'), { active: 2, waiting: 1 });
    // Another path on the same host is not held up.
    const other = await slots.acquire('https://eval.example/other', signal);
    a();
    a(); // giving back twice counts once
    await waiting;
    assert.equal(typeof third, 'function');
    assert.deepEqual(slots.load('https://eval.example/check'), { active: 2, waiting: 0 });
    other();
    assert.deepEqual(slots.load('https://eval.example/other'), { active: 0, waiting: 0 });
  });

  test('a waiting call whose signal aborts leaves the queue with the abort reason', async () => {
    const slots = new EndpointSlots(1);
    const release = await slots.acquire('https://eval.example/check', new AbortController().signal);
    const controller = new AbortController();
    const waiting = slots.acquire('https://eval.example/check', controller.signal);
    const reason = new Error('deadline');
    controller.abort(reason);
    await assert.rejects(waiting, (err) => err === reason);
    assert.deepEqual(slots.load('https://eval.example/check'), { active: 1, waiting: 0 });
    release();
    assert.deepEqual(slots.load('https://eval.example/check'), { active: 0, waiting: 0 });
    await assert.rejects(slots.acquire('https://eval.example/check', controller.signal), (err) => err === reason);
  });
});
