// Cloudflare's SCIM update logs: GET /accounts/{account_id}/access/logs/scim/updates, every SCIM
// write (create, replace, patch, delete of a user or group) the account's identity providers
// pushed, succeeded or refused (docs/identity-providers.md "The SCIM update log").

import type { ScimUpdateRecord } from '../../store/store.js';
import { queryValidationError } from '../errors.js';
import { instantQuery } from '../instant.js';
import { MAX_PAGE, paging, resultInfo, type PageLimits } from '../pagination.js';
import { defineRoute, type RouteDef } from '../route.js';
import { arr, enumOf, int, obj, str } from '../../schema/json-schema.js';
import { compact } from './common.js';

const LIMITS: PageLimits = { defaultPerPage: 25, maxPerPage: 1000 };

const ENTRY = obj(
  {
    cf_resource_id: str({ description: 'The id of the SCIM resource here (absent for a create refused before it had one).' }),
    error_description: str({ description: 'Why the request was refused, when status is FAILURE.' }),
    idp_id: str({ description: 'The identity provider that pushed it.' }),
    idp_resource_id: str({ description: "The provider's id of the resource (its externalId)." }),
    logged_at: str({ format: 'date-time' }),
    request_body: str({ description: 'The request body as JSON text, with any password or other credential replaced by "[redacted]".' }),
    request_method: str({ description: 'POST, PUT, PATCH or DELETE.' }),
    resource_group_name: str({ description: "The group's display name, for a group." }),
    resource_type: str({ description: 'USER or GROUP.' }),
    resource_user_email: str({ description: "The user's email, for a user." }),
    status: str({ description: 'SUCCESS or FAILURE.' }),
  },
  { required: ['idp_id', 'logged_at', 'request_method', 'resource_type', 'status'], description: 'One SCIM write.' },
);

function entryResult(e: ScimUpdateRecord): Record<string, unknown> {
  return compact({
    cf_resource_id: e.cfResourceId ?? undefined,
    error_description: e.errorDescription ?? undefined,
    idp_id: e.idpId,
    idp_resource_id: e.idpResourceId ?? undefined,
    logged_at: e.loggedAt,
    request_body: e.requestBody ?? undefined,
    request_method: e.requestMethod,
    resource_group_name: e.resourceGroupName ?? undefined,
    resource_type: e.resourceType,
    resource_user_email: e.resourceUserEmail ?? undefined,
    status: e.status,
  });
}

const several = (description: string) => arr(str({ minLength: 1 }), { description: `${description} Repeat the parameter for several; any of them matches.` });

export const scimUpdateLogRoutes: RouteDef[] = [
  defineRoute({
    method: 'GET',
    path: '/accounts/{account_id}/access/logs/scim/updates',
    operationId: 'access-scim-update-logs-list-access-scim-update-logs',
    summary: 'List the SCIM update logs',
    description:
      "The SCIM writes of the identity providers named by idp_id (required), newest first, paged. Each filter given must match; a repeated one matches any of its values. Entries are kept 30 days (docs/identity-providers.md).",
    tag: 'Access SCIM update logs',
    permissions: ['Access: Audit Logs Read'],
    query: {
      idp_id: several('The identity providers whose SCIM writes to list (required).'),
      status: arr(enumOf(['SUCCESS', 'FAILURE']), { description: 'Only writes with this outcome.' }),
      resource_type: arr(enumOf(['USER', 'GROUP']), { description: 'Only writes of users or of groups.' }),
      request_method: arr(enumOf(['POST', 'PUT', 'PATCH', 'DELETE']), { description: 'Only writes with this method.' }),
      cf_resource_id: several('Only writes of this SCIM resource (its id here).'),
      idp_resource_id: several("Only writes of this SCIM resource (the provider's id, externalId)."),
      resource_user_email: several("Only writes of the user with this email (any case)."),
      resource_group_name: several('Only writes of the group with this display name.'),
      since: str({ format: 'date-time', description: 'Entries at or after this time.' }),
      until: str({ format: 'date-time', description: 'Entries before this time.' }),
      direction: enumOf(['desc', 'asc'], 'Newest first (desc, the default) or oldest first.'),
      limit: int({ minimum: 1, maximum: LIMITS.maxPerPage, description: `At most this many entries (${LIMITS.defaultPerPage} by default): the page size, as per_page.` }),
      page: int({ minimum: 1, maximum: MAX_PAGE, default: 1, description: 'Page number, from 1.' }),
      per_page: int({ minimum: 1, maximum: LIMITS.maxPerPage, description: 'Entries per page (the same as limit; per_page wins when both are sent).' }),
    },
    status: 200,
    paged: true,
    result: arr(ENTRY),
    handler: async ({ accountId, query, ctx }) => {
      if (query.idp_id === undefined || query.idp_id.length === 0) {
        throw queryValidationError([{ code: 'required', pointer: '/idp_id', message: 'Name the identity providers whose SCIM writes to list: idp_id, repeated for several.' }]);
      }
      const p = paging({ page: query.page, per_page: query.per_page ?? query.limit }, LIMITS);
      const page = await ctx.store.read.pageScimUpdates(
        accountId,
        p,
        compact({
          idpIds: query.idp_id,
          statuses: query.status,
          resourceTypes: query.resource_type,
          requestMethods: query.request_method,
          cfResourceIds: query.cf_resource_id,
          idpResourceIds: query.idp_resource_id,
          userEmails: query.resource_user_email,
          groupNames: query.resource_group_name,
          since: instantQuery(query.since, 'since'),
          until: instantQuery(query.until, 'until'),
          direction: query.direction,
        }),
      );
      return { result: page.items.map(entryResult), resultInfo: resultInfo(p, page.items.length, page.total) };
    },
  }),
];
