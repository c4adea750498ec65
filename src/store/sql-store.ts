// The store, written once in SQL both dialects understand: one repository per kind of data
// under sql/ (resources, Gateway list items, users, API tokens, the audit log, policy tests),
// composed here into the reader and into each transaction's writer. The few dialect
// differences (reading a JSON array parameter as rows) live in `sqlFor`; drivers translate
// placeholders.

import { currentAuditActor, writeAudit, type AuditChange } from './audit.js';
import { sqlFor, type DialectSql } from './dialect.js';
import type { Dialect, Driver, TransactionOptions } from './driver.js';
import { MIGRATIONS } from './migrations.js';
import { accessRequestRepository } from './sql/access-requests.js';
import { scimUpdateRepository } from './sql/scim-updates.js';
import { accountRepository } from './sql/accounts.js';
import { endedSignInRepository } from './sql/ended-sign-ins.js';
import { SqlLoginChallenges } from './sql/login-challenges.js';
import { SqlSignInCounters } from './sql/sign-in-counters.js';
import { auditLogRepository } from './sql/audit-log.js';
import { now, sqlContext, type SqlContext } from './sql/context.js';
import { listItemRepository } from './sql/list-items.js';
import { SqlPolicyTests } from './sql/policy-tests.js';
import { resourceRepository } from './sql/resources.js';
import { tokenRepository } from './sql/tokens.js';
import { DirectoryIndex } from './sql/directory-index.js';
import { planUserImport } from './sql/user-import-writer.js';
import { importChangedUsers, userRepository, writeUserImport } from './sql/users.js';
import { KINDS_WITH_SECRETS, SecretSealer, type KeyRingSource } from './secret-sealer.js';
import { TOKENS_SCOPE, type ImportCounts, type PreparedUser, type ResealReport, type Store, type StoreReader, type StoreWriter } from './store.js';

/** A batch already read, then the rest of its source. */
async function* resumed<T>(first: T, rest: AsyncIterator<T>): AsyncGenerator<T> {
  yield first;
  for (let next = await rest.next(); next.done !== true; next = await rest.next()) yield next.value;
}

/** Transactions of an account are scoped by its id. */
const ACCOUNT_SCOPE = /^[0-9a-f]{32}$/;
/** An import that writes at least this many users is followed by the driver's afterBulkWrite (PostgreSQL: VACUUM ANALYZE). */
const BULK_MAINTENANCE_ROWS = 10_000;

/** Reads and writes over one executor: the reader connection, or an open transaction (which adds takeLock). */
function sqlWriter(context: SqlContext, directoryIndex?: DirectoryIndex): Omit<StoreWriter, 'takeLock'> {
  return {
    ...resourceRepository(context),
    ...listItemRepository(context),
    ...userRepository(context, directoryIndex),
    ...tokenRepository(context),
    ...auditLogRepository(context),
    ...accountRepository(context),
    ...accessRequestRepository(context),
    ...scimUpdateRepository(context),
    ...endedSignInRepository(context),
  };
}

/** The store over a driver: reads on the reader, writes in serialized transactions. */
export class SqlStore implements Store {
  readonly read: StoreReader;
  readonly tests: SqlPolicyTests;
  readonly challenges: SqlLoginChallenges;
  readonly counters: SqlSignInCounters;
  private readonly sql: DialectSql;

  private constructor(
    private readonly driver: Driver,
    private readonly secrets: SecretSealer,
  ) {
    this.sql = sqlFor(driver.dialect);
    this.read = sqlWriter(sqlContext(driver.reader, this.sql, secrets, undefined, driver.scanner), new DirectoryIndex());
    this.tests = new SqlPolicyTests(driver, this.sql);
    this.challenges = new SqlLoginChallenges(driver);
    this.counters = new SqlSignInCounters(driver);
  }

  /** Open over a driver and bring its schema up to date; `keys` seal and open secret fields. */
  static async open(driver: Driver, keys: KeyRingSource): Promise<SqlStore> {
    try {
      await driver.migrate(MIGRATIONS);
    } catch (err) {
      await driver.close().catch(() => undefined);
      throw err;
    }
    return new SqlStore(driver, new SecretSealer(keys));
  }

  get dialect(): Dialect {
    return this.driver.dialect;
  }

