// The records rebuild (record-rebuild.ts) on real stores: users whose records are missing get
// them in the background when a runner starts, the version is noted and a later start walks
// nothing; a walk stopped half-way notes nothing and the next one finishes; a failing store
// ends the walk as failed, reported, without a crash.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { IDENTITY_RECORD_VERSION, identityRecord } from '../engine/index.js';
import { openDriver, openStore } from '../store/open.js';
import type { Driver, Executor } from '../store/driver.js';
import { sqlFor } from '../store/dialect.js';
import { SqlPolicyTests } from '../store/sql/policy-tests.js';
import type { PolicyTestStore, Store } from '../store/store.js';
import { testKeys } from '../../test/support/secrets-key.js';
import { databaseKinds, type TestDatabase } from '../../test/support/databases.js';
import { RecordRebuild, type RecordRebuildProgress } from './record-rebuild.js';
import { TestRunner } from './runner.js';

const USERS_WITH_IDENTITY = 25;

interface StoredUser {
  email: string;
  identity: string | null;
  identity_record: string | null;
}

for (const kind of await databaseKinds()) {
  describe(`identity-record rebuild: ${kind.name}`, { skip: kind.skip }, () => {
    let db: TestDatabase;
    let store: Store;
    let raw: Driver;
    const account = randomUUID().replace(/-/g, '');
    const users = () => raw.reader.all<StoredUser>('SELECT email, identity, identity_record FROM users WHERE account_id = ? ORDER BY seq', [account]);
    const forgetRecords = () => raw.transaction(account, (ex) => ex.run('UPDATE users SET identity_record = NULL WHERE account_id = ?', [account]));
    const assertAllCurrent = async () => {
      for (const user of await users()) {
        assert.equal(user.identity_record, user.identity === null ? null : identityRecord(JSON.parse(user.identity)), user.email);
      }
    };

    before(async () => {
      db = await kind.create();
      store = await openStore(db.url, { secrets: testKeys() });
      raw = openDriver(db.url);
      for (let i = 0; i < USERS_WITH_IDENTITY; i++) {
        const email = `user${i}@example.com`;
        await store.transaction(account, (tx) => tx.insertUser({ accountId: account, id: randomUUID(), email, name: `User ${i}`, identity: { email, groups: [`g${i % 3}`], geo: { country: 'FR' } } }));
      }
      await store.transaction(account, (tx) => tx.insertUser({ accountId: account, id: randomUUID(), email: 'directory-only@example.com', name: 'No identity', identity: null }));
      // As users stored before records existed.
      await forgetRecords();
    });
    after(async () => {
      await raw?.close();
      await store?.close();
      await db?.drop();
    });

    it('writes the missing records in the background when a runner starts, notes the version, and a later start walks nothing', async () => {
      assert.equal(await store.tests.recordsVersion(), null, 'a new database has been through no rebuild');
      const reports: [string, RecordRebuildProgress][] = [];
      const runner = new TestRunner(store, { workers: 0, recordRebuild: { sliceUsers: 4, pauseMs: 0 }, info: (message, fields) => reports.push([message, fields as RecordRebuildProgress]) });
      await runner.start();
      try {
        assert.equal(await runner.recordRebuildOutcome(), 'rebuilt');
      } finally {
        await runner.stop();
      }
      await assertAllCurrent();
      assert.equal(await store.tests.recordsVersion(), IDENTITY_RECORD_VERSION);
      const [message, last] = reports.at(-1)!;
      assert.match(message, new RegExp(`version ${IDENTITY_RECORD_VERSION}`));
      assert.equal(last.usersLookedAt, USERS_WITH_IDENTITY + 1);
      assert.equal(last.recordsWritten, USERS_WITH_IDENTITY);

      // The version is noted: records lost now are not looked for again (users are decided from their identities).
      await forgetRecords();
      assert.equal(await new RecordRebuild(store.tests).start(), 'current');
      assert.ok((await users()).every((u) => u.identity_record === null));
    });

    it("writes no record over an identity that changed between a slice's read and its write", async () => {
      await forgetRecords();
      const driver = openDriver(db.url);
      const moved = 'user3@example.com';
      // Another writer changes one identity just after the slice is read (a real writer would write its record too).
      const readThenInterleave: Executor = {
        ...driver.reader,
        all: async <T>(sql: string, params?: readonly unknown[]) => {
          const rows = await driver.reader.all<T>(sql, params);
          await raw.transaction(account, (ex) => ex.run('UPDATE users SET identity = ? WHERE account_id = ? AND email = ?', [JSON.stringify({ email: moved, groups: ['moved'] }), account, moved]));
          return rows;
        },
      };
      const interleaved = new Proxy(driver, { get: (target, key) => (key === 'reader' ? readThenInterleave : Reflect.get(target, key, target)) });
      try {
        const tests = new SqlPolicyTests(interleaved, sqlFor(kind.name));
        let slice = await tests.rebuildRecords(0, 1_000);
        assert.equal(slice.rewritten, USERS_WITH_IDENTITY - 1, 'every record but the moved identity');
        slice = await tests.rebuildRecords(slice.lastSeq!, 1_000);
        assert.equal(slice.lastSeq, null);
        const stored = await users();
        assert.equal(stored.find((u) => u.email === moved)!.identity_record, null, 'no record of the identity read before the change');
        for (const user of stored.filter((u) => u.email !== moved && u.identity !== null)) assert.equal(user.identity_record, identityRecord(JSON.parse(user.identity!)), user.email);
      } finally {
        await driver.close();
      }
    });

    it('stops after the slice in hand without noting the version; the next walk finishes', async () => {
      await store.tests.markRecordsVersion(IDENTITY_RECORD_VERSION + 1);
      await forgetRecords();
      let firstSlice!: () => void;
      const sliced = new Promise<void>((resolve) => (firstSlice = resolve));
      const slow = new RecordRebuild(store.tests, { sliceUsers: 2, pauseMs: 60_000, progressMs: 0, info: () => firstSlice() });
      const outcome = slow.start();
      await sliced;
      await slow.stop();
      assert.equal(await outcome, 'stopped');
      assert.equal(await store.tests.recordsVersion(), IDENTITY_RECORD_VERSION + 1, 'nothing noted for a walk that did not end');
      const written = (await users()).filter((u) => u.identity_record !== null).length;
      assert.ok(written >= 1 && written < USERS_WITH_IDENTITY, `${written} records written before the stop`);

      assert.equal(await new RecordRebuild(store.tests, { sliceUsers: 2, pauseMs: 0 }).start(), 'rebuilt');
      await assertAllCurrent();
      assert.equal(await store.tests.recordsVersion(), IDENTITY_RECORD_VERSION);
    });
  });
}

describe('identity-record rebuild: a store that fails', () => {
  it('ends the walk as failed and reports why, noting nothing', async () => {
    let noted = false;
    const failing = {
      recordsVersion: async () => null,
      rebuildRecords: async () => {
        throw new Error('connection lost');
      },
      markRecordsVersion: async () => {
        noted = true;
      },
    } as unknown as PolicyTestStore;
    const logged: unknown[] = [];
    const outcome = await new RecordRebuild(failing, { log: (_message, err) => logged.push(err) }).start();
    assert.equal(outcome, 'failed');
    assert.equal((logged[0] as Error).message, 'connection lost');
    assert.equal(noted, false);
  });
});
