// Writing an import's users, as fast as each database takes rows in bulk. SQLite: multi-row
// INSERT ... ON CONFLICT DO NOTHING statements, many per message to the worker thread that runs
// the import's transaction, then an UPDATE for the entries that were already there (none in a
// first import). PostgreSQL: batches sent as statement parameters, each written while the next
// is made ready; into an account that had no users, an INSERT ... ON CONFLICT DO NOTHING, else a
// staging table, then an UPDATE of the users that exist and an INSERT of the rest. Two
// statements rather than one INSERT ... ON CONFLICT DO UPDATE, because an entry without a name
// keeps the stored one, which the row proposed for insertion (EXCLUDED) cannot say: it needs a name.
// The UPDATE only touches a user the entry changes (CHANGED_BY): re-importing a whole directory
// every day leaves most users, their updated_at, indexes and WAL untouched, counted as unchanged.

import type { Dialect, Executor } from '../driver.js';
import type { ImportCounts, PreparedUser } from '../store.js';

/** An import's writes, run inside the transaction that holds the account's lock. */
export type UserImportPlan = (ex: Executor) => Promise<ImportCounts>;

/** Where an import's users come from: batches handed on as they are checked, or all at once. */
export type ImportSource = AsyncIterable<readonly PreparedUser[]> | readonly PreparedUser[];

export function planUserImport(dialect: Dialect, accountId: string, source: ImportSource, newId: () => string, at: string): UserImportPlan {
  if (dialect === 'sqlite') return (ex) => insertInBatches(ex, accountId, source, newId, at);
  return (ex) => writeInBatches(ex, accountId, source, newId, at);
}

/** The source's users in slices of at most `size`, read from the source only as they are asked for. */
async function* slices(source: ImportSource, size: number): AsyncGenerator<readonly PreparedUser[]> {
  const batches: Iterable<readonly PreparedUser[]> | AsyncIterable<readonly PreparedUser[]> = Array.isArray(source) ? [source as readonly PreparedUser[]] : (source as AsyncIterable<readonly PreparedUser[]>);
  for await (const batch of batches) {
    for (let start = 0; start < batch.length; start += size) yield start === 0 && batch.length <= size ? batch : batch.slice(start, start + size);
  }
}

/** What every row of one import shares. */
interface ImportScope {
  readonly accountId: string;
  readonly at: string;
}

interface ImportRow extends ImportScope {
  readonly id: string;
  readonly user: PreparedUser;
}

type ImportColumn =
  | { readonly name: string; readonly value: (row: ImportRow) => string | null; readonly sameForAll?: undefined }
  | { readonly name: string; readonly value: (scope: ImportScope) => string; readonly sameForAll: true };

/**
 * The columns an import fills in a new user's row, and each one's value: a column added to
 * users that imports must fill is one line here (both stores read this list). `sameForAll`
 * marks a value every row of an import shares: SQLite binds it once per statement, not per row.
 */
const IMPORT_COLUMNS: readonly ImportColumn[] = [
  { name: 'account_id', value: (r) => r.accountId, sameForAll: true },
  { name: 'id', value: (r) => r.id },
  { name: 'email', value: (r) => r.user.email },
  { name: 'email_key', value: (r) => r.user.email.toLowerCase() },
  { name: 'name', value: (r) => r.user.name ?? '' },
  { name: 'identity', value: (r) => r.user.identity },
  { name: 'identity_record', value: (r) => r.user.identityRecord },
  { name: 'created_at', value: (r) => r.at, sameForAll: true },
  { name: 'updated_at', value: (r) => r.at, sameForAll: true },
  { name: 'last_seen_at', value: (r) => (r.user.identity === null ? null : r.at) },
];
const COLUMN_LIST = IMPORT_COLUMNS.map((c) => c.name).join(', ');
const ROW_COLUMNS = IMPORT_COLUMNS.filter((c) => c.sameForAll !== true);
const SHARED_COLUMNS = IMPORT_COLUMNS.filter((c): c is Extract<ImportColumn, { sameForAll: true }> => c.sameForAll === true);

