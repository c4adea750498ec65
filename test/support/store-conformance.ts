// One conformance suite for every store implementation (SQLite and PostgreSQL run it alike):
// what the API relies on, stated as tests. A new implementation passes this or is not a store.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { DatabaseKind, TestDatabase } from './databases.js';
import { openDriver, openStore } from '../../src/store/open.js';
import { openChunkReader } from '../../src/store/chunk-reader.js';
import { IDENTITY_RECORD_PREFIX, IDENTITY_RECORD_VERSION, identityFromRecord, identityRecord, prepareIdentity, type Identity } from '../../src/engine/index.js';
import { newSecretKeyText, parseSecretKey, SecretKeyError, SecretKeyRing } from '../../src/store/secret-box.js';
import { testKeys } from './secrets-key.js';
import type { AuditFilter, ChunkOutcome, LoginChallengeRecord, NewPolicyTest, NewResource, PreparedUser, ResourceFilter, Store, StoreReader, TokenRecord } from '../../src/store/store.js';
import { ACCOUNTS_SCOPE, TOKENS_SCOPE, type ScimUpdateFilter, type ScimUpdateRecord } from '../../src/store/store.js';
import { withAuditActor, type AuditActor } from '../../src/store/audit.js';
import { ANCHOR_STEP } from '../../src/store/sql/directory-index.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { NewerSchemaError } from '../../src/store/driver.js';

const ACCOUNT = '0123456789abcdef0123456789abcdef';
const OTHER = 'fedcba9876543210fedcba9876543210';
/** A named lock of the conformance tests' own (StoreWriter.takeLock). */
const TEST_LOCK = 'portcullis:conformance-test';

function resource(kind: NewResource['kind'], name: string, body: Record<string, unknown> = {}, extra: Partial<NewResource> = {}): NewResource {
  return { accountId: ACCOUNT, kind, id: randomUUID(), parentId: null, name, body: { name, ...body }, secretHash: null, createdAt: new Date().toISOString(), ...extra };
}

function token(name: string, secretHash: string): TokenRecord {
  const at = new Date().toISOString();
  return { id: randomUUID().replace(/-/g, ''), name, secretHash, policies: [{ effect: 'allow' }], condition: null, status: 'active', issuedOn: at, modifiedOn: at, expiresOn: null, notBefore: null, lastUsedOn: null };
}

