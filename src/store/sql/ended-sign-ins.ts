// Sign-ins signed out of (store.ts EndedSignInRecord) in SQL: one row per identity nonce, kept
// with the account (a logout moves its version, so every instance's views see it) until the
// sign-in's longest token would have expired. Expiries are milliseconds since the epoch.

import type { EndedSignInRecord, StoreWriter } from '../store.js';
import type { SqlContext } from './context.js';

export type EndedSignInRepository = Pick<StoreWriter, 'endedSignIns' | 'endSignIn'>;

interface EndedSignInRow {
  account_id: string;
  nonce: string;
  user_id: string;
  expires_at: number | string;
  ended_at: string;
}

const toRecord = (r: EndedSignInRow): EndedSignInRecord => ({ accountId: r.account_id, nonce: r.nonce, userId: r.user_id, expiresAt: Number(r.expires_at), endedAt: r.ended_at });

export function endedSignInRepository({ ex }: SqlContext): EndedSignInRepository {
  return {
    async endedSignIns(accountId, now, userId) {
      const byUser = userId === undefined ? '' : ' AND user_id = ?';
      const rows = await ex.all<EndedSignInRow>(`SELECT * FROM ended_sign_ins WHERE account_id = ? AND expires_at > ?${byUser} ORDER BY expires_at, nonce`, [accountId, now, ...(userId === undefined ? [] : [userId])]);
      return rows.map(toRecord);
    },

    async endSignIn(e, now) {
      // Purged here, where records are added: they cannot outnumber the sign-ins still running.
      await ex.run('DELETE FROM ended_sign_ins WHERE account_id = ? AND expires_at <= ?', [e.accountId, now]);
      const known = await ex.get<{ expires_at: number | string }>('SELECT expires_at FROM ended_sign_ins WHERE account_id = ? AND nonce = ?', [e.accountId, e.nonce]);
      if (known === undefined) {
        await ex.run('INSERT INTO ended_sign_ins (account_id, nonce, user_id, expires_at, ended_at) VALUES (?, ?, ?, ?, ?)', [e.accountId, e.nonce, e.userId, e.expiresAt, e.endedAt]);
        return true;
      }
      if (e.expiresAt > Number(known.expires_at)) await ex.run('UPDATE ended_sign_ins SET expires_at = ? WHERE account_id = ? AND nonce = ?', [e.expiresAt, e.accountId, e.nonce]);
      return false;
    },
  };
}