/** What an existing user takes from an entry (the staging table's or the VALUES rows' columns). */
const UPDATE_SET = (x: string, nameGiven: string) => `name = CASE WHEN ${nameGiven} THEN ${x}.name ELSE users.name END,
  identity = COALESCE(${x}.identity, users.identity),
  identity_record = CASE WHEN ${x}.identity IS NULL THEN users.identity_record ELSE ${x}.identity_record END,
  last_seen_at = COALESCE(${x}.last_seen_at, users.last_seen_at),
  updated_at = ${x}.updated_at`;

/**
 * Whether an entry (the staging table's or the VALUES rows' columns) would write anything but
 * its timestamps into the user: a name given that differs, an identity given that differs
 * (its text or its record, which a newer engine may write otherwise), or a user's first
 * identity time (last_seen_at, the last_successful_login an import sets). `distinct` is the
 * dialect's null-safe inequality (SQLite: IS NOT; PostgreSQL: IS DISTINCT FROM).
 */
const CHANGED_BY = (x: string, nameGiven: string, distinct: string) => `((${nameGiven} AND users.name ${distinct} ${x}.name)
  OR (${x}.identity IS NOT NULL AND (users.identity ${distinct} ${x}.identity OR users.identity_record ${distinct} ${x}.identity_record OR users.last_seen_at IS NULL)))`;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

// ---- SQLite (and any executor that cannot COPY) ----

/** 7 parameters a row (8 to update one): far under SQLite's 32,766, and few enough statements for a million users. */
const ROWS_PER_STATEMENT = 250;
/** Rows sent to the worker thread in one message (between two turns of the event loop). */
const ROWS_PER_CALL = 10_000;

const insertSql = new Map<string, string>();
/**
 * `rows` rows of ROW_COLUMNS' values, then SHARED_COLUMNS' values once. (`WHERE true` tells
 * SQLite's parser that ON CONFLICT belongs to the INSERT, not to a join.) `overExisting`: the
 * account has users, and rows for them are left out before they reach the INSERT, because a
 * row that only conflicts still takes a number from users' AUTOINCREMENT sequence, a write
 * that would make an import changing nothing a commit (moving the driver's commit stamp).
 */
function insertStatement(rows: number, overExisting: boolean): string {
  const key = `${rows}${overExisting ? '+' : ''}`;
  let sql = insertSql.get(key);
  if (sql === undefined) {
    const row = `(${ROW_COLUMNS.map(() => '?').join(', ')})`;
    const valueOf = (name: string) => `v.column${ROW_COLUMNS.findIndex((c) => c.name === name) + 1}`;
    const selected = IMPORT_COLUMNS.map((c) => (c.sameForAll === true ? `shared.${c.name}` : valueOf(c.name))).join(', ');
    const shared = SHARED_COLUMNS.map((c) => `? AS ${c.name}`).join(', ');
    const where = overExisting ? `NOT EXISTS (SELECT 1 FROM users AS u WHERE u.account_id = shared.account_id AND u.email_key = ${valueOf('email_key')})` : 'true';
    sql = `INSERT INTO users (${COLUMN_LIST}) SELECT ${selected} FROM (VALUES ${Array(rows).fill(row).join(', ')}) AS v, (SELECT ${shared}) AS shared WHERE ${where} ON CONFLICT (account_id, email_key) DO NOTHING`;
    insertSql.set(key, sql);
  }
  return sql;
}

const updateSql = new Map<number, string>();
/**
 * Existing users (those whose row is not the one just proposed, by id) that an entry changes
 * take its values; its changes are the users updated. MATERIALIZED makes SQLite read the rows
 * first and find each user by its unique (account_id, email_key) index; inline, it would scan
 * every user of the account per row.
 */
function updateStatement(rows: number): string {
  let sql = updateSql.get(rows);
  if (sql === undefined) {
    sql = `WITH x (email_key, id, name_given, name, identity, identity_record, last_seen_at, updated_at) AS MATERIALIZED (VALUES ${Array(rows).fill('(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')})
      UPDATE users SET ${UPDATE_SET('x', 'x.name_given = 1')}
        FROM x WHERE users.account_id = ? AND users.email_key = x.email_key AND users.id <> x.id AND ${CHANGED_BY('x', 'x.name_given = 1', 'IS NOT')}`;
    updateSql.set(rows, sql);
  }
  return sql;
}

