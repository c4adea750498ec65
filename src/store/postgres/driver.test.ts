import { test } from 'node:test';
import assert from 'node:assert/strict';
import { storeConformance } from '../../../test/support/store-conformance.js';
import pg from 'pg';
import { connect } from 'node:net';
import { blackHoleRelay } from '../../../test/support/black-hole-relay.js';
import { randomUUID } from 'node:crypto';
import { postgresDatabase, postgresUnavailable, TEST_POSTGRES_URL } from '../../../test/support/databases.js';
import { testKeys } from '../../../test/support/secrets-key.js';
import { CommitOutcomeUnknown, isStoreUnavailable } from '../errors.js';
import { openStore } from '../open.js';
import { HOST_CLAIMS_LOCK } from '../store.js';
import { parsePostgresUrl, PostgresDriver, preparedName, SESSION_NAME, statementTimeoutSet } from './driver.js';
import { openChunkReader } from '../chunk-reader.js';

storeConformance({ name: 'postgres', skip: await postgresUnavailable(), create: postgresDatabase });

test('the schema parameter is ours: split off the URL and checked', () => {
  assert.deepEqual(parsePostgresUrl('postgres://u@h:5432/db?schema=app_1&sslmode=disable'), {
    connectionString: 'postgres://u@h:5432/db?sslmode=disable',
    schema: 'app_1',
  });
  assert.equal(parsePostgresUrl('postgres://u@h/db').schema, undefined);
  assert.throws(() => parsePostgresUrl('postgres://u@h/db?schema=x;drop'), /Invalid PostgreSQL schema name/);
});

test('a connection ended by the server in the middle of a transaction fails that transaction, not the process', { skip: await postgresUnavailable() }, async () => {
  const database = await postgresDatabase();
  const driver = new PostgresDriver({ url: database.url });
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  try {
    const failed = driver.transaction('account', async (tx) => {
      const backend = await tx.get<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await admin.query('SELECT pg_terminate_backend($1)', [backend!.pid]);
      // The termination notice arrives while no query of ours is running.
      while ((await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [backend!.pid])).rowCount !== 0) await new Promise((ok) => setTimeout(ok, 10));
      await new Promise((ok) => setTimeout(ok, 50));
      await tx.run('SELECT 1');
    });
    await assert.rejects(failed, (err: Error) => isStoreUnavailable(err));
    assert.deepEqual(await driver.reader.get('SELECT 1 AS one'), { one: 1 }, 'the pool goes on with a fresh connection');
  } finally {
    await admin.end();
    await driver.close();
    await database.drop();
  }
});

test('a transaction that stalls past idle_in_transaction_session_timeout loses its session and its locks', { skip: await postgresUnavailable(), timeout: 20_000 }, async () => {
  const database = await postgresDatabase();
  const other = new PostgresDriver({ url: database.url });
  const url = new URL(database.url);
  url.searchParams.set('idle_in_transaction_session_timeout', '200');
  const stalling = new PostgresDriver({ url: url.toString() });
  try {
    assert.deepEqual(await other.reader.get("SELECT current_setting('idle_in_transaction_session_timeout') AS t"), { t: '1min' }, 'on by default');
    let holdsLock!: () => void;
    const locked = new Promise<void>((ok) => (holdsLock = ok));
    // The stalled transaction waits for a write of the same account by another process: a
    // deadlock, unless PostgreSQL ends the stalled session and so frees the account's lock.
    const stalled = stalling.transaction('account', async (tx) => {
      await tx.get('SELECT 1');
      holdsLock();
      await otherWrite;
      await tx.get('SELECT 2');
    });
    const otherWrite = locked.then(() => other.transaction('account', async () => 'written'));
    assert.equal(await otherWrite, 'written');
    await assert.rejects(stalled, (err: Error) => isStoreUnavailable(err));
    assert.deepEqual(await stalling.reader.get('SELECT 1 AS one'), { one: 1 });
  } finally {
    await Promise.all([other.close(), stalling.close()]);
    await database.drop();
  }
});

