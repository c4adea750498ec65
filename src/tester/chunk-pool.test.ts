// ChunkPool.warm: a policy test's threads are started (and connected to the database) while the
// test is being created, stop again (and their sessions end) when no chunk comes, unless the
// pool is resident (the server's), and a stopped pool starts none; threads waiting for work
// never keep a process alive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** Sessions of a test database's connections (postgresDatabase names them after its schema). */
async function sessionsOf(admin: pg.Client, url: string): Promise<number> {
  return Number((await admin.query('SELECT COUNT(*) AS n FROM pg_stat_activity WHERE application_name = $1', [new URL(url).searchParams.get('application_name')])).rows[0].n);
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
      const sessions = () => sessionsOf(admin!, database.url);
      if (admin !== undefined) await until('both threads are connected', async () => (await sessions()) === 2);
      await until('the idle threads stop', () => pool.threadCount === 0);
      // A thread's session is kept while the thread waits (chunk-reader.ts), so it must end with the thread.
      if (admin !== undefined) await until('their sessions end', async () => (await sessions()) === 0);
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

for (const kind of await databaseKinds()) {
  test(`a resident pool keeps its threads and their sessions past the idle time, and decides chunks on them (${kind.name})`, { skip: kind.skip, timeout: 30_000 }, async () => {
    const database = await kind.create();
    const store = await openStore(database.url, { secrets: testKeys() });
    const connection = store.tests.threadConnection!;
    await store.close();
    const pool = new ChunkPool({ size: 2, connection, idleMs: 200, resident: true });
    const admin = kind.name === 'postgres' ? new pg.Client({ connectionString: TEST_POSTGRES_URL }) : undefined;
    await admin?.connect();
    try {
      pool.warm();
      assert.equal(pool.threadCount, 2);
      const sessions = () => sessionsOf(admin!, database.url);
      if (admin !== undefined) await until('both threads are connected', async () => (await sessions()) === 2);
      await new Promise((ok) => setTimeout(ok, 1_500));
      assert.equal(pool.threadCount, 2, 'kept, though idle for longer than idleMs');
      if (admin !== undefined) assert.equal(await sessions(), 2, 'their sessions kept too');
      // The account has no users: the chunk is read on the kept session and decided empty.
      const spec = { id: 'resident-test', accountId: 'no-such-account', definition: { policies: [{ body: { name: 'All', decision: 'allow', include: [{ everyone: {} }] } }] }, snapshot: { accountId: 'no-such-account', now: 0, groups: [], lists: [], identityProviders: [], postureRules: [], apps: [], serviceTokens: [] } };
      assert.equal((await pool.decide(spec, 1, 1_000)).processed, 0);
      await new Promise((ok) => setTimeout(ok, 500));
      assert.equal(pool.threadCount, 2, 'still kept after work');
      await pool.close();
      assert.equal(pool.threadCount, 0, 'closing stops them');
      if (admin !== undefined) await until('their sessions end', async () => (await sessions()) === 0);
    } finally {
      await admin?.end();
      await pool.close();
      await database.drop();
    }
  });
}

for (const resident of [false, true]) {
  test(`idle threads do not keep a process alive that has nothing else to do${resident ? ' (a resident pool)' : ''}`, { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-chunk-pool-'));
  try {
    const path = join(dir, 'store.db');
    const store = await openStore(`sqlite:${path}`, { secrets: testKeys() });
    await store.close();
    // Threads are kept for minutes without work: the child warms a pool and neither closes it nor
    // does anything else, so it ends only if the waiting threads let it.
    const script = `
      const { ChunkPool } = await import(${JSON.stringify(new URL('./chunk-pool.js', import.meta.url).href)});
      const pool = new ChunkPool({ size: 2, connection: { dialect: 'sqlite', path: ${JSON.stringify(path)} }, resident: ${resident} });
      pool.warm();
      console.log('threads', pool.threadCount);`;
    // A file, not `-e`: a process running `-e` code ends without waiting for its threads.
    const scriptPath = join(dir, 'warm-and-leave.mjs');
    writeFileSync(scriptPath, script);
    const child = spawn(process.execPath, [scriptPath], { stdio: ['ignore', 'pipe', 'inherit'] });
    let printed = '';
    child.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const exited = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill();
        resolve(null);
      }, 20_000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
    assert.equal(printed.trim(), 'threads 2', 'the pool started its threads');
    assert.equal(exited, 0, 'the process ended by itself, well before the threads\' idle time');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
}
