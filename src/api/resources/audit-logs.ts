// The audit log, read like Cloudflare's: GET /accounts/{account_id}/audit_logs (an account's
// writes) and GET /user/audit_logs (API token changes), newest first, paged. Each entry says
// who (token id, IP), what (action, resource type and id), when, and the value before and
// after (secrets redacted), as JSON strings like Cloudflare's oldValue/newValue.

import type { AuditRecord } from '../../store/audit.js';
import type { AuditFilter } from '../../store/store.js';
import { instantQuery } from '../instant.js';
import { paging, pageQueryProperties, resultInfo, type PageLimits } from '../pagination.js';
import { defineRoute, type HandlerInput, type HandlerOutput, type RouteDef } from '../route.js';
import { anyObject, arr, bool, enumOf, obj, str } from '../../schema/json-schema.js';
import { compact } from './common.js';

const LIMITS: PageLimits = { defaultPerPage: 100, maxPerPage: 1000 };

const ENTRY = obj({
  id: str(),
  when: str({ format: 'date-time' }),
  action: obj({ type: str({ description: 'create, update, delete, import, add_items, remove_items, start, roll.' }), result: bool() }),
  actor: obj({ id: str({ description: 'The API token id ("root" for the root credentials; the identity provider id for a SCIM push).' }), type: enumOf(['user', 'admin']), ip: str() }),
  interface: str({ description: '"API", or "SCIM" for a change an identity provider pushed (docs/identity-providers.md).' }),
  resource: obj({ id: str(), type: str({ description: 'policy, group, app, app_policy, user, users, list, api_token, policy_test, ...' }) }),
  oldValue: str({ description: 'The value before, as JSON (absent on create).' }),
  newValue: str({ description: 'The value after, as JSON (absent on delete).' }),
  owner: obj({ id: str() }),
  metadata: anyObject('The request: request_id, method, path.'),
});

/** Cloudflare's SDK sends nested filters as `action[type]=...`; `action.type` is accepted too. */
const nested = (query: Readonly<Record<string, unknown>>, outer: string, inner: string): string | undefined => {
  const value = query[`${outer}[${inner}]`] ?? query[`${outer}.${inner}`];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

const QUERY = {
  ...pageQueryProperties(LIMITS),
  since: str({ format: 'date-time', description: 'Entries at or after this time.' }),
  before: str({ format: 'date-time', description: 'Entries before this time.' }),
  direction: enumOf(['desc', 'asc'], 'Newest first (default) or oldest first.'),
  'action.type': str({ description: 'Only this action (also as action[type]).' }),
  'actor.ip': str({ description: 'Only writes from this IP (also as actor[ip]).' }),
  'resource.type': str({ description: 'Extension: only this kind of resource (also as resource[type]).' }),
  'resource.id': str({ description: 'Extension: only this resource (also as resource[id]).' }),
};

function entry(record: AuditRecord): Record<string, unknown> {
  return compact({
    id: record.id,
    when: record.at,
    action: { type: record.action, result: true },
    actor: { id: record.actor.tokenId, type: record.actor.kind === 'root' ? 'admin' : 'user', ip: record.actor.ip },
    interface: record.actor.kind === 'scim' ? 'SCIM' : 'API',
    resource: { id: record.resourceId, type: record.resourceKind },
    oldValue: record.before === null ? undefined : JSON.stringify(record.before),
    newValue: record.after === null ? undefined : JSON.stringify(record.after),
    owner: { id: record.accountId ?? 'user' },
    metadata: { request_id: record.actor.requestId, method: record.actor.method, path: record.actor.path },
  });
}

async function listAudit(accountId: string | null, { query, ctx }: HandlerInput<{}, typeof QUERY>): Promise<HandlerOutput> {
  const p = paging(query, LIMITS);
  const filter: AuditFilter = compact({
    since: instantQuery(query.since, 'since'),
    before: instantQuery(query.before, 'before'),
    direction: query.direction,
    action: nested(query, 'action', 'type'),
    actorIp: nested(query, 'actor', 'ip'),
    resourceKind: nested(query, 'resource', 'type'),
    resourceId: nested(query, 'resource', 'id'),
  });
  const page = await ctx.store.read.listAudit(accountId, p, filter);
  return { result: page.items.map(entry), resultInfo: resultInfo(p, page.items.length, page.total) };
}

export const auditLogRoutes: RouteDef[] = [
  defineRoute({
    method: 'GET',
    path: '/accounts/{account_id}/audit_logs',
    operationId: 'audit-logs-list',
    summary: "List an account's audit log",
    description: 'Every write made through the API to this account, and every change its identity providers pushed over SCIM: who, from where, what, before and after (secrets redacted).',
    tag: 'Audit logs',
    permissions: ['Access: Audit Logs Read'],
    query: QUERY,
    status: 200,
    paged: true,
    result: arr(ENTRY),
    handler: (input) => listAudit(input.accountId, input),
  }),
  defineRoute({
    method: 'GET',
    path: '/user/audit_logs',
    operationId: 'user-audit-logs-list',
    summary: 'List the audit log of API token changes',
    tag: 'Audit logs',
    permissions: ['API Tokens Read', 'API Tokens Write'],
    query: QUERY,
    status: 200,
    paged: true,
    result: arr(ENTRY),
    handler: (input) => listAudit(null, input),
  }),
];