test('transactions of one key queue in the process: at most one of them is in PostgreSQL at a time', { skip: await postgresUnavailable(), timeout: 20_000 }, async () => {
  const database = await postgresDatabase();
  // Other tests may share the cluster: count only this driver's sessions.
  const url = new URL(database.url);
  const application = `portcullis-key-queue-${process.pid}`;
  url.searchParams.set('application_name', application);
  const driver = new PostgresDriver({ url: url.toString() });
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  const advisoryLocks = async (granted: boolean) =>
    (
      await admin.query(
        "SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' AND l.granted = $1 AND a.application_name = $2",
        [granted, application],
      )
    ).rows[0].n as number;
  try {
    let release!: () => void;
    const released = new Promise<void>((ok) => (release = ok));
    let holding!: () => void;
    const held = new Promise<void>((ok) => (holding = ok));
    const order: number[] = [];
    const first = driver.transaction('account', async (tx) => {
      await tx.get('SELECT 1');
      holding();
      await released;
      order.push(0);
    });
    await held;
    const queued = Array.from({ length: 5 }, (_, i) => driver.transaction('account', async () => void order.push(i + 1)));
    // Had they gone to PostgreSQL, five sessions would now wait in the advisory lock's queue,
    // and a process stopped at this moment would hold the account once per session.
    await new Promise((ok) => setTimeout(ok, 200));
    assert.equal(await advisoryLocks(false), 0, 'no session of this process waits for the lock');
    assert.equal(await advisoryLocks(true), 1);
    const otherKey = await driver.transaction('another account', async (tx) => tx.get<{ one: number }>('SELECT 1 AS one'));
    assert.deepEqual(otherKey, { one: 1 }, 'another key is not held up');
    release();
    await Promise.all([first, ...queued]);
    assert.deepEqual(order, [0, 1, 2, 3, 4, 5]);
  } finally {
    await admin.end();
    await driver.close();
    await database.drop();
  }
});

test("a key's lock is the schema's: deployments in two schemas of one database do not wait for each other, two of one schema do", { skip: await postgresUnavailable(), timeout: 20_000 }, async () => {
  const [one, other] = [await postgresDatabase(), await postgresDatabase()];
  const named = (url: string, name: string) => {
    const u = new URL(url);
    u.searchParams.set('application_name', name);
    return u.toString();
  };
  const tag = `portcullis-schema-locks-${process.pid}`;
  const holder = new PostgresDriver({ url: named(one.url, `${tag}-holder`) });
  const sameSchema = new PostgresDriver({ url: named(one.url, `${tag}-same`) });
  const otherSchema = new PostgresDriver({ url: named(other.url, `${tag}-other`) });
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  let release!: () => void;
  const released = new Promise<void>((ok) => (release = ok));
  let holding!: () => void;
  const held = new Promise<void>((ok) => (holding = ok));
  try {
    const first = holder.transaction(HOST_CLAIMS_LOCK, async (tx) => {
      await tx.get('SELECT 1');
      holding();
      await released;
    });
    await held;
    const queuedOnLock = async (name: string) =>
      (await admin.query("SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' AND NOT l.granted AND a.application_name = $1", [name])).rows[0].n === 1;
    // Another schema's deployment takes the same key's lock while the first holds it (seen
    // queued on it instead, the test fails rather than waiting for the holder).
    let otherDone = false;
    const other = otherSchema.transaction(HOST_CLAIMS_LOCK, async (tx) => tx.get<{ one: number }>('SELECT 1 AS one')).finally(() => (otherDone = true));
    while (!otherDone) {
      if (await queuedOnLock(`${tag}-other`)) {
        release();
        await other;
        assert.fail("another schema's deployment waited for this schema's lock");
      }
      await new Promise((ok) => setTimeout(ok, 20));
    }
    assert.deepEqual(await other, { one: 1 });
    // Another process of the same deployment waits: its session is seen queued on the lock.
    const second = sameSchema.transaction(HOST_CLAIMS_LOCK, async (tx) => tx.get<{ one: number }>('SELECT 1 AS one'));
    while (!(await queuedOnLock(`${tag}-same`))) await new Promise((ok) => setTimeout(ok, 20));
    release();
    await first;
    assert.deepEqual(await second, { one: 1 });
  } finally {
    release();
    await admin.end();
    await Promise.all([holder.close(), sameSchema.close(), otherSchema.close()]);
    await Promise.all([one.drop(), other.drop()]);
  }
});

