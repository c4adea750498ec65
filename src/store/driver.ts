// The narrow waist between the store and a database: run SQL, and run a function inside a
// write transaction that is serialized per lock key (an account) across every process that
// shares the database. Everything above this file is written once for both dialects.

export type Dialect = 'sqlite' | 'postgres';

export interface RunResult {
  readonly changes: number;
}

/** Executes SQL with `?` placeholders (drivers translate them for their dialect). */
export interface Executor {
  all<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  get<T>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  run(sql: string, params?: readonly unknown[]): Promise<RunResult>;
  /**
   * Run one statement once per parameter set, in order, in one go (one message to a SQLite
   * worker thread instead of one per statement); `changes` is their sum. Parameters are text,
   * numbers and nulls (they may travel to that thread as JSON).
   */
  runEach(sql: string, paramSets: readonly (readonly unknown[])[]): Promise<RunResult>;
}

export interface Migration {
  readonly version: number;
  readonly description: string;
  /** Statements in order; each dialect has its own DDL. */
  readonly statements: Readonly<Record<Dialect, readonly string[]>>;
}

export interface TransactionOptions {
  /**
   * A transaction that writes a lot (a user import): SQLite runs its statements on a worker
   * thread's connection, alone, so that neither they nor the commit block the event loop.
   */
  readonly bulk?: boolean;
}

/**
 * How another thread of this process opens a connection of its own to the same database (the
 * policy tester's worker threads read users through one): plain data, sent to the thread.
 */
export type ThreadConnection = { readonly dialect: 'sqlite'; readonly path: string } | { readonly dialect: 'postgres'; readonly url: string };

export interface Driver {
  readonly dialect: Dialect;
  /** Undefined when no other thread can reach the database (an in-memory SQLite database). */
  readonly threadConnection?: ThreadConnection;
  /** Reads outside a transaction: they see every committed write. */
  readonly reader: Executor;
  /**
   * Reads outside a transaction that may take long (searching, counting or numbering a whole
   * directory): like `reader`, but never on the event loop (SQLite runs them on worker threads;
   * PostgreSQL's reads never block it anyway).
   */
  readonly scanner: Executor;
  /**
   * Writes that are one statement, each committed on its own outside any transaction: on
   * PostgreSQL a BEGIN and a COMMIT are two more round trips, which a policy test's thousands
   * of chunk leases and completions feel. Its statements may be kept prepared on each
   * connection: only fixed SQL texts belong here. Absent on SQLite, whose writes go through
   * `transaction`.
   */
  readonly autocommit?: Executor;
  /**
   * Run `fn` in one transaction. Transactions that share a lock key never overlap, in this
   * process or any other process on the same database, so a check-then-write inside `fn`
   * (does the referenced group exist? is this list still in use?) cannot race. With a null
   * key no lock is taken: row locks in `fn` (FOR UPDATE) must do the job.
   */
  transaction<T>(lockKey: string | null, fn: (tx: Executor) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Inside `tx`, an open transaction of this driver, take `lockKey`'s lock too, held until the
   * transaction ends: for a check that reaches beyond the transaction's own key (another
   * account's data). Once it returns, transactions that took the same key before have ended and
   * reads through `tx` see what they wrote.
   */
  lockWithin(tx: Executor, lockKey: string): Promise<void>;
  /**
   * A number that moves whenever a write is committed to the database, by any connection of
   * this process or another, read on the spot without waiting (so an unchanged number proves
   * that nothing was written in between). Absent when only a round trip could tell (PostgreSQL).
   */
  commitStamp?(): number;
  /**
   * After a bulk write to `table` has committed (a large user import): bring the planner's
   * statistics and the table's visibility map up to date now, best effort, rather than when
   * autovacuum next looks (a minute or more, or never where it is off). Until then PostgreSQL
   * plans reads of the new rows as if the table were empty (a policy test's chunks read by
   * bitmap scan and sort instead of in index order) and must visit every row to count or
   * number them (a policy test's start). Absent on SQLite.
   */
  afterBulkWrite?(table: string): Promise<void>;
  /** Apply the migrations not applied yet, under a lock so that concurrent starts are safe. */
  migrate(migrations: readonly Migration[]): Promise<number[]>;
  close(): Promise<void>;
}

/** Apply the migrations a database has not had yet, in one transaction under a lock (both dialects). */
/** The database was brought to a schema this build does not know: a newer portcullis migrated it. */
export class NewerSchemaError extends Error {
  constructor(readonly unknownVersions: readonly number[], readonly latestKnown: number) {
    super(`its schema was migrated by a newer portcullis (migration${unknownVersions.length === 1 ? '' : 's'} ${unknownVersions.join(', ')}; this build knows up to ${latestKnown}): run that newer version, or restore a backup taken before the upgrade`);
  }
}

export async function applyMigrations(driver: Driver, migrations: readonly Migration[]): Promise<number[]> {
  return driver.transaction('portcullis:migrations', async (tx) => {
    await tx.run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)');
    const done = new Set((await tx.all<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => Number(r.version)));
    // A build older than the database would read and write tables it does not know the shape
    // of (a rolled-back upgrade): refuse it before anything is served.
    const known = new Set(migrations.map((m) => m.version));
    const unknown = [...done].filter((version) => !known.has(version)).sort((a, b) => a - b);
    if (unknown.length > 0) throw new NewerSchemaError(unknown, Math.max(0, ...known));
    const applied: number[] = [];
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      for (const statement of migration.statements[driver.dialect]) await tx.run(statement);
      await tx.run('INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)', [migration.version, migration.description, new Date().toISOString()]);
      applied.push(migration.version);
    }
    return applied;
  });
}
