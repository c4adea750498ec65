// SQLite through better-sqlite3: one writer connection whose transactions are queued and run
// one after another (SQLite has a single writer anyway), committed in groups, and one reader
// connection that sees the last committed state thanks to WAL, so reads never observe a
// transaction that is still open.

import { chmodSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { StatementPool } from './statement-pool.js';
import { applyMigrations, type Driver, type Executor, type Migration, type RunResult, type ThreadConnection, type TransactionOptions } from '../driver.js';

export interface SqliteOptions {
  /** Database file. */
  readonly path: string;
  /**
   * `normal` (default): a committed write survives a crash of the process; the last writes
   * before an operating-system crash or power loss may not. `full`: also those, at the cost
   * of one fsync per commit.
   */
  readonly synchronous?: 'normal' | 'full';
  /** Worker threads for long reads (default 2). */
  readonly scanThreads?: number;
  /** How often the checkpointer thread checkpoints the WAL (ms); 0 leaves it to the writer. */
  readonly checkpointIntervalMs?: number;
}

/** The writer checkpoints by itself only past this much WAL: the checkpointer is meant to get there first. */
const WRITER_CHECKPOINT_BYTES = 40 * 1024 * 1024;

type Statement = Database.Statement<unknown[], unknown>;

interface QueuedTransaction {
  readonly fn: (tx: Executor) => Promise<unknown>;
  readonly bulk: boolean;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
}

/** Most transactions committed together: bounds how long the first of a batch waits. */
const MAX_BATCH = 64;

/** better-sqlite3 binds neither booleans nor undefined. */
function bindable(params: readonly unknown[]): unknown[] {
  return params.map((p) => (p === undefined ? null : typeof p === 'boolean' ? (p ? 1 : 0) : p));
}

class SqliteExecutor implements Executor {
  // SQL text comes only from the store's own code, so this cache is bounded.
  private readonly statements = new Map<string, Statement>();
  constructor(private readonly db: Database.Database) {}

  private prepare(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  async all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.prepare(sql).all(...bindable(params)) as T[];
  }

  async get<T>(sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
    return this.prepare(sql).get(...bindable(params)) as T | undefined;
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<RunResult> {
    return { changes: this.prepare(sql).run(...bindable(params)).changes };
  }

  async runEach(sql: string, paramSets: readonly (readonly unknown[])[]): Promise<RunResult> {
    const statement = this.prepare(sql);
    let changes = 0;
    for (const params of paramSets) changes += statement.run(...bindable(params)).changes;
    return { changes };
  }
}

/** The page size of a database this driver creates; one made before keeps its own. */
export const SQLITE_PAGE_SIZE = 16_384;

function open(path: string, synchronous: string): Database.Database {
  const db = new Database(path);
  // The database holds every identity and the IdPs' settings: its owner only. SQLite gives the
  // -wal and -shm files it creates next the database file's permissions.
  if (path !== ':memory:' && path !== '') chmodSync(path, 0o600);
  // Unicode-aware lower case for searches (see dialect.ts); SQLite's lower() is ASCII-only.
  db.function('unicode_lower', { deterministic: true }, (text: unknown) => (typeof text === 'string' ? text.toLowerCase() : text));
  // Before WAL, and only a new database takes it: 16 KiB pages write a large import in about
  // half the time 4 KiB pages take (a fifth the WAL frames, far fewer write calls), at a cost
  // small writes barely notice (docs/operations.md "SQLite page size").
  db.pragma(`page_size = ${SQLITE_PAGE_SIZE}`);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('busy_timeout = 10000');
  return db;
}

/** The writer's transaction control, prepared once: exec() would parse it for every transaction. */
class TransactionControl {
  readonly begin: Statement;
  readonly savepoint: Statement;
  readonly release: Statement;
  readonly rollbackToSavepoint: Statement;
  readonly commit: Statement;
  readonly rollback: Statement;

  constructor(db: Database.Database) {
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.savepoint = db.prepare('SAVEPOINT queued');
    this.release = db.prepare('RELEASE queued');
    this.rollbackToSavepoint = db.prepare('ROLLBACK TO queued');
    this.commit = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
  }
}

export class SqliteDriver implements Driver {
  readonly dialect = 'sqlite' as const;
  readonly reader: Executor;
  readonly scanner: Executor;
  readonly threadConnection: ThreadConnection | undefined;
  private readonly scanPool: StatementPool | undefined;
  private readonly bulkPool: StatementPool | undefined;
  private readonly writerDb: Database.Database;
  private readonly readerDb: Database.Database;
  private readonly writer: SqliteExecutor;
  private readonly control: TransactionControl;
  private readonly checkpointer: Worker | undefined;
  private readonly checkpointerExited: Promise<unknown> | undefined;
  private readonly pending: QueuedTransaction[] = [];
  /** SQLite's own commit counter, on the reader connection (which never writes): see commitStamp. */
  private readonly dataVersion: Statement;
  private draining: Promise<void> | undefined;

  constructor(options: SqliteOptions) {
    const synchronous = options.synchronous === 'full' ? 'FULL' : 'NORMAL';
    this.writerDb = open(options.path, synchronous);
    this.readerDb = open(options.path, synchronous);
    this.writer = new SqliteExecutor(this.writerDb);
    this.control = new TransactionControl(this.writerDb);
    const interval = options.checkpointIntervalMs ?? 100;
    if (interval > 0 && options.path !== ':memory:') {
      const pageSize = this.writerDb.pragma('page_size', { simple: true }) as number;
      this.writerDb.pragma(`wal_autocheckpoint = ${Math.ceil(WRITER_CHECKPOINT_BYTES / pageSize)}`);
      this.checkpointer = new Worker(new URL('./checkpointer.js', import.meta.url), { workerData: { path: options.path, intervalMs: interval } });
      // It must not keep a process alive that forgot to close its store, nor crash it.
      this.checkpointer.unref();
      this.checkpointerExited = new Promise((resolve) => this.checkpointer!.once('exit', resolve));
      this.checkpointer.on('error', () => this.writerDb.open && this.writerDb.pragma('wal_autocheckpoint = 1000'));
    }
    this.reader = new SqliteExecutor(this.readerDb);
    this.dataVersion = this.readerDb.prepare('PRAGMA data_version').pluck();
    // An in-memory database exists only on its own connection: no other thread can read it.
    const shared = options.path !== ':memory:' && options.path !== '';
    this.scanPool = shared ? new StatementPool({ path: options.path, writable: false }, options.scanThreads ?? 2) : undefined;
    // A bulk transaction's COMMIT leaves checkpointing to the checkpointer: any automatic
    // threshold would have a million-user import's COMMIT copy the whole import into the
    // database file (seconds) before the import is answered.
    this.bulkPool = shared ? new StatementPool({ path: options.path, writable: true, synchronous, noAutoCheckpoint: this.checkpointer !== undefined }, 1) : undefined;
    this.scanner = this.scanPool ?? this.reader;
    this.threadConnection = shared ? { dialect: 'sqlite', path: options.path } : undefined;
  }

  /**
   * Transactions queue for the one writer. Those waiting together are run in one SQLite
   * transaction (group commit: one commit, and so one WAL write, for many), each in its own
   * savepoint so that one failing undoes only its own writes; every caller is answered only
   * after the commit, so nothing is acknowledged that is not durable.
   */
  transaction<T>(_lockKey: string | null, body: (tx: Executor) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn: body, bulk: options.bulk === true && this.bulkPool !== undefined, resolve: resolve as (value: unknown) => void, reject });
      // Start on the next turn of the event loop, so that the transactions of every request
      // read in this turn commit together.
      this.draining ??= new Promise<void>((started) => setImmediate(started)).then(() => this.drain());
    });
  }

  /**
   * Nothing to take: every write transaction already holds SQLite's one write lock on the
   * database file from its BEGIN IMMEDIATE to its end (those of this process one after another
   * on the writer connection, or the bulk one alone; another process's BEGIN IMMEDIATE waits for
   * it), and began reading at the last commit, which a transaction holding that lock cannot
   * miss. So no two transactions of any keys overlap, and each sees what those before it wrote.
   */
  async lockWithin(_tx: Executor, _lockKey: string): Promise<void> {}

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        if (this.pending[0]!.bulk) {
          await this.runBulk(this.pending.shift()!);
          continue;
        }
        // A bulk transaction runs alone: the batch stops before it.
        const bulkAt = this.pending.findIndex((t) => t.bulk);
        await this.runBatch(this.pending.splice(0, Math.min(MAX_BATCH, bulkAt < 0 ? this.pending.length : bulkAt)));
      }
    } finally {
      this.draining = undefined;
    }
  }

  private async runBatch(batch: QueuedTransaction[]): Promise<void> {
    try {
      this.control.begin.run();
    } catch (err) {
      for (const item of batch) item.reject(err);
      return;
    }
    const succeeded: { item: QueuedTransaction; value: unknown }[] = [];
    for (const [index, item] of batch.entries()) {
      this.control.savepoint.run();
      try {
        const value = await item.fn(this.writer);
        this.control.release.run();
        succeeded.push({ item, value });
      } catch (err) {
        if (!this.writerDb.inTransaction) {
          // Some errors (disk full, I/O) make SQLite roll the whole transaction back: the
          // batch's earlier writes are gone too, and the rest starts a transaction of its own.
          item.reject(err);
          for (const done of succeeded) done.item.reject(err);
          this.pending.unshift(...batch.slice(index + 1));
          return;
        }
        this.control.rollbackToSavepoint.run();
        this.control.release.run();
        item.reject(err);
      }
    }
    try {
      this.control.commit.run();
    } catch (err) {
      if (this.writerDb.inTransaction) this.control.rollback.run();
      for (const done of succeeded) done.item.reject(err);
      return;
    }
    for (const done of succeeded) done.item.resolve(done.value);
  }

  /**
   * A bulk transaction on the worker thread's connection, while no other transaction runs (the
   * queue waits for it), so SQLite's single writer is never contended.
   */
  private async runBulk(item: QueuedTransaction): Promise<void> {
    const ex = this.bulkPool!;
    try {
      await ex.run('BEGIN IMMEDIATE');
    } catch (err) {
      item.reject(err);
      return;
    }
    let value: unknown;
    try {
      value = await item.fn(ex);
      await ex.run('COMMIT');
    } catch (err) {
      await ex.run('ROLLBACK').catch(() => undefined); // SQLite may have rolled back already
      item.reject(err);
      return;
    }
    item.resolve(value);
  }

  /**
   * `PRAGMA data_version` of the reader connection: it moves whenever another connection (the
   * writer, a bulk or scan thread's, another process's) commits. One read of the WAL index, no
   * table, no statement compiled.
   */
  commitStamp(): number {
    return this.dataVersion.get() as number;
  }

  migrate(migrations: readonly Migration[]): Promise<number[]> {
    return applyMigrations(this, migrations);
  }

  async close(): Promise<void> {
    await this.draining;
    await this.scanPool?.close();
    await this.bulkPool?.close();
    if (this.checkpointer !== undefined) {
      // Unreferenced, it would not keep the event loop alive while close() waits for it.
      this.checkpointer.ref();
      this.checkpointer.postMessage('stop');
      await this.checkpointerExited;
    }
    this.readerDb.close();
    this.writerDb.close();
  }
}
