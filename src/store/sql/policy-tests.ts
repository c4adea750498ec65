// Policy tests in SQL, for both dialects. Chunks are a work queue: lease = an atomic UPDATE of
// one free chunk (PostgreSQL skips rows other processes hold, FOR UPDATE SKIP LOCKED); complete
// = one transaction that checks the lease is still ours, stores the results and adds the
// chunk's counts to the test. A process that dies loses its leases when they expire.

import { IDENTITY_RECORD_PREFIX, identityRecord } from '../../engine/index.js';
import { currentAuditActor, writeAudit } from '../audit.js';
import type { DialectSql } from '../dialect.js';
import type { Driver, Executor, ThreadConnection } from '../driver.js';
import type { ChunkLease, ChunkOutcome, ChunkRange, ChunkSummary, NewPolicyTest, PageOf, PageRequest, PolicyTestRecord, PolicyTestStore, RawUser, RecordRebuildSlice } from '../store.js';

interface TestRow {
  id: string;
  account_id: string;
  status: PolicyTestRecord['status'];
  reason: string | null;
  definition: string;
  total_users: number;
  processed_users: number;
  approved: number;
  blocked: number;
  errored: number;
  changed: number;
  chunk_count: number;
  chunks_done: number;
  created_at: string;
  finished_at: string | null;
  deadline_ms: number;
}

function toTest(row: TestRow): PolicyTestRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    status: row.status,
    reason: row.reason,
    definition: JSON.parse(row.definition) as unknown,
    totalUsers: Number(row.total_users),
    processedUsers: Number(row.processed_users),
    approved: Number(row.approved),
    blocked: Number(row.blocked),
    errored: Number(row.errored),
    changed: Number(row.changed),
    chunkCount: Number(row.chunk_count),
    chunksDone: Number(row.chunks_done),
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    deadlineMs: Number(row.deadline_ms),
  };
}

/** Every column of a test but its environment (read only by the runner, and then on its own). */
const TEST_COLUMNS =
  'id, account_id, status, reason, definition, total_users, processed_users, approved, blocked, errored, changed, chunk_count, chunks_done, created_at, finished_at, deadline_ms';

const USERS_IN_RANGE_SQL = 'SELECT seq, id, email, name, identity FROM users WHERE account_id = ? AND seq >= ? AND seq <= ? ORDER BY seq';
/** Whether a user's identity record is of the engine's version. */
const currentRecord = (sql: DialectSql) => sql.startsWith('identity_record', IDENTITY_RECORD_PREFIX);

/**
 * The same users as usersInRange, as UserRow tuples (read by the tester's worker threads,
 * chunk-reader.ts): the identity only where no record of the engine's version stands for it (a
 * million identities are a large part of what a test would read), and the record as stored. The
 * version is checked once per row: the reader tells a current record by the same prefix.
 */
export const userRowsInRangeSql = (sql: DialectSql) => `SELECT id, email, name, CASE WHEN identity_record IS NULL OR NOT ${currentRecord(sql)} THEN identity END, identity_record
  FROM users WHERE account_id = ? AND seq >= ? AND seq <= ? ORDER BY seq`;

/** A slice of users for the records rebuild: each one's identity when its record needs writing (else null). */
const staleRecordsSql = (sql: DialectSql) => `SELECT seq, CASE WHEN identity IS NOT NULL AND (identity_record IS NULL OR NOT ${currentRecord(sql)}) THEN identity END AS identity
  FROM users WHERE seq > ? ORDER BY seq LIMIT ?`;

/** A slice's records in one statement, each written only over the identity it was made from: a writer that changed it since wrote its own record. */
const writeRecordsSql = (sql: DialectSql) =>
  `UPDATE users SET identity_record = w.record FROM ${sql.jsonRows(['record', 'seq', 'identity'])} AS w WHERE users.seq = CAST(w.seq AS BIGINT) AND users.identity = w.identity`;

const RECORDS_VERSION_MARKER = 'identity_records_version';

/** The first free chunk of the processing tests (by test id, then chunk number), leased (SQLite: one writer, nothing to skip). */
const LEASE_SQL_SQLITE = `UPDATE policy_test_chunks SET lease_owner = ?, lease_expires_ms = ?
  WHERE (test_id, chunk_no) IN (
    SELECT test_id, chunk_no FROM policy_test_chunks
     WHERE state = 'pending' AND (lease_expires_ms IS NULL OR lease_expires_ms < ?)
       AND test_id IN (SELECT id FROM policy_tests WHERE status = 'processing')
     ORDER BY test_id, chunk_no LIMIT 1)
  RETURNING test_id, chunk_no, seq_from, seq_to, expected_users`;

