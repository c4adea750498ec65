// Rate limits: the bucket arithmetic, and the server's 429s with retry-after per API token and
// per client IP for bad credentials.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomAccountId, startTestServer } from '../../test/support/server.js';
import { scopedToken } from '../../test/support/tokens.js';
import { RateLimiter } from './rate-limit.js';
import { LRU_MOVE_MS } from './lru-move.js';

describe('the rate limiter', () => {
  it('allows a burst of `limit`, then refills at limit per window', () => {
    const limiter = new RateLimiter({ limit: 3, windowMs: 3000 });
    assert.deepEqual([0, 0, 0].map(() => limiter.take('a', 0).allowed), [true, true, true]);
    assert.deepEqual(limiter.take('a', 0), { allowed: false, retryAfterS: 1 });
    assert.equal(limiter.take('b', 0).allowed, true, 'every key has its own bucket');
    assert.equal(limiter.take('a', 999).allowed, false);
    assert.equal(limiter.take('a', 1000).allowed, true, 'one request a second comes back');
    assert.equal(limiter.take('a', 1000).allowed, false);
    assert.equal(new RateLimiter({ limit: 0, windowMs: 1000 }).take('x').allowed, true, 'a limit of 0 is off');
  });

  it('takes a cost of several requests at once, or nothing when the bucket cannot pay it', () => {
    const limiter = new RateLimiter({ limit: 4, windowMs: 4000 });
    assert.equal(limiter.take('a', 0, 3).allowed, true);
    assert.deepEqual(limiter.take('a', 0, 2), { allowed: false, retryAfterS: 1 }, 'one left, two asked: wait a second');
    assert.equal(limiter.take('a', 0).allowed, true, 'the refused cost took nothing');
    assert.deepEqual(limiter.take('a', 0, 10), { allowed: false, retryAfterS: 4 }, 'a cost above the limit waits for a full bucket');
  });

  it('tells how long to wait', () => {
    const limiter = new RateLimiter({ limit: 1, windowMs: 60_000 });
    limiter.take('a', 0);
    assert.deepEqual(limiter.take('a', 0), { allowed: false, retryAfterS: 60 });
    assert.deepEqual(limiter.take('a', 30_000), { allowed: false, retryAfterS: 30 });
  });

  it('forgets the least recently used keys beyond its bound', () => {
    const limiter = new RateLimiter({ limit: 1, windowMs: 60_000, maxKeys: 2 });
    limiter.take('a', 0);
    limiter.take('b', 0);
    limiter.take('c', 0);
    assert.equal(limiter.take('a', 0).allowed, true, '"a" was dropped and starts afresh');
    assert.equal(limiter.take('c', 0).allowed, false, '"c" was kept');
  });

  it('moves a key used again a second or more later to the recently used end', () => {
    const limiter = new RateLimiter({ limit: 1, windowMs: 60_000, maxKeys: 2 });
    limiter.take('a', 0);
    limiter.take('b', 0);
    assert.equal(limiter.take('a', LRU_MOVE_MS).allowed, false);
    limiter.take('c', LRU_MOVE_MS);
    assert.equal(limiter.take('a', LRU_MOVE_MS).allowed, false, '"a" was kept: it had moved behind "b"');
    assert.equal(limiter.take('b', LRU_MOVE_MS).allowed, true, '"b" was dropped and starts afresh');
  });
});

describe('the server under rate limits', () => {
  it('answers 429 with retry-after once a token uses up its requests, without touching other tokens or root', async () => {
    const s = await startTestServer({ settings: { rateLimit: 3, rateWindowMs: 60_000, failedAuthPerMinute: 2 } });
    try {
      const account = randomAccountId();
      const path = `/accounts/${account}/access/policies`;
      const busy = `Bearer ${await scopedToken(s.store, account, ['Access: Apps and Policies Read'])}`;
      const calm = `Bearer ${await scopedToken(s.store, account, ['Access: Apps and Policies Read'])}`;
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await s.api('GET', path, undefined, { authorization: busy })).status);
      assert.deepEqual(statuses, [200, 200, 200, 429]);
      const limited = await s.api('GET', path, undefined, { authorization: busy });
      assert.equal(limited.headers.get('retry-after'), '20');
      assert.equal(limited.headers.get('x-should-retry'), null, 'the SDK may retry after waiting');
      assert.equal(limited.json.errors[0].code, 1501);
      assert.match(limited.json.errors[0].message, /at most 3 per 60 s/);
      assert.equal((await s.api('GET', path, undefined, { authorization: calm })).status, 200);
      for (let i = 0; i < 5; i++) assert.equal((await s.api('GET', path)).status, 200, 'the root token is not limited by default');

      const bad = { authorization: 'Bearer wrong' };
      assert.deepEqual([(await s.api('GET', path, undefined, bad)).status, (await s.api('GET', path, undefined, bad)).status, (await s.api('GET', path, undefined, bad)).status], [401, 401, 429]);
    } finally {
      await s.close();
    }
  });
});