export function storeConformance(kind: DatabaseKind): void {
  describe(`store conformance: ${kind.name}`, { skip: kind.skip }, () => {
    let db: TestDatabase;
    let store: Store;
    before(async () => {
      db = await kind.create();
      store = await openStore(db.url, { secrets: testKeys() });
    });
    after(async () => {
      await store?.close();
      await db?.drop();
    });

    describe('accounts', () => {
      it('creates an account once, reads it back, and lists accounts oldest first', async () => {
        const first = { id: randomUUID().replace(/-/g, ''), name: 'First', createdAt: '2031-01-01T00:00:00.000Z' };
        const second = { id: randomUUID().replace(/-/g, ''), name: 'Second', createdAt: '2031-01-02T00:00:00.000Z' };
        assert.equal(await store.read.getAccount(first.id), undefined);
        assert.equal(await store.transaction(ACCOUNTS_SCOPE, (tx) => tx.insertAccount(second)), true);
        assert.equal(await store.transaction(ACCOUNTS_SCOPE, (tx) => tx.insertAccount(first)), true);
        assert.equal(await store.transaction(ACCOUNTS_SCOPE, (tx) => tx.insertAccount({ ...first, name: 'Again' })), false, 'an existing id is kept as it is');
        assert.deepEqual(await store.read.getAccount(first.id), first);
        const ids = (await store.read.listAccounts()).map((a) => a.id);
        assert.ok(ids.indexOf(first.id) >= 0 && ids.indexOf(first.id) < ids.indexOf(second.id), 'oldest first');
      });
    });

    describe('account versions', () => {
      it("moves an account's version on with every write transaction of the account, and no other's", async () => {
        const account = randomUUID().replace(/-/g, '');
        assert.equal(await store.read.accountVersion(account), 0);
        await store.transaction(account, (tx) => tx.insertResource({ ...resource('policy', 'P'), accountId: account }, []));
        assert.equal(await store.read.accountVersion(account), 1);
        await store.transaction(account, (tx) => tx.insertUser({ accountId: account, id: randomUUID(), email: 'v@example.com', name: 'V', identity: null }));
        assert.equal(await store.read.accountVersion(account), 2);
        await assert.rejects(store.transaction(account, async (tx) => {
          await tx.insertResource({ ...resource('policy', 'Q'), accountId: account }, []);
          throw new Error('rolled back');
        }));
        assert.equal(await store.read.accountVersion(account), 2, 'a rolled-back transaction moves nothing');
        assert.equal(await store.read.accountVersion(OTHER.replace(/^f/, 'e')), 0);
      });

      it('reads every account with its version at once, oldest first, 0 before its first write', async () => {
        const written = { id: randomUUID().replace(/-/g, ''), name: 'Written', createdAt: '2032-01-01T00:00:00.000Z' };
        const untouched = { id: randomUUID().replace(/-/g, ''), name: 'Untouched', createdAt: '2032-01-02T00:00:00.000Z' };
        for (const account of [untouched, written]) await store.transaction(ACCOUNTS_SCOPE, (tx) => tx.insertAccount(account));
        await store.transaction(written.id, (tx) => tx.insertResource({ ...resource('policy', 'P'), accountId: written.id }, []));
        await store.transaction(written.id, (tx) => tx.insertResource({ ...resource('policy', 'Q'), accountId: written.id }, []));
        const versions = await store.read.accountVersions();
        assert.deepEqual(versions.filter((v) => v.id === written.id || v.id === untouched.id), [{ id: written.id, version: 2 }, { id: untouched.id, version: 0 }]);
        assert.deepEqual(versions.map((v) => v.id), (await store.read.listAccounts()).map((a) => a.id), 'the same accounts, in the same order');
      });

      it("digests every account's version: the same until an account is added or written to", async () => {
        const before = await store.read.accountVersionsDigest();
        assert.equal(await store.read.accountVersionsDigest(), before);
        const account = { id: randomUUID().replace(/-/g, ''), name: 'Digested', createdAt: '2033-01-01T00:00:00.000Z' };
        await store.transaction(ACCOUNTS_SCOPE, (tx) => tx.insertAccount(account));
        const added = await store.read.accountVersionsDigest();
        assert.notEqual(added, before, 'an account added');
        await store.transaction(account.id, (tx) => tx.insertResource({ ...resource('policy', 'P'), accountId: account.id }, []));
        const written = await store.read.accountVersionsDigest();
        assert.notEqual(written, added, 'a write to an account');
        const stray = randomUUID().replace(/-/g, '');
        await store.transaction(stray, (tx) => tx.insertResource({ ...resource('policy', 'S'), accountId: stray }, []));
        assert.equal(await store.read.accountVersionsDigest(), written, 'a write to an id no account has moves nothing');
      });

      it('reads the versions of several scopes at once, as accountVersion reads each', async () => {
        const written = randomUUID().replace(/-/g, '');
        const untouched = randomUUID().replace(/-/g, '');
        await store.transaction(written, (tx) => tx.insertResource({ ...resource('policy', 'P'), accountId: written }, []));
        await store.transaction(TOKENS_SCOPE, (tx) => tx.insertToken(token('scoped', randomUUID().replace(/-/g, ''))));
        const versions = await store.read.scopeVersions([written, untouched, TOKENS_SCOPE, written]);
        assert.deepEqual(
          [...versions].sort(([a], [b]) => a.localeCompare(b)),
          [
            [written, 1],
            [untouched, 0],
            [TOKENS_SCOPE, await store.read.accountVersion(TOKENS_SCOPE)],
          ].sort(([a], [b]) => String(a).localeCompare(String(b))),
        );
        assert.equal((await store.read.scopeVersions([])).size, 0);
      });

      it("moves the API tokens' version (TOKENS_SCOPE's) on with every token write, and not with touchToken", async () => {
        const t = token('versioned', randomUUID().replace(/-/g, ''));
        const before = await store.read.accountVersion(TOKENS_SCOPE);
        await store.transaction(TOKENS_SCOPE, (tx) => tx.insertToken(t));
        assert.equal(await store.read.accountVersion(TOKENS_SCOPE), before + 1);
        await store.touchToken(t.id, new Date().toISOString());
        assert.equal(await store.read.accountVersion(TOKENS_SCOPE), before + 1, 'recording use is no change of the token');
        await store.transaction(TOKENS_SCOPE, (tx) => tx.updateToken(t.id, { status: 'disabled' }));
        assert.equal(await store.read.accountVersion(TOKENS_SCOPE), before + 2);
        await store.transaction(TOKENS_SCOPE, (tx) => tx.deleteToken(t.id));
        assert.equal(await store.read.accountVersion(TOKENS_SCOPE), before + 3);
      });
    });

    describe('resources', () => {
      it('inserts, reads back exactly, and counts versions from 1', async () => {
        const r = resource('policy', 'Engineers', { decision: 'allow', include: [{ everyone: {} }], note: 'ünïcødé ✓' });
        await store.transaction(ACCOUNT, (tx) => tx.insertResource(r, []));
        const got = await store.read.getResource(ACCOUNT, 'policy', r.id);
        assert.ok(got);
        assert.deepEqual(got.body, r.body);
        assert.equal(got.name, 'Engineers');
        assert.equal(got.version, 1);
        assert.equal(got.createdAt, r.createdAt);
        assert.equal(await store.read.getResource(OTHER, 'policy', r.id), undefined, 'another account does not see it');
        assert.equal(await store.read.getResource(ACCOUNT, 'group', r.id), undefined, 'another kind does not see it');
      });

      it('updates name and body, bumps the version and updated_at, and reports missing ids', async () => {
        const r = resource('group', 'Before');
        await store.transaction(ACCOUNT, (tx) => tx.insertResource(r, []));
        await new Promise((ok) => setTimeout(ok, 5));
        const updated = await store.transaction(ACCOUNT, (tx) => tx.updateResource(ACCOUNT, 'group', r.id, { name: 'After', body: { name: 'After', x: 1 } }, []));
        assert.ok(updated);
        assert.equal(updated.name, 'After');
        assert.deepEqual(updated.body, { name: 'After', x: 1 });
        assert.equal(updated.version, 2);
        assert.ok(updated.updatedAt > r.createdAt);
        assert.equal(updated.createdAt, r.createdAt);
        const missing = await store.transaction(ACCOUNT, (tx) => tx.updateResource(ACCOUNT, 'group', randomUUID(), { name: 'x', body: {} }, []));
        assert.equal(missing, undefined);
      });

      it('keeps a secret hash until an update replaces it', async () => {
        const r = resource('service_token', 'CI', {}, { secretHash: 'hash-1' });
        await store.transaction(ACCOUNT, (tx) => tx.insertResource(r, []));
        await store.transaction(ACCOUNT, (tx) => tx.updateResource(ACCOUNT, 'service_token', r.id, { name: 'CI 2', body: {} }, []));
        assert.equal((await store.read.getResource(ACCOUNT, 'service_token', r.id))?.secretHash, 'hash-1');
        await store.transaction(ACCOUNT, (tx) => tx.updateResource(ACCOUNT, 'service_token', r.id, { name: 'CI 3', body: {}, secretHash: 'hash-2' }, []));
        assert.equal((await store.read.getResource(ACCOUNT, 'service_token', r.id))?.secretHash, 'hash-2');
      });

      it('lists in creation order, pages with totals, and filters by name, search and parent', async () => {
        const base = Date.parse('2030-01-01T00:00:00.000Z');
        const names = ['alpha', 'Beta', 'gamma 50%', 'delta_x', 'epsilon'];
        const parent = randomUUID();
        for (const [i, name] of names.entries()) {
          const r = resource('app_policy', name, {}, { createdAt: new Date(base + i * 1000).toISOString(), parentId: i < 3 ? parent : randomUUID() });
          await store.transaction(ACCOUNT, (tx) => tx.insertResource(r, []));
        }
        const all = await store.read.listResources(ACCOUNT, 'app_policy', { offset: 0, limit: 100 });
        assert.deepEqual(all.items.map((r) => r.name), names);
        assert.equal(all.total, 5);
        const page2 = await store.read.listResources(ACCOUNT, 'app_policy', { offset: 2, limit: 2 });
        assert.deepEqual(page2.items.map((r) => r.name), ['gamma 50%', 'delta_x']);
        assert.equal(page2.total, 5);
        const past = await store.read.listResources(ACCOUNT, 'app_policy', { offset: 10, limit: 2 });
        assert.deepEqual(past.items, []);
        assert.equal(past.total, 5);
        const none = await store.read.listResources(ACCOUNT, 'app_policy', { offset: 0, limit: 10 }, { name: 'nobody' });
        assert.deepEqual([none.items, none.total], [[], 0]);
        assert.equal((await store.read.listResources(ACCOUNT, 'app_policy', { offset: 10, limit: 10 }, { name: 'nobody' })).total, 0);
        assert.deepEqual(await store.read.listResources(ACCOUNT, 'app_policy', { offset: 0, limit: 0 }), { items: [], total: 5 }, 'a page of no rows still has the total');
        assert.deepEqual((await store.read.listResources(ACCOUNT, 'app_policy', { offset: 0, limit: 10 }, { search: 'BET' })).items.map((r) => r.name), ['Beta']);
        assert.deepEqual((await store.read.listResources(ACCOUNT, 'app_policy', { offset: 0, limit: 10 }, { search: '50%' })).items.map((r) => r.name), ['gamma 50%'], '% is literal');
        assert.deepEqual((await store.read.listResources(ACCOUNT, 'app_policy', { offset: 0, limit: 10 }, { search: 'a_' })).items.map((r) => r.name), ['delta_x'], '_ is literal');
        assert.deepEqual((await store.read.listResources(ACCOUNT, 'app_policy', { offset: 0, limit: 10 }, { name: 'alpha' })).items.map((r) => r.name), ['alpha']);
        assert.equal((await store.read.listResources(ACCOUNT, 'app_policy', { offset: 0, limit: 10 }, { parentId: parent })).total, 3);
        assert.deepEqual((await store.read.allResources(ACCOUNT, 'app_policy', { parentId: parent })).map((r) => r.name), ['alpha', 'Beta', 'gamma 50%']);
      });

      it('filters by text fields and flags of the body before paging, as any or exact matches', async () => {
        const acct = randomUUID().replace(/-/g, '');
        const bodies: [string, Record<string, unknown>][] = [
          ['Wiki', { domain: 'wiki.example.com', aud: 'aa11', scim_config: { enabled: true } }],
          ['Staging', { domain: 'staging.WIKI.example.com', aud: 'bb22', scim_config: { enabled: false } }],
          ['Numbers', { domain: 42, aud: 'cc33', scim_config: { enabled: 'true' } }],
          ['Ärzte', { aud: 'dd44', scim_config: { enabled: 1 } }],
        ];
        for (const [name, body] of bodies) await store.transaction(acct, (tx) => tx.insertResource({ ...resource('app', name, body), accountId: acct }, []));
        const names = async (filter: ResourceFilter, page = { offset: 0, limit: 10 }) => {
          const found = await store.read.listResources(acct, 'app', page, filter);
          return { names: found.items.map((r) => r.name), total: found.total };
        };
        const domain = (value: string, exact: boolean) => ({ text: [{ in: [{ body: ['domain'] }], value, exact }] });
        assert.deepEqual(await names(domain('wiki.example', false)), { names: ['Wiki', 'Staging'], total: 2 }, 'a case-insensitive substring');
        assert.deepEqual(await names(domain('wiki.example.com', true)), { names: ['Wiki'], total: 1 }, 'exact is case-sensitive');
        assert.deepEqual(await names(domain('42', false)), { names: [], total: 0 }, 'only JSON strings are text');
        assert.deepEqual(await names(domain('%', false)), { names: [], total: 0 }, '% is literal');
        assert.deepEqual(await names(domain('example', false), { offset: 1, limit: 1 }), { names: ['Staging'], total: 2 }, 'counted before paging');
        assert.deepEqual(await names({ text: [{ in: ['name', { body: ['aud'] }], value: 'ÄRZ', exact: false }] }), { names: ['Ärzte'], total: 1 }, 'any source, Unicode case folding');
        assert.deepEqual(await names({ text: [{ in: ['name', { body: ['aud'] }], value: 'cc3', exact: false }] }), { names: ['Numbers'], total: 1 });
        assert.deepEqual(await names({ text: [domain('example', false).text[0], { in: [{ body: ['aud'] }], value: 'bb22', exact: true }] }), { names: ['Staging'], total: 1 }, 'all matches must hold');
        const flag = (value: boolean) => ({ flags: [{ path: ['scim_config', 'enabled'], value }] });
        assert.deepEqual(await names(flag(true)), { names: ['Wiki'], total: 1 }, 'only JSON true');
        assert.deepEqual(await names(flag(false)), { names: ['Staging', 'Numbers', 'Ärzte'], total: 3 }, 'everything else');
        await assert.rejects(names({ text: [{ in: [{ body: ["x') OR 1=1 --"] }], value: 'x', exact: true }] }), /not a plain field path/);
      });

      it('reads many by id at once', async () => {
        const a = resource('list', 'A');
        const b = resource('list', 'B');
        await store.transaction(ACCOUNT, async (tx) => {
          await tx.insertResource(a, []);
          await tx.insertResource(b, []);
        });
        const got = await store.read.getResources(ACCOUNT, 'list', [b.id, a.id, randomUUID()]);
        assert.deepEqual(got.map((r) => r.name).sort(), ['A', 'B']);
        assert.deepEqual(await store.read.getResources(ACCOUNT, 'list', []), []);
      });

      it('deletes and says whether anything was there', async () => {
        const r = resource('certificate', 'CA');
        await store.transaction(ACCOUNT, (tx) => tx.insertResource(r, []));
        assert.equal(await store.transaction(ACCOUNT, (tx) => tx.deleteResource(ACCOUNT, 'certificate', r.id)), true);
        assert.equal(await store.read.getResource(ACCOUNT, 'certificate', r.id), undefined);
        assert.equal(await store.transaction(ACCOUNT, (tx) => tx.deleteResource(ACCOUNT, 'certificate', r.id)), false);
      });
    });

    describe('references', () => {
      it('finds who references a resource, replaces references on update and drops them on delete', async () => {
        const group = resource('group', 'Target group');
        const policy = resource('policy', 'Uses the group');
        const app1 = resource('app', 'App one');
        const app2 = resource('app', 'App two');
        await store.transaction(ACCOUNT, async (tx) => {
          await tx.insertResource(group, []);
          await tx.insertResource(policy, [{ kind: 'group', id: group.id }, { kind: 'group', id: group.id }]);
          await tx.insertResource(app1, [{ kind: 'policy', id: policy.id }]);
          await tx.insertResource(app2, [{ kind: 'policy', id: policy.id }]);
        });
        assert.deepEqual((await store.read.referrers(ACCOUNT, 'group', group.id)).map((r) => [r.kind, r.id, r.name]), [['policy', policy.id, 'Uses the group']]);
        assert.deepEqual(Object.fromEntries(await store.read.referrerCounts(ACCOUNT, 'policy', [policy.id, group.id], 'app')), { [policy.id]: 2, [group.id]: 0 });
        const all = (await store.read.references(ACCOUNT)).filter((r) => [group.id, policy.id].includes(r.to.id));
        assert.deepEqual(all.map((r) => [r.from.kind, r.from.id, r.to.kind, r.to.id]).sort(), [
          ['app', app1.id, 'policy', policy.id],
          ['app', app2.id, 'policy', policy.id],
          ['policy', policy.id, 'group', group.id],
        ].sort(), 'every reference once, listed whether or not its ends exist');
        await store.transaction(ACCOUNT, (tx) => tx.updateResource(ACCOUNT, 'app', app2.id, { name: 'App 2', body: {} }));
        assert.equal((await store.read.referrerCounts(ACCOUNT, 'policy', [policy.id], 'app')).get(policy.id), 2, 'references kept when left out');
        await store.transaction(ACCOUNT, (tx) => tx.updateResource(ACCOUNT, 'app', app2.id, { name: 'App two', body: {} }, []));
        assert.equal((await store.read.referrerCounts(ACCOUNT, 'policy', [policy.id], 'app')).get(policy.id), 1);
        await store.transaction(ACCOUNT, (tx) => tx.deleteResource(ACCOUNT, 'policy', policy.id));
        assert.deepEqual(await store.read.referrers(ACCOUNT, 'group', group.id), []);
      });
    });

    describe('Gateway list items', () => {
      it('adds without duplicates, removes, counts, pages and lists values', async () => {
        const list = resource('list', 'Office IPs');
        const added = await store.transaction(ACCOUNT, async (tx) => {
          await tx.insertResource(list, []);
          return tx.addListItems(ACCOUNT, list.id, [
            { value: '192.0.2.0/24', description: 'HQ' },
            { value: '198.51.100.7' },
            { value: '192.0.2.0/24', description: 'again' },
          ]);
        });
        assert.equal(added, 2);
        assert.equal(await store.transaction(ACCOUNT, (tx) => tx.addListItems(ACCOUNT, list.id, [{ value: '198.51.100.7' }, { value: '2001:db8::/32' }])), 1);
        assert.deepEqual((await store.read.listItemValues(ACCOUNT, list.id)).sort(), ['192.0.2.0/24', '198.51.100.7', '2001:db8::/32']);
        const page = await store.read.listItems(ACCOUNT, list.id, { offset: 0, limit: 2 });
        assert.equal(page.total, 3);
        assert.equal(page.items.length, 2);
        assert.equal(page.items.find((i) => i.value === '192.0.2.0/24')?.description, 'HQ');
        assert.equal((await store.read.listItemCounts(ACCOUNT, [list.id, 'nope'])).get(list.id), 3);
        assert.equal(await store.transaction(ACCOUNT, (tx) => tx.removeListItems(ACCOUNT, list.id, ['198.51.100.7', 'not there'])), 1);
        await store.transaction(ACCOUNT, (tx) => tx.deleteListItems(ACCOUNT, list.id));
        assert.deepEqual(await store.read.listItemValues(ACCOUNT, list.id), []);
      });
    });

    describe('users', () => {
      it('inserts, finds by id and by email case-insensitively, updates identity and deletes', async () => {
        const id = randomUUID();
        const user = await store.transaction(ACCOUNT, (tx) => tx.insertUser({ accountId: ACCOUNT, id, email: 'Ada@Example.com', name: 'Ada', identity: null }));
        assert.equal(user.email, 'Ada@Example.com');
        assert.equal(user.identity, null);
        assert.equal(user.lastSeenAt, null);
        assert.equal((await store.read.getUserByEmail(ACCOUNT, 'ada@example.COM'))?.id, id);
        assert.equal(await store.read.getUserByEmail(OTHER, 'ada@example.com'), undefined);
        const identity = { email: 'ada@example.com', amr: ['pwd', 'mfa'], geo: { country: 'GB' }, groups: [{ name: 'Ünïcode' }] };
        const updated = await store.transaction(ACCOUNT, (tx) => tx.updateUser(ACCOUNT, id, { identity }));
        assert.deepEqual(updated?.identity, identity);
        assert.ok(updated?.lastSeenAt);
        assert.equal(updated?.name, 'Ada');
        assert.equal(await store.read.userSeq(ACCOUNT, id), user.seq);
        assert.equal(await store.transaction(ACCOUNT, (tx) => tx.deleteUser(ACCOUNT, id)), true);
        assert.equal(await store.read.getUser(ACCOUNT, id), undefined);
        assert.equal(await store.read.userSeq(ACCOUNT, id), user.seq, 'a deleted user keeps their place in the directory');
        assert.equal(await store.read.userSeq(OTHER, id), undefined);
        assert.equal(await store.read.userSeq(ACCOUNT, randomUUID()), undefined);
      });

      it('keeps the last sign-in time when an identity comes from a directory (signedIn: false)', async () => {
        const id = randomUUID();
        const identity = { email: 'scim@example.com', groups: [{ id: 'g1' }] };
        const provisioned = await store.transaction(ACCOUNT, (tx) => tx.insertUser({ accountId: ACCOUNT, id, email: 'scim@example.com', name: 'S', identity, signedIn: false }));
        assert.deepEqual(provisioned.identity, identity);
        assert.equal(provisioned.lastSeenAt, null, 'provisioned, never signed in');
        const signedIn = await store.transaction(ACCOUNT, (tx) => tx.updateUser(ACCOUNT, id, { identity: { ...identity, amr: ['pwd'] } }));
        assert.ok(signedIn?.lastSeenAt);
        await new Promise((ok) => setTimeout(ok, 5));
        const regrouped = await store.transaction(ACCOUNT, (tx) => tx.updateUser(ACCOUNT, id, { identity: { ...identity, groups: [] }, signedIn: false }));
        assert.deepEqual(regrouped?.identity, { ...identity, groups: [] });
        assert.equal(regrouped?.lastSeenAt, signedIn?.lastSeenAt, 'a directory change is not a sign-in');
        assert.notEqual(regrouped?.updatedAt, signedIn?.updatedAt);
      });

      it('refuses a second user with the same email (any case) in one account', async () => {
        await store.transaction(ACCOUNT, (tx) => tx.insertUser({ accountId: ACCOUNT, id: randomUUID(), email: 'dup@example.com', name: '', identity: null }));
        await assert.rejects(store.transaction(ACCOUNT, (tx) => tx.insertUser({ accountId: ACCOUNT, id: randomUUID(), email: 'DUP@example.com', name: '', identity: null })));
        await store.transaction(OTHER, (tx) => tx.insertUser({ accountId: OTHER, id: randomUUID(), email: 'dup@example.com', name: '', identity: null }));
      });

      it('upserts by email: creates, updates, keeps what an entry leaves out', async () => {
        const acct = randomUUID().replace(/-/g, '');
        const first = await store.transaction(acct, (tx) =>
          tx.upsertUsers(acct, [{ email: 'a@x.org', name: 'A', identity: { email: 'a@x.org', ip: '192.0.2.1' } }, { email: 'b@x.org' }], randomUUID),
        );
        assert.deepEqual(first, { created: 2, updated: 0, unchanged: 0 });
        const second = await store.transaction(acct, (tx) => tx.upsertUsers(acct, [{ email: 'A@X.org' }, { email: 'c@x.org', name: 'C' }, { email: 'b@x.org', name: 'B', identity: { email: 'b@x.org' } }], randomUUID));
        assert.deepEqual(second, { created: 1, updated: 1, unchanged: 1 }, 'an entry with nothing but the email changes nothing');
        const a = await store.read.getUserByEmail(acct, 'a@x.org');
        assert.equal(a?.name, 'A');
        assert.deepEqual(a?.identity, { email: 'a@x.org', ip: '192.0.2.1' });
        const b = await store.read.getUserByEmail(acct, 'b@x.org');
        assert.equal(b?.name, 'B');
        assert.deepEqual(b?.identity, { email: 'b@x.org' });
        assert.equal(await store.read.countUsers(acct), 3);
      });

      it('reads users after a place in insertion order, a bounded number at a time, within one account', async () => {
        const acct = randomUUID().replace(/-/g, '');
        const other = randomUUID().replace(/-/g, '');
        await store.transaction(other, (tx) => tx.upsertUsers(other, [{ email: 'elsewhere@x.org' }], randomUUID));
        await store.transaction(acct, (tx) => tx.upsertUsers(acct, ['u1@x.org', 'u2@x.org', 'u3@x.org', 'u4@x.org', 'u5@x.org'].map((email) => ({ email, identity: { email } })), randomUUID));
        const seen: string[] = [];
        let after = 0;
        for (;;) {
          const batch = await store.read.usersAfter(acct, after, 2);
          assert.ok(batch.length <= 2);
          if (batch.length === 0) break;
          seen.push(...batch.map((u) => u.email));
          assert.deepEqual(batch[0].identity, { email: batch[0].email });
          after = batch[batch.length - 1].seq;
        }
        assert.deepEqual(seen, ['u1@x.org', 'u2@x.org', 'u3@x.org', 'u4@x.org', 'u5@x.org']);
      });

      /** Every email of an account, in insertion order, read `pageSize` at a time. */
      const emailsInOrder = async (account: string, pageSize: number): Promise<string[]> => {
        const seen: string[] = [];
        for (let after = 0; ; ) {
          const page = await store.read.usersAfter(account, after, pageSize);
          if (page.length === 0) return seen;
          seen.push(...page.map((u) => u.email));
          after = page[page.length - 1].seq;
        }
      };

      it("imports users in the file's order, across batches, after the account's existing users", async () => {
        const acct = randomUUID().replace(/-/g, '');
        await store.transaction(acct, (tx) => tx.upsertUsers(acct, [{ email: 'first@x.org' }, { email: 'again@x.org' }], randomUUID));
        // Emails in no sorted order (of text or of id), in batches of uneven size; one already stored.
        const emails = Array.from({ length: 2_500 }, (_, i) => `u${(i * 7_919) % 2_500}@z${i % 7}.org`);
        emails.splice(1_234, 0, 'again@x.org');
        const sizes = [1, 999, 1_000, 501];
        const batches = async function* () {
          let start = 0;
          for (const size of sizes) {
            yield emails.slice(start, start + size).map((email) => ({ email, name: null, identity: null, identityRecord: null }));
            start += size;
          }
        };
        assert.equal(sizes.reduce((a, b) => a + b), emails.length);
        assert.deepEqual(await store.importUsers(acct, batches(), randomUUID), { created: 2_500, updated: 0, unchanged: 1 });
        assert.deepEqual(await emailsInOrder(acct, 700), ['first@x.org', 'again@x.org', ...emails.filter((e) => e !== 'again@x.org')]);
      });

      it('imports more users than one write batch, in order, into an empty account and over existing users; a source failing late writes none', { timeout: 120_000 }, async () => {
        const entries = (from: number, n: number, name: string | null) => Array.from({ length: n }, (_, i) => ({ email: `b${((from + i) * 37) % 1_000_003}@big.org`, name, identity: null, identityRecord: null }));
        const inBatches = async function* (users: PreparedUser[], size: number, failAfter?: number) {
          for (let start = 0; start < users.length; start += size) {
            if (failAfter !== undefined && start >= failAfter) throw new Error('the body broke off');
            yield users.slice(start, start + size);
          }
        };
        const emailsOf = (account: string) => emailsInOrder(account, 10_000);
        const acct = randomUUID().replace(/-/g, '');
        // Every 997th user with an identity whose text needs escaping in every encoding, stored as sent.
        const first: PreparedUser[] = entries(0, 45_000, 'First').map((u, i) => {
          if (i % 997 !== 0) return u;
          const identity = { email: u.email, name: `Zoë "${i}" \\ \n\t \u00e9 😀`, groups: [{ id: 'g"1', name: '\\' }], geo: { country: 'NZ' } };
          return { ...u, identity: JSON.stringify(identity), identityRecord: identityRecord(identity) };
        });
        assert.deepEqual(await store.importUsers(acct, inBatches(first, 10_000), randomUUID), { created: 45_000, updated: 0, unchanged: 0 });
        assert.deepEqual(await emailsOf(acct), first.map((u) => u.email));
        const [whole] = await store.tests.userChunks(acct, 1_000_000);
        const stored = await store.tests.usersInRange(acct, whole.seqFrom, whole.seqTo);
        assert.deepEqual(stored.filter((u) => u.identity !== null).map((u) => u.identity), first.filter((u) => u.identity !== null).map((u) => u.identity));
        const reader = openChunkReader(store.tests.threadConnection!);
        try {
          const rows = await reader.userRows(acct, whole.seqFrom, whole.seqTo);
          assert.deepEqual(rows.filter((r) => r[4] != null).map((r) => r[4]), first.filter((u) => u.identityRecord !== null).map((u) => u.identityRecord));
        } finally {
          await reader.close();
        }
        // Again: the last 5,000 of them renamed, 41,000 new ones after.
        const second = [...first.slice(40_000).map((u) => ({ ...u, name: 'Second' })), ...entries(45_000, 41_000, null)];
        assert.deepEqual(await store.importUsers(acct, inBatches(second, 7_000), randomUUID), { created: 41_000, updated: 5_000, unchanged: 0 });
        assert.deepEqual(await emailsOf(acct), [...first, ...second.slice(5_000)].map((u) => u.email));
        const renamed = await store.read.getUserByEmail(acct, first[44_999].email);
        assert.equal(renamed?.name, 'Second');
        const kept = await store.read.getUserByEmail(acct, first[0].email);
        assert.equal(kept?.name, 'First');
        // A source that fails after 50,000 users have been handed on: nothing of the import stays.
        const third = entries(200_000, 60_000, 'Third');
        await assert.rejects(store.importUsers(acct, inBatches(third, 10_000, 50_000), randomUUID), /the body broke off/);
        const fresh = randomUUID().replace(/-/g, '');
        await assert.rejects(store.importUsers(fresh, inBatches(third, 10_000, 50_000), randomUUID), /the body broke off/);
        assert.equal((await emailsOf(acct)).length, 86_000);
        assert.deepEqual(await emailsOf(fresh), []);
        await store.transaction(fresh, (tx) => tx.upsertUsers(fresh, [{ email: 'after@x.org' }], randomUUID));
        assert.deepEqual(await emailsOf(fresh), ['after@x.org']);
      });

      it('leaves a re-imported user whose entry would write what is stored as it is: counted unchanged, with no new version, audit entry or commit', async () => {
        const acct = randomUUID().replace(/-/g, '');
        const actor: AuditActor = { kind: 'token', tokenId: 'tok-1', ip: '192.0.2.1', requestId: 'req-1', method: 'POST', path: '/import' };
        const prepared = (email: string, name: string | null, identity: Record<string, unknown> | null): PreparedUser => ({
          email,
          name,
          identity: identity === null ? null : JSON.stringify(identity),
          identityRecord: identity === null ? null : identityRecord(identity),
        });
        const importing = (users: PreparedUser[]) =>
          withAuditActor(actor, () =>
            store.importUsers(acct, (async function* () {
              yield users;
            })(), randomUUID),
          );
        const idOf = (email: string, country: string) => ({ email, groups: [{ name: 'Eng' }], geo: { country } });
        // A directory's user (SCIM): an identity, but no sign-in yet.
        await store.transaction(acct, (tx) => tx.insertUser({ accountId: acct, id: randomUUID(), email: 'scim@x.org', name: 'S', identity: idOf('scim@x.org', 'NZ'), signedIn: false }));
        const directory = [prepared('a@x.org', 'A', idOf('a@x.org', 'DE')), prepared('b@x.org', null, null), prepared('c@x.org', 'C', idOf('c@x.org', 'FR'))];
        assert.deepEqual(await importing(directory), { created: 3, updated: 0, unchanged: 0 });
        const stored = async () => new Map((await store.read.listUsers(acct, { offset: 0, limit: 100 })).items.map((u) => [u.email, u]));
        const first = await stored();
        const version = await store.read.accountVersion(acct);
        const audited = (await store.read.listAudit(acct, { offset: 0, limit: 10 })).total;
        const stamp = store.commitStamp();
        await new Promise((ok) => setTimeout(ok, 5));

        // The same directory again, one entry in another case and one with the name it has ('').
        const again = [directory[0], { ...directory[1], email: 'B@X.org', name: '' }, directory[2]];
        assert.deepEqual(await importing(again), { created: 0, updated: 0, unchanged: 3 });
        assert.deepEqual(await stored(), first, 'every column as it was: updated_at and last_successful_login kept');
        assert.equal(await store.read.accountVersion(acct), version, 'nothing changed: no new version, cached decisions stand');
        assert.equal((await store.read.listAudit(acct, { offset: 0, limit: 10 })).total, audited, 'nothing changed: nothing to audit');
        if (stamp !== undefined) assert.equal(store.commitStamp(), stamp, 'nothing was committed');

        // An entry that leaves out the name and identity changes nothing either; a renamed user, a
        // new identity, and a directory user's first identity set by an import are changes.
        const mixed = [
          prepared('a@x.org', 'A renamed', idOf('a@x.org', 'DE')),
          prepared('b@x.org', null, null),
          prepared('c@x.org', null, idOf('c@x.org', 'ES')),
          prepared('scim@x.org', 'S', idOf('scim@x.org', 'NZ')),
          prepared('new@x.org', 'N', null),
          prepared('kept@x.org', null, null),
        ];
        await store.transaction(acct, (tx) => tx.upsertUsers(acct, [{ email: 'kept@x.org', name: 'K', identity: idOf('kept@x.org', 'JP') }], randomUUID));
        const beforeMixed = await stored();
        const versionBeforeMixed = await store.read.accountVersion(acct);
        await new Promise((ok) => setTimeout(ok, 5));
        assert.deepEqual(await importing(mixed), { created: 1, updated: 3, unchanged: 2 });
        const after = await stored();
        assert.equal(after.get('a@x.org')?.name, 'A renamed');
        assert.notEqual(after.get('a@x.org')?.updatedAt, beforeMixed.get('a@x.org')?.updatedAt);
        assert.deepEqual(after.get('c@x.org')?.identity, idOf('c@x.org', 'ES'));
        assert.equal(after.get('c@x.org')?.name, 'C');
        assert.ok(after.get('scim@x.org')?.lastSeenAt, "an import sets a directory user's last_successful_login");
        assert.equal(beforeMixed.get('scim@x.org')?.lastSeenAt, null);
        assert.deepEqual(after.get('b@x.org'), beforeMixed.get('b@x.org'));
        assert.deepEqual(after.get('kept@x.org'), beforeMixed.get('kept@x.org'));
        assert.equal(await store.read.accountVersion(acct), versionBeforeMixed + 1);
        const [entry] = (await store.read.listAudit(acct, { offset: 0, limit: 1 })).items;
        assert.deepEqual([entry.action, entry.after], ['import', { created: 1, updated: 3, unchanged: 2 }]);
      });

      it('lists in insertion order with filters and totals', async () => {
        const acct = randomUUID().replace(/-/g, '');
        await store.transaction(acct, (tx) =>
          tx.upsertUsers(acct, ['zed@a.org', 'amy@b.org', 'bob_x@a.org', 'cy%@c.org'].map((email, i) => ({ email, name: `N${i}` })), randomUUID),
        );
        const all = await store.read.listUsers(acct, { offset: 0, limit: 10 });
        assert.deepEqual(all.items.map((u) => u.email), ['zed@a.org', 'amy@b.org', 'bob_x@a.org', 'cy%@c.org']);
        assert.ok(all.items.every((u, i, xs) => i === 0 || u.seq > xs[i - 1].seq));
        assert.deepEqual((await store.read.listUsers(acct, { offset: 1, limit: 2 })).items.map((u) => u.email), ['amy@b.org', 'bob_x@a.org']);
        assert.deepEqual((await store.read.listUsers(acct, { offset: 0, limit: 10 }, { search: '@A.ORG' })).items.map((u) => u.email), ['zed@a.org', 'bob_x@a.org']);
        assert.deepEqual((await store.read.listUsers(acct, { offset: 0, limit: 10 }, { search: 'b_' })).items.map((u) => u.email), ['bob_x@a.org']);
        assert.deepEqual((await store.read.listUsers(acct, { offset: 0, limit: 10 }, { search: '%' })).items.map((u) => u.email), ['cy%@c.org']);
        assert.deepEqual((await store.read.listUsers(acct, { offset: 0, limit: 10 }, { email: 'AMY@b.org' })).items.map((u) => u.name), ['N1']);
        assert.deepEqual((await store.read.listUsers(acct, { offset: 0, limit: 10 }, { name: 'N2' })).items.map((u) => u.email), ['bob_x@a.org']);
        assert.equal((await store.read.listUsers(acct, { offset: 9, limit: 10 })).total, 4);
      });

      it("counts an account's users right after every kind of write, in this store and in another on the same database", async () => {
        const acct = randomUUID().replace(/-/g, '');
        const second = await openStore(db.url, { secrets: testKeys() });
        try {
          const totals = async () => [
            await store.read.countUsers(acct),
            (await store.read.listUsers(acct, { offset: 0, limit: 1 })).total,
            await second.read.countUsers(acct),
            (await second.read.listUsers(acct, { offset: 0, limit: 1 })).total,
          ];
          assert.deepEqual(await totals(), [0, 0, 0, 0]);
          await store.transaction(acct, (tx) => tx.upsertUsers(acct, ['a@x.org', 'b@x.org', 'c@x.org'].map((email) => ({ email })), randomUUID));
          assert.deepEqual(await totals(), [3, 3, 3, 3], 'an import');
          const id = randomUUID();
          await second.transaction(acct, (tx) => tx.insertUser({ accountId: acct, id, email: 'd@x.org', name: 'D', identity: null }));
          assert.deepEqual(await totals(), [4, 4, 4, 4], 'an insert through the other store');
          await store.transaction(acct, (tx) => tx.upsertUsers(acct, [{ email: 'A@x.org', name: 'again' }, { email: 'e@x.org' }], randomUUID));
          assert.deepEqual(await totals(), [5, 5, 5, 5], 'an import that updates one user and adds one');
          await second.transaction(acct, (tx) => tx.deleteUser(acct, id));
          assert.deepEqual(await totals(), [4, 4, 4, 4], 'a delete through the other store');
          await assert.rejects(store.transaction(acct, async (tx) => {
            await tx.insertUser({ accountId: acct, id: randomUUID(), email: 'rolled-back@x.org', name: '', identity: null });
            assert.equal(await tx.countUsers(acct), 5, 'a transaction counts its own rows');
            throw new Error('roll back');
          }));
          assert.deepEqual(await totals(), [4, 4, 4, 4], 'a rolled-back insert');
          assert.equal((await store.read.listUsers(acct, { offset: 0, limit: 10 }, { search: 'x.org' })).total, 4, 'a filtered list counts its matches');
        } finally {
          await second.close();
        }
      });

      it('pages a directory of more than one anchor step the same at any offset, before and after it changes', { timeout: 120_000 }, async () => {
        const acct = randomUUID().replace(/-/g, '');
        const size = 2 * ANCHOR_STEP + 500;
        const emails = Array.from({ length: size }, (_, i) => `u${i}@x.org`);
        await store.transaction(acct, (tx) => tx.upsertUsers(acct, emails.map((email) => ({ email })), randomUUID));
        const second = await openStore(db.url, { secrets: testKeys() });
        try {
          const page = async (s: Store, offset: number, limit = 5) => (await s.read.listUsers(acct, { offset, limit })).items.map((u) => u.email);
          const offsets = [0, ANCHOR_STEP - 2, ANCHOR_STEP, 2 * ANCHOR_STEP - 1, 2 * ANCHOR_STEP + 497, size, size + ANCHOR_STEP];
          const check = async (label: string) => {
            for (const offset of offsets) {
              const expected = emails.slice(offset, offset + 5);
              assert.deepEqual(await page(store, offset), expected, `${label}: offset ${offset}`);
              assert.deepEqual(await page(second, offset), expected, `${label}: offset ${offset}, another store`);
            }
          };
          await check('as imported');
          // Removing users before an anchor moves every later user one place up.
          const gone = [3, ANCHOR_STEP + 7];
          for (const i of gone) {
            const user = (await second.read.getUserByEmail(acct, emails[i]))!;
            await second.transaction(acct, (tx) => tx.deleteUser(acct, user.id));
          }
          for (const i of gone.reverse()) emails.splice(i, 1);
          await store.transaction(acct, (tx) => tx.upsertUsers(acct, [{ email: 'late@x.org' }], randomUUID));
          emails.push('late@x.org');
          await check('after deletes and an insert');
        } finally {
          await second.close();
        }
      });

      it('searches names case-insensitively beyond ASCII, on every driver alike', async () => {
        const acct = randomUUID().replace(/-/g, '');
        await store.transaction(acct, (tx) => tx.upsertUsers(acct, [{ email: 'emile@x.org', name: 'ÉMILE Zoë' }, { email: 'other@x.org', name: 'Other' }], randomUUID));
        for (const search of ['émile', 'ÉMILE', 'zoë', 'ZOË', 'LE zo']) {
          assert.deepEqual((await store.read.listUsers(acct, { offset: 0, limit: 10 }, { search })).items.map((u) => u.email), ['emile@x.org'], search);
        }
        await store.transaction(acct, (tx) =>
          tx.insertResource({ accountId: acct, kind: 'policy', id: randomUUID(), parentId: null, name: 'Ärzte ÖSTERREICH', body: {}, secretHash: null, createdAt: new Date().toISOString() }, []),
        );
        assert.deepEqual((await store.read.listResources(acct, 'policy', { offset: 0, limit: 10 }, { search: 'österreich' })).items.map((r) => r.name), ['Ärzte ÖSTERREICH']);
        assert.deepEqual((await store.read.listResources(acct, 'policy', { offset: 0, limit: 10 }, { search: 'ärz' })).items.map((r) => r.name), ['Ärzte ÖSTERREICH']);
      });
    });

    describe('API tokens', () => {
      it('inserts, finds by id and by secret hash, updates and deletes', async () => {
        const t = token('deploy', `hash-${randomUUID()}`);
        await store.transaction(TOKENS_SCOPE, (tx) => tx.insertToken(t));
        assert.deepEqual(await store.read.getToken(t.id), t);
        assert.equal((await store.read.getTokenBySecretHash(t.secretHash))?.id, t.id);
        const updated = await store.transaction(TOKENS_SCOPE, (tx) => tx.updateToken(t.id, { status: 'disabled', name: 'deploy 2' }));
        assert.equal(updated?.status, 'disabled');
        assert.equal((await store.read.getToken(t.id))?.name, 'deploy 2');
        await store.touchToken(t.id, '2030-01-01T00:00:00.000Z');
        assert.equal((await store.read.getToken(t.id))?.lastUsedOn, '2030-01-01T00:00:00.000Z');
        assert.ok((await store.read.listTokens({ offset: 0, limit: 100 })).items.some((x) => x.id === t.id));
        assert.equal(await store.transaction(TOKENS_SCOPE, (tx) => tx.deleteToken(t.id)), true);
        assert.equal(await store.read.getToken(t.id), undefined);
      });
    });

    describe('transactions', () => {
      it('write all or nothing: an error inside leaves no trace', async () => {
        const r = resource('policy', 'Never saved');
        await assert.rejects(
          store.transaction(ACCOUNT, async (tx) => {
            await tx.insertResource(r, [{ kind: 'group', id: 'g' }]);
            await tx.addListItems(ACCOUNT, r.id, [{ value: 'x' }]);
            throw new Error('changed my mind');
          }),
          /changed my mind/,
        );
        assert.equal(await store.read.getResource(ACCOUNT, 'policy', r.id), undefined);
        assert.deepEqual(await store.read.referrers(ACCOUNT, 'group', 'g'), []);
        assert.deepEqual(await store.read.listItemValues(ACCOUNT, r.id), []);
      });

      it('never interleave within one scope: concurrent read-modify-writes lose nothing', async () => {
        const counter = resource('group', 'counter', { n: 0 });
        await store.transaction(ACCOUNT, (tx) => tx.insertResource(counter, []));
        await Promise.all(
          Array.from({ length: 40 }, () =>
            store.transaction(ACCOUNT, async (tx) => {
              const current = await tx.getResource(ACCOUNT, 'group', counter.id);
              await new Promise((ok) => setImmediate(ok));
              await tx.updateResource(ACCOUNT, 'group', counter.id, { name: 'counter', body: { n: (current!.body.n as number) + 1 } }, []);
            }),
          ),
        );
        const final = await store.read.getResource(ACCOUNT, 'group', counter.id);
        assert.equal(final?.body.n, 40);
        assert.equal(final?.version, 41);
      });

      it('commit independently when many run at once: one failing undoes only its own writes', async () => {
        const acct = randomUUID().replace(/-/g, '');
        const outcomes = await Promise.allSettled(
          Array.from({ length: 20 }, (_, i) =>
            store.transaction(acct, async (tx) => {
              await tx.insertResource(resource('group', `g${i}`, {}, { accountId: acct }), []);
              if (i % 7 === 3) throw new Error(`transaction ${i} fails`);
              return i;
            }),
          ),
        );
        const failed = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [i] : []));
        assert.deepEqual(failed, [3, 10, 17]);
        const names = (await store.read.allResources(acct, 'group')).map((r) => r.name).sort();
        assert.deepEqual(names, Array.from({ length: 20 }, (_, i) => i).filter((i) => i % 7 !== 3).map((i) => `g${i}`).sort());
      });

      it('of any scopes never overlap while they hold one named lock, and each reads what those before it wrote', async () => {
        // On PostgreSQL also through a second store on the database, as a second server process would.
        const others = kind.name === 'postgres' ? [await openStore(db.url, { secrets: testKeys() })] : [];
        const stores = [store, ...others];
        const accounts = Array.from({ length: 12 }, () => randomUUID().replace(/-/g, ''));
        const marker = randomUUID();
        const writtenBefore = async (tx: StoreReader): Promise<number> => {
          let found = 0;
          for (const account of accounts) found += (await tx.allResources(account, 'group')).filter((group) => group.body.marker === marker).length;
          return found;
        };
        let holders = 0;
        let most = 0;
        let entered = 0;
        const missed: string[] = [];
        try {
          await Promise.all(
            accounts.map((account, i) =>
              stores[i % stores.length]!.transaction(account, async (tx) => {
                await tx.takeLock(TEST_LOCK);
                const before = entered++;
                most = Math.max(most, ++holders);
                const seen = await writtenBefore(tx);
                if (seen !== before) missed.push(`holder ${before} saw ${seen} writes of those before it`);
                await new Promise((ok) => setTimeout(ok, 10));
                await tx.insertResource(resource('group', 'holder', { marker }, { accountId: account }), []);
                holders--;
              }),
            ),
          );
        } finally {
          await Promise.all(others.map((other) => other.close()));
        }
        assert.equal(most, 1, 'one holder at a time');
        assert.deepEqual(missed, []);
        assert.equal(await writtenBefore(store.read), accounts.length);
      });

      it('keep serving after a failed transaction', async () => {
        await assert.rejects(store.transaction(ACCOUNT, async () => Promise.reject(new Error('boom'))));
        const r = resource('policy', 'after the failure');
        await store.transaction(ACCOUNT, (tx) => tx.insertResource(r, []));
        assert.ok(await store.read.getResource(ACCOUNT, 'policy', r.id));
      });
    });

    describe('policy tests', () => {
      const outcome = (processed: number, extra: Partial<ChunkOutcome> = {}): ChunkOutcome => ({
        processed,
        approved: processed,
        blocked: 0,
        errored: 0,
        changed: 0,
        counts: { all: processed, approved: processed },
        results: JSON.stringify(Array.from({ length: processed }, (_, i) => [i])),
        ...extra,
      });
      const newTest = (accountId: string, over: Partial<NewPolicyTest> = {}): NewPolicyTest => ({
        id: randomUUID().replace(/-/g, '') + randomUUID().replace(/-/g, ''),
        accountId,
        status: 'processing',
        reason: null,
        definition: { policies: [{ name: 'p' }] },
        totalUsers: 0,
        createdAt: new Date().toISOString(),
        deadlineMs: Date.now() + 60_000,
        ...over,
      });
      async function usersIn(accountId: string, n: number): Promise<void> {
        await store.transaction(accountId, (tx) => tx.upsertUsers(accountId, Array.from({ length: n }, (_, i) => ({ email: `u${i}@${accountId}.test`, identity: { email: `u${i}@${accountId}.test` } })), randomUUID));
      }

      it('splits an account\'s users into chunks by insertion order, ignoring other accounts', async () => {
        const acct = randomUUID().replace(/-/g, '');
        const noise = randomUUID().replace(/-/g, '');
        for (let i = 0; i < 7; i++) {
          await store.transaction(acct, (tx) => tx.upsertUsers(acct, [{ email: `a${i}@x.org`, identity: { email: `a${i}@x.org` } }], randomUUID));
          await store.transaction(noise, (tx) => tx.upsertUsers(noise, [{ email: `n${i}@x.org` }], randomUUID));
        }
        const chunks = await store.tests.userChunks(acct, 3);
        assert.deepEqual(chunks.map((c) => c.expectedUsers), [3, 3, 1]);
        const seen: string[] = [];
        for (const c of chunks) {
          const users = await store.tests.usersInRange(acct, c.seqFrom, c.seqTo);
          assert.equal(users.length, c.expectedUsers);
          seen.push(...users.map((u) => u.email));
          assert.deepEqual(JSON.parse(users[0].identity!), { email: users[0].email });
        }
        assert.deepEqual(seen, Array.from({ length: 7 }, (_, i) => `a${i}@x.org`));
        assert.deepEqual(await store.tests.userChunks(randomUUID().replace(/-/g, ''), 3), []);
      });

      it('chunks a directory whose size the chunk size divides, or one user at a time, with no empty chunk and no user twice', async () => {
        const acct = randomUUID().replace(/-/g, '');
        const noise = randomUUID().replace(/-/g, '');
        for (let i = 0; i < 6; i++) {
          await store.transaction(acct, (tx) => tx.upsertUsers(acct, [{ email: `a${i}@x.org` }], randomUUID));
          if (i % 2 === 0) await store.transaction(noise, (tx) => tx.upsertUsers(noise, [{ email: `n${i}@x.org` }], randomUUID));
        }
        for (const [size, expected] of [[3, [3, 3]], [6, [6]], [7, [6]], [1, [1, 1, 1, 1, 1, 1]]] as const) {
          const chunks = await store.tests.userChunks(acct, size);
          assert.deepEqual(chunks.map((c) => c.expectedUsers), expected, `chunks of ${size}`);
          const emails: string[] = [];
          for (const [i, c] of chunks.entries()) {
            if (i > 0) assert.equal(c.seqFrom, chunks[i - 1].seqTo + 1, 'chunks follow each other without a gap');
            emails.push(...(await store.tests.usersInRange(acct, c.seqFrom, c.seqTo)).map((u) => u.email));
          }
          assert.deepEqual(emails, Array.from({ length: 6 }, (_, i) => `a${i}@x.org`), `chunks of ${size}`);
        }
      });

      it('lets another thread read a chunk\'s users on a connection of its own, the same rows as usersInRange', async () => {
        const acct = randomUUID().replace(/-/g, '');
        await usersIn(acct, 5);
        await store.transaction(acct, (tx) => tx.upsertUsers(acct, [{ email: 'no-identity@x.org' }], randomUUID));
        const connection = store.tests.threadConnection;
        assert.ok(connection !== undefined, 'a database on disk or a server is reachable from other threads');
        const reader = openChunkReader(connection);
        try {
          const [chunk] = await store.tests.userChunks(acct, 10);
          const expected = await store.tests.usersInRange(acct, chunk.seqFrom, chunk.seqTo);
          const rows = await reader.userRows(acct, chunk.seqFrom, chunk.seqTo);
          assert.equal(rows.length, 6);
          assert.deepEqual(rows.map((r) => r.slice(0, 3)), expected.map((u) => [u.id, u.email, u.name]));
          // A user with an identity comes as its record, not as the identity; one without, as neither.
          for (const [i, row] of rows.entries()) {
            const identity = expected[i].identity;
            assert.equal(row[3], null);
            assert.equal(row[4] ?? null, identity === null ? null : identityRecord(JSON.parse(identity) as Identity));
          }
          assert.equal(expected[5].identity, null);
        } finally {
          await reader.close();
        }
      });

      it("keeps each user's identity record in step with the identity, however it is written, and sends the identity where the record is of another version", async () => {
        const acct = randomUUID().replace(/-/g, '');
        const identityOf = (email: string, country: string) => ({ email, name: 'not read', idp: { id: 'idp-1', type: 'okta' }, geo: { country }, groups: [{ name: 'Eng' }] });
        const inserted = await store.transaction(acct, (tx) => tx.insertUser({ accountId: acct, id: randomUUID(), email: 'ins@x.org', name: 'I', identity: identityOf('ins@x.org', 'DE') }));
        const renamed = await store.transaction(acct, (tx) => tx.insertUser({ accountId: acct, id: randomUUID(), email: 'ren@x.org', name: 'R', identity: identityOf('ren@x.org', 'DE') }));
        const cleared = await store.transaction(acct, (tx) => tx.insertUser({ accountId: acct, id: randomUUID(), email: 'clr@x.org', name: 'C', identity: identityOf('clr@x.org', 'DE') }));
        await store.transaction(acct, (tx) => tx.updateUser(acct, inserted.id, { identity: identityOf('ins@x.org', 'GB') }));
        await store.transaction(acct, (tx) => tx.updateUser(acct, renamed.id, { name: 'Renamed' }));
        await store.transaction(acct, (tx) => tx.updateUser(acct, cleared.id, { identity: null }));
        await store.transaction(acct, (tx) => tx.upsertUsers(acct, [{ email: 'ups@x.org', identity: identityOf('ups@x.org', 'US') }, { email: 'ins@x.org' }], randomUUID));
        const prepared = (email: string, identity: Record<string, unknown> | null) => ({ email, name: null, identity: identity === null ? null : JSON.stringify(identity), identityRecord: identity === null ? null : identityRecord(identity) });
        const batch = async function* (users: PreparedUser[]) {
          yield users;
        };
        await store.importUsers(acct, batch([prepared('imp@x.org', identityOf('imp@x.org', 'IN')), prepared('kept@x.org', identityOf('kept@x.org', 'IN'))]), randomUUID);
        // A second import: one user's identity replaced, another's kept (an entry without one).
        await store.importUsers(acct, batch([prepared('imp@x.org', identityOf('imp@x.org', 'KP')), prepared('kept@x.org', null)]), randomUUID);
        const connection = store.tests.threadConnection!;
        const reader = openChunkReader(connection);
        const stale = openDriver(db.url);
        try {
          const check = async (label: string) => {
            const [chunk] = await store.tests.userChunks(acct, 100);
            const users = await store.tests.usersInRange(acct, chunk.seqFrom, chunk.seqTo);
            const rows = await reader.userRows(acct, chunk.seqFrom, chunk.seqTo);
            assert.deepEqual(rows.map((r) => r[1]), ['ins@x.org', 'ren@x.org', 'clr@x.org', 'ups@x.org', 'imp@x.org', 'kept@x.org'], label);
            for (const [i, row] of rows.entries()) {
              const identity = users[i].identity === null ? null : (JSON.parse(users[i].identity!) as Identity);
              const decided = row[3] !== null ? (JSON.parse(row[3]) as Identity) : row[4] != null && row[4].startsWith(IDENTITY_RECORD_PREFIX) ? (identityFromRecord(row[4]) ?? null) : null;
              // What the engine reads of the user is what it reads of the stored identity.
              assert.deepEqual(decided === null ? null : prepareIdentity(decided).country, identity === null ? null : prepareIdentity(identity).country, `${label}: ${row[1]}`);
              // The identity is sent only where no record of the engine's version stands for it.
              if (row[3] === null) assert.equal(row[4] ?? null, identity === null ? null : identityRecord(identity), `${label}: ${row[1]}`);
              else assert.ok(row[4] == null || !row[4].startsWith(IDENTITY_RECORD_PREFIX), `${label}: ${row[1]}`);
            }
            return rows;
          };
          const rows = await check('as written');
          assert.deepEqual(rows.map((r) => (r[4] == null ? null : prepareIdentity(identityFromRecord(r[4])!).country)), ['GB', 'DE', null, 'US', 'KP', 'IN']);
          assert.ok(rows.every((r) => r[3] === null), 'no identity is sent beside a record');
          // A record of an older layout (or none, as for users stored before records) is passed over for the identity.
          await stale.transaction(acct, (ex) => ex.run("UPDATE users SET identity_record = '[0,\"x\"]' WHERE account_id = ? AND email = 'ins@x.org'", [acct]));
          await stale.transaction(acct, (ex) => ex.run("UPDATE users SET identity_record = NULL WHERE account_id = ? AND email = 'ups@x.org'", [acct]));
          const after = await check('older records');
          assert.equal(after[0][4], '[0,"x"]', 'an older record comes as stored, beside the identity');
          assert.equal(prepareIdentity(JSON.parse(after[0][3]!) as Identity).country, 'GB');
          assert.equal(prepareIdentity(JSON.parse(after[3][3]!) as Identity).country, 'US');
        } finally {
          await reader.close();
          await stale.close();
        }
      });

      it('rebuilds missing and older identity records slice by slice, leaving current records, users without an identity and unreadable identities alone; notes the version', async () => {
        const acct = randomUUID().replace(/-/g, '');
        const identityOf = (email: string) => ({ email, idp: { id: 'idp-1', type: 'okta' }, geo: { country: 'DE' }, groups: [{ name: 'Eng' }], amr: ['pwd'] });
        const emails = ['missing@x.org', 'older@x.org', 'current@x.org', 'none@x.org', 'damaged@x.org', 'array@x.org', 'escaped@x.org'];
        for (const email of emails) {
          const identity = email === 'none@x.org' ? null : email === 'escaped@x.org' ? { ...identityOf(email), groups: ['q"b\\s\nt\té😀'] } : identityOf(email);
          await store.transaction(acct, (tx) => tx.insertUser({ accountId: acct, id: randomUUID(), email, name: email, identity }));
        }
        const raw = openDriver(db.url);
        try {
          const records = async () => new Map((await raw.reader.all<{ email: string; identity: string | null; identity_record: string | null }>('SELECT email, identity, identity_record FROM users WHERE account_id = ? ORDER BY seq', [acct])).map((r) => [r.email, r]));
          const written = await records();
          const expected = (email: string) => written.get(email)!.identity_record;
          await raw.transaction(acct, async (ex) => {
            await ex.run("UPDATE users SET identity_record = NULL WHERE account_id = ? AND email IN ('missing@x.org', 'escaped@x.org')", [acct]);
            await ex.run("UPDATE users SET identity_record = '[0,\"x\"]' WHERE account_id = ? AND email = 'older@x.org'", [acct]);
            await ex.run("UPDATE users SET identity = 'not json', identity_record = NULL WHERE account_id = ? AND email = 'damaged@x.org'", [acct]);
            await ex.run("UPDATE users SET identity = '[1,2]', identity_record = NULL WHERE account_id = ? AND email = 'array@x.org'", [acct]);
          });
          const seqs = (await raw.reader.all<{ seq: number | string }>('SELECT seq FROM users WHERE account_id = ? ORDER BY seq', [acct])).map((r) => Number(r.seq));
          // Slices of two users, from just before this account's first user to its last.
          const walk = async () => {
            let afterSeq = seqs[0] - 1;
            let rewritten = 0;
            let lookedAt = 0;
            while (afterSeq < seqs[seqs.length - 1]) {
              const slice = await store.tests.rebuildRecords(afterSeq, 2);
              assert.ok(slice.lastSeq !== null && slice.lastSeq > afterSeq && slice.usersLookedAt <= 2);
              rewritten += slice.rewritten;
              lookedAt += slice.usersLookedAt;
              afterSeq = slice.lastSeq;
            }
            return { rewritten, lookedAt };
          };
          assert.deepEqual(await walk(), { rewritten: 3, lookedAt: 7 });
          const rebuilt = await records();
          for (const email of ['missing@x.org', 'older@x.org', 'current@x.org', 'escaped@x.org']) assert.equal(rebuilt.get(email)!.identity_record, expected(email), email);
          for (const email of ['none@x.org', 'damaged@x.org', 'array@x.org']) assert.equal(rebuilt.get(email)!.identity_record, null, email);
          assert.deepEqual(await walk(), { rewritten: 0, lookedAt: 7 }, 'a second pass finds nothing to write');
          assert.deepEqual(await store.tests.rebuildRecords(Number.MAX_SAFE_INTEGER - 1, 2), { lastSeq: null, usersLookedAt: 0, rewritten: 0 });

          await store.tests.markRecordsVersion(7);
          assert.equal(await store.tests.recordsVersion(), 7);
          await store.tests.markRecordsVersion(IDENTITY_RECORD_VERSION);
          assert.equal(await store.tests.recordsVersion(), IDENTITY_RECORD_VERSION);
        } finally {
          await raw.close();
        }
      });

      it('leases each chunk to one owner, counts each completion once, and completes the test', async () => {
        const acct = randomUUID().replace(/-/g, '');
        await usersIn(acct, 10);
        const chunks = await store.tests.userChunks(acct, 4);
        const test = newTest(acct, { totalUsers: 10 });
        await store.tests.create(test, chunks);
        const leases = await Promise.all(Array.from({ length: 6 }, (_, i) => store.tests.lease(`owner-${i}`, Date.now(), 60_000)));
        const taken = leases.filter((l) => l !== undefined && l.testId === test.id);
        assert.deepEqual(taken.map((l) => l!.chunkNo).sort(), [0, 1, 2], 'every chunk leased exactly once');
        for (const lease of taken) {
          const owner = `owner-${leases.indexOf(lease)}`;
          assert.equal(await store.tests.complete(lease!, owner, outcome(lease!.expectedUsers), new Date().toISOString()), true);
          assert.equal(await store.tests.complete(lease!, owner, outcome(lease!.expectedUsers), new Date().toISOString()), false, 'a second completion is refused');
        }
        const done = await store.tests.get(acct, test.id);
        assert.equal(done?.status, 'complete');
        assert.equal(done?.processedUsers, 10);
        assert.equal(done?.approved, 10);
        assert.equal(done?.chunksDone, 3);
        assert.ok(done?.finishedAt);
        const summaries = await store.tests.chunkSummaries(test.id);
        assert.deepEqual(summaries.map((c) => [c.chunkNo, c.state, c.counts?.all]), [[0, 'done', 4], [1, 'done', 4], [2, 'done', 2]]);
        assert.ok(summaries.every((c) => c.completedBy?.startsWith('owner-')), 'each chunk records who completed it');
        assert.equal(JSON.parse((await store.tests.chunkResults(test.id, 2))!).length, 2);
        assert.equal(await store.tests.get(randomUUID().replace(/-/g, ''), test.id), undefined, 'tests belong to their account');
      });

      it('keeps a test\'s environment apart from its record', async () => {
        const acct = randomUUID().replace(/-/g, '');
        const environment = { groups: [{ id: 'g', body: { name: 'G', include: [{ everyone: {} }] } }], lists: [{ id: 'l', type: 'IP', values: ['192.0.2.0/24'] }], now: 1 };
        const withEnv = newTest(acct, { environment });
        const without = newTest(acct);
        await store.tests.create(withEnv, []);
        await store.tests.create(without, []);
        assert.deepEqual(await store.tests.environment(withEnv.id), environment);
        assert.equal(await store.tests.environment(without.id), undefined);
        assert.equal(await store.tests.environment('no such test'), undefined);
        const record = await store.tests.get(acct, withEnv.id);
        assert.ok(record !== undefined && !('environment' in record), 'progress reads do not carry it');
        assert.deepEqual(record.definition, withEnv.definition);
      });

      it('leases the first free chunk of the first processing test, in order, passing leased and finished chunks and finished tests', async () => {
        const acct = randomUUID().replace(/-/g, '');
        await usersIn(acct, 6);
        const chunks = await store.tests.userChunks(acct, 2);
        // Ids decide which processing test goes first: 'a…' before 'b…'; a finished test before both.
        const finished = newTest(acct, { id: `0${randomUUID().replace(/-/g, '')}`, totalUsers: 6 });
        const first = newTest(acct, { id: `a${randomUUID().replace(/-/g, '')}`, totalUsers: 6 });
        const second = newTest(acct, { id: `b${randomUUID().replace(/-/g, '')}`, totalUsers: 6 });
        await store.tests.create(finished, chunks);
        for (let i = 0; i < chunks.length; i++) {
          const lease = await store.tests.lease('w', Date.now(), 60_000);
          assert.deepEqual([lease?.testId, lease?.chunkNo], [finished.id, i]);
          assert.equal(await store.tests.complete(lease!, 'w', outcome(2), new Date().toISOString()), true);
        }
        await store.tests.create(second, chunks);
        await store.tests.create(first, chunks);
        const now = Date.now();
        const taken: string[] = [];
        const take = async (owner: string, at: number, leaseMs = 1000) => {
          const lease = await store.tests.lease(owner, at, leaseMs);
          taken.push(lease === undefined ? 'none' : `${lease.testId === first.id ? 'first' : lease.testId === second.id ? 'second' : lease.testId}:${lease.chunkNo}`);
          return lease;
        };
        const a0 = await take('w', now);
        const a1 = await take('w', now);
        assert.equal(await store.tests.complete(a1!, 'w', outcome(2), new Date().toISOString()), true);
        const a2 = await take('w', now, 10_000);
        const b0 = await take('w', now, 10_000);
        // Only the lease of the first test's chunk 0 has expired at now + 2000: it comes back before the second test's next chunk.
        const a0again = await take('v', now + 2000);
        const b1 = await take('v', now + 2000);
        assert.deepEqual(taken, ['first:0', 'first:1', 'first:2', 'second:0', 'first:0', 'second:1']);
        for (const [lease, owner] of [[a0again, 'v'], [a2, 'w'], [b0, 'w'], [b1, 'v']] as const) {
          assert.equal(await store.tests.complete(lease!, owner, outcome(2), new Date().toISOString()), true);
        }
        assert.equal(await store.tests.complete(a0!, 'w', outcome(2), new Date().toISOString()), false, 'the expired lease cannot complete');
        assert.equal((await store.tests.get(acct, first.id))?.status, 'complete');
        const b2 = await take('w', now + 2000);
        assert.equal(await store.tests.complete(b2!, 'w', outcome(2), new Date().toISOString()), true);
        assert.deepEqual(taken.slice(6), ['second:2']);
        assert.equal((await store.tests.get(acct, second.id))?.status, 'complete');
        const after = await store.tests.lease('w', now + 2000, 1000);
        assert.equal([finished.id, first.id, second.id].includes(after?.testId ?? ''), false, 'nothing of these tests is left to lease');
      });

      it('gives an expired lease to another owner and refuses the late completion of the first', async () => {
        const acct = randomUUID().replace(/-/g, '');
        await usersIn(acct, 3);
        const test = newTest(acct, { totalUsers: 3 });
        await store.tests.create(test, await store.tests.userChunks(acct, 10));
        const now = Date.now();
        const first = await store.tests.lease('slow', now, 1000);
        assert.equal(first?.testId, test.id);
        assert.equal(await store.tests.lease('fast', now + 500, 1000), undefined, 'still leased');
        const second = await store.tests.lease('fast', now + 2000, 1000);
        assert.deepEqual([second?.testId, second?.chunkNo], [test.id, first!.chunkNo]);
        assert.equal(await store.tests.complete(first!, 'slow', outcome(3), new Date().toISOString()), false);
        assert.equal(await store.tests.complete(second!, 'fast', outcome(3), new Date().toISOString()), true);
        assert.equal((await store.tests.get(acct, test.id))?.processedUsers, 3);
      });

      it('renews a lease only for its holder while the chunk is pending, and a renewed lease is not taken', async () => {
        const acct = randomUUID().replace(/-/g, '');
        await usersIn(acct, 3);
        const test = newTest(acct, { totalUsers: 3 });
        await store.tests.create(test, await store.tests.userChunks(acct, 10));
        const now = Date.now();
        const held = await store.tests.lease('slow', now, 1000);
        assert.equal(held?.testId, test.id);
        assert.equal(await store.tests.renew(held!, 'other', now + 5000), false, 'only the holder renews');
        assert.equal(await store.tests.renew(held!, 'slow', now + 3000), true);
        assert.equal(await store.tests.lease('fast', now + 2000, 1000), undefined, 'past the first lease, within the renewed one');
        assert.equal(await store.tests.complete(held!, 'slow', outcome(3), new Date().toISOString()), true);
        assert.equal(await store.tests.renew(held!, 'slow', now + 9000), false, 'a done chunk is not renewed');
        assert.equal((await store.tests.get(acct, test.id))?.processedUsers, 3);
      });

      it('releases leases for a restart, and takes users deleted before their turn out of the total', async () => {
        const acct = randomUUID().replace(/-/g, '');
        await usersIn(acct, 5);
        const test = newTest(acct, { totalUsers: 5 });
        await store.tests.create(test, await store.tests.userChunks(acct, 5));
        const lease = await store.tests.lease('crashed', Date.now(), 60_000);
        assert.ok(lease);
        await store.tests.release(null);
        const again = await store.tests.lease('restarted', Date.now(), 60_000);
        assert.equal(again?.chunkNo, lease.chunkNo);
        assert.equal(await store.tests.complete(again!, 'restarted', outcome(4), new Date().toISOString()), true);
        const done = await store.tests.get(acct, test.id);
        assert.deepEqual([done?.status, done?.totalUsers, done?.processedUsers], ['complete', 4, 4]);
      });

      it('stops tests past their deadline, keeping what was done, and cancels the rest', async () => {
        const acct = randomUUID().replace(/-/g, '');
        await usersIn(acct, 4);
        const test = newTest(acct, { totalUsers: 4, deadlineMs: Date.now() + 1000 });
        await store.tests.create(test, await store.tests.userChunks(acct, 2));
        const a = await store.tests.lease('w', Date.now(), 60_000);
        const b = await store.tests.lease('w', Date.now(), 60_000);
        assert.equal(await store.tests.complete(a!, 'w', outcome(2), new Date().toISOString()), true);
        assert.deepEqual(await store.tests.expire(Date.now() + 5000, new Date().toISOString()), [test.id]);
        assert.equal(await store.tests.complete(b!, 'w', outcome(2), new Date().toISOString()), false);
        const stopped = await store.tests.get(acct, test.id);
        assert.deepEqual([stopped?.status, stopped?.processedUsers], ['exceeded time', 2]);
        assert.match(stopped!.reason!, /ran out of time/);
        assert.equal(await store.tests.countProcessing(acct), 0);
      });

      it('completes a test of an empty directory at once, and prunes old and surplus tests', async () => {
        const acct = randomUUID().replace(/-/g, '');
        const empty = newTest(acct, { createdAt: '2001-01-01T00:00:00.000Z' });
        await store.tests.create(empty, []);
        assert.equal((await store.tests.get(acct, empty.id))?.status, 'complete');
        const recent = [1, 2, 3].map((i) => newTest(acct, { createdAt: `2030-01-0${i}T00:00:00.000Z` }));
        for (const t of recent) await store.tests.create(t, []);
        await usersIn(acct, 1);
        const running = newTest(acct, { createdAt: '2000-01-01T00:00:00.000Z', totalUsers: 1 });
        await store.tests.create(running, await store.tests.userChunks(acct, 10));
        assert.equal(await store.tests.countProcessing(acct), 1);
        const listed = await store.tests.list(acct, { offset: 0, limit: 2 });
        assert.equal(listed.total, 5);
        assert.deepEqual(listed.items.map((t) => t.id), [recent[2].id, recent[1].id], 'newest first');
        const pruned = await store.tests.prune('2020-01-01T00:00:00.000Z', 2);
        assert.ok(pruned >= 2);
        assert.equal(await store.tests.get(acct, empty.id), undefined, 'old: pruned');
        assert.equal(await store.tests.get(acct, recent[0].id), undefined, 'beyond the newest 2: pruned');
        assert.ok(await store.tests.get(acct, recent[2].id));
        assert.ok(await store.tests.get(acct, running.id), 'a running test is never pruned');
        assert.deepEqual(await store.tests.chunkSummaries(empty.id), []);
      });
    });

    describe('audit log', () => {
      const actor: AuditActor = { kind: 'token', tokenId: 'tok-1', ip: '192.0.2.1', requestId: 'req-1', method: 'PUT', path: '/x' };

      it('records the writes of a transaction made for an actor, with before and after, and nothing else', async () => {
        const acct = randomUUID().replace(/-/g, '');
        const r = resource('identity_provider', 'Okta', { config: { client_id: 'c', client_secret: 'hunter2' } }, { accountId: acct });
        await store.transaction(acct, (tx) => tx.insertResource(r, []));
        assert.equal((await store.read.listAudit(acct, { offset: 0, limit: 10 })).total, 0, 'no actor, no audit');
        await withAuditActor(actor, () =>
          store.transaction(acct, async (tx) => {
            await tx.updateResource(acct, 'identity_provider', r.id, { name: 'Okta 2', body: { name: 'Okta 2', config: { client_id: 'd', client_secret: 'hunter3' } } });
            await tx.upsertUsers(acct, [{ email: 'a@x.org' }, { email: 'b@x.org' }], randomUUID);
          }),
        );
        await assert.rejects(withAuditActor(actor, () => store.transaction(acct, async (tx) => {
          await tx.deleteResource(acct, 'identity_provider', r.id);
          throw new Error('rolled back');
        })));
        const log = await store.read.listAudit(acct, { offset: 0, limit: 10 });
        assert.deepEqual(log.items.map((e) => [e.action, e.resourceKind]), [['import', 'users'], ['update', 'identity_provider']], 'newest first; the rolled-back delete left nothing');
        const update = log.items[1];
        assert.deepEqual(update.before, { name: 'Okta', config: { client_id: 'c', client_secret: '[redacted]' } });
        assert.deepEqual(update.after, { name: 'Okta 2', config: { client_id: 'd', client_secret: '[redacted]' } });
        assert.deepEqual(update.actor, actor);
        assert.deepEqual(log.items[0].after, { created: 2, updated: 0, unchanged: 0 });
        const asc = await store.read.listAudit(acct, { offset: 0, limit: 1 }, { direction: 'asc', action: 'update' });
        assert.equal(asc.total, 1);
        assert.equal(asc.items[0].resourceId, r.id);
        assert.equal((await store.read.listAudit(acct, { offset: 0, limit: 10 }, { since: new Date('2999-01-01T00:00:00Z') })).total, 0);
      });

      it('filters by time as instants, to the millisecond', async () => {
        const acct = randomUUID().replace(/-/g, '');
        await withAuditActor(actor, () => store.transaction(acct, (tx) => tx.insertResource(resource('posture_rule', 'Firewall', { type: 'firewall' }, { accountId: acct }), [])));
        const [entry] = (await store.read.listAudit(acct, { offset: 0, limit: 10 })).items;
        const at = Date.parse(entry.at);
        const total = async (filter: AuditFilter) => (await store.read.listAudit(acct, { offset: 0, limit: 10 }, filter)).total;
        const cases: [AuditFilter, number][] = [
          [{ since: new Date(at) }, 1],
          [{ since: new Date(Math.floor(at / 1000) * 1000) }, 1],
          [{ since: new Date(at + 1) }, 0],
          [{ before: new Date(at) }, 0],
          [{ before: new Date(at + 1) }, 1],
          [{ before: new Date(Math.floor(at / 1000) * 1000 + 1000) }, 1],
          [{ since: new Date(at - 3_600_000), before: new Date(at + 3_600_000) }, 1],
          // Instants outside years 0000-9999 still compare as instants.
          [{ since: new Date('9999-12-31T23:59:59-01:00') }, 0],
          [{ before: new Date('0000-01-01T00:00:00+01:00') }, 0],
          [{ since: new Date('0000-01-01T00:00:00+01:00') }, 1],
          [{ before: new Date('9999-12-31T23:59:59-01:00') }, 1],
        ];
        for (const [filter, expected] of cases) assert.equal(await total(filter), expected, JSON.stringify(filter));
      });
    });

    describe('access-request log', () => {
      it('keeps entries per account, filtered by time, user, outcome and nonce, newest first unless asked', async () => {
        const account = randomUUID().replace(/-/g, '');
        const entry = (n: number, extra: Record<string, unknown> = {}) => ({
          id: `00000000-0000-7000-8000-00000000000${n}`,
          accountId: account,
          createdAt: `2031-05-0${n}T10:00:00.000Z`,
          action: 'login',
          allowed: true,
          appDomain: 'wiki.test',
          appUid: 'app-1',
          appName: 'Wiki',
          connection: 'development',
          country: null,
          ipAddress: '192.0.2.1',
          rayId: `ray${n}`,
          userEmail: 'ada@example.com',
          userId: 'user-1',
          nonce: `nonce-${n}`,
          expiresAt: '2031-06-01T00:00:00.000Z',
          justificationPrompt: null,
          justificationResponse: null,
          approvers: null,
          approvedSeconds: null,
          reason: null,
          ...extra,
        });
        await store.transaction(account, async (tx) => {
          await tx.insertAccessRequest(entry(1));
          await tx.insertAccessRequest(entry(2, { allowed: false, nonce: null, expiresAt: null }));
          await tx.insertAccessRequest(entry(3, { userId: 'user-2', userEmail: 'bob@example.com' }));
        });
        const ids = async (filter: Parameters<Store['read']['listAccessRequests']>[2], limit = 10) => (await store.read.listAccessRequests(account, limit, filter)).map((e) => e.rayId);
        assert.deepEqual(await ids({}), ['ray3', 'ray2', 'ray1']);
        assert.deepEqual(await ids({ direction: 'asc' }, 2), ['ray1', 'ray2']);
        assert.deepEqual(await ids({ since: new Date('2031-05-02T10:00:00Z'), until: new Date('2031-05-03T10:00:00Z') }), ['ray2']);
        assert.deepEqual(await ids({ userId: 'user-1', allowed: true }), ['ray1']);
        assert.deepEqual(await ids({ nonce: 'nonce-3' }), ['ray3']);
        assert.deepEqual(await store.read.listAccessRequests(OTHER, 10), []);
        const [first] = await store.read.listAccessRequests(account, 1, { direction: 'asc' });
        assert.deepEqual(first, entry(1));
        // A sign-in that asked for a purpose justification keeps the prompt and the answer.
        const justifiedAccount = randomUUID().replace(/-/g, '');
        const justified = entry(6, { accountId: justifiedAccount, justificationPrompt: 'Why now?', justificationResponse: 'Ticket 42: the on-call rota', approvers: ['boss@example.com', 'auditor@example.com'], approvedSeconds: 3600 });
        await store.transaction(justifiedAccount, (tx) => tx.insertAccessRequest(justified));
        assert.deepEqual(await store.read.listAccessRequests(justifiedAccount, 10), [justified]);
        // A refusal keeps its reason (an external evaluation endpoint that gave no answer).
        const refusedAccount = randomUUID().replace(/-/g, '');
        const refused = entry(7, { accountId: refusedAccount, allowed: false, nonce: null, expiresAt: null, reason: 'external evaluation at https://eval.example.com: timeout' });
        await store.transaction(refusedAccount, (tx) => tx.insertAccessRequest(refused));
        assert.deepEqual(await store.read.listAccessRequests(refusedAccount, 10), [refused]);

        // Pages with the total, and the dashboard's filters: email (exact or contained, any case) and application.
        await store.transaction(account, async (tx) => {
          await tx.insertAccessRequest(entry(4, { userId: 'user-3', userEmail: 'Grace_H@Example.com', appUid: 'app-2', appDomain: 'crm.test' }));
          await tx.insertAccessRequest(entry(5, { userId: 'user-4', userEmail: 'grace%h@example.com', appUid: 'app-2', appDomain: 'crm.test' }));
        });
        const page = async (filter: Parameters<Store['read']['pageAccessRequests']>[2], offset = 0, limit = 2) => {
          const got = await store.read.pageAccessRequests(account, { offset, limit }, filter);
          return [got.total, got.items.map((e) => e.rayId)];
        };
        assert.deepEqual(await page({}), [5, ['ray5', 'ray4']]);
        assert.deepEqual(await page({}, 4), [5, ['ray1']]);
        assert.deepEqual(await page({ direction: 'asc' }, 2), [5, ['ray3', 'ray4']]);
        assert.deepEqual(await page({ email: 'grace_h@example.COM' }), [1, ['ray4']]);
        assert.deepEqual(await page({ email: 'ACE_', emailContains: true }), [1, ['ray4']], '_ is matched as itself, not as any character');
        assert.deepEqual(await page({ email: '%', emailContains: true }), [1, ['ray5']], '% is matched as itself');
        assert.deepEqual(await page({ email: 'example', emailContains: true }, 0, 10), [5, ['ray5', 'ray4', 'ray3', 'ray2', 'ray1']]);
        assert.deepEqual(await page({ appUid: 'app-2', allowed: true }), [2, ['ray5', 'ray4']]);
        assert.deepEqual(await page({ appUid: 'app-1', allowed: false }), [1, ['ray2']]);
        assert.deepEqual(await store.read.pageAccessRequests(OTHER, { offset: 0, limit: 10 }), { items: [], total: 0 });
      });
    });

    describe('SCIM update log', () => {
      it('keeps entries per account, filtered by provider and any of each filter\'s values, and forgets those past the cut-off', async () => {
        const account = randomUUID().replace(/-/g, '');
        const entry = (n: number, extra: Partial<ScimUpdateRecord> = {}): ScimUpdateRecord => ({
          id: `00000000-0000-7000-8000-00000000000${n}`,
          accountId: account,
          idpId: 'idp-1',
          loggedAt: `2031-05-0${n}T10:00:00.000Z`,
          status: 'SUCCESS',
          resourceType: 'USER',
          requestMethod: 'POST',
          cfResourceId: `scim-${n}`,
          idpResourceId: `ext-${n}`,
          resourceUserEmail: 'Ada@Example.com',
          resourceGroupName: null,
          requestBody: '{"userName":"ada@example.com"}',
          errorDescription: null,
          ...extra,
        });
        const LONG_AGO = '2000-01-01T00:00:00.000Z';
        await store.transaction(account, async (tx) => {
          await tx.insertScimUpdate(entry(1), LONG_AGO);
          await tx.insertScimUpdate(entry(2, { status: 'FAILURE', errorDescription: 'taken', cfResourceId: null }), LONG_AGO);
          await tx.insertScimUpdate(entry(3, { resourceType: 'GROUP', requestMethod: 'PATCH', resourceUserEmail: null, resourceGroupName: 'Eng' }), LONG_AGO);
          await tx.insertScimUpdate(entry(4, { idpId: 'idp-2' }), LONG_AGO);
        });
        const page = async (filter: Omit<ScimUpdateFilter, 'idpIds'> & { idpIds?: string[] }, offset = 0, limit = 10) => {
          const got = await store.read.pageScimUpdates(account, { offset, limit }, { idpIds: ['idp-1'], ...filter });
          return [got.total, got.items.map((e) => e.id.slice(-1))];
        };
        assert.deepEqual(await page({}), [3, ['3', '2', '1']]);
        assert.deepEqual(await page({ idpIds: ['idp-1', 'idp-2'], direction: 'asc' }, 1, 2), [4, ['2', '3']]);
        assert.deepEqual(await page({ statuses: ['FAILURE'] }), [1, ['2']]);
        assert.deepEqual(await page({ resourceTypes: ['GROUP'], groupNames: ['Eng'] }), [1, ['3']]);
        assert.deepEqual(await page({ requestMethods: ['PATCH', 'DELETE'] }), [1, ['3']]);
        assert.deepEqual(await page({ userEmails: ['ada@EXAMPLE.com'] }), [2, ['2', '1']]);
        assert.deepEqual(await page({ cfResourceIds: ['scim-1', 'scim-3'], idpResourceIds: ['ext-1'] }), [1, ['1']]);
        assert.deepEqual(await page({ since: new Date('2031-05-02T10:00:00Z'), until: new Date('2031-05-03T10:00:00Z') }), [1, ['2']]);
        assert.deepEqual(await page({ idpIds: [] }), [0, []]);
        assert.deepEqual((await store.read.pageScimUpdates(account, { offset: 0, limit: 1 }, { idpIds: ['idp-1'], direction: 'asc' })).items, [entry(1)]);
        assert.deepEqual(await store.read.pageScimUpdates(OTHER, { offset: 0, limit: 10 }, { idpIds: ['idp-1'] }), { items: [], total: 0 });
        // An insert forgets the account's entries logged before its cut-off (and no other account's).
        await store.transaction(account, (tx) => tx.insertScimUpdate(entry(5), '2031-05-03T00:00:00.000Z'));
        assert.deepEqual(await page({ idpIds: ['idp-1', 'idp-2'] }), [3, ['5', '4', '3']]);
      });
    });

    describe('ended sign-ins', () => {
      it('keeps a sign-in signed out of until its longest token would expire, once per nonce, in the account and its version', async () => {
        const account = randomUUID().replace(/-/g, '');
        const now = Date.parse('2031-05-01T10:00:00Z');
        const ended = (nonce: string, expiresAt: number, userId = 'user-1') => ({ accountId: account, nonce, userId, expiresAt, endedAt: new Date(now).toISOString() });
        const version = await store.read.accountVersion(account);
        assert.equal(await store.transaction(account, (tx) => tx.endSignIn(ended('n1', now + 3600_000), now)), true, 'newly ended');
        assert.ok((await store.read.accountVersion(account)) > version, "a change of the account: every instance's views see it");
        await store.transaction(account, async (tx) => {
          await tx.endSignIn(ended('n2', now + 60_000, 'user-2'), now);
          await tx.endSignIn(ended('n3', now + 1_000), now);
        });
        assert.deepEqual(await store.read.endedSignIns(account, now), [ended('n3', now + 1_000), ended('n2', now + 60_000, 'user-2'), ended('n1', now + 3600_000)], 'soonest expiry first');
        assert.deepEqual(await store.read.endedSignIns(account, now, 'user-2'), [ended('n2', now + 60_000, 'user-2')], "one user's");
        assert.deepEqual(await store.read.endedSignIns(OTHER, now), [], 'another account has none');
        assert.deepEqual((await store.read.endedSignIns(account, now + 1_000)).map((e) => e.nonce), ['n2', 'n1'], 'an expired one is no longer ended: its tokens have expired');

        // Ending it again keeps one record, with the later of the two expiries.
        assert.equal(await store.transaction(account, (tx) => tx.endSignIn(ended('n1', now + 60_000), now)), false, 'already ended');
        assert.equal(await store.transaction(account, (tx) => tx.endSignIn(ended('n1', now + 7200_000), now)), false);
        assert.deepEqual((await store.read.endedSignIns(account, now)).filter((e) => e.nonce === 'n1'), [ended('n1', now + 7200_000)]);

        // Recording one removes the account's expired ones: the table cannot grow past the sign-ins still running.
        await store.transaction(account, (tx) => tx.endSignIn(ended('n4', now + 3600_000), now + 120_000));
        assert.deepEqual((await store.read.endedSignIns(account, 0)).map((e) => e.nonce), ['n4', 'n1'], 'n2 and n3 expired and were removed');
      });
    });

    describe('sign-ins under way', () => {
      it('keeps a challenge until it expires, gives it out once, counts wrong answers and recent ones', async () => {
        const account = randomUUID().replace(/-/g, '');
        const now = Date.parse('2031-05-01T10:00:00Z');
        const challenge = (id: string, extra: Partial<LoginChallengeRecord> = {}): LoginChallengeRecord => ({
          id,
          accountId: account,
          kind: 'pin',
          email: 'ada@example.com',
          ipAddress: '192.0.2.1',
          body: { app: 'wiki', pin: 'hash' },
          attempts: 0,
          createdAt: new Date(now).toISOString(),
          expiresAt: now + 600_000,
          ...extra,
        });
        await store.challenges.put(challenge('c1'));
        await store.challenges.put(challenge('c2', { email: 'bob@example.com', expiresAt: now - 1 }));
        const oidc = challenge('c3', { kind: 'oidc', email: null, ipAddress: '192.0.2.9' });
        await store.challenges.put(oidc);
        assert.deepEqual(await store.challenges.get(account, 'c1', now), challenge('c1'));
        assert.equal(await store.challenges.get(OTHER, 'c1', now), undefined, 'another account cannot see it');
        assert.equal(await store.challenges.get(account, 'c2', now), undefined, 'expired');
        assert.equal(await store.challenges.addAttempt(account, 'c1'), 1);
        assert.equal(await store.challenges.addAttempt(account, 'c1'), 2);
        assert.equal(await store.challenges.addAttempt(account, 'missing'), undefined);
        const since = new Date(now - 60_000);
        assert.equal(await store.challenges.countSince(account, 'pin', { email: 'ada@example.com' }, since), 1);
        assert.equal(await store.challenges.countSince(account, 'pin', { ipAddress: '192.0.2.1' }, since), 2);
        assert.equal(await store.challenges.countSince(account, 'oidc', { ipAddress: '192.0.2.1' }, since), 0);
        assert.equal(await store.challenges.countSince(account, 'pin', { email: 'ada@example.com' }, new Date(now + 1)), 0);
        const [first, second] = await Promise.all([store.challenges.take(account, 'c1', now), store.challenges.take(account, 'c1', now)]);
        assert.deepEqual([first, second].filter((c) => c !== undefined), [challenge('c1', { attempts: 2 })], 'given out exactly once');
        assert.equal(await store.challenges.take(account, 'c2', now), undefined, 'an expired one is not given out');
        assert.ok((await store.challenges.prune(now)) >= 0);
        assert.deepEqual(await store.challenges.get(account, 'c3', now), oidc);
        assert.equal(await store.challenges.take(account, 'c3', now + 600_000), undefined, 'expired by the time it is finished');
      });

      it('records a used one-time value once: of several claims of it at once one wins, and an expired claim may be made again', async () => {
        const account = randomUUID().replace(/-/g, '');
        const now = Date.parse('2031-05-02T10:00:00Z');
        const used = (id: string, expiresAt = now + 600_000): LoginChallengeRecord => ({ id, accountId: account, kind: 'used', email: null, ipAddress: null, body: {}, attempts: 0, createdAt: new Date(now).toISOString(), expiresAt });
        const id = `used:${randomUUID()}`;
        const claims = await Promise.all(Array.from({ length: 5 }, () => store.challenges.claim(used(id))));
        assert.deepEqual(claims.filter((c) => c).length, 1, 'claimed exactly once');
        assert.equal(await store.challenges.claim(used(id)), false, 'claimed already');
        const lapsed = `used:${randomUUID()}`;
        assert.equal(await store.challenges.claim(used(lapsed, now - 1)), true);
        assert.equal(await store.challenges.claim(used(lapsed)), true, 'the earlier claim had expired');
        assert.equal(await store.challenges.claim(used(lapsed)), false);
      });

      it('removes challenges that ended over an hour ago as new ones come, and keeps those a limit still counts', async () => {
        const account = randomUUID().replace(/-/g, '');
        const now = Date.parse('2031-06-01T10:00:00Z');
        const at = (id: string, createdAt: number, expiresAt: number): LoginChallengeRecord => ({ id, accountId: account, kind: 'pin', email: 'ada@example.com', ipAddress: '192.0.2.1', body: {}, attempts: 0, createdAt: new Date(createdAt).toISOString(), expiresAt });
        await store.challenges.put(at('lately', now - 20 * 60_000, now - 5 * 60_000));
        await store.challenges.put(at('abandoned', now - 3 * 3_600_000, now - 2 * 3_600_000));
        const counted = () => store.challenges.countSince(account, 'pin', { email: 'ada@example.com' }, new Date(now - 4 * 3_600_000));
        assert.equal(await counted(), 2);
        await store.challenges.put(at('new', now, now + 600_000));
        assert.equal(await counted(), 2, 'the one that ended two hours ago is gone (the new one counts instead); the one ended five minutes ago still counts');
        assert.equal(await store.challenges.countSince(account, 'pin', { email: 'ada@example.com' }, new Date(now - 30 * 60_000)), 2);
      });

      it("finds the challenges of a kind whose ids share a prefix (an access request's answers), unexpired, oldest first", async () => {
        const account = randomUUID().replace(/-/g, '');
        const now = Date.parse('2031-05-01T10:00:00Z');
        const request = `r_${randomUUID()}`;
        const answer = (id: string, at: number, extra: Partial<LoginChallengeRecord> = {}): LoginChallengeRecord => ({ id, accountId: account, kind: 'vote', email: null, ipAddress: null, body: { id }, attempts: 0, createdAt: new Date(at).toISOString(), expiresAt: now + 600_000, ...extra });
        await store.challenges.put(answer(`${request}.b`, now - 1000));
        await store.challenges.put(answer(`${request}.a`, now - 2000));
        await store.challenges.put(answer(`${request}.old`, now - 3000, { expiresAt: now - 1 }));
        await store.challenges.put(answer(`${request}.other-kind`, now - 3000, { kind: 'pin' }));
        await store.challenges.put(answer(`${request.replace('r_', 'rX')}.c`, now - 3000));
        await store.challenges.put(answer(`${request}-x.c`, now - 3000));
        const found = await store.challenges.withPrefix(account, 'vote', `${request}.`, now);
        assert.deepEqual(found.map((c) => c.id), [`${request}.a`, `${request}.b`], '_ is no wildcard; expired, other kinds and other prefixes left out');
        assert.deepEqual(found[0], answer(`${request}.a`, now - 2000));
        assert.deepEqual(await store.challenges.withPrefix(OTHER, 'vote', `${request}.`, now), []);
      });
    });

    describe('sign-in counters', () => {
      it('counts per account and name within a window that starts with the first addition, gives back down to 0, and starts anew once it is over', async () => {
        const account = randomUUID().replace(/-/g, '');
        const now = Date.parse('2031-07-01T10:00:00Z');
        const day = 24 * 3_600_000;
        const { counters } = store;
        assert.equal(await counters.get(account, 'pin-wrong:ada@example.com', now), 0, 'nothing counted yet');
        assert.equal(await counters.add(account, 'pin-wrong:ada@example.com', 1, now, day), 1);
        assert.equal(await counters.add(account, 'pin-wrong:ada@example.com', 1, now + 1000, day), 2);
        assert.equal(await counters.add(account, 'pin-wrong:ada@example.com', -1, now + 2000, day), 1, 'given back');
        assert.equal(await counters.add(account, 'pin-wrong:bob@example.com', -1, now, day), 0, 'never below 0');
        assert.equal(await counters.get(account, 'pin-wrong:ada@example.com', now + 3000), 1);
        assert.equal(await counters.get(account, 'pin-codes:ada@example.com', now), 0, 'another name');
        assert.equal(await counters.get(OTHER, 'pin-wrong:ada@example.com', now), 0, 'another account');
        assert.equal(await counters.add(account, 'pin-wrong:ada@example.com', 1, now + day - 1, day), 2, 'the window started with the first addition and is not over yet');
        assert.equal(await counters.get(account, 'pin-wrong:ada@example.com', now + day), 0, 'over once the window has passed');
        assert.equal(await counters.add(account, 'pin-wrong:ada@example.com', 1, now + day, day), 1, 'a new window');
        assert.equal(await counters.get(account, 'pin-wrong:ada@example.com', now + 2 * day - 1), 1);
      });

      it('loses no addition made at once, and removes the windows that are over as counts are added', async () => {
        const account = randomUUID().replace(/-/g, '');
        const now = Date.parse('2031-07-02T10:00:00Z');
        const day = 24 * 3_600_000;
        const counts = await Promise.all(Array.from({ length: 25 }, () => store.counters.add(account, 'pin-wrong:ada@example.com', 1, now, day)));
        assert.deepEqual([...counts].sort((a, b) => a - b), Array.from({ length: 25 }, (_, i) => i + 1), 'each addition saw a count of its own');
        assert.equal(await store.counters.get(account, 'pin-wrong:ada@example.com', now), 25);

        // Read as of two days ago, a row shows whether it is still stored, over or not.
        const stored = async (name: string): Promise<boolean> => (await store.counters.get(account, name, now - 2 * day)) > 0;
        await store.counters.add(account, 'pin-codes:old@example.com', 1, now - 2 * day, day);
        assert.equal(await stored('pin-codes:old@example.com'), true);
        await store.counters.add(account, 'pin-codes:new@example.com', 1, now, day);
        assert.equal(await stored('pin-codes:old@example.com'), false, 'the window over a day ago was removed when the next count was added');
        assert.equal(await stored('pin-codes:new@example.com'), true);
      });
    });

    describe('secrets at rest', () => {
      // A database of its own: the rotation below re-seals every secret in it.
      let own: TestDatabase;
      before(async () => {
        own = await kind.create();
      });
      after(async () => {
        await own?.drop();
      });
      const rawBody = async (id: string): Promise<string> => {
        const driver = openDriver(own.url);
        try {
          return (await driver.reader.get<{ body: string }>('SELECT body FROM resources WHERE id = ?', [id]))!.body;
        } finally {
          await driver.close();
        }
      };
      const setRawBody = async (id: string, body: unknown): Promise<void> => {
        const driver = openDriver(own.url);
        try {
          await driver.transaction(ACCOUNT, (ex) => ex.run('UPDATE resources SET body = ? WHERE id = ?', [JSON.stringify(body), id]));
        } finally {
          await driver.close();
        }
      };

      it('stores secret fields sealed, reads them back plain, and seals plain ones left from before on resealSecrets', async () => {
        const keys = testKeys();
        const s = await openStore(own.url, { secrets: keys });
        try {
          const idp = resource('identity_provider', 'Okta', { type: 'okta', config: { client_id: 'c', client_secret: 'hunter2', api_token: 'tok-1', token_url: 'https://t' } });
          const app = resource('app', 'CRM', { saas_app: { client_secret: 'saas-1' }, scim_config: { authentication: { scheme: 'httpbasic', user: 'u', password: 'pw-1' } } });
          await s.transaction(ACCOUNT, async (tx) => {
            await tx.insertResource(idp, []);
            await tx.insertResource(app, []);
          });
          assert.deepEqual((await s.read.getResource(ACCOUNT, 'identity_provider', idp.id))?.body, idp.body);
          assert.deepEqual((await s.read.getResource(ACCOUNT, 'app', app.id))?.body, app.body);
          const stored = (await rawBody(idp.id)) + (await rawBody(app.id));
          for (const secret of ['hunter2', 'tok-1', 'saas-1', 'pw-1']) assert.ok(!stored.includes(secret), `${secret} is not in the database`);
          for (const plain of ['https://t', '"client_id":"c"', '"user":"u"']) assert.ok(stored.includes(plain), `${plain} is not a secret and stays readable`);

          await setRawBody(idp.id, idp.body); // as a database written before sealing existed holds it
          assert.deepEqual((await s.read.getResource(ACCOUNT, 'identity_provider', idp.id))?.body, idp.body);
          assert.deepEqual(await s.resealSecrets(), { checked: 2, resealed: 1 });
          assert.ok(!(await rawBody(idp.id)).includes('hunter2'));
          assert.deepEqual(await s.resealSecrets(), { checked: 2, resealed: 0 });
        } finally {
          await s.close();
        }
      });

      it('fails closed under a key that did not seal them, and a rotation re-seals everything under the new key', async () => {
        const stranger = new SecretKeyRing([parseSecretKey(newSecretKeyText())]);
        const wrong = await openStore(own.url, { secrets: { ring: stranger } });
        try {
          await assert.rejects(wrong.resealSecrets(), SecretKeyError);
          await assert.rejects(wrong.read.listResources(ACCOUNT, 'identity_provider', { limit: 10, offset: 0 }), SecretKeyError);
        } finally {
          await wrong.close();
        }
        const rotated = testKeys().ring.rotated();
        const during = await openStore(own.url, { secrets: { ring: rotated } });
        try {
          assert.deepEqual(await during.resealSecrets(), { checked: 2, resealed: 2 });
        } finally {
          await during.close();
        }
        const after = await openStore(own.url, { secrets: { ring: new SecretKeyRing([rotated.current]) } });
        try {
          const idps = await after.read.listResources(ACCOUNT, 'identity_provider', { limit: 10, offset: 0 });
          assert.equal((idps.items[0]?.body.config as Record<string, unknown>).client_secret, 'hunter2', 'the new key alone opens them');
        } finally {
          await after.close();
        }
        const old = await openStore(own.url, { secrets: testKeys() });
        try {
          await assert.rejects(old.resealSecrets(), SecretKeyError, 'the old key no longer opens them');
        } finally {
          await old.close();
        }
      });
    });

    describe('durability', () => {
      it('keeps everything across a close and a reopen, and migrating twice is harmless', async () => {
        const r = resource('posture_rule', 'Disk encryption', { type: 'disk_encryption' });
        await store.transaction(ACCOUNT, (tx) => tx.insertResource(r, []));
        await store.close();
        store = await openStore(db.url, { secrets: testKeys() });
        assert.deepEqual((await store.read.getResource(ACCOUNT, 'posture_rule', r.id))?.body, r.body);
      });

      it('refuses a database a newer build migrated, naming the migration, and opens it again once that is undone', async () => {
        const latest = Math.max(...MIGRATIONS.map((m) => m.version));
        const kept = resource('posture_rule', 'Firewall', { type: 'firewall' });
        await store.transaction(ACCOUNT, (tx) => tx.insertResource(kept, []));
        const raw = openDriver(db.url);
        try {
          await raw.transaction(ACCOUNTS_SCOPE, (ex) => ex.run('INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)', [latest + 1, 'from a newer build', new Date().toISOString()]));
          await assert.rejects(openStore(db.url, { secrets: testKeys() }), (err: Error) => err instanceof NewerSchemaError && err.message.includes(`migration ${latest + 1};`) && err.message.includes(`knows up to ${latest}`));
          await raw.transaction(ACCOUNTS_SCOPE, (ex) => ex.run('DELETE FROM schema_migrations WHERE version = ?', [latest + 1]));
        } finally {
          await raw.close();
        }
        await store.close();
        store = await openStore(db.url, { secrets: testKeys() });
        assert.deepEqual((await store.read.getResource(ACCOUNT, 'posture_rule', kept.id))?.body, kept.body);
      });
    });
  });
}
