// Cloudflare's Access authentication logs: GET /accounts/{account_id}/access/logs/access_requests,
// the enforcement point's sign-ins and refused requests (docs/enforcement.md "Access log"), and
// SCIM pushes refused for their credentials (docs/identity-providers.md "SCIM provisioning").

import type { AccessRequestRecord } from '../../store/store.js';
import { instantQuery } from '../instant.js';
import { MAX_PAGE, paging, resultInfo, type PageLimits } from '../pagination.js';
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
    purpose_justification_prompt: str({ description: "Extension (as Cloudflare's Logpush field PurposeJustificationPrompt): for a sign-in whose Allow policy asked for a purpose justification, the prompt the user was shown." }),
    purpose_justification_response: str({ description: 'Extension (as PurposeJustificationResponse): the justification the user wrote.' }),
    temporary_access_approvers: arr(str(), { description: 'Extension (as TemporaryAccessApprovers): for a sign-in an approver granted (temporary authentication), who approved.' }),
    temporary_access_duration: int({ description: 'Extension (as TemporaryAccessDuration): how long the approvers granted, in seconds.' }),
    reason: str({ description: 'Extension: for a refusal, why beyond the policies\' verdict: an external evaluation endpoint that gave no answer at the sign-in, by its origin and the evaluator\'s code (e.g. "external evaluation at https://eval.example.com: timeout"; docs/enforcement.md "External evaluation").' }),
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
    purpose_justification_prompt: e.justificationPrompt ?? undefined,
    purpose_justification_response: e.justificationResponse ?? undefined,
    temporary_access_approvers: e.approvers ?? undefined,
    temporary_access_duration: e.approvedSeconds ?? undefined,
    reason: e.reason ?? undefined,
  });
}

const LIMITS: PageLimits = { defaultPerPage: 25, maxPerPage: 1000 };

export const accessLogRoutes: RouteDef[] = [
  defineRoute({
    method: 'GET',
    path: '/accounts/{account_id}/access/logs/access_requests',
    operationId: 'access-authentication-logs-get-access-authentication-logs',
    summary: 'Get the access-request log',
    description:
      'Sign-ins through the enforcement point, failed sign-ins, the requests its policies refused (refusals at most once a minute per user and application) and SCIM pushes refused for their credentials (at most once a minute per address and identity provider), newest first, paged. ' +
      'Filters: time (since, until), email (a part, or exact with email_exact), and, as extensions, allowed and app_uid.',
    tag: 'Access authentication logs',
    permissions: ['Access: Audit Logs Read'],
    query: {
      since: str({ format: 'date-time', description: 'Entries at or after this time.' }),
      until: str({ format: 'date-time', description: 'Entries before this time.' }),
      limit: int({ minimum: 1, maximum: LIMITS.maxPerPage, description: `At most this many entries (${LIMITS.defaultPerPage} by default): the page size, as per_page.` }),
      direction: enumOf(['desc', 'asc'], 'Newest first (desc, the default) or oldest first.'),
      page: int({ minimum: 1, maximum: MAX_PAGE, default: 1, description: 'Page number, from 1.' }),
      per_page: int({ minimum: 1, maximum: LIMITS.maxPerPage, description: 'Entries per page (the same as limit; per_page wins when both are sent).' }),
      email: str({ minLength: 1, description: "Only entries whose user's email contains this text (any case); with email_exact=true, only that email." }),
      email_exact: bool('Match email exactly instead of as a part.'),
      allowed: bool('Extension: only entries that were let in (true) or refused (false).'),
      app_uid: str({ minLength: 1, description: 'Extension: only entries of this application (its id).' }),
    },
    status: 200,
    paged: true,
    result: arr(ENTRY),
    handler: async ({ accountId, query, ctx }) => {
      const p = paging({ page: query.page, per_page: query.per_page ?? query.limit }, LIMITS);
      const page = await ctx.store.read.pageAccessRequests(
        accountId,
        p,
        compact({
          since: instantQuery(query.since, 'since'),
          until: instantQuery(query.until, 'until'),
          direction: query.direction,
          email: query.email,
          emailContains: query.email === undefined ? undefined : query.email_exact !== true,
          allowed: query.allowed,
          appUid: query.app_uid,
        }),
      );
      return { result: page.items.map(accessRequestResult), resultInfo: resultInfo(p, page.items.length, page.total) };
    },
  }),
];
