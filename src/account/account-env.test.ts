// A service token's stored expiry that cannot be read counts as passed: the service-token
// selectors must not accept a token whose expires_at says nothing readable (a comparison with
// NaN is always false, so "not expired" would win), in either evaluator.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { compilePolicySet, explain, parsePolicy, prepareIdentity, resultAccess, type Policy } from '../engine/index.js';
import { sqliteDatabase, type TestDatabase } from '../../test/support/databases.js';
import { openStore } from '../store/open.js';
import { testKeys } from '../../test/support/secrets-key.js';
import type { Store } from '../store/store.js';
import { accountEnvOf, readAccountSnapshot } from './account-env.js';

describe('service tokens in an account snapshot', () => {
  let db: TestDatabase;
  let store: Store;
  before(async () => {
    db = sqliteDatabase();
    store = await openStore(db.url, { secrets: testKeys() });
  });
  after(async () => {
    await store.close();
    await db.drop();
  });

  it('treat an expires_at that cannot be read as passed, in both evaluators', async () => {
    const account = randomBytes(16).toString('hex');
    const future = new Date(Date.now() + 86_400_000).toISOString();
    const bodies: [string, Record<string, unknown>, boolean][] = [
      ['leap second', { expires_at: '2016-12-31T23:59:60Z' }, false],
      ['not a time', { expires_at: 'next year' }, false],
      ['not text', { expires_at: 4_102_444_800_000 }, false],
      ['disabled', { expires_at: future, enabled: false }, false],
      ['valid', { expires_at: future }, true],
      ['forever', {}, true],
    ];
    const ids = bodies.map(() => randomUUID());
    await store.transaction(account, async (tx) => {
      for (const [i, [name, body]] of bodies.entries()) {
        await tx.insertResource({ accountId: account, kind: 'service_token', id: ids[i], parentId: null, name, body: { name, client_id: `${i}.access`, duration: '8760h', ...body }, secretHash: null, createdAt: new Date().toISOString() }, []);
      }
    });
    for (const [i, [name, , accepted]] of bodies.entries()) {
      const parsed = parsePolicy({ name, decision: 'non_identity', include: [{ service_token: { token_id: ids[i] } }] }, { id: `p${i}` });
      assert.ok(parsed.ok);
      const policies: Policy[] = [parsed.value];
      const { env } = accountEnvOf(await readAccountSnapshot(store.read, account, policies));
      const identity = prepareIdentity({ service_token_id: ids[i], service_token_status: true });
      const expected = accepted ? 'granted' : 'blocked';
      assert.equal(explain(policies, identity, env).access, expected, `${name}: interpreter`);
      assert.equal(resultAccess(compilePolicySet(policies, env).evaluate(identity)), expected, `${name}: compiled`);
    }
  });
});