/**
 * The same lease on PostgreSQL, written so that its plan walks the pending chunks' index of one
 * processing test in order and stops at the first chunk it can lock. The SQLite form, planned by
 * PostgreSQL, gathered every pending chunk of every processing test, joined and sorted them for
 * each lease: a million-user test's thousand leases read half a million rows.
 */
const LEASE_SQL_POSTGRES = `UPDATE policy_test_chunks SET lease_owner = ?, lease_expires_ms = ?
  WHERE (test_id, chunk_no) = (
    SELECT free.test_id, free.chunk_no FROM policy_tests AS t
     CROSS JOIN LATERAL (
       SELECT test_id, chunk_no FROM policy_test_chunks
        WHERE test_id = t.id AND state = 'pending' AND (lease_expires_ms IS NULL OR lease_expires_ms < ?)
        ORDER BY chunk_no LIMIT 1 FOR UPDATE SKIP LOCKED) AS free
     WHERE t.status = 'processing'
     ORDER BY t.id LIMIT 1)
  RETURNING test_id, chunk_no, seq_from, seq_to, expected_users`;

/** A leased chunk's results stored, if it is still pending and leased to the given owner. */
const COMPLETE_CHUNK_SQL = `UPDATE policy_test_chunks SET state = 'done', counts = ?, results = ?, completed_by = lease_owner, lease_owner = NULL, lease_expires_ms = NULL
  WHERE test_id = ? AND chunk_no = ? AND state = 'pending' AND lease_owner = ?`;
/** A done chunk's counts added to its test's, which is complete with its last chunk (the right-hand sides see the row as it was). */
const addChunkSql = (testIs: string) => `UPDATE policy_tests SET
    processed_users = processed_users + ?, approved = approved + ?, blocked = blocked + ?, errored = errored + ?, changed = changed + ?,
    total_users = total_users - ?, chunks_done = chunks_done + 1,
    status = CASE WHEN status = 'processing' AND chunks_done + 1 = chunk_count THEN 'complete' ELSE status END,
    finished_at = CASE WHEN status = 'processing' AND chunks_done + 1 = chunk_count THEN ? ELSE finished_at END
  WHERE id ${testIs}`;

interface LeaseRow {
  test_id: string;
  chunk_no: number;
  seq_from: number;
  seq_to: number;
  expected_users: number;
}

export class SqlPolicyTests implements PolicyTestStore {
  constructor(
    private readonly driver: Driver,
    private readonly sql: DialectSql,
  ) {}

  get threadConnection(): ThreadConnection | undefined {
    return this.driver.threadConnection;
  }

  private get reader(): Executor {
    return this.driver.reader;
  }

  async userChunks(accountId: string, size: number): Promise<ChunkRange[]> {
    // Where each chunk starts: from the account's first user, each next start is `size` users
    // further along its index, found by skipping that many entries (a recursive walk, one step a
    // chunk). Off the event loop. Numbering every user with ROW_NUMBER() instead, then counting
    // them, cost about six times as long (a million users on PostgreSQL: 0.5 s against 0.08 s),
    // and a test cannot start before it.
    const starts = await this.driver.scanner.all<{ seq: number }>(
      `WITH RECURSIVE starts(seq) AS (
         SELECT MIN(seq) FROM users WHERE account_id = ?
         UNION ALL
         SELECT (SELECT u.seq FROM users u WHERE u.account_id = ? AND u.seq > s.seq ORDER BY u.seq LIMIT 1 OFFSET ?)
           FROM starts s WHERE s.seq IS NOT NULL)
       SELECT seq FROM starts WHERE seq IS NOT NULL ORDER BY seq`,
      [accountId, accountId, size - 1],
    );
    if (starts.length === 0) return [];
    const lastStart = Number(starts[starts.length - 1].seq);
    // Only the last chunk's users are counted: every other chunk holds `size`.
    const last = await this.driver.scanner.get<{ max_seq: number; n: number }>('SELECT MAX(seq) AS max_seq, COUNT(*) AS n FROM users WHERE account_id = ? AND seq >= ?', [accountId, lastStart]);
    return starts.map((start, i) => {
      const next = starts[i + 1];
      return {
        seqFrom: Number(start.seq),
        seqTo: next === undefined ? Number(last!.max_seq) : Number(next.seq) - 1,
        expectedUsers: next === undefined ? Number(last!.n) : size,
      };
    });
  }

