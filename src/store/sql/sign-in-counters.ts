// Counts that outlive sign-ins (store.ts SignInCounterStore) in SQL: one row per account and
// name, holding the count of the window it started, removed once that window is over. Writes run
// in a scope of their own, not the account's: a count is not a change to the account.

import type { Driver } from '../driver.js';
import type { SignInCounterStore } from '../store.js';

const SCOPE = 'login:counters';

export class SqlSignInCounters implements SignInCounterStore {
  constructor(private readonly driver: Driver) {}

  async add(accountId: string, name: string, by: number, now: number, windowMs: number): Promise<number> {
    return this.driver.transaction(SCOPE, async (ex) => {
      // Windows that are over go as counts are added (nothing else would remove them): a count
      // is then always of its window, and the table holds no more than the windows still open.
      await ex.run('DELETE FROM sign_in_counters WHERE ends_at <= ?', [now]);
      // One statement adds to the row or makes it: concurrent additions are each counted.
      await ex.run(
        'INSERT INTO sign_in_counters (account_id, name, count, ends_at) VALUES (?, ?, ?, ?) ON CONFLICT (account_id, name) DO UPDATE SET count = CASE WHEN sign_in_counters.count + ? < 0 THEN 0 ELSE sign_in_counters.count + ? END',
        [accountId, name, Math.max(0, by), now + windowMs, by, by],
      );
      const row = await ex.get<{ count: number | string }>('SELECT count FROM sign_in_counters WHERE account_id = ? AND name = ?', [accountId, name]);
      return Number(row?.count ?? 0);
    });
  }

  async get(accountId: string, name: string, now: number): Promise<number> {
    const row = await this.driver.reader.get<{ count: number | string }>('SELECT count FROM sign_in_counters WHERE account_id = ? AND name = ? AND ends_at > ?', [accountId, name, now]);
    return Number(row?.count ?? 0);
  }
}
