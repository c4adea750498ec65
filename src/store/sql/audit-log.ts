// Reading the audit log in SQL (entries are written by ../audit.ts, in the transaction of the
// write they record), newest first unless asked otherwise.

import { auditTime, type AuditRecord } from '../audit.js';
import type { StoreWriter } from '../store.js';
import type { SqlContext } from './context.js';

export type AuditLogRepository = Pick<StoreWriter, 'listAudit'>;

interface AuditRow {
  seq: number;
  id: string;
  account_id: string | null;
  at: string;
  actor_kind: 'root' | 'token' | 'scim';
  actor_token_id: string;
  actor_ip: string;
  request_id: string;
  method: string;
  path: string;
  action: string;
  resource_kind: string;
  resource_id: string;
  before: string | null;
  after: string | null;
}

function toAudit(row: AuditRow): AuditRecord {
  return {
    id: row.id,
    seq: Number(row.seq),
    at: row.at,
    accountId: row.account_id,
    actor: { kind: row.actor_kind, tokenId: row.actor_token_id, ip: row.actor_ip, requestId: row.request_id, method: row.method, path: row.path },
    action: row.action,
    resourceKind: row.resource_kind,
    resourceId: row.resource_id,
    before: row.before === null ? null : (JSON.parse(row.before) as unknown),
    after: row.after === null ? null : (JSON.parse(row.after) as unknown),
  };
}

export function auditLogRepository({ ex }: SqlContext): AuditLogRepository {
  return {
    async listAudit(accountId, page, filter = {}) {
      const clauses = [accountId === null ? 'account_id IS NULL' : 'account_id = ?'];
      const params: unknown[] = accountId === null ? [] : [accountId];
      const add = (clause: string, value: unknown) => {
        if (value === undefined) return;
        clauses.push(clause);
        params.push(value);
      };
      add('at >= ?', filter.since && auditTime(filter.since));
      add('at < ?', filter.before && auditTime(filter.before));
      add('action = ?', filter.action);
      add('resource_kind = ?', filter.resourceKind);
      add('resource_id = ?', filter.resourceId);
      add('actor_ip = ?', filter.actorIp);
      const where = clauses.join(' AND ');
      const order = filter.direction === 'asc' ? 'ASC' : 'DESC';
      const rows = await ex.all<AuditRow>(`SELECT * FROM audit_log WHERE ${where} ORDER BY seq ${order} LIMIT ? OFFSET ?`, [...params, page.limit, page.offset]);
      const count = await ex.get<{ n: number }>(`SELECT COUNT(*) AS n FROM audit_log WHERE ${where}`, params);
      return { items: rows.map(toAudit), total: Number(count?.n ?? 0) };
    },
  };
}