// Imports stage each batch as a statement's parameters under the account's lock, not by COPY
// (src/store/sql/user-import-writer.ts): PostgreSQL ends a session whose client stops half-way
// through a message by the idle-in-transaction timeout, and a COPY it stops sending never.
test('a session stopped half-way through a statement, holding a key\'s lock, is ended by the idle timeout and the lock goes on', { skip: await postgresUnavailable(), timeout: 20_000 }, async () => {
  const database = await postgresDatabase();
  const driver = new PostgresDriver({ url: database.url });
  const url = new URL(TEST_POSTGRES_URL);
  const socket = connect(Number(url.port || 5432), url.hostname);
  const lockKey = `stalled-${randomUUID()}`;
  const message = (type: string, body: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeInt32BE(body.length + 4);
    return Buffer.concat([Buffer.from(type), length, body]);
  };
  const text = (s: string) => Buffer.from(`${s}\0`);
  // ReadyForQuery ('Z', length 5) ends each exchange in the simple protocol.
  let received = Buffer.alloc(0);
  const readyWaiters: (() => void)[] = [];
  socket.on('data', (data: Buffer) => {
    received = Buffer.concat([received, data]);
    if (received.includes(Buffer.from([0x5a, 0, 0, 0, 5]))) {
      received = Buffer.alloc(0);
      readyWaiters.shift()?.();
    }
  });
  const ready = () => new Promise<void>((resolve) => readyWaiters.push(resolve));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => undefined);
  try {
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const startup = Buffer.concat([Buffer.from([0, 3, 0, 0]), text('user'), text(decodeURIComponent(url.username || 'postgres')), text('database'), text(url.pathname.slice(1) || 'postgres'), Buffer.from([0])]);
    const length = Buffer.alloc(4);
    length.writeInt32BE(startup.length + 4);
    socket.write(Buffer.concat([length, startup]));
    await ready();
    socket.write(message('Q', text(`BEGIN; SET idle_in_transaction_session_timeout = '1s'; SELECT pg_advisory_xact_lock(hashtextextended('${lockKey}', 0))`)));
    await ready();
    // Half of a statement with a large parameter-like text, then nothing more.
    const statement = message('Q', text(`SELECT '${'x'.repeat(200_000)}'`));
    socket.write(statement.subarray(0, 100_000));
    const timedOut = new Promise<string>((resolve) => setTimeout(() => resolve('still waiting for the lock'), 10_000).unref());
    assert.equal(await Promise.race([driver.transaction(lockKey, async () => 'written'), timedOut]), 'written');
    await closed;
  } finally {
    socket.destroy();
    await driver.close();
    await database.drop();
  }
});

test('a server that stops answering fails statements, transactions and new connections with a retryable error instead of holding them, and the pool recovers', { skip: await postgresUnavailable(), timeout: 30_000 }, async () => {
  const database = await postgresDatabase();
  const relay = await blackHoleRelay(new URL(database.url));
  const driver = new PostgresDriver({ url: relay.url, statementTimeoutMs: 1_000, answerTimeoutMs: 1_500, connectTimeoutMs: 1_000 });
  try {
    assert.deepEqual(await driver.reader.get('SELECT 1 AS one'), { one: 1 });
    // A transaction that raises its own statement timeout is waited for accordingly (the import does).
    const slow = await driver.transaction('account', async (tx) => {
      await tx.run("SET LOCAL statement_timeout = '5s'");
      return tx.get<{ slept: string }>("SELECT pg_sleep(2)::text AS slept");
    });
    assert.deepEqual(slow, { slept: '' });

    relay.silent(true);
    await assert.rejects(driver.reader.get('SELECT 1 AS one'), (err: Error) => isStoreUnavailable(err), 'a statement on an open connection');
    await assert.rejects(driver.transaction('account', (tx) => tx.get('SELECT 1 AS one')), (err: Error) => isStoreUnavailable(err), 'a transaction');
    await assert.rejects(Promise.all([1, 2, 3].map(() => driver.reader.get('SELECT 1 AS one'))), (err: Error) => isStoreUnavailable(err), 'new connections');

    relay.silent(false);
    assert.deepEqual(await driver.reader.get('SELECT 1 AS one'), { one: 1 }, 'the pool goes on with fresh connections');
    assert.equal(await driver.transaction('account', async (tx) => (await tx.get<{ one: number }>('SELECT 1 AS one'))?.one), 1);
  } finally {
    await driver.close();
    await relay.close();
    await database.drop();
  }
});

test('a commit sent but never answered fails as CommitOutcomeUnknown (it may have been made), not as "nothing was changed"', { skip: await postgresUnavailable(), timeout: 30_000 }, async () => {
  const database = await postgresDatabase();
  const relay = await blackHoleRelay(new URL(database.url));
  const driver = new PostgresDriver({ url: relay.url, statementTimeoutMs: 1_000, answerTimeoutMs: 1_500, connectTimeoutMs: 1_000 });
  try {
    const committing = driver.transaction('account', async (tx) => {
      await tx.get('SELECT 1 AS one');
      relay.silent(true);
    });
    await assert.rejects(committing, (err: Error) => err instanceof CommitOutcomeUnknown && isStoreUnavailable(err));
    // A failure before the commit is still a plain one: nothing was changed.
    await assert.rejects(
      driver.transaction('account', async (tx) => {
        await tx.get('SELECT 1 AS one');
      }),
      (err: Error) => !(err instanceof CommitOutcomeUnknown) && isStoreUnavailable(err),
    );
    relay.silent(false);
  } finally {
    await driver.close();
    await relay.close();
    await database.drop();
  }
});

