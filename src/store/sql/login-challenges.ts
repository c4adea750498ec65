// Sign-ins under way (store.ts LoginChallengeRecord) in SQL. Writes run in a scope of their own,
// not the account's: a login started is not a change to the account (its version stays).

import type { Driver, Executor, RunResult } from '../driver.js';
import type { LoginChallengeRecord, LoginChallengeStore } from '../store.js';

const SCOPE = 'login:challenges';

interface ChallengeRow {
  id: string;
  account_id: string;
  kind: string;
  email: string | null;
  ip_address: string | null;
  body: string;
  attempts: number;
  created_at: string;
  expires_at: number | string;
}

const toRecord = (r: ChallengeRow): LoginChallengeRecord => ({
  id: r.id,
  accountId: r.account_id,
  kind: r.kind,
  email: r.email,
  ipAddress: r.ip_address,
  body: JSON.parse(r.body) as Record<string, unknown>,
  attempts: Number(r.attempts),
  createdAt: r.created_at,
  expiresAt: Number(r.expires_at),
});

/** How long after its expiry a challenge may stay before a new one removes it. */
const EXPIRED_CHALLENGE_GRACE_MS = 60 * 60 * 1000;

/**
 * Challenges that ended long ago go as new ones come: nothing else removes those never finished
 * (a sign-in abandoned at its provider, a code never typed), which anyone may start, so the table
 * would otherwise grow without end. The hour's grace keeps rows a limit counts (countSince) past
 * their expiry meanwhile.
 */
async function pruneEndedBefore(ex: Executor, createdAt: string): Promise<void> {
  const created = Date.parse(createdAt);
  if (Number.isFinite(created)) await ex.run('DELETE FROM login_challenges WHERE expires_at <= ?', [created - EXPIRED_CHALLENGE_GRACE_MS]);
}

function insertChallenge(ex: Executor, c: LoginChallengeRecord, onConflict: '' | ' ON CONFLICT (id) DO NOTHING'): Promise<RunResult> {
  return ex.run(`INSERT INTO login_challenges (id, account_id, kind, email, ip_address, body, attempts, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)${onConflict}`, [
    c.id,
    c.accountId,
    c.kind,
    c.email,
    c.ipAddress,
    JSON.stringify(c.body),
    c.attempts,
    c.createdAt,
    c.expiresAt,
  ]);
}

export class SqlLoginChallenges implements LoginChallengeStore {
  constructor(private readonly driver: Driver) {}

  async put(c: LoginChallengeRecord): Promise<void> {
    await this.driver.transaction(SCOPE, async (ex) => {
      await pruneEndedBefore(ex, c.createdAt);
      await insertChallenge(ex, c, '');
    });
  }

  async claim(c: LoginChallengeRecord): Promise<boolean> {
    return this.driver.transaction(SCOPE, async (ex) => {
      await pruneEndedBefore(ex, c.createdAt);
      // An expired claim of the same id no longer counts; an unexpired one keeps the insert out.
      const created = Date.parse(c.createdAt);
      await ex.run('DELETE FROM login_challenges WHERE id = ? AND expires_at <= ?', [c.id, Number.isFinite(created) ? created : 0]);
      return (await insertChallenge(ex, c, ' ON CONFLICT (id) DO NOTHING')).changes === 1;
    });
  }

  async get(accountId: string, id: string, now: number): Promise<LoginChallengeRecord | undefined> {
    const row = await this.driver.reader.get<ChallengeRow>('SELECT * FROM login_challenges WHERE account_id = ? AND id = ? AND expires_at > ?', [accountId, id, now]);
    return row === undefined ? undefined : toRecord(row);
  }

  async take(accountId: string, id: string, now: number): Promise<LoginChallengeRecord | undefined> {
    // Read and delete in one transaction: of two instances finishing the same login, one wins.
    const row = await this.driver.transaction(SCOPE, async (ex) => {
      const found = await ex.get<ChallengeRow>('SELECT * FROM login_challenges WHERE account_id = ? AND id = ?', [accountId, id]);
      if (found === undefined) return undefined;
      const removed = await ex.run('DELETE FROM login_challenges WHERE account_id = ? AND id = ?', [accountId, id]);
      return removed.changes === 1 ? found : undefined;
    });
    return row === undefined || !(Number(row.expires_at) > now) ? undefined : toRecord(row);
  }

  async withPrefix(accountId: string, kind: string, prefix: string, now: number): Promise<LoginChallengeRecord[]> {
    // substr rather than LIKE (ids hold _) or a range (PostgreSQL's collation need not order bytes).
    const rows = await this.driver.reader.all<ChallengeRow>('SELECT * FROM login_challenges WHERE account_id = ? AND kind = ? AND substr(id, 1, ?) = ? AND expires_at > ? ORDER BY created_at, id', [accountId, kind, prefix.length, prefix, now]);
    return rows.map(toRecord);
  }

  async addAttempt(accountId: string, id: string): Promise<number | undefined> {
    return this.driver.transaction(SCOPE, async (ex) => {
      await ex.run('UPDATE login_challenges SET attempts = attempts + 1 WHERE account_id = ? AND id = ?', [accountId, id]);
      const row = await ex.get<{ attempts: number }>('SELECT attempts FROM login_challenges WHERE account_id = ? AND id = ?', [accountId, id]);
      return row === undefined ? undefined : Number(row.attempts);
    });
  }

  async countSince(accountId: string, kind: string, who: { readonly email?: string; readonly ipAddress?: string }, since: Date): Promise<number> {
    const [column, value] = who.email !== undefined ? ['email', who.email] : ['ip_address', who.ipAddress ?? null];
    if (value === null) return 0;
    const row = await this.driver.reader.get<{ n: number | string }>(`SELECT COUNT(*) AS n FROM login_challenges WHERE account_id = ? AND kind = ? AND ${column} = ? AND created_at >= ?`, [accountId, kind, value, since.toISOString()]);
    return Number(row?.n ?? 0);
  }

  async prune(now: number): Promise<number> {
    const result = await this.driver.transaction(SCOPE, (ex) => ex.run('DELETE FROM login_challenges WHERE expires_at <= ?', [now]));
    return result.changes;
  }
}