/** One batch of rows, bound and sent: what the database answered, and what its update would need. */
interface SentBatch {
  readonly rows: readonly ImportRow[];
  readonly inserted: Promise<number>;
}

async function insertInBatches(ex: Executor, accountId: string, source: ImportSource, newId: () => string, at: string): Promise<ImportCounts> {
  let created = 0;
  let updated = 0;
  let unchanged = 0;
  // The next batch is checked (by the source) and bound while the database writes the previous
  // one (on the worker thread); it is sent only once that one has succeeded, so nothing runs
  // after a failed statement.
  let sent: SentBatch | undefined;
  const shared = SHARED_COLUMNS.map((column) => column.value({ accountId, at }));
  // Into an account with no users (a first import), every row is inserted as it comes.
  const hadUsers = (await ex.get('SELECT 1 AS found FROM users WHERE account_id = ? LIMIT 1', [accountId])) !== undefined;
  const insertRows = (rows: number) => insertStatement(rows, hadUsers);
  const settle = async (batch: SentBatch): Promise<void> => {
    const inserted = await batch.inserted;
    created += inserted;
    if (inserted < batch.rows.length) {
      const changed = await runInStatements(ex, bindAll(batch.rows, 8, ROWS_PER_STATEMENT, (row, params) => {
        const { user } = row;
        params.push(user.email.toLowerCase(), row.id, user.name === null ? 0 : 1, user.name, user.identity, user.identityRecord, user.identity === null ? null : at, at);
      }, [accountId]), updateStatement);
      updated += changed;
      unchanged += batch.rows.length - inserted - changed;
    }
  };
  try {
    for await (const users of slices(source, ROWS_PER_CALL)) {
      // Where the transaction runs on the event loop's own connection (an in-memory database),
      // other requests get their turn between batches.
      if (sent !== undefined) await nextTurn();
      const rows: ImportRow[] = users.map((user) => ({ accountId, id: newId(), user, at }));
      const bound = bindAll(rows, ROW_COLUMNS.length, ROWS_PER_STATEMENT, (row, params) => {
        for (const column of ROW_COLUMNS) params.push(column.value(row));
      }, shared);
      if (sent !== undefined) await settle(sent);
      sent = { rows, inserted: runInStatements(ex, bound, insertRows) };
      // Not awaited until the next batch is bound: a failure is seen there, or just below.
      sent.inserted.catch(() => undefined);
    }
  } catch (err) {
    // The source refused the import (or a statement failed): let the batch under way finish
    // before the caller rolls back, so that the rollback is the last statement sent.
    await sent?.inserted.catch(() => undefined);
    throw err;
  }
  if (sent !== undefined) await settle(sent);
  return { created, updated, unchanged };
}

interface BoundRows {
  /** Parameter sets of `perStatement` rows each. */
  readonly full: unknown[][];
  readonly perStatement: number;
  /** The rest, fewer rows. */
  readonly rest: unknown[];
  readonly width: number;
}

/** Rows bound `width` parameters each, `perStatement` rows to a parameter set, then `trailing` after each set's rows. */
function bindAll(rows: readonly ImportRow[], width: number, perStatement: number, bind: (row: ImportRow, params: unknown[]) => void, trailing: readonly unknown[] = []): BoundRows {
  const full: unknown[][] = [];
  let params: unknown[] = [];
  for (const row of rows) {
    bind(row, params);
    if (params.length === perStatement * width) {
      full.push(trailing.length === 0 ? params : params.concat(trailing));
      params = [];
    }
  }
  return { full, perStatement, rest: params.length === 0 || trailing.length === 0 ? params : params.concat(trailing), width };
}

/** The bound statements, the full ones in one call; the sum of their changes. */
async function runInStatements(ex: Executor, bound: BoundRows, statement: (rows: number) => string): Promise<number> {
  const { full, perStatement, rest, width } = bound;
  let changes = full.length > 0 ? (await ex.runEach(statement(perStatement), full)).changes : 0;
  if (rest.length > 0) changes += (await ex.run(statement(Math.floor(rest.length / width)), rest)).changes;
  return changes;
}