test('SET statement_timeout statements are read for how long their transaction\'s answers may take', () => {
  assert.equal(statementTimeoutSet("SET LOCAL statement_timeout = '10min'"), 600_000);
  assert.equal(statementTimeoutSet('SET statement_timeout = 0'), 0);
  assert.equal(statementTimeoutSet("set local statement_timeout to '250ms'"), 250);
  assert.equal(statementTimeoutSet('SET statement_timeout = 1500'), 1500);
  assert.equal(statementTimeoutSet("SET LOCAL enable_sort = off"), undefined);
  assert.equal(statementTimeoutSet('SELECT 1'), undefined);
});

test('a large import leaves the users analysed and vacuumed (plans and index-only counts at once); a small one leaves that to autovacuum', { skip: await postgresUnavailable(), timeout: 60_000 }, async () => {
  const database = await postgresDatabase();
  const schema = new URL(database.url).searchParams.get('schema')!;
  const store = await openStore(database.url, { secrets: testKeys() });
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  const inOneBatch = async function* <T>(batch: T): AsyncGenerator<T> {
    yield batch;
  };
  const users = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ email: `u${from + i}@example.com`, name: `U ${from + i}`, identity: null, identityRecord: null }));
  const maintained = async () =>
    (
      await admin.query<{ vacuumed: boolean; analyzed: boolean }>(
        'SELECT vacuum_count + autovacuum_count > 0 AS vacuumed, analyze_count + autoanalyze_count > 0 AS analyzed FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = $2',
        [schema, 'users'],
      )
    ).rows[0];
  let next = 0;
  const newId = () => `id-${next++}`;
  try {
    await store.importUsers('a'.repeat(32), inOneBatch(users(0, 100)), newId);
    assert.deepEqual(await maintained(), { vacuumed: false, analyzed: false });
    assert.deepEqual(await store.importUsers('a'.repeat(32), inOneBatch(users(100, 10_000)), newId), { created: 10_000, updated: 0, unchanged: 0 });
    // The statistics views are updated a moment after the statement.
    let seen = await maintained();
    for (let i = 0; i < 50 && !(seen.vacuumed && seen.analyzed); i++) {
      await new Promise((ok) => setTimeout(ok, 100));
      seen = await maintained();
    }
    assert.deepEqual(seen, { vacuumed: true, analyzed: true });
    const { rows } = await admin.query<{ reltuples: number }>('SELECT reltuples FROM pg_class WHERE oid = $1::regclass', [`${schema}.users`]);
    assert.equal(Number(rows[0].reltuples), 10_100, 'the planner knows the rows');
    assert.equal(await store.read.countUsers('a'.repeat(32)), 10_100);
  } finally {
    await admin.end();
    await store.close();
    await database.drop();
  }
});

test('autocommit statements, kept prepared, run on every connection of the pool with their own parameters each time', { skip: await postgresUnavailable() }, async () => {
  const database = await postgresDatabase();
  const driver = new PostgresDriver({ url: database.url, maxConnections: 4 });
  try {
    const sql = 'SELECT CAST(? AS INTEGER) * 2 AS twice, pg_backend_pid() AS pid';
    const rows = await Promise.all(Array.from({ length: 40 }, (_, i) => driver.autocommit.get<{ twice: number; pid: number }>(sql, [i])));
    assert.deepEqual(rows.map((r) => r!.twice), Array.from({ length: 40 }, (_, i) => 2 * i));
    assert.ok(new Set(rows.map((r) => r!.pid)).size > 1, 'several connections prepared it');
    const single = new PostgresDriver({ url: database.url, maxConnections: 1 });
    try {
      await single.autocommit.get(sql, [1]);
      const prepared = await single.reader.get<{ n: number }>('SELECT COUNT(*) AS n FROM pg_prepared_statements WHERE name = ?', [preparedName('SELECT CAST($1 AS INTEGER) * 2 AS twice, pg_backend_pid() AS pid')]);
      assert.equal(Number(prepared!.n), 1, 'prepared on the connection, under its name');
    } finally {
      await single.close();
    }
  } finally {
    await driver.close();
    await database.drop();
  }
});

