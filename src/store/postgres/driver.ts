// PostgreSQL through node-postgres. Several server processes may share one database: write
// transactions take a transaction-scoped advisory lock on their key (an account), so
// check-then-write sequences of one account never interleave, whichever process runs them.
// Within a process, transactions of one key queue in memory first (KeyQueue), so each process
// has at most one of them in PostgreSQL's lock queue.

import { createHash } from 'node:crypto';
import pg from 'pg';
import { applyMigrations, type Driver, type Executor, type Migration, type RunResult, type ThreadConnection, type TransactionOptions } from '../driver.js';
import { KeyQueue } from '../key-queue.js';
import { CommitOutcomeUnknown, isAnswerTimeout, isConnectionLost } from '../errors.js';

export interface PostgresOptions {
  /** postgres://user@host:port/db; an extra `schema=NAME` parameter selects (and creates) a schema. */
  readonly url: string;
  readonly maxConnections?: number;
  /** PostgreSQL cancels a statement that runs longer (default 60 s). */
  readonly statementTimeoutMs?: number;
  /**
   * How long this process waits for an answer to a statement before it gives the connection up
   * (default: the statement timeout and 5 s more). PostgreSQL's own statement timeout cannot
   * help when the server is hung or unreachable; this bound answers every request anyway (503).
   */
  readonly answerTimeoutMs?: number;
  /** How long opening a connection, or waiting for a free one, may take (default 10 s). */
  readonly connectTimeoutMs?: number;
  /**
   * PostgreSQL ends a session whose transaction waits this long for its next statement, so
   * that a process that stalls mid-transaction (stopped, frozen, swapping) cannot hold its
   * locks, and with them every other process, for as long as it stalls. Longer than the
   * event loop is ever blocked (parsing a maximal import takes seconds). An
   * `idle_in_transaction_session_timeout` URL parameter overrides it.
   */
  readonly idleInTransactionTimeoutMs?: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export const DEFAULT_STATEMENT_TIMEOUT_MS = 60_000;
/** What a statement's answer may take beyond its statement timeout (the network, a loaded server). */
const ANSWER_GRACE_MS = 5_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** No bound: for a statement run without a statement timeout (maintenance). setTimeout's longest delay. */
const UNBOUNDED_MS = 2 ** 31 - 1;

/** Connection settings that keep a hung or unreachable server from holding requests forever. */
/**
 * How our sessions name themselves in `pg_stat_activity`, so an operator can tell the API's pool
 * from the policy tester's threads (an `application_name` in the URL takes precedence).
 */
export const SESSION_NAME = { api: 'portcullis', tester: 'portcullis policy tester' } as const;

export function boundedConnection(connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS, answerTimeoutMs = DEFAULT_STATEMENT_TIMEOUT_MS + ANSWER_GRACE_MS): pg.PoolConfig {
  return { connectionTimeoutMillis: connectTimeoutMs, query_timeout: answerTimeoutMs, keepAlive: true, keepAliveInitialDelayMillis: 10_000 };
}

const SET_STATEMENT_TIMEOUT = /^\s*SET\s+(?:LOCAL\s+)?statement_timeout\s*(?:=|TO)\s*'?(\d+)\s*(ms|s|min)?'?\s*$/i;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, min: 60_000 };

/** The statement timeout a `SET statement_timeout` statement sets, in ms (0: none), or undefined for any other statement. */
export function statementTimeoutSet(sql: string): number | undefined {
  const match = SET_STATEMENT_TIMEOUT.exec(sql);
  return match === null ? undefined : Number(match[1]) * UNIT_MS[(match[2] ?? 'ms').toLowerCase()];
}

/** Split our own `schema` parameter off the URL; node-postgres would not understand it. */
export function parsePostgresUrl(url: string): { connectionString: string; schema: string | undefined } {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new Error(`Invalid PostgreSQL schema name ${JSON.stringify(schema)}: use lower-case letters, digits and underscores.`);
  }
  return { connectionString: parsed.toString(), schema };
}

