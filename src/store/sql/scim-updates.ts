// The SCIM update log in SQL: one row per SCIM write an identity provider pushed, kept with the
// account for a bounded time (each insert forgets the account's entries older than its cut-off).
// Times are UTC text with milliseconds (toISOString), so filtering compares text (see audit.ts).

import { auditTime } from '../audit.js';
import type { ScimUpdateFilter, ScimUpdateRecord, StoreWriter } from '../store.js';
import type { SqlContext } from './context.js';

export type ScimUpdateRepository = Pick<StoreWriter, 'pageScimUpdates' | 'insertScimUpdate'>;

interface ScimUpdateRow {
  id: string;
  account_id: string;
  idp_id: string;
  logged_at: string;
  status: string;
  resource_type: string;
  request_method: string;
  cf_resource_id: string | null;
  idp_resource_id: string | null;
  resource_user_email: string | null;
  resource_group_name: string | null;
  request_body: string | null;
  error_description: string | null;
}

const toRecord = (r: ScimUpdateRow): ScimUpdateRecord => ({
  id: r.id,
  accountId: r.account_id,
  idpId: r.idp_id,
  loggedAt: r.logged_at,
  status: r.status === 'SUCCESS' ? 'SUCCESS' : 'FAILURE',
  resourceType: r.resource_type === 'GROUP' ? 'GROUP' : 'USER',
  requestMethod: r.request_method,
  cfResourceId: r.cf_resource_id,
  idpResourceId: r.idp_resource_id,
  resourceUserEmail: r.resource_user_email,
  resourceGroupName: r.resource_group_name,
  requestBody: r.request_body,
  errorDescription: r.error_description,
});

/** The WHERE clause of a filter, its parameters, and the order it asks for. */
function whereOf(accountId: string, filter: ScimUpdateFilter, lower: (expression: string) => string): { where: string; params: unknown[]; order: string } {
  const clauses = ['account_id = ?'];
  const params: unknown[] = [accountId];
  const anyOf = (column: string, values: readonly string[] | undefined): void => {
    if (values === undefined) return;
    if (values.length === 0) {
      clauses.push('1 = 0');
      return;
    }
    clauses.push(`${column} IN (${values.map(() => '?').join(', ')})`);
    params.push(...values);
  };
  anyOf('idp_id', filter.idpIds);
  anyOf('status', filter.statuses);
  anyOf('resource_type', filter.resourceTypes);
  anyOf('request_method', filter.requestMethods);
  anyOf('cf_resource_id', filter.cfResourceIds);
  anyOf('idp_resource_id', filter.idpResourceIds);
  anyOf(lower('resource_user_email'), filter.userEmails?.map((e) => e.toLowerCase()));
  anyOf('resource_group_name', filter.groupNames);
  if (filter.since !== undefined) {
    clauses.push('logged_at >= ?');
    params.push(auditTime(filter.since));
  }
  if (filter.until !== undefined) {
    clauses.push('logged_at < ?');
    params.push(auditTime(filter.until));
  }
  const direction = filter.direction === 'asc' ? 'ASC' : 'DESC';
  return { where: clauses.join(' AND '), params, order: `logged_at ${direction}, id ${direction}` };
}

export function scimUpdateRepository({ ex, scan, sql }: SqlContext): ScimUpdateRepository {
  return {
    async pageScimUpdates(accountId, page, filter) {
      const { where, params, order } = whereOf(accountId, filter, sql.lower);
      const [rows, count] = await Promise.all([
        scan.all<ScimUpdateRow>(`SELECT * FROM scim_updates WHERE ${where} ORDER BY ${order} LIMIT ? OFFSET ?`, [...params, page.limit, page.offset]),
        scan.get<{ n: number }>(`SELECT COUNT(*) AS n FROM scim_updates WHERE ${where}`, params),
      ]);
      return { items: rows.map(toRecord), total: Number(count?.n ?? 0) };
    },

    async insertScimUpdate(e, forgetBefore) {
      await ex.run('DELETE FROM scim_updates WHERE account_id = ? AND logged_at < ?', [e.accountId, forgetBefore]);
      await ex.run(
        `INSERT INTO scim_updates (id, account_id, idp_id, logged_at, status, resource_type, request_method, cf_resource_id, idp_resource_id, resource_user_email, resource_group_name, request_body, error_description)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [e.id, e.accountId, e.idpId, e.loggedAt, e.status, e.resourceType, e.requestMethod, e.cfResourceId, e.idpResourceId, e.resourceUserEmail, e.resourceGroupName, e.requestBody, e.errorDescription],
      );
    },
  };
}