  async create(test: NewPolicyTest, chunks: readonly ChunkRange[], maxProcessing = Infinity): Promise<{ created: boolean; processing: number }> {
    // Nothing to process (an empty directory): the test is complete at once.
    const status = test.status === 'processing' && chunks.length === 0 ? 'complete' : test.status;
    return this.driver.transaction(test.accountId, async (tx) => {
      const running = await tx.get<{ n: number }>("SELECT COUNT(*) AS n FROM policy_tests WHERE account_id = ? AND status = 'processing'", [test.accountId]);
      const processing = Number(running?.n ?? 0);
      if (status === 'processing' && processing >= maxProcessing) return { created: false, processing };
      await tx.run(
        `INSERT INTO policy_tests (id, account_id, status, reason, definition, environment, total_users, chunk_count, chunks_done, created_at, finished_at, deadline_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`,
        [
          test.id,
          test.accountId,
          status,
          test.reason,
          JSON.stringify(test.definition),
          test.environment === undefined ? null : JSON.stringify(test.environment),
          test.totalUsers,
          status === 'processing' ? chunks.length : 0,
          test.createdAt,
          status === 'processing' ? null : test.createdAt,
          test.deadlineMs,
        ],
      );
      const actor = currentAuditActor();
      if (actor !== undefined) {
        await writeAudit(tx, actor, [{ accountId: test.accountId, action: 'start', resourceKind: 'policy_test', resourceId: test.id, before: null, after: { status, total_users: test.totalUsers, definition: test.definition } }]);
      }
      if (status !== 'processing') return { created: true, processing };
      const rows = chunks.map((c, i) => ({ chunk_no: String(i), seq_from: String(c.seqFrom), seq_to: String(c.seqTo), expected_users: String(c.expectedUsers) }));
      await tx.run(
        `INSERT INTO policy_test_chunks (test_id, chunk_no, seq_from, seq_to, expected_users, state)
         SELECT ?, CAST(x.chunk_no AS INTEGER), CAST(x.seq_from AS BIGINT), CAST(x.seq_to AS BIGINT), CAST(x.expected_users AS INTEGER), 'pending'
           FROM ${this.sql.jsonRows(['chunk_no', 'seq_from', 'seq_to', 'expected_users'])} AS x WHERE true`,
        [test.id, JSON.stringify(rows)],
      );
      return { created: true, processing: processing + 1 };
    });
  }

  async get(accountId: string, id: string): Promise<PolicyTestRecord | undefined> {
    const row = await this.reader.get<TestRow>(`SELECT ${TEST_COLUMNS} FROM policy_tests WHERE account_id = ? AND id = ?`, [accountId, id]);
    return row === undefined ? undefined : toTest(row);
  }

  async find(id: string): Promise<PolicyTestRecord | undefined> {
    const row = await this.reader.get<TestRow>(`SELECT ${TEST_COLUMNS} FROM policy_tests WHERE id = ?`, [id]);
    return row === undefined ? undefined : toTest(row);
  }

  async environment(id: string): Promise<unknown | undefined> {
    const row = await this.reader.get<{ environment: string | null }>('SELECT environment FROM policy_tests WHERE id = ?', [id]);
    return row?.environment == null ? undefined : (JSON.parse(row.environment) as unknown);
  }

  async block(id: string, reason: string, now: string): Promise<void> {
    await this.driver.transaction(null, async (tx) => {
      await tx.run("UPDATE policy_tests SET status = 'blocked', reason = ?, finished_at = ? WHERE id = ? AND status = 'processing'", [reason, now, id]);
      await tx.run("UPDATE policy_test_chunks SET state = 'cancelled', lease_owner = NULL WHERE test_id = ? AND state = 'pending'", [id]);
    });
  }

  async list(accountId: string, page: PageRequest): Promise<PageOf<PolicyTestRecord>> {
    const rows = await this.reader.all<TestRow>(`SELECT ${TEST_COLUMNS} FROM policy_tests WHERE account_id = ? ORDER BY created_at DESC, id LIMIT ? OFFSET ?`, [accountId, page.limit, page.offset]);
    const count = await this.reader.get<{ n: number }>('SELECT COUNT(*) AS n FROM policy_tests WHERE account_id = ?', [accountId]);
    return { items: rows.map(toTest), total: Number(count?.n ?? 0) };
  }

