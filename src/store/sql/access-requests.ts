// The access-request log in SQL: one row per sign-in or refused request, kept with the account.
// Times are UTC text with milliseconds (toISOString), so filtering compares text (see audit.ts).

import { auditTime } from '../audit.js';
import type { AccessRequestFilter, AccessRequestRecord, StoreWriter } from '../store.js';
import { likePattern, type SqlContext } from './context.js';

export type AccessRequestRepository = Pick<StoreWriter, 'listAccessRequests' | 'pageAccessRequests' | 'insertAccessRequest'>;

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
  justification_prompt: string | null;
  justification_response: string | null;
  approvers: string | null;
  approved_seconds: number | string | null;
  reason: string | null;
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
  justificationPrompt: r.justification_prompt,
  justificationResponse: r.justification_response,
  approvers: r.approvers === null ? null : (JSON.parse(r.approvers) as string[]),
  approvedSeconds: r.approved_seconds === null ? null : Number(r.approved_seconds),
  reason: r.reason,
});

/** The WHERE clause of a filter, its parameters, and the order it asks for. */
function whereOf(accountId: string, filter: AccessRequestFilter, lower: (expression: string) => string): { where: string; params: unknown[]; order: string } {
  const clauses = ['account_id = ?'];
  const params: unknown[] = [accountId];
  const add = (clause: string, value: unknown): void => {
    clauses.push(clause);
    params.push(value);
  };
  if (filter.since !== undefined) add('created_at >= ?', auditTime(filter.since));
  if (filter.until !== undefined) add('created_at < ?', auditTime(filter.until));
  if (filter.userId !== undefined) add('user_id = ?', filter.userId);
  if (filter.email !== undefined) {
    if (filter.emailContains === true) add(`${lower('user_email')} LIKE ? ESCAPE '\\'`, likePattern(filter.email));
    else add(`${lower('user_email')} = ?`, filter.email.toLowerCase());
  }
  if (filter.appUid !== undefined) add('app_uid = ?', filter.appUid);
  if (filter.allowed !== undefined) add('allowed = ?', filter.allowed ? 1 : 0);
  if (filter.nonce !== undefined) add('nonce = ?', filter.nonce);
  const direction = filter.direction === 'asc' ? 'ASC' : 'DESC';
  return { where: clauses.join(' AND '), params, order: `created_at ${direction}, id ${direction}` };
}

export function accessRequestRepository({ ex, scan, sql }: SqlContext): AccessRequestRepository {
  return {
    async listAccessRequests(accountId, limit, filter = {}) {
      const { where, params, order } = whereOf(accountId, filter, sql.lower);
      const rows = await ex.all<AccessRequestRow>(`SELECT * FROM access_requests WHERE ${where} ORDER BY ${order} LIMIT ?`, [...params, limit]);
      return rows.map(toRecord);
    },

    async pageAccessRequests(accountId, page, filter = {}) {
      const { where, params, order } = whereOf(accountId, filter, sql.lower);
      const [rows, count] = await Promise.all([
        scan.all<AccessRequestRow>(`SELECT * FROM access_requests WHERE ${where} ORDER BY ${order} LIMIT ? OFFSET ?`, [...params, page.limit, page.offset]),
        scan.get<{ n: number }>(`SELECT COUNT(*) AS n FROM access_requests WHERE ${where}`, params),
      ]);
      return { items: rows.map(toRecord), total: Number(count?.n ?? 0) };
    },

    async insertAccessRequest(e) {
      await ex.run(
        `INSERT INTO access_requests (id, account_id, created_at, action, allowed, app_domain, app_uid, app_name, connection, country, ip_address, ray_id, user_email, user_id, nonce, expires_at, justification_prompt, justification_response, approvers, approved_seconds, reason)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [e.id, e.accountId, e.createdAt, e.action, e.allowed ? 1 : 0, e.appDomain, e.appUid, e.appName, e.connection, e.country, e.ipAddress, e.rayId, e.userEmail, e.userId, e.nonce, e.expiresAt, e.justificationPrompt ?? null, e.justificationResponse ?? null, e.approvers == null ? null : JSON.stringify(e.approvers), e.approvedSeconds ?? null, e.reason ?? null],
      );
    },
  };
}
