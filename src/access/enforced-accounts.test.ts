// What a decision costs on a server of many accounts (docs/benchmarks.md "Many accounts"): the
// accounts' versions are read once for every decision asked in a turn, an account that did not
// move is not asked about again, and a host's applications are found once per index, while
// every change still shows in the next decision.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { databaseKinds, type TestDatabase } from '../../test/support/databases.js';
import { testKeys } from '../../test/support/secrets-key.js';
import { openStore } from '../store/open.js';
import { ACCOUNTS_SCOPE, type Store, type StoreReader } from '../store/store.js';
import { AccountViews } from './account-views.js';
import { EnforcedAccounts } from './enforced-accounts.js';

/** More accounts than AccountViews keeps views of (1,000). */
const ACCOUNTS = 1_001;

const accountId = (i: number) => `${i.toString(16).padStart(8, '0')}${'0'.repeat(24)}`;

async function addApp(store: Store, account: string, host: string, createdAt = new Date().toISOString()): Promise<void> {
  await store.transaction(account, (tx) =>
    tx.insertResource({ accountId: account, kind: 'app', id: randomUUID(), parentId: null, name: host, body: { name: host, type: 'self_hosted', domain: host, aud: randomBytes(32).toString('hex') }, secretHash: null, createdAt }, []),
  );
}

/** A commit that moves no account's version: SQLite's commit stamp moves, the accounts' digest does not. */
async function commitElsewhere(store: Store): Promise<void> {
  const now = Date.now();
  await store.challenges.put({ id: randomUUID(), accountId: accountId(1), kind: 'pin', email: null, ipAddress: null, body: {}, attempts: 0, createdAt: new Date(now).toISOString(), expiresAt: now + 60_000 });
}

/** Counts calls of `name` on the store's reader until `restore()`. */
function countCalls(store: Store, name: 'accountVersions' | 'accountVersionsDigest' | 'allResources'): { readonly count: () => number; readonly restore: () => void } {
  const read = store.read as unknown as Record<string, (...args: unknown[]) => unknown>;
  const original = read[name]!;
  let calls = 0;
  read[name] = (...args: unknown[]) => {
    calls++;
    return original.apply(store.read, args);
  };
  return { count: () => calls, restore: () => void (read[name] = original) };
}