  async countProcessing(accountId: string): Promise<number> {
    const row = await this.reader.get<{ n: number }>("SELECT COUNT(*) AS n FROM policy_tests WHERE account_id = ? AND status = 'processing'", [accountId]);
    return Number(row?.n ?? 0);
  }

  async chunkSummaries(testId: string): Promise<ChunkSummary[]> {
    const rows = await this.reader.all<LeaseRow & { state: ChunkSummary['state']; counts: string | null; completed_by: string | null }>(
      'SELECT chunk_no, seq_from, seq_to, expected_users, state, counts, completed_by FROM policy_test_chunks WHERE test_id = ? ORDER BY chunk_no',
      [testId],
    );
    return rows.map((r) => ({
      chunkNo: Number(r.chunk_no),
      seqFrom: Number(r.seq_from),
      seqTo: Number(r.seq_to),
      expectedUsers: Number(r.expected_users),
      state: r.state,
      counts: r.counts === null ? null : (JSON.parse(r.counts) as Record<string, number>),
      completedBy: r.completed_by,
    }));
  }

  async chunkResults(testId: string, chunkNo: number): Promise<string | undefined> {
    const row = await this.reader.get<{ results: string | null }>('SELECT results FROM policy_test_chunks WHERE test_id = ? AND chunk_no = ?', [testId, chunkNo]);
    return row?.results ?? undefined;
  }

  async lease(owner: string, nowMs: number, leaseMs: number): Promise<ChunkLease | undefined> {
    const sql = this.sql.dialect === 'postgres' ? LEASE_SQL_POSTGRES : LEASE_SQL_SQLITE;
    const params = [owner, nowMs + leaseMs, nowMs];
    // One statement: where the database commits it alone (PostgreSQL), no BEGIN and COMMIT around it.
    const autocommit = this.driver.autocommit;
    const row = autocommit !== undefined ? await autocommit.get<LeaseRow>(sql, params) : await this.driver.transaction(null, (tx) => tx.get<LeaseRow>(sql, params));
    if (row === undefined) return undefined;
    return { testId: row.test_id, chunkNo: Number(row.chunk_no), seqFrom: Number(row.seq_from), seqTo: Number(row.seq_to), expectedUsers: Number(row.expected_users) };
  }

  async renew(lease: ChunkLease, owner: string, expiresMs: number): Promise<boolean> {
    const sql = "UPDATE policy_test_chunks SET lease_expires_ms = ? WHERE test_id = ? AND chunk_no = ? AND state = 'pending' AND lease_owner = ?";
    const params = [expiresMs, lease.testId, lease.chunkNo, owner];
    const autocommit = this.driver.autocommit;
    const result = autocommit !== undefined ? await autocommit.run(sql, params) : await this.driver.transaction(null, (tx) => tx.run(sql, params));
    return result.changes > 0;
  }

  async complete(lease: ChunkLease, owner: string, outcome: ChunkOutcome, now: string): Promise<boolean> {
    // The chunk is done only if it is still pending and leased to us (its lease may have
    // expired and been taken by another process); then its counts are added to the test's, and
    // the test is complete with its last chunk. The UPDATE's condition is checked on the row it
    // locks, so two processes can never both complete one chunk.
    const chunkParams = [JSON.stringify(outcome.counts), outcome.results, lease.testId, lease.chunkNo, owner];
    const testParams = [outcome.processed, outcome.approved, outcome.blocked, outcome.errored, outcome.changed, lease.expectedUsers - outcome.processed, now];
    const autocommit = this.driver.autocommit;
    if (autocommit !== undefined && this.sql.dialect === 'postgres') {
      // One statement (data-modifying WITH, PostgreSQL's): a chunk costs one round trip, not six.
      const row = await autocommit.get<{ done: number }>(
        `WITH done AS (${COMPLETE_CHUNK_SQL} RETURNING test_id), counted AS (${addChunkSql('IN (SELECT test_id FROM done)')} RETURNING id) SELECT COUNT(*) AS done FROM done`,
        [...chunkParams, ...testParams],
      );
      return Number(row?.done ?? 0) > 0;
    }
    return this.driver.transaction(null, async (tx) => {
      if ((await tx.run(COMPLETE_CHUNK_SQL, chunkParams)).changes === 0) return false;
      await tx.run(addChunkSql('= ?'), [...testParams, lease.testId]);
      return true;
    });
  }

