// What a what-if evaluation may make the server send out. An external_evaluation rule sends
// the identity being decided to its evaluate_url, so one evaluation may reach only a few
// distinct endpoints, and a caller who could not save a policy may send identities only to
// endpoints that a saved policy or group of the account already names (docs/operations.md,
// "External evaluation").

import type { ExternalEvaluationRule } from '../../engine/index.js';
import type { StoreReader } from '../../store/store.js';
import type { Principal } from '../auth/principal.js';
import { accountResource, type PermissionName } from '../auth/permissions.js';
import { apiError, validationError, type RequestIssue } from '../errors.js';

/** Distinct evaluate_url endpoints one evaluation may call. */
export const MAX_EXTERNAL_ENDPOINTS = 8;

/** Who may send identities to an endpoint no saved policy names: those who could save one. */
const NEW_ENDPOINT_PERMISSIONS: readonly PermissionName[] = ['Access: Apps and Policies Write'];

/** Every evaluate_url anywhere in a stored body. */
function collectUrls(value: unknown, into: Set<string>): void {
  const stack = [value];
  while (stack.length > 0) {
    const next = stack.pop();
    if (Array.isArray(next)) stack.push(...next);
    else if (next !== null && typeof next === 'object') {
      for (const [key, field] of Object.entries(next)) {
        if (key === 'evaluate_url' && typeof field === 'string') into.add(field);
        else stack.push(field);
      }
    }
  }
}

/** A stored policy or group may name at most MAX_EXTERNAL_ENDPOINTS distinct endpoints either. */
export function endpointCountIssue(body: Record<string, unknown>, pointer: string): RequestIssue | undefined {
  const urls = new Set<string>();
  collectUrls(body, urls);
  if (urls.size <= MAX_EXTERNAL_ENDPOINTS) return undefined;
  return { code: 'too_many_external_endpoints', pointer, message: `This names ${urls.size} distinct external evaluation endpoints; a policy or group may name at most ${MAX_EXTERNAL_ENDPOINTS}.` };
}

/** How many distinct endpoints the rules ask. */
export const distinctEndpoints = (rules: readonly ExternalEvaluationRule[]): number => new Set(rules.map((rule) => rule.evaluateUrl)).size;

/** Refuse an evaluation that would reach too many endpoints, or new ones its caller may not reach. */
export async function checkExternalEndpoints(store: StoreReader, accountId: string, principal: Principal, rules: readonly ExternalEvaluationRule[]): Promise<void> {
  const endpoints = new Set(rules.map((rule) => rule.evaluateUrl));
  if (endpoints.size === 0) return;
  if (endpoints.size > MAX_EXTERNAL_ENDPOINTS) {
    throw validationError([
      {
        code: 'too_many_external_endpoints',
        pointer: '/policies',
        message: `These policies reach ${endpoints.size} distinct external evaluation endpoints; one evaluation may call at most ${MAX_EXTERNAL_ENDPOINTS}.`,
      },
    ]);
  }
  if (principal.can(NEW_ENDPOINT_PERMISSIONS, accountResource(accountId))) return;
  const saved = new Set<string>();
  for (const kind of ['policy', 'app_policy', 'group'] as const) {
    for (const record of await store.allResources(accountId, kind)) collectUrls(record.body, saved);
  }
  const fresh = [...endpoints].filter((url) => !saved.has(url));
  if (fresh.length > 0) {
    throw apiError('forbidden', {
      reason: `sending identities to ${fresh.map((u) => JSON.stringify(u)).join(', ')}, which no saved policy or group of this account names, needs the "${NEW_ENDPOINT_PERMISSIONS.join('" or "')}" permission`,
    });
  }
}
