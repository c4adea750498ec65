// GET /accounts/{account_id}/access/apps/{app_id}/user_policy_checks: Cloudflare's legacy
// per-application check of one user. Cloudflare checks the logged-in caller; an API token has
// no identity, so portcullis takes the user from `email` or `user_id` and also returns the
// full explanation (which policy decided, every rule's outcome and reason).

import { explain, prepareIdentity, type Identity, type Policy } from '../../engine/index.js';
import type { UserRecord } from '../../store/store.js';
import { loadAccountEnv } from '../../account/account-env.js';
import { apiError } from '../errors.js';
import { defineRoute, type RouteDef } from '../route.js';
import { anyObject, obj, str } from '../../schema/json-schema.js';
import { attachedPolicies, attachedPolicy } from './app-attachments.js';
import { APP_ID_PARAM, APPS_READ } from './apps.js';
import { getOr404 } from './common.js';
import { mayReadUsers, redactedNote } from './identity-access.js';

/** The identity a user is evaluated on: the last seen identity, or just the email and name. */
export function evaluatedIdentity(user: UserRecord): Identity {
  return (user.identity as Identity | null) ?? { email: user.email, name: user.name };
}

const STATUS: Record<string, string> = { granted: 'Approved', blocked: 'Blocked', unknown: 'Error' };

export const userPolicyCheckRoutes: RouteDef[] = [
  defineRoute({
    method: 'GET',
    path: '/accounts/{account_id}/access/apps/{app_id}/user_policy_checks',
    operationId: 'access-apps-user-policy-checks',
    summary: "Check one user against an application's policies",
    description:
      'Pass `email` or `user_id` to check a user (Cloudflare checks the logged-in caller, which an API token is not). Without them, as the SDK calls it, the answer is the application\'s state for an empty identity (no user), with an empty `user_identity`. The answer adds `explanation`.',
    tag: 'Access applications',
    permissions: [...APPS_READ],
    params: APP_ID_PARAM,
    query: { email: str({ description: 'The user to check, by email.' }), user_id: str({ description: 'The user to check, by id.' }) },
    status: 200,
    result: obj({ app_state: anyObject(), user_identity: anyObject(), explanation: anyObject('Extension: the decision explained.') }),
    handler: async ({ accountId, params, query, ctx, principal }) => {
      const store = ctx.store.read;
      const app = await getOr404(store, accountId, 'app', params.app_id);
      const { email, user_id: userId } = query;
      // No user named: the caller's own check, and an API token has no identity: an empty one.
      const named = email !== undefined || userId !== undefined;
      const user = !named ? undefined : userId !== undefined ? await store.getUser(accountId, userId) : await store.getUserByEmail(accountId, email!);
      // Without the permission that reads users, an unknown user is not told apart from a known one.
      const revealed = mayReadUsers(principal, accountId);
      if (named && user === undefined && revealed) throw apiError('not_found', { what: 'User', id: JSON.stringify(userId ?? email) });
      const attached = await attachedPolicies(store, accountId, app);
      const policies = attached.map(attachedPolicy).filter((p): p is Policy => p !== undefined);
      const { env } = await loadAccountEnv(store, accountId, policies);
      const identity = user === undefined ? {} : evaluatedIdentity(user);
      const explanation = explain(policies, prepareIdentity(identity), env);
      return {
        result: {
          app_state: {
            app_uid: app.id,
            aud: app.body.aud,
            hostname: app.body.domain,
            name: app.name,
            policies: explanation.policies.map((p, i) => ({ id: p.id, name: p.name, decision: p.decision, precedence: attached[i]?.precedence, outcome: p.outcome })),
            status: STATUS[explanation.access],
          },
          user_identity: user === undefined || !revealed ? {} : {
            id: user.id,
            user_uuid: user.id,
            email: user.email,
            name: user.name,
            account_id: accountId,
            geo: identity.geo ?? {},
            is_gateway: false,
            is_warp: false,
            version: 1,
          },
          ...(revealed || !named ? { explanation } : {}),
        },
        ...(revealed || !named ? {} : { messages: [redactedNote(['user_identity', 'explanation'])] }),
      };
    },
  }),
];