  commitStamp(): number | undefined {
    return this.driver.commitStamp?.();
  }

  transaction<T>(scope: string, fn: (tx: StoreWriter) => Promise<T>, options?: TransactionOptions): Promise<T> {
    return this.inTransaction(scope, (context) => fn({ ...sqlWriter(context), takeLock: (name) => this.driver.lockWithin(context.ex, name) }), options);
  }

  async importUsers(accountId: string, batches: AsyncIterable<readonly PreparedUser[]>, newId: () => string): Promise<ImportCounts> {
    // The first users are read before the transaction opens: an import with none (or refused
    // within its first batch) opens none.
    const source = batches[Symbol.asyncIterator]();
    let first = await source.next();
    while (first.done !== true && first.value.length === 0) first = await source.next();
    if (first.done === true) return { created: 0, updated: 0, unchanged: 0 };
    const plan = planUserImport(this.driver.dialect, accountId, resumed(first.value, source), newId, now());
    // An import that changed no user wrote nothing: the account's version stays, so the
    // enforcement point's cached decisions and the directory's counts stand.
    const counts = await this.inTransaction(accountId, (context) => writeUserImport(context, accountId, plan), { bulk: true }, importChangedUsers);
    if (counts.created + counts.updated >= BULK_MAINTENANCE_ROWS) await this.driver.afterBulkWrite?.('users');
    return counts;
  }

  /** A transaction over the SQL context its repositories work in, audited and versioned. */
  /** `wrote`: whether a result means the transaction changed anything (by default, it did). */
  private inTransaction<T>(scope: string, fn: (context: SqlContext) => Promise<T>, options?: TransactionOptions, wrote: (result: T) => boolean = () => true): Promise<T> {
    const actor = currentAuditActor();
    return this.driver.transaction(scope, async (ex) => {
      const changes: AuditChange[] | undefined = actor === undefined ? undefined : [];
      const result = await fn(sqlContext(ex, this.sql, this.secrets, changes));
      if (actor !== undefined && changes!.length > 0) await writeAudit(ex, actor, changes!);
      // Every write to an account moves its version on, in the same transaction (see accountVersion);
      // so does every write to the API tokens, whose version is TOKENS_SCOPE's.
      if ((ACCOUNT_SCOPE.test(scope) || scope === TOKENS_SCOPE) && wrote(result)) {
        await ex.run('INSERT INTO account_versions (account_id, version) VALUES (?, 1) ON CONFLICT (account_id) DO UPDATE SET version = account_versions.version + 1', [scope]);
      }
      return result;
    }, options);
  }

  async resealSecrets(): Promise<ResealReport> {
    const kinds = KINDS_WITH_SECRETS;
    const marks = kinds.map(() => '?').join(', ');
    const accounts = await this.driver.reader.all<{ account_id: string }>(`SELECT DISTINCT account_id FROM resources WHERE kind IN (${marks})`, [...kinds]);
    let checked = 0;
    let resealed = 0;
    for (const { account_id: accountId } of accounts) {
      // One transaction per account, in the account's scope, so no write of it interleaves.
      await this.driver.transaction(accountId, async (ex) => {
        const rows = await ex.all<{ kind: string; id: string; body: string }>(`SELECT kind, id, body FROM resources WHERE account_id = ? AND kind IN (${marks})`, [accountId, ...kinds]);
        for (const row of rows) {
          checked++;
          const next = this.secrets.resealed(row.kind, JSON.parse(row.body) as Record<string, unknown>);
          if (next === undefined) continue;
          resealed++;
          // Not a change of the resource: no new version, no audit entry.
          await ex.run('UPDATE resources SET body = ? WHERE account_id = ? AND kind = ? AND id = ?', [JSON.stringify(next), accountId, row.kind, row.id]);
        }
      });
    }
    return { checked, resealed };
  }

  async touchToken(id: string, at: string): Promise<void> {
    // A write like any other: on SQLite a write from the reader connection could wait on the
    // writer's open transaction while holding the only thread.
    await this.driver.transaction(TOKENS_SCOPE, (ex) => ex.run('UPDATE api_tokens SET last_used_on = ? WHERE id = ?', [at, id]));
  }

  close(): Promise<void> {
    return this.driver.close();
  }
}