// Counts and identity columns are BIGINT, which node-postgres returns as strings by default.
const INT8_OID = 20;
export const pgTypes = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

const placeholders = new Map<string, string>();
/** `?` placeholders → `$1, $2, ...` (the store's SQL never contains a literal question mark). */
function translate(sql: string): string {
  let text = placeholders.get(sql);
  if (text === undefined) {
    let n = 0;
    text = sql.replace(/\?/g, () => `$${++n}`);
    placeholders.set(sql, text);
  }
  return text;
}

interface Queryable {
  query(config: pg.QueryConfig): Promise<pg.QueryResult>;
}

/**
 * A name for a statement kept prepared on each connection that runs it (node-postgres prepares
 * a named statement once per connection, then only binds and executes it): PostgreSQL then
 * neither parses nor analyses it again, which for the policy tester's per-chunk statements
 * was about half of the database's time spent on them.
 */
export function preparedName(text: string): string {
  let name = preparedNames.get(text);
  if (name === undefined) {
    name = `p_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    preparedNames.set(text, name);
  }
  return name;
}
const preparedNames = new Map<string, string>();

class PostgresExecutor implements Executor {
  /** Set when a transaction's statement changes its statement timeout: its later answers are waited for accordingly. */
  private answerTimeoutMs: number | undefined;

  /** `prepared`: statements are kept prepared on each connection (for a few fixed, hot statements). */
  constructor(
    private readonly client: Queryable,
    private readonly prepared = false,
  ) {}

  private query(sql: string, params: readonly unknown[]): Promise<pg.QueryResult> {
    const text = translate(sql);
    const answer = this.client.query({ text, values: params as unknown[], ...(this.prepared ? { name: preparedName(text) } : {}), ...(this.answerTimeoutMs !== undefined ? { query_timeout: this.answerTimeoutMs } : {}) } as pg.QueryConfig);
    const timeout = statementTimeoutSet(sql);
    if (timeout !== undefined) this.answerTimeoutMs = timeout === 0 ? UNBOUNDED_MS : timeout + ANSWER_GRACE_MS;
    return answer;
  }

  async all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await this.query(sql, params)).rows as T[];
  }

  async get<T>(sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<RunResult> {
    return { changes: (await this.query(sql, params)).rowCount ?? 0 };
  }

  async runEach(sql: string, paramSets: readonly (readonly unknown[])[]): Promise<RunResult> {
    let changes = 0;
    for (const params of paramSets) changes += (await this.run(sql, params)).changes;
    return { changes };
  }
}

export class PostgresDriver implements Driver {
  readonly dialect = 'postgres' as const;
  readonly reader: Executor;
  readonly scanner: Executor;
  readonly autocommit: Executor;
  readonly threadConnection: ThreadConnection;
  private readonly pool: pg.Pool;
  private readonly schema: string | undefined;
  private readonly lockQueue = new KeyQueue();

  constructor(options: PostgresOptions) {
    const { connectionString, schema } = parsePostgresUrl(options.url);
    this.schema = schema;
    const statementTimeoutMs = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
    this.pool = new pg.Pool({
      connectionString,
      max: options.maxConnections ?? 10,
      types: pgTypes,
      application_name: SESSION_NAME.api,
      idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? 60_000,
      // A statement that runs longer than this is cancelled (and answered as a retryable 503).
      options: [`-c statement_timeout=${statementTimeoutMs}`, ...(schema !== undefined ? [`-c search_path=${schema}`] : [])].join(' '),
      // ... and when the server itself stops answering (hung, stopped, cut off), this process
      // gives up waiting a little later: 503 too, never a request held forever.
      ...boundedConnection(options.connectTimeoutMs, options.answerTimeoutMs ?? statementTimeoutMs + ANSWER_GRACE_MS),
    });
    // An idle client that loses its connection must not crash the process.
    this.pool.on('error', () => undefined);
    this.reader = new PostgresExecutor(this.pool);
    this.scanner = this.reader;
    // Only the policy tester's lease and completion run here: few, fixed and run thousands of times.
    this.autocommit = new PostgresExecutor(this.pool, true);
    this.threadConnection = { dialect: 'postgres', url: options.url };
  }

  transaction<T>(lockKey: string | null, fn: (tx: Executor) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    if (lockKey === null) return this.run(null, fn);
    return this.lockQueue.run(lockKey, () => this.run(lockKey, fn));
  }

  /**
   * The key's advisory lock, as `run` takes the transaction's own: PostgreSQL releases it after
   * the transaction's commit is visible, and each later statement (READ COMMITTED) sees what
   * committed before it started, so the next holder reads what this one wrote.
   */
  async lockWithin(tx: Executor, lockKey: string): Promise<void> {
    await tx.get('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [this.lockName(lockKey)]);
  }

  /**
   * What the advisory lock of `lockKey` is named in PostgreSQL. Advisory locks belong to the whole
   * database, so the schema is part of the name: deployments (and test runs) kept in other
   * schemas of one database share no keys and must not wait for each other's.
   */
  private lockName(lockKey: string): string {
    return this.schema === undefined ? lockKey : `${this.schema}:${lockKey}`;
  }

  /** BEGIN, the key's advisory lock, `fn`, COMMIT. */
  private async run<T>(lockKey: string | null, fn: (tx: Executor) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // The pool stops listening to a client it lent out: a connection the server ends between
    // two queries (terminated, idle-in-transaction timeout) would emit an unhandled 'error'
    // and crash the process. Keep that error: it says why the transaction failed.
    let lost: Error | undefined;
    const onError = (err: Error) => {
      lost ??= err;
    };
    client.on('error', onError);
    let broken: Error | undefined;
    try {
      const tx = new PostgresExecutor(client);
      await client.query('BEGIN');
      if (lockKey !== null) await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [this.lockName(lockKey)]);
      const result = await fn(tx);
      // Through the transaction's executor: a commit is waited for as long as its statements were.
      try {
        await tx.run('COMMIT');
      } catch (err) {
        // Sent, and no answer: made or not, nobody here can tell (no ROLLBACK can reach it either).
        if (isConnectionLost(err)) {
          broken = err as Error;
          throw new CommitOutcomeUnknown(err);
        }
        throw err;
      }
      return result;
    } catch (err) {
      // A connection whose answer never came is given up, not asked to roll back (that answer
      // would not come either): the server rolls back a transaction whose session ends.
      if (err instanceof CommitOutcomeUnknown) throw err;
      if (isAnswerTimeout(err)) broken = err as Error;
      else {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          broken = rollbackError as Error;
        }
      }
      throw lost ?? err;
    } finally {
      client.removeListener('error', onError);
      client.release(broken ?? lost);
    }
  }

  async afterBulkWrite(table: string): Promise<void> {
    const client = await this.pool.connect().catch(() => undefined);
    if (client === undefined) return;
    const onError = () => undefined;
    client.on('error', onError);
    let broken: Error | undefined;
    try {
      // A large table takes longer than the statement timeout (meant for statements gone wrong).
      await client.query('SET statement_timeout = 0');
      // SKIP_LOCKED: when autovacuum or another import's VACUUM is at it already, leave it to them.
      await client.query({ text: `VACUUM (ANALYZE, SKIP_LOCKED) ${table}`, query_timeout: UNBOUNDED_MS } as pg.QueryConfig);
    } catch {
      // Maintenance only: the write it follows has committed, and autovacuum will do this later.
    } finally {
      try {
        await client.query('RESET statement_timeout');
      } catch (err) {
        broken = err as Error;
      }
      client.removeListener('error', onError);
      client.release(broken);
    }
  }

  async migrate(migrations: readonly Migration[]): Promise<number[]> {
    if (this.schema !== undefined) await this.pool.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
    return applyMigrations(this, migrations);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