// ---- PostgreSQL ----

/** Users turned into a batch's arrays between two turns of the event loop. */
const ROWS_PER_TURN = 2_000;

/** Users written at a time: the next batch is made ready while the database writes this one. */
const WRITE_BATCH_USERS = 20_000;

/** Batches handed to the database at once, at most (written or waiting their turn). */
const BATCHES_IN_FLIGHT = 2;

/**
 * A batch is sent as statement parameters (one JSON array a column), not by COPY: a client that
 * stops half-way through a statement's parameters is ended by the server's idle-in-transaction
 * timeout, whereas a COPY it stops sending stands forever, and this runs under the account's
 * lock (docs/reliability.md). The rows come out of ROWS FROM in the arrays' order, which is the
 * order they are inserted in (users' seq follows the file).
 */
const BATCH_ROWS = `SELECT s.name_given::boolean AS name_given, ${IMPORT_COLUMNS.map((c) => (c.sameForAll === true ? `?::text AS ${c.name}` : `s.${c.name}`)).join(', ')}
  FROM ROWS FROM (${['name_given', ...ROW_COLUMNS].map(() => 'json_array_elements_text(?::json)').join(', ')}) AS s(name_given, ${ROW_COLUMNS.map((c) => c.name).join(', ')})`;

/** A batch inserted straight into users: for an account with no users before the import, where nothing is to be updated. */
const INSERT_BATCH = `INSERT INTO users (${COLUMN_LIST}) SELECT ${COLUMN_LIST} FROM (${BATCH_ROWS}) AS batch ON CONFLICT (account_id, email_key) DO NOTHING`;

/** A batch put in the staging table, to be merged with the users there are. */
const STAGE_BATCH = `INSERT INTO user_import (name_given, ${COLUMN_LIST}) ${BATCH_ROWS}`;

/** The source's users as BATCH_ROWS's parameters, at most `batchRows` users a batch. */
async function* batchParameters(accountId: string, source: ImportSource, newId: () => string, at: string, batchRows: number): AsyncGenerator<unknown[]> {
  const scope: ImportScope = { accountId, at };
  const shared = SHARED_COLUMNS.map((c) => c.value(scope));
  const emptyBatch = () => ({ nameGiven: [] as boolean[], columns: ROW_COLUMNS.map(() => [] as (string | null)[]) });
  const parameters = (batch: ReturnType<typeof emptyBatch>) => [...shared, JSON.stringify(batch.nameGiven), ...batch.columns.map((values) => JSON.stringify(values))];
  let batch = emptyBatch();
  let first = true;
  for await (const users of slices(source, ROWS_PER_TURN)) {
    if (!first) await nextTurn();
    first = false;
    for (const user of users) {
      const row: ImportRow = { accountId, id: newId(), user, at };
      batch.nameGiven.push(user.name !== null);
      ROW_COLUMNS.forEach((column, i) => batch.columns[i].push(column.value(row)));
    }
    if (batch.nameGiven.length >= batchRows) {
      yield parameters(batch);
      batch = emptyBatch();
    }
  }
  if (batch.nameGiven.length > 0) yield parameters(batch);
}

/**
 * PostgreSQL: batch after batch, each written while the next is made ready, so both cores work
 * at once (staging everything first, then merging, took the sum of both). Into an account that
 * had no users, a batch is inserted as it comes; otherwise it is staged, then merged. The whole
 * body has arrived before the transaction opens (read-ahead.ts), so nothing here waits on the client.
 */