  async usersInRange(accountId: string, seqFrom: number, seqTo: number): Promise<RawUser[]> {
    return this.reader.all<RawUser>(USERS_IN_RANGE_SQL, [accountId, seqFrom, seqTo]);
  }

  async expire(nowMs: number, now: string): Promise<string[]> {
    return this.driver.transaction(null, async (tx) => {
      const rows = await tx.all<{ id: string }>(`SELECT id FROM policy_tests WHERE status = 'processing' AND deadline_ms < ?${this.sql.forUpdate}`, [nowMs]);
      if (rows.length === 0) return [];
      const ids = JSON.stringify(rows.map((r) => r.id));
      await tx.run(`UPDATE policy_tests SET status = 'exceeded time', finished_at = ?, reason = 'The test ran out of time; the results cover the users processed until then.' WHERE ${this.sql.inJsonArray('id')}`, [now, ids]);
      await tx.run(`UPDATE policy_test_chunks SET state = 'cancelled', lease_owner = NULL WHERE state = 'pending' AND ${this.sql.inJsonArray('test_id')}`, [ids]);
      return rows.map((r) => r.id);
    });
  }

  async release(owner: string | null): Promise<void> {
    await this.driver.transaction(null, (tx) =>
      owner === null
        ? tx.run("UPDATE policy_test_chunks SET lease_owner = NULL, lease_expires_ms = NULL WHERE state = 'pending' AND lease_owner IS NOT NULL")
        : tx.run("UPDATE policy_test_chunks SET lease_owner = NULL, lease_expires_ms = NULL WHERE state = 'pending' AND lease_owner = ?", [owner]),
    );
  }

  async recordsVersion(): Promise<number | null> {
    const row = await this.reader.get<{ value: string }>('SELECT value FROM store_markers WHERE name = ?', [RECORDS_VERSION_MARKER]);
    return row === undefined ? null : Number(row.value);
  }

  async rebuildRecords(afterSeq: number, limit: number): Promise<RecordRebuildSlice> {
    const rows = await this.reader.all<{ seq: number | string; identity: string | null }>(staleRecordsSql(this.sql), [afterSeq, limit]);
    if (rows.length === 0) return { lastSeq: null, usersLookedAt: 0, rewritten: 0 };
    const writes: { record: string; seq: string; identity: string }[] = [];
    for (const row of rows) {
      if (row.identity === null) continue;
      const record = recordOf(row.identity);
      if (record !== undefined) writes.push({ record, seq: String(row.seq), identity: row.identity });
    }
    let rewritten = 0;
    if (writes.length > 0) rewritten = (await this.driver.transaction(null, (tx) => tx.run(writeRecordsSql(this.sql), [JSON.stringify(writes)]))).changes;
    return { lastSeq: Number(rows[rows.length - 1].seq), usersLookedAt: rows.length, rewritten };
  }

  async markRecordsVersion(version: number): Promise<void> {
    await this.driver.transaction(null, (tx) =>
      tx.run('INSERT INTO store_markers (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value', [RECORDS_VERSION_MARKER, String(version)]),
    );
  }

  async prune(before: string, keep: number): Promise<number> {
    return this.driver.transaction(null, async (tx) => {
      const rows = await tx.all<{ id: string }>(
        `SELECT id FROM (
           SELECT id, created_at, ROW_NUMBER() OVER (PARTITION BY account_id ORDER BY created_at DESC, id) AS rn
             FROM policy_tests WHERE status <> 'processing') AS ranked
          WHERE created_at < ? OR rn > ?`,
        [before, keep],
      );
      if (rows.length === 0) return 0;
      const ids = JSON.stringify(rows.map((r) => r.id));
      await tx.run(`DELETE FROM policy_test_chunks WHERE ${this.sql.inJsonArray('test_id')}`, [ids]);
      await tx.run(`DELETE FROM policy_tests WHERE ${this.sql.inJsonArray('id')}`, [ids]);
      return rows.length;
    });
  }
}

/** The record of a stored identity; undefined for text that is not a JSON object (such a user is decided from its identity, as unknown). */
function recordOf(identityText: string): string | undefined {
  let identity: unknown;
  try {
    identity = JSON.parse(identityText);
  } catch {
    return undefined;
  }
  return identity !== null && typeof identity === 'object' && !Array.isArray(identity) ? identityRecord(identity as Record<string, unknown>) : undefined;
}