test('policy-test results are compressed with lz4 where the server has it', { skip: await postgresUnavailable() }, async () => {
  const database = await postgresDatabase();
  const schema = new URL(database.url).searchParams.get('schema')!;
  const store = await openStore(database.url, { secrets: testKeys() });
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  try {
    const lz4 = (await admin.query("SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)")).rowCount === 1;
    const { rows } = await admin.query<{ compression: string }>(
      "SELECT attcompression AS compression FROM pg_attribute WHERE attrelid = $1::regclass AND attname = 'results'",
      [`${schema}.policy_test_chunks`],
    );
    assert.equal(rows[0].compression, lz4 ? 'l' : '');
  } finally {
    await admin.end();
    await store.close();
    await database.drop();
  }
});

test("a policy-test thread's reading session stays open while the thread waits for work (node-postgres would close it after 10 idle seconds)", { skip: await postgresUnavailable(), timeout: 30_000 }, async () => {
  const database = await postgresDatabase();
  const store = await openStore(database.url, { secrets: testKeys() });
  // The application name, set in the URL, tells this reader's session from every other's.
  const name = `reader-${randomUUID()}`;
  const url = new URL(database.url);
  url.searchParams.set('application_name', name);
  const reader = openChunkReader({ dialect: 'postgres', url: url.toString() });
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  const sessions = async () => (await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [name])).rows.map((r) => r.pid);
  try {
    assert.deepEqual(await reader.userRows(randomUUID().replace(/-/g, ''), 0, 100), []);
    const first = await sessions();
    assert.equal(first.length, 1);
    await new Promise((ok) => setTimeout(ok, 11_000));
    assert.deepEqual(await sessions(), first, 'still open after 11 idle seconds');
    assert.deepEqual(await reader.userRows(randomUUID().replace(/-/g, ''), 0, 100), []);
    assert.deepEqual(await sessions(), first, 'and the next read uses it');
  } finally {
    await reader.close();
    await admin.end();
    await store.close();
    await database.drop();
  }
});

test('pg_trgm goes to public, so dropping one schema of a database leaves the other schemas their search indexes', { skip: await postgresUnavailable(), timeout: 60_000 }, async () => {
  // A database of its own: the test server's is shared by every test, and its pg_trgm with them.
  const name = `portcullis_trgm_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  const inDatabase = new pg.Client({ connectionString: url.toString() });
  try {
    await inDatabase.connect();
    await inDatabase.query('CREATE SCHEMA first_store; CREATE SCHEMA second_store');
    for (const schema of ['first_store', 'second_store']) {
      const withSchema = new URL(url);
      withSchema.searchParams.set('schema', schema);
      await (await openStore(withSchema.toString(), { secrets: testKeys() })).close();
    }
    const trigramIndexes = async (schema: string) => (await inDatabase.query("SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND indexname LIKE '%trgm' ORDER BY indexname", [schema])).rows.map((r) => r.indexname as string);
    assert.deepEqual(await trigramIndexes('second_store'), ['users_email_key_trgm', 'users_name_trgm']);
    const where = await inDatabase.query("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'");
    assert.equal(where.rows[0]?.nspname, 'public');
    await inDatabase.query('DROP SCHEMA first_store CASCADE');
    assert.deepEqual(await trigramIndexes('second_store'), ['users_email_key_trgm', 'users_name_trgm'], 'the other schema keeps its indexes');
  } finally {
    await inDatabase.end().catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.end();
  }
});

test("sessions name themselves in pg_stat_activity unless the URL names them: the API's pool and the policy tester's threads apart", { skip: await postgresUnavailable(), timeout: 30_000 }, async () => {
  const database = await postgresDatabase();
  const unnamed = new URL(database.url);
  unnamed.searchParams.delete('application_name');
  const driver = new PostgresDriver({ url: unnamed.toString() });
  const named = new URL(database.url);
  named.searchParams.set('application_name', 'chosen-by-the-operator');
  const namedDriver = new PostgresDriver({ url: named.toString() });
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  const testerSessions = async () =>
    new Set((await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [SESSION_NAME.tester])).rows.map((r) => r.pid));
  const reader = openChunkReader({ dialect: 'postgres', url: unnamed.toString() });
  try {
    assert.deepEqual(await driver.reader.get("SELECT current_setting('application_name') AS name"), { name: 'portcullis' });
    assert.deepEqual(await namedDriver.reader.get("SELECT current_setting('application_name') AS name"), { name: 'chosen-by-the-operator' });
    const before = await testerSessions();
    await reader.connect();
    const after = await testerSessions();
    assert.ok([...after].some((pid) => !before.has(pid)), 'the reader opened a session named as the policy tester');
  } finally {
    await reader.close();
    await admin.end();
    await Promise.all([driver.close(), namedDriver.close()]);
    await database.drop();
  }
});