for (const kind of await databaseKinds()) {
  describe(`the enforcement point's accounts on a server of ${ACCOUNTS} (${kind.name})`, { skip: kind.skip }, () => {
    let db: TestDatabase;
    let store: Store;
    let accounts: EnforcedAccounts;

    before(async () => {
      db = await kind.create();
      store = await openStore(db.url, { secrets: testKeys() });
      const createdAt = new Date(Date.now() - 60_000).toISOString();
      for (let i = 1; i <= ACCOUNTS; i += 100) {
        await store.transaction(ACCOUNTS_SCOPE, async (tx) => {
          for (let j = i; j < Math.min(i + 100, ACCOUNTS + 1); j++) await tx.insertAccount({ id: accountId(j), name: `Tenant ${j}`, createdAt });
        });
      }
      await addApp(store, accountId(1), 'wiki.test');
      await addApp(store, accountId(ACCOUNTS), 'tenant.test');
      accounts = new EnforcedAccounts(store, new AccountViews(store), accountId(1), () => 'http://portcullis.test');
    });
    after(async () => {
      await store?.close();
      await db?.drop();
    });

    it("reads the accounts' versions once for every decision asked in one turn, and while none moved only their digest", async () => {
      await accounts.get();
      const digests = countCalls(store, 'accountVersionsDigest');
      const listing = countCalls(store, 'accountVersions');
      try {
        // Something committed, so that SQLite's commit stamp does not spare the read altogether.
        await commitElsewhere(store);
        const indexes = await Promise.all([accounts.get(), accounts.get(), accounts.get(), accounts.get()]);
        assert.equal(digests.count(), 1, 'one read for the four');
        assert.ok(indexes.every((index) => index === indexes[0]));
        await commitElsewhere(store);
        await accounts.get();
        assert.equal(digests.count(), 2, 'a later turn reads again');
        assert.equal(listing.count(), 0, `no list of the ${ACCOUNTS} accounts while none moved`);
        await addApp(store, accountId(7), 'seven.test');
        const moved = await accounts.get();
        assert.equal(listing.count(), 1, 'the list once an account moved');
        assert.notEqual(moved, indexes[0]);
        const seven = moved.application('seven.test', '/');
        assert.equal(seven.kind === 'application' ? seven.view.accountId : seven.kind, accountId(7));
      } finally {
        digests.restore();
        listing.restore();
      }
    });

    it(
      kind.name === 'sqlite'
        ? 'reads nothing while nothing was committed, for any endpoint (SQLite: the commit stamp stays put)'
        : "reads only the accounts' digest while nothing was committed (PostgreSQL has no commit stamp)",
      async () => {
        const index = await accounts.get();
        const digests = countCalls(store, 'accountVersionsDigest');
        const listing = countCalls(store, 'accountVersions');
        try {
          for (let turn = 0; turn < 5; turn++) assert.equal(await accounts.get(), index);
          // The digest sums every account's version: read on every sign-in page, key set and logout,
          // it cost each of them as much as the number of accounts.
          assert.equal(digests.count(), kind.name === 'sqlite' ? 0 : 5);
          assert.equal(listing.count(), 0);
          await commitElsewhere(store);
          assert.equal(await accounts.get(), index, 'a commit that moved no account keeps the index');
          assert.equal(digests.count(), kind.name === 'sqlite' ? 1 : 6, 'read again once something was committed');
          await addApp(store, accountId(9), 'nine.test');
          const moved = await accounts.get();
          const nine = moved.application('nine.test', '/');
          assert.equal(nine.kind === 'application' ? nine.view.accountId : nine.kind, accountId(9), 'a change shows at the next read');
        } finally {
          digests.restore();
          listing.restore();
        }
      },
    );

    it("finds every account's applications on a host (a logout's cookies) without a pass over every account's", async () => {
      await addApp(store, accountId(3), 'shared.test/three');
      await addApp(store, accountId(1), 'shared.test');
      const index = await accounts.get();
      // What the logout used to do: read every account's applications, on every request.
      let viewsRead = 0;
      for (const view of index.views) {
        const candidates = view.candidates;
        Object.defineProperty(view, 'candidates', { get: () => (viewsRead++, candidates), configurable: true });
      }
      for (let i = 0; i < 3; i++) {
        const found = index.applicationsOn('Shared.test').map((c) => `${c.value.accountId.slice(0, 8)} ${c.destinations.join(' ')}`);
        // The oldest application holds the host (account 3's); account 1's there are listed all the same.
        assert.deepEqual(found.sort(), [`${accountId(1).slice(0, 8)} shared.test`, `${accountId(3).slice(0, 8)} shared.test/three`]);
        assert.deepEqual(index.applicationsOn('nobody.test'), []);
      }
      assert.equal(viewsRead, 0, `${viewsRead} reads of an account's applications`);
    });

    it('asks for no unchanged account again, however many there are', async () => {
      await accounts.get();
      const reads = countCalls(store, 'allResources');
      try {
        const index = await accounts.get();
        assert.equal(reads.count(), 0, "no account's objects read again");
        assert.equal(index.views.length, ACCOUNTS);
      } finally {
        reads.restore();
      }
    });

    it('finds each account on its own host, and sees a change at the next read', async () => {
      let index = await accounts.get();
      const wiki = index.application('wiki.test', '/');
      assert.equal(wiki.kind === 'application' ? wiki.view.accountId : wiki.kind, accountId(1));
      const tenant = index.application('Tenant.test:8443', '/x');
      assert.equal(tenant.kind === 'application' ? tenant.view.accountId : tenant.kind, accountId(ACCOUNTS));
      assert.equal(index.application('new.test', '/').kind, 'none');
      assert.equal(index.application('new.test', '/').kind, 'none', 'asked again of the same index');

      await addApp(store, accountId(500), 'new.test');
      const reads = countCalls(store, 'allResources');
      try {
        index = await accounts.get();
        // Only the account that moved is read again (its applications, service tokens, ...).
        assert.ok(reads.count() > 0 && reads.count() < 10, `${reads.count()} reads`);
      } finally {
        reads.restore();
      }
      const added = index.application('new.test', '/');
      assert.equal(added.kind === 'application' ? added.view.accountId : added.kind, accountId(500));
      assert.equal(index.application('wiki.test', '/').kind, 'application');
    });
  });
}
