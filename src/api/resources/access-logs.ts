// Cloudflare's Access authentication logs: GET /accounts/{account_id}/access/logs/access_requests,
// the enforcement point's sign-ins and refused requests (docs/enforcement.md "Access log"), and
// SCIM pushes refused for their credentials (docs/identity-providers.md "SCIM provisioning").

import type { AccessRequestRecord } from '../../store/store.js';
import { instantQuery } from '../instant.js';
import { defineRoute, type RouteDef } from '../route.js';
import { arr, bool, enumOf, int, obj, str } from '../../schema/json-schema.js';
import { compact } from './common.js';

const ENTRY = obj(
  {
    action: str({ description: 'What happened: "login" (a sign-in, or a request decided for a signed-in user or a service token), or "scim" (an identity provider\'s SCIM push refused for its credentials; docs/identity-providers.md).' }),
    allowed: bool('Whether access was granted.'),
    app_domain: str({ description: 'The host the request was for.' }),
    app_uid: str({ description: 'The application id.' }),
    connection: str({ description: 'The identity provider type used to sign in ("development" for the development login).' }),
    country: str({ description: 'The client country, when known.' }),
    created_at: str({ format: 'date-time' }),
    ip_address: str({ description: 'The client address.' }),
    ray_id: str({ description: 'An id of the request.' }),
    user_email: str({ description: 'The user (or the service token client id).' }),
  },
  { required: ['action', 'allowed', 'created_at', 'ray_id'], description: 'One entry of the access-request log.' },
);

export function accessRequestResult(e: AccessRequestRecord): Record<string, unknown> {
  return compact({
    action: e.action,
    allowed: e.allowed,
    app_domain: e.appDomain ?? undefined,
    app_uid: e.appUid ?? undefined,
    connection: e.connection ?? undefined,
    country: e.country ?? undefined,
    created_at: e.createdAt,
    ip_address: e.ipAddress ?? undefined,
    ray_id: e.rayId,
    user_email: e.userEmail ?? undefined,
  });
}

export const accessLogRoutes: RouteDef[] = [
  defineRoute({
    method: 'GET',
    path: '/accounts/{account_id}/access/logs/access_requests',
    operationId: 'access-authentication-logs-get-access-authentication-logs',
    summary: 'Get the access-request log',
    description: 'Sign-ins through the enforcement point and the requests its policies refused (refusals at most once a minute per user and application), and SCIM pushes refused for their credentials (at most once a minute per address and identity provider), newest first.',
    tag: 'Access authentication logs',
    permissions: ['Access: Audit Logs Read'],
    query: {
      since: str({ format: 'date-time', description: 'Entries at or after this time.' }),
      until: str({ format: 'date-time', description: 'Entries before this time.' }),
      limit: int({ minimum: 1, maximum: 1000, default: 25, description: 'At most this many entries.' }),
      direction: enumOf(['desc', 'asc'], 'Newest first (desc, the default) or oldest first.'),
    },
    status: 200,
    result: arr(ENTRY),
    handler: async ({ accountId, query, ctx }) => {
      const entries = await ctx.store.read.listAccessRequests(
        accountId,
        query.limit ?? 25,
        compact({ since: instantQuery(query.since, 'since'), until: instantQuery(query.until, 'until'), direction: query.direction }),
      );
      return { result: entries.map(accessRequestResult) };
    },
  }),
];
