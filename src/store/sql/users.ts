// Zero Trust users in SQL: one row per email (compared case-insensitively through email_key),
// with the last identity seen. Imports are written by user-import-writer.ts.

import { identityRecord } from '../../engine/index.js';
import type { ImportCounts, PreparedUser, StoreWriter, UserRecord, UserUpsert } from '../store.js';
import { likePattern, now, type SqlContext } from './context.js';
import { ANCHOR_STEP, DirectoryIndex } from './directory-index.js';
import { planUserImport, type UserImportPlan } from './user-import-writer.js';

export type UserRepository = Pick<
  StoreWriter,
  'getUser' | 'getUserByEmail' | 'listUsers' | 'countUsers' | 'userSeq' | 'usersAfter' | 'insertUser' | 'updateUser' | 'deleteUser' | 'upsertUsers' | 'importUsers'
>;

interface UserRow {
  seq: number;
  account_id: string;
  id: string;
  email: string;
  name: string;
  identity: string | null;
  created_at: string;
  updated_at: string;
  last_seen_at: string | null;
}

/** A user's columns but the identity's record, which only policy tests read. */
const USER_COLUMNS = 'seq, account_id, id, email, name, identity, created_at, updated_at, last_seen_at';

function toUser(row: UserRow): UserRecord {
  return {
    accountId: row.account_id,
    id: row.id,
    email: row.email,
    name: row.name,
    identity: row.identity === null ? null : (JSON.parse(row.identity) as Record<string, unknown>),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastSeenAt: row.last_seen_at,
    seq: Number(row.seq),
  };
}

const emailKey = (email: string): string => email.toLowerCase();

/** The identity's two columns: its JSON text and its record (engine/identity-record.ts), or neither. */
const identityColumns = (identity: Record<string, unknown> | null | undefined): [identity: string | null, identityRecord: string | null] =>
  identity === undefined || identity === null ? [null, null] : [JSON.stringify(identity), identityRecord(identity)];

// An identity of null, like an absent one, keeps the stored identity.
const prepareUser = (u: UserUpsert): PreparedUser => {
  const [identity, record] = identityColumns(u.identity);
  return { email: u.email, name: u.name ?? null, identity, identityRecord: record };
};

/** What the audit log keeps of a user. */
const userAudit = (u: UserRecord) => ({ email: u.email, name: u.name, identity: u.identity });

/** Whether an import wrote anything: one whose every user was unchanged did not. */
export const importChangedUsers = (counts: ImportCounts): boolean => counts.created + counts.updated > 0;

/** An import's users written, and noted for the audit log when it changed any. */
export async function writeUserImport({ ex, note }: SqlContext, accountId: string, plan: UserImportPlan): Promise<ImportCounts> {
  const counts = await plan(ex);
  if (!importChangedUsers(counts)) return counts;
  // One entry per import, not per user: an import may hold a million users.
  note({ accountId, action: 'import', resourceKind: 'users', resourceId: accountId, before: null, after: counts });
  return counts;
}

