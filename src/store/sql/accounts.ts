// Accounts in SQL: a registry of ids and names. Creating one is audited under the account itself.

import type { AccountRecord, StoreWriter } from '../store.js';
import type { SqlContext } from './context.js';

export type AccountRepository = Pick<StoreWriter, 'getAccount' | 'listAccounts' | 'insertAccount' | 'accountVersion' | 'accountVersions' | 'accountVersionsDigest' | 'scopeVersions'>;

interface AccountRow {
  id: string;
  name: string;
  created_at: string;
}

const toAccount = (row: AccountRow): AccountRecord => ({ id: row.id, name: row.name, createdAt: row.created_at });

export function accountRepository({ ex, note }: SqlContext): AccountRepository {
  return {
    async getAccount(id) {
      const row = await ex.get<AccountRow>('SELECT * FROM accounts WHERE id = ?', [id]);
      return row === undefined ? undefined : toAccount(row);
    },

    async accountVersion(id) {
      const row = await ex.get<{ version: number }>('SELECT version FROM account_versions WHERE account_id = ?', [id]);
      return Number(row?.version ?? 0);
    },

    async scopeVersions(scopes) {
      const versions = new Map<string, number>(scopes.map((scope) => [scope, 0]));
      if (versions.size === 0) return versions;
      const marks = [...versions.keys()].map(() => '?').join(', ');
      const rows = await ex.all<{ account_id: string; version: number }>(`SELECT account_id, version FROM account_versions WHERE account_id IN (${marks})`, [...versions.keys()]);
      for (const row of rows) versions.set(row.account_id, Number(row.version));
      return versions;
    },

    async accountVersions() {
      const rows = await ex.all<{ id: string; version: number | null }>('SELECT a.id, v.version FROM accounts a LEFT JOIN account_versions v ON v.account_id = a.id ORDER BY a.created_at, a.id');
      return rows.map((row) => ({ id: row.id, version: Number(row.version ?? 0) }));
    },

    async accountVersionsDigest() {
      // How many accounts, and the sum of their versions: an account added moves the first, a
      // write to one the second, and neither ever goes back.
      const row = await ex.get<{ accounts: number | string; versions: number | string | null }>('SELECT count(*) AS accounts, sum(v.version) AS versions FROM accounts a LEFT JOIN account_versions v ON v.account_id = a.id');
      return `${String(row?.accounts ?? 0)}:${String(row?.versions ?? 0)}`;
    },

    async listAccounts() {
      return (await ex.all<AccountRow>('SELECT * FROM accounts ORDER BY created_at, id')).map(toAccount);
    },

    async insertAccount(account) {
      const inserted = (await ex.run('INSERT INTO accounts (id, name, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING', [account.id, account.name, account.createdAt])).changes > 0;
      if (inserted) note({ accountId: account.id, action: 'create', resourceKind: 'account', resourceId: account.id, before: null, after: { name: account.name } });
      return inserted;
    },
  };
}
