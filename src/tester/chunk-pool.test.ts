// ChunkPool.warm: a policy test's threads are started (and connected to the database) while the
// test is being created, stop again when no chunk comes, and a stopped pool starts none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { databaseKinds, TEST_POSTGRES_URL } from '../../test/support/databases.js';
import { testKeys } from '../../test/support/secrets-key.js';
import { openStore } from '../store/open.js';
import { ChunkPool } from './chunk-pool.js';

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((ok) => setTimeout(ok, 20));
  }
}

for (const kind of await databaseKinds()) {
  test(`warmed threads start at once, connect to the database and stop when no chunk comes (${kind.name})`, { skip: kind.skip, timeout: 30_000 }, async () => {
    const database = await kind.create();
    // The schema (and, for SQLite, the file the threads open read-only).
    const store = await openStore(database.url, { secrets: testKeys() });
    const connection = store.tests.threadConnection!;
    // Closed: the only connections left to see are the threads'.
    await store.close();
    // Long enough for the threads to load and connect on a busy machine before they count as idle.
    const pool = new ChunkPool({ size: 2, connection, idleMs: 4_000 });
    const admin = kind.name === 'postgres' ? new pg.Client({ connectionString: TEST_POSTGRES_URL }) : undefined;
    await admin?.connect();
    try {
      pool.warm();
      assert.equal(pool.threadCount, 2, 'both threads started, before any chunk');
      pool.warm();
      assert.equal(pool.threadCount, 2, 'no more than the pool size');
      if (admin !== undefined) {
        // postgresDatabase names its connections after its schema.
        const name = new URL(database.url).searchParams.get('application_name');
        await until('both threads are connected', async () => Number((await admin.query('SELECT COUNT(*) AS n FROM pg_stat_activity WHERE application_name = $1', [name])).rows[0].n) === 2);
      }
      await until('the idle threads stop', () => pool.threadCount === 0);
      await pool.close();
      pool.warm();
      assert.equal(pool.threadCount, 0, 'a closed pool starts no thread');
    } finally {
      await admin?.end();
      await pool.close();
      await database.drop();
    }
  });
}
