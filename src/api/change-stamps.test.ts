// The change stamps' batching where the stamp is a query (PostgreSQL): one query in flight at a
// time, and every answer from a query sent after its request arrived, so a write acknowledged
// before a request came in is always seen by it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../store/store.js';
import { ChangeStamps } from './change-stamps.js';

/** A store whose versions query answers only when told to, with the version as it was when the query was sent. */
function queryStore() {
  let version = 1;
  const pending: (() => void)[] = [];
  let sent = 0;
  let inFlight = 0;
  let mostInFlight = 0;
  const store = {
    commitStamp: () => undefined,
    read: {
      scopeVersions: (scopes: readonly string[]) => {
        sent++;
        inFlight++;
        mostInFlight = Math.max(mostInFlight, inFlight);
        const seen = version;
        return new Promise<ReadonlyMap<string, number>>((resolve) =>
          pending.push(() => {
            inFlight--;
            resolve(new Map(scopes.map((scope) => [scope, seen])));
          }),
        );
      },
    },
  } as unknown as Store;
  return {
    store,
    commit: () => void version++,
    answerAll: () => pending.splice(0).forEach((answer) => answer()),
    get sent() { return sent; },
    get mostInFlight() { return mostInFlight; },
  };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

test('one versions query at a time; requests that arrive meanwhile get the next, sent after they arrived', async () => {
  const db = queryStore();
  const stamps = new ChangeStamps(db.store);
  const first = [stamps.read('a'), stamps.read('tokens')];
  await nextTurn();
  assert.equal(db.sent, 1, 'one query for the turn, whatever scopes it asked for');

  // A write is acknowledged while the first query is out; requests that come after it wait.
  db.commit();
  const later = [stamps.read('a'), stamps.read('a')];
  await nextTurn();
  await nextTurn();
  assert.equal(db.sent, 1, 'no second query while the first is in flight');
  db.answerAll();
  assert.deepEqual(await Promise.all(first), ['v1', 'v1']);
  await nextTurn();
  await nextTurn();
  assert.equal(db.sent, 2, 'the waiting requests get their own query once the first is answered');
  db.answerAll();
  assert.deepEqual(await Promise.all(later), ['v2', 'v2'], 'which saw the write acknowledged before they arrived');
  assert.equal(db.mostInFlight, 1);

  // Quiet again: the next request is read for at once.
  const alone = stamps.read('a');
  await nextTurn();
  assert.equal(db.sent, 3);
  db.answerAll();
  assert.equal(await alone, 'v2');
});

test('a failed query gives no stamp, so nothing kept is used, and the next request reads again', async () => {
  let calls = 0;
  const store = { commitStamp: () => undefined, read: { scopeVersions: async () => { calls++; if (calls === 1) throw new Error('connection lost'); return new Map([['a', 7]]); } } } as unknown as Store;
  const stamps = new ChangeStamps(store);
  assert.equal(await stamps.read('a'), undefined);
  assert.equal(await stamps.read('a'), 'v7');
});
