import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { storeConformance } from '../../../test/support/store-conformance.js';
import { sqliteDatabase, tempDir } from '../../../test/support/databases.js';
import Database from 'better-sqlite3';
import { SQLITE_PAGE_SIZE, SqliteDriver } from './driver.js';

storeConformance({ name: 'sqlite', skip: undefined, create: async () => sqliteDatabase() });

/** Write about 2 MB in 20 transactions: less than SQLite's automatic checkpoint threshold (4 MB). */
async function writeSome(driver: SqliteDriver): Promise<void> {
  await driver.transaction(null, (tx) => tx.run('CREATE TABLE t (v TEXT)'));
  for (let i = 0; i < 20; i++) {
    await driver.transaction(null, async (tx) => {
      for (let j = 0; j < 100; j++) await tx.run('INSERT INTO t (v) VALUES (?)', [`${i}-${j}-${'x'.repeat(1000)}`]);
    });
  }
}

test('the checkpointer thread moves committed pages from the WAL into the database file', { timeout: 20_000 }, async () => {
  const dir = tempDir('portcullis-checkpoint-');
  const path = join(dir.path, 'db.sqlite');
  const driver = new SqliteDriver({ path, checkpointIntervalMs: 20 });
  try {
    await writeSome(driver);
    let size = statSync(path).size;
    for (let i = 0; i < 250 && size < 2_000_000; i++) {
      await new Promise((ok) => setTimeout(ok, 20));
      size = statSync(path).size;
    }
    assert.ok(size >= 2_000_000, `the database file holds the rows (${size} bytes)`);
  } finally {
    await driver.close();
    dir.remove();
  }
});

test('without the checkpointer the same writes stay in the WAL', { timeout: 20_000 }, async () => {
  const dir = tempDir('portcullis-checkpoint-');
  const path = join(dir.path, 'db.sqlite');
  const driver = new SqliteDriver({ path, checkpointIntervalMs: 0 });
  try {
    await writeSome(driver);
    await new Promise((ok) => setTimeout(ok, 300));
    assert.ok(statSync(path).size < 100_000, `only the WAL has grown (${statSync(path).size} bytes in the database file)`);
    assert.ok(statSync(`${path}-wal`).size >= 2_000_000);
  } finally {
    await driver.close();
    dir.remove();
  }
});

test('long reads run on scan threads: the event loop keeps turning while one runs, errors come back as errors, and queued reads all finish', { timeout: 60_000 }, async () => {
  const dir = tempDir('portcullis-scan-');
  const driver = new SqliteDriver({ path: join(dir.path, 'db.sqlite') });
  try {
    await driver.transaction(null, (tx) => tx.run('CREATE TABLE t (v INTEGER)'));
    await driver.transaction(null, (tx) => tx.run('INSERT INTO t (v) VALUES (1), (2), (3)'));
    // A query that keeps SQLite busy for a while: on the event loop, no timer could fire meanwhile.
    let turns = 0;
    const ticker = setInterval(() => turns++, 1);
    const counted = await driver.scanner.get<{ n: number }>('WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5000000) SELECT COUNT(*) AS n FROM c');
    clearInterval(ticker);
    assert.equal(counted?.n, 5_000_000);
    assert.ok(turns > 0, 'timers fired while the scan ran');

    await assert.rejects(driver.scanner.all('SELECT nope FROM t'), /no such column: nope/);
    const sums = await Promise.all(Array.from({ length: 7 }, (_, i) => driver.scanner.get<{ s: number }>('SELECT SUM(v) + ? AS s FROM t', [i])));
    assert.deepEqual(sums.map((r) => r?.s), [6, 7, 8, 9, 10, 11, 12]);
    assert.deepEqual(await driver.scanner.all('SELECT v FROM t WHERE v > ? ORDER BY v', [true]), [{ v: 2 }, { v: 3 }], 'booleans bind as on the main connections');
    await assert.rejects(driver.scanner.run('DELETE FROM t'), /only reads/);
  } finally {
    await driver.close();
    dir.remove();
  }
  await assert.rejects(driver.scanner.all('SELECT 1'), /closed/);
});

