// Signing keys shared by instances that each keep them for a while: a token signed with a key
// another instance has just made is checked with it (the keys are read again, at most once a
// second an account), and instances that find the current key past its interval at once make
// one new key between them, not one each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { openStore } from '../store/open.js';
import { sqliteDatabase } from '../../test/support/databases.js';
import { testKeys } from '../../test/support/secrets-key.js';
import { DEFAULT_ROTATION_INTERVAL_DAYS, SigningKeys, UNKNOWN_KEY_REREAD_MS, type SigningKey } from './signing-keys.js';

const ACCOUNT = '0123456789abcdef0123456789abcdef';
const tokenOf = (key: SigningKey): Promise<string> => new SignJWT({ sub: 'u' }).setProtectedHeader({ alg: 'RS256', kid: key.kid }).sign(key.privateKey);
const kids = (keys: readonly SigningKey[]): string[] => keys.map((k) => k.kid);

test("a token of a key another instance made is checked with that key; a token of no known key rereads at most once a second", async () => {
  const database = sqliteDatabase();
  const store = await openStore(database.url, { secrets: testKeys() });
  try {
    const [a, b] = [new SigningKeys(store), new SigningKeys(store)];
    const start = Date.now();
    const first = await b.keys(ACCOUNT, start);
    const made = await a.rotate(ACCOUNT, start);
    const token = await tokenOf(made);
    assert.deepEqual(kids(await b.keysFor(ACCOUNT, token, start + 10)), kids(first), 'within the reread interval: the keys in hand');
    assert.equal(b.keysNowFor(ACCOUNT, token, start + UNKNOWN_KEY_REREAD_MS + 1), undefined, 'past it: not from memory');
    const reread = await b.keysFor(ACCOUNT, token, start + UNKNOWN_KEY_REREAD_MS + 1);
    assert.equal(reread[0]!.kid, made.kid, 'read again: the new key leads');
    assert.deepEqual(kids(await b.keysFor(ACCOUNT, 'not.a.jwt', start + 5 * UNKNOWN_KEY_REREAD_MS)), kids(reread), 'a token naming no key rereads nothing');
    const unknown = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'nobody' }).sign(made.privateKey);
    assert.deepEqual(kids(b.keysNowFor(ACCOUNT, unknown, start + UNKNOWN_KEY_REREAD_MS + 500) ?? []), kids(reread), 'an unknown key within a second of the last read: the keys in hand');
  } finally {
    await store.close();
    await database.drop();
  }
});

test('instances that find the key past its interval at once make one new key between them', async () => {
  const database = sqliteDatabase();
  const store = await openStore(database.url, { secrets: testKeys() });
  try {
    const start = Date.now();
    await new SigningKeys(store).keys(ACCOUNT, start);
    const later = start + (DEFAULT_ROTATION_INTERVAL_DAYS + 1) * 24 * 3600 * 1000;
    const seen = await Promise.all([1, 2, 3].map(() => new SigningKeys(store).keys(ACCOUNT, later)));
    const records = await store.read.allResources(ACCOUNT, 'signing_key');
    assert.equal(records.length, 2, 'the first key and one new one');
    assert.equal(new Set(seen.map((keys) => keys[0]!.kid)).size, 1, 'every instance signs with the same new key');
  } finally {
    await store.close();
    await database.drop();
  }
});

test("keeps the keys of a bounded number of accounts, the longest since read first out: a server of many accounts kept every account's for good", async () => {
  const database = sqliteDatabase();
  const store = await openStore(database.url, { secrets: testKeys() });
  const read = store.read as unknown as { allResources: (...args: unknown[]) => Promise<unknown> };
  const allResources = read.allResources;
  const readFor: string[] = [];
  read.allResources = (...args: unknown[]) => (readFor.push(String(args[0])), allResources.apply(store.read, args));
  try {
    const keys = new SigningKeys(store, 10_000, 2);
    const [a, b, c] = ['a', 'b', 'c'].map((letter) => letter.repeat(32)) as [string, string, string];
    const now = Date.now();
    for (const account of [a, b]) await keys.keys(account, now);
    readFor.length = 0;
    await keys.keys(a, now + 1);
    assert.deepEqual(readFor, [], 'kept: from memory');
    await keys.keys(c, now + 2);
    assert.equal(keys.keysNow(a, now + 3), undefined, 'a third account pushed out the one read from the store longest ago');
    assert.notEqual(keys.keysNow(b, now + 3), undefined);
    assert.notEqual(keys.keysNow(c, now + 3), undefined);
    readFor.length = 0;
    await keys.keys(a, now + 4);
    assert.deepEqual(readFor, [a], 'read again once pushed out');
    assert.equal(keys.keysNow(b, now + 5), undefined, 'and it pushed out the next');
  } finally {
    read.allResources = allResources;
    await store.close();
    await database.drop();
  }
});