/** `index`: only for the reader, outside any transaction (a transaction sees its own uncommitted rows). */
export function userRepository(context: SqlContext, index?: DirectoryIndex): UserRepository {
  const { ex, scan, sql, audited, note } = context;
  const kept = async (accountId: string) => {
    const row = await ex.get<{ version: number }>('SELECT version FROM account_versions WHERE account_id = ?', [accountId]);
    return index!.at(accountId, Number(row?.version ?? 0));
  };

  const countAll = async (accountId: string): Promise<number> => {
    const known = index === undefined ? undefined : await kept(accountId);
    if (known?.users !== undefined) return known.users;
    const row = await scan.get<{ n: number }>('SELECT COUNT(*) AS n FROM users WHERE account_id = ?', [accountId]);
    const users = Number(row?.n ?? 0);
    if (known !== undefined) known.users = users;
    return users;
  };

  /** Rows of the unfiltered list from `offset` on: from the nearest anchor, walking to it once. */
  const pageInSeqOrder = async (accountId: string, offset: number, limit: number): Promise<UserRow[]> => {
    const wanted = index === undefined ? 0 : Math.floor(offset / ANCHOR_STEP);
    if (wanted === 0) return scan.all<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE account_id = ? ORDER BY seq LIMIT ? OFFSET ?`, [accountId, limit, offset]);
    const known = await kept(accountId);
    // Each step skips ANCHOR_STEP entries of the (account_id, seq) index: paging through the
    // whole directory walks it once in all.
    while (known.anchors.length < wanted) {
      const after = known.anchors.at(-1) ?? -1;
      const next = await scan.get<{ seq: number }>('SELECT seq FROM users WHERE account_id = ? AND seq > ? ORDER BY seq LIMIT 1 OFFSET ?', [accountId, after, ANCHOR_STEP - 1]);
      if (next === undefined) break;
      // Another request may have walked the same step meanwhile.
      if ((known.anchors.at(-1) ?? -1) === after) known.anchors.push(Number(next.seq));
    }
    const anchor = Math.min(wanted, known.anchors.length);
    if (anchor === 0) return scan.all<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE account_id = ? ORDER BY seq LIMIT ? OFFSET ?`, [accountId, limit, offset]);
    return scan.all<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE account_id = ? AND seq > ? ORDER BY seq LIMIT ? OFFSET ?`, [accountId, known.anchors[anchor - 1], limit, offset - anchor * ANCHOR_STEP]);
  };

  const getUser = async (accountId: string, id: string): Promise<UserRecord | undefined> => {
    const row = await ex.get<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE account_id = ? AND id = ?`, [accountId, id]);
    return row === undefined ? undefined : toUser(row);
  };

  const importUsers: UserRepository['importUsers'] = async (accountId, users, newId) => {
    if (users.length === 0) return { created: 0, updated: 0, unchanged: 0 };
    const plan = planUserImport(sql.dialect, accountId, users, newId, now());
    return writeUserImport(context, accountId, plan);
  };

  return {
    getUser,

    async getUserByEmail(accountId, email) {
      const row = await ex.get<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE account_id = ? AND email_key = ?`, [accountId, emailKey(email)]);
      return row === undefined ? undefined : toUser(row);
    },

    async listUsers(accountId, page, filter = {}) {
      const clauses = ['account_id = ?'];
      const params: unknown[] = [accountId];
      if (filter.email !== undefined) {
        clauses.push('email_key = ?');
        params.push(emailKey(filter.email));
      }
      if (filter.name !== undefined) {
        clauses.push('name = ?');
        params.push(filter.name);
      }
      const searching = filter.search !== undefined && filter.search !== '';
      if (searching) {
        clauses.push(`(email_key LIKE ? ESCAPE '\\' OR ${sql.lower('name')} LIKE ? ESCAPE '\\')`);
        params.push(likePattern(filter.search), likePattern(filter.search));
      }
      const where = clauses.join(' AND ');
      const filtered = clauses.length > 1;
      // A search reads every user of the account: off the event loop, both queries at once.
      const [rows, total] = await Promise.all([
        filtered
          ? scan.all<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE ${where} ORDER BY ${searching ? sql.searchOrder('seq') : 'seq'} LIMIT ? OFFSET ?`, [...params, page.limit, page.offset])
          : pageInSeqOrder(accountId, page.offset, page.limit),
        filtered ? scan.get<{ n: number }>(`SELECT COUNT(*) AS n FROM users WHERE ${where}`, params).then((row) => Number(row?.n ?? 0)) : countAll(accountId),
      ]);
      return { items: rows.map(toUser), total };
    },

    async usersAfter(accountId, afterSeq, limit) {
      const rows = await ex.all<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE account_id = ? AND seq > ? ORDER BY seq LIMIT ?`, [accountId, afterSeq, limit]);
      return rows.map(toUser);
    },

    countUsers: countAll,

    async userSeq(accountId, id) {
      const row = await ex.get<{ seq: number }>('SELECT seq FROM users WHERE account_id = ? AND id = ? UNION ALL SELECT seq FROM deleted_users WHERE account_id = ? AND id = ?', [accountId, id, accountId, id]);
      return row === undefined ? undefined : Number(row.seq);
    },

    async insertUser(user) {
      const at = now();
      await ex.run(
        `INSERT INTO users (account_id, id, email, email_key, name, identity, identity_record, created_at, updated_at, last_seen_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          user.accountId,
          user.id,
          user.email,
          emailKey(user.email),
          user.name,
          ...identityColumns(user.identity),
          at,
          at,
          user.identity === null || user.signedIn === false ? null : at,
        ],
      );
      const created = (await getUser(user.accountId, user.id))!;
      note({ accountId: user.accountId, action: 'create', resourceKind: 'user', resourceId: user.id, before: null, after: userAudit(created) });
      return created;
    },

    async updateUser(accountId, id, update) {
      const at = now();
      const sets = ['updated_at = ?'];
      const params: unknown[] = [at];
      if (update.name !== undefined) {
        sets.push('name = ?');
        params.push(update.name);
      }
      if (update.identity !== undefined) {
        sets.push('identity = ?', 'identity_record = ?');
        params.push(...identityColumns(update.identity));
        if (update.signedIn !== false) {
          sets.push('last_seen_at = ?');
          params.push(update.identity === null ? null : at);
        }
      }
      const before = audited ? await getUser(accountId, id) : undefined;
      const result = await ex.run(`UPDATE users SET ${sets.join(', ')} WHERE account_id = ? AND id = ?`, [...params, accountId, id]);
      if (result.changes === 0) return undefined;
      const after = (await getUser(accountId, id))!;
      note({ accountId, action: 'update', resourceKind: 'user', resourceId: id, before: before === undefined ? null : userAudit(before), after: userAudit(after) });
      return after;
    },

    async deleteUser(accountId, id) {
      const before = audited ? await getUser(accountId, id) : undefined;
      // The user's place in the directory outlives them: policy tests that ran over it find their result there.
      await ex.run('INSERT INTO deleted_users (account_id, id, seq, deleted_at) SELECT account_id, id, seq, ? FROM users WHERE account_id = ? AND id = ? ON CONFLICT (account_id, id) DO NOTHING', [now(), accountId, id]);
      const deleted = (await ex.run('DELETE FROM users WHERE account_id = ? AND id = ?', [accountId, id])).changes > 0;
      if (deleted) note({ accountId, action: 'delete', resourceKind: 'user', resourceId: id, before: before === undefined ? null : userAudit(before), after: null });
      return deleted;
    },

    upsertUsers(accountId, users, newId) {
      return importUsers(accountId, users.map(prepareUser), newId);
    },

    importUsers,
  };
}
