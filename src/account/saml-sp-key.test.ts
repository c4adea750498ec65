// The SAML SP keys kept in memory: each account's is read once and kept, but only for a bounded
// number of accounts (a server of many accounts kept every one it ever signed a request for).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from '../store/open.js';
import { sqliteDatabase } from '../../test/support/databases.js';
import { testKeys } from '../../test/support/secrets-key.js';
import { SamlSpKeys } from './saml-sp-key.js';

test("keeps a bounded number of accounts' SP keys, the first kept first out, and reads one pushed out again (the same key)", async () => {
  const database = sqliteDatabase();
  const store = await openStore(database.url, { secrets: testKeys() });
  const read = store.read as unknown as { getResource: (...args: unknown[]) => Promise<unknown> };
  const getResource = read.getResource;
  const readFor: string[] = [];
  read.getResource = (...args: unknown[]) => (readFor.push(String(args[0])), getResource.apply(store.read, args));
  try {
    const keys = new SamlSpKeys(store, 1);
    const [a, b] = ['a', 'b'].map((letter) => letter.repeat(32)) as [string, string];
    const first = await keys.get(a);
    readFor.length = 0;
    assert.equal((await keys.get(a)).certificatePem, first.certificatePem);
    assert.deepEqual(readFor, [], 'kept: from memory');
    await keys.get(b);
    readFor.length = 0;
    assert.equal((await keys.get(a)).certificatePem, first.certificatePem, 'the same certificate: identity providers were given it');
    assert.deepEqual(readFor, [a], 'pushed out by another account: read again');
  } finally {
    read.getResource = getResource;
    await store.close();
    await database.drop();
  }
});