test('a bulk transaction runs on a worker thread, alone and all or nothing, and transactions queued meanwhile follow it', { timeout: 60_000 }, async () => {
  const dir = tempDir('portcullis-bulk-');
  const driver = new SqliteDriver({ path: join(dir.path, 'db.sqlite') });
  try {
    await driver.transaction(null, (tx) => tx.run('CREATE TABLE t (v INTEGER)'));
    let turns = 0;
    const ticker = setInterval(() => turns++, 1);
    const bulk = driver.transaction(
      null,
      async (tx) => {
        const inserted = await tx.run('WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000) INSERT INTO t (v) SELECT x FROM c');
        return inserted.changes;
      },
      { bulk: true },
    );
    const after = driver.transaction(null, (tx) => tx.get<{ n: number }>('SELECT COUNT(*) AS n FROM t'));
    assert.equal(await bulk, 2_000_000);
    clearInterval(ticker);
    assert.ok(turns > 0, 'timers fired while the bulk statement ran');
    assert.equal((await after)?.n, 2_000_000, 'a transaction queued during the bulk one runs after it and sees its writes');

    const failed = driver.transaction(
      null,
      async (tx) => {
        await tx.run('INSERT INTO t (v) VALUES (-1)');
        await tx.run('INSERT INTO nope (v) VALUES (1)');
      },
      { bulk: true },
    );
    await assert.rejects(failed, /no such table: nope/);
    assert.equal((await driver.reader.get<{ n: number }>('SELECT COUNT(*) AS n FROM t WHERE v = -1'))?.n, 0, 'nothing of a failed bulk transaction stays');
    assert.equal(await driver.transaction(null, async (tx) => (await tx.run('INSERT INTO t (v) VALUES (0)')).changes), 1, 'the writer works after it');
  } finally {
    await driver.close();
    dir.remove();
  }
});

test('the commit stamp moves at every commit, by the writer, a bulk transaction or another process, and stays put while nothing is written', { timeout: 30_000 }, async () => {
  const dir = tempDir('portcullis-stamp-');
  const path = join(dir.path, 'db.sqlite');
  const driver = new SqliteDriver({ path });
  const elsewhere = new SqliteDriver({ path, checkpointIntervalMs: 0 });
  try {
    await driver.transaction(null, (tx) => tx.run('CREATE TABLE t (v INTEGER)'));
    const seen = [driver.commitStamp()];
    const moved = (why: string) => {
      const stamp = driver.commitStamp();
      assert.notEqual(stamp, seen.at(-1), why);
      seen.push(stamp);
    };
    await driver.reader.all('SELECT * FROM t');
    await driver.scanner.all('SELECT * FROM t');
    await driver.transaction(null, (tx) => tx.get('SELECT COUNT(*) FROM t'));
    assert.equal(driver.commitStamp(), seen.at(-1), 'reads and a transaction that writes nothing leave it');
    await driver.transaction(null, (tx) => tx.run('INSERT INTO t (v) VALUES (1)'));
    moved('a commit of the writer');
    await driver.transaction(null, (tx) => tx.run('INSERT INTO t (v) VALUES (2)'), { bulk: true });
    moved('a bulk transaction on its worker thread');
    await elsewhere.transaction(null, (tx) => tx.run('INSERT INTO t (v) VALUES (3)'));
    moved('a commit on another connection to the file (another process)');
  } finally {
    await elsewhere.close();
    await driver.close();
    dir.remove();
  }
});

test('a new database gets the large pages; one made before keeps its own', { timeout: 20_000 }, async () => {
  const dir = tempDir('portcullis-page-size-');
  try {
    const fresh = join(dir.path, 'fresh.sqlite');
    const driver = new SqliteDriver({ path: fresh });
    await writeSome(driver);
    await driver.close();
    const older = join(dir.path, 'older.sqlite');
    const made = new Database(older);
    made.pragma('page_size = 4096');
    made.exec('CREATE TABLE t (v TEXT)');
    made.close();
    const reopened = new SqliteDriver({ path: older });
    await reopened.transaction(null, (tx) => tx.run('INSERT INTO t (v) VALUES (?)', ['kept']));
    await reopened.close();
    const pageSize = (path: string) => {
      const db = new Database(path, { readonly: true });
      try {
        return db.pragma('page_size', { simple: true });
      } finally {
        db.close();
      }
    };
    assert.equal(pageSize(fresh), SQLITE_PAGE_SIZE);
    assert.equal(pageSize(older), 4096);
  } finally {
    dir.remove();
  }
});

test("a bulk transaction's commit leaves the copy into the database file to the checkpointer", { timeout: 30_000 }, async () => {
  const dir = tempDir('portcullis-bulk-checkpoint-');
  const path = join(dir.path, 'db.sqlite');
  // The checkpointer runs but not within the test: whatever reaches the database file early
  // was copied by the commit itself.
  const driver = new SqliteDriver({ path, checkpointIntervalMs: 600_000 });
  try {
    await driver.transaction(null, (tx) => tx.run('CREATE TABLE t (v TEXT)'));
    const before = statSync(path).size;
    const row = 'x'.repeat(4_000);
    // About 24 MB: past SQLite's own automatic threshold (1,000 pages) at any page size.
    await driver.transaction(null, (tx) => tx.runEach('INSERT INTO t (v) VALUES (?)', Array.from({ length: 6_000 }, (_, i) => [`${i}${row}`])), { bulk: true });
    assert.ok(statSync(`${path}-wal`).size > 20_000_000, 'the rows are in the WAL');
    assert.ok(statSync(path).size - before < 1_000_000, `the database file did not take them at commit (${statSync(path).size - before} bytes more)`);
    assert.equal((await driver.reader.get<{ n: number }>('SELECT count(*) AS n FROM t'))?.n, 6_000);
  } finally {
    await driver.close();
    dir.remove();
  }
});
