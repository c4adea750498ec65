// The access-request log in SQL: one row per sign-in or refused request, kept with the account.
// Times are UTC text with milliseconds (toISOString), so filtering compares text (see audit.ts).

import { auditTime } from '../audit.js';
import type { AccessRequestRecord, StoreWriter } from '../store.js';
import type { SqlContext } from './context.js';

export type AccessRequestRepository = Pick<StoreWriter, 'listAccessRequests' | 'insertAccessRequest'>;

interface AccessRequestRow {
  id: string;
  account_id: string;
  created_at: string;
  action: string;
  allowed: number;
  app_domain: string | null;
  app_uid: string | null;
  app_name: string | null;
  connection: string | null;
  country: string | null;
  ip_address: string | null;
  ray_id: string;
  user_email: string | null;
  user_id: string | null;
  nonce: string | null;
  expires_at: string | null;
}

const toRecord = (r: AccessRequestRow): AccessRequestRecord => ({
  id: r.id,
  accountId: r.account_id,
  createdAt: r.created_at,
  action: r.action,
  allowed: Number(r.allowed) === 1,
  appDomain: r.app_domain,
  appUid: r.app_uid,
  appName: r.app_name,
  connection: r.connection,
  country: r.country,
  ipAddress: r.ip_address,
  rayId: r.ray_id,
  userEmail: r.user_email,
  userId: r.user_id,
  nonce: r.nonce,
  expiresAt: r.expires_at,
});

export function accessRequestRepository({ ex }: SqlContext): AccessRequestRepository {
  return {
    async listAccessRequests(accountId, limit, filter = {}) {
      const clauses = ['account_id = ?'];
      const params: unknown[] = [accountId];
      if (filter.since !== undefined) {
        clauses.push('created_at >= ?');
        params.push(auditTime(filter.since));
      }
      if (filter.until !== undefined) {
        clauses.push('created_at < ?');
        params.push(auditTime(filter.until));
      }
      if (filter.userId !== undefined) {
        clauses.push('user_id = ?');
        params.push(filter.userId);
      }
      if (filter.allowed !== undefined) {
        clauses.push('allowed = ?');
        params.push(filter.allowed ? 1 : 0);
      }
      if (filter.nonce !== undefined) {
        clauses.push('nonce = ?');
        params.push(filter.nonce);
      }
      const order = filter.direction === 'asc' ? 'ASC' : 'DESC';
      const rows = await ex.all<AccessRequestRow>(`SELECT * FROM access_requests WHERE ${clauses.join(' AND ')} ORDER BY created_at ${order}, id ${order} LIMIT ?`, [...params, limit]);
      return rows.map(toRecord);
    },

    async insertAccessRequest(e) {
      await ex.run(
        `INSERT INTO access_requests (id, account_id, created_at, action, allowed, app_domain, app_uid, app_name, connection, country, ip_address, ray_id, user_email, user_id, nonce, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [e.id, e.accountId, e.createdAt, e.action, e.allowed ? 1 : 0, e.appDomain, e.appUid, e.appName, e.connection, e.country, e.ipAddress, e.rayId, e.userEmail, e.userId, e.nonce, e.expiresAt],
      );
    },
  };
}
