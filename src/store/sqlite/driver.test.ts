import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { storeConformance } from '../../../test/support/store-conformance.js';
import { sqliteDatabase, tempDir } from '../../../test/support/databases.js';
import { SqliteDriver } from './driver.js';

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