async function writeInBatches(ex: Executor, accountId: string, source: ImportSource, newId: () => string, at: string): Promise<ImportCounts> {
  // The server's statement timeout (a minute by default) is for statements gone wrong; merging
  // a batch into indexed tables may take longer on a slow disk, and it is expected to.
  await ex.run("SET LOCAL statement_timeout = '10min'");
  const hadUsers = (await ex.get('SELECT 1 AS found FROM users WHERE account_id = ? LIMIT 1', [accountId])) !== undefined;
  if (hadUsers) {
    // Dropped when the transaction ends, committed or not.
    await ex.run(`CREATE TEMP TABLE user_import (ord BIGINT GENERATED ALWAYS AS IDENTITY, name_given BOOLEAN NOT NULL, ${IMPORT_COLUMNS.map((c) => `${c.name} TEXT`).join(', ')}) ON COMMIT DROP`);
    // The merge inserts in the file's order by walking this index: sorting the staged rows
    // instead spilled them to disk (740 MB at a million users, a fifth of the import).
    await ex.run('CREATE INDEX user_import_by_ord ON user_import (ord)');
  }
  const counts = { created: 0, updated: 0, unchanged: 0 };
  const writeBatch = async (params: unknown[]): Promise<void> => {
    let merged: ImportCounts;
    if (hadUsers) {
      await ex.run('TRUNCATE user_import');
      const staged = (await ex.run(STAGE_BATCH, params)).changes;
      merged = await mergeStaged(ex, staged);
    } else {
      merged = { created: (await ex.run(INSERT_BATCH, params)).changes, updated: 0, unchanged: 0 };
    }
    counts.created += merged.created;
    counts.updated += merged.updated;
    counts.unchanged += merged.unchanged;
  };
  // Up to two batches are handed to the database at once (one written, one waiting its turn), so
  // that a pause on the event loop (garbage collection, other requests) does not leave it idle.
  const inFlight: Promise<void>[] = [];
  try {
    for await (const params of batchParameters(accountId, source, newId, at, WRITE_BATCH_USERS)) {
      if (inFlight.length >= BATCHES_IN_FLIGHT) await inFlight.shift();
      // In order: a batch's statements start once the one before has been written.
      const written = (inFlight.at(-1) ?? Promise.resolve()).then(() => writeBatch(params));
      // Awaited in turn, or below; a failure meanwhile is thrown there.
      written.catch(() => undefined);
      inFlight.push(written);
    }
  } catch (err) {
    // The source refused the import (or a statement failed): let the batches under way finish
    // before the caller rolls back, so that the rollback is the last statement sent.
    await Promise.allSettled(inFlight);
    throw err;
  }
  await Promise.all(inFlight);
  return counts;
}

/** Planner settings turned off while staged users are matched with existing ones, leaving the unique index's probes (mergeStaged). */
const PLANS_OFF_FOR_MERGE = ['enable_bitmapscan', 'enable_hashjoin', 'enable_mergejoin'] as const;

/**
 * The staged batch (`staged` users) merged into users: the users that exist and that an entry
 * changes updated, the rest inserted; the staged users neither inserted nor updated are those
 * left unchanged. (Sending the batch twice instead, to an UPDATE and to INSERT_BATCH, with no
 * staging table, was slower.)
 */
async function mergeStaged(ex: Executor, staged: number): Promise<ImportCounts> {
  // Each staged user is looked up in the unique (account_id, email_key) index. Left to itself
  // the planner took the trigram (search) index for the equality once the directory passed
  // about two million users (its estimate is tiny; each lookup read posting lists shared by
  // millions of users: one 100,000-user batch ran for more than five minutes), or else hashed
  // the batch and read every user of the directory, per batch.
  for (const planner of PLANS_OFF_FOR_MERGE) await ex.run(`SET LOCAL ${planner} = off`);
  const updated = (await ex.run(`UPDATE users SET ${UPDATE_SET('s', 's.name_given')} FROM user_import s WHERE users.account_id = s.account_id AND users.email_key = s.email_key AND ${CHANGED_BY('s', 's.name_given', 'IS DISTINCT FROM')}`)).changes;
  for (const planner of PLANS_OFF_FOR_MERGE) await ex.run(`RESET ${planner}`);
  await ex.run('SET LOCAL enable_sort = off');
  const created = (await ex.run(`INSERT INTO users (${COLUMN_LIST}) SELECT ${COLUMN_LIST} FROM user_import ORDER BY ord ON CONFLICT (account_id, email_key) DO NOTHING`)).changes;
  await ex.run('RESET enable_sort');
  return { created, updated, unchanged: staged - created - updated };
}
