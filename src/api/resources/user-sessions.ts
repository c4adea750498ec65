// A Zero Trust user's active sessions and failed logins, at Cloudflare's paths. Sessions and
// login attempts come from logins through the enforcement point; a server that has seen none
// answers empty lists (and 404 for a session nonce), which is what Cloudflare answers for a
// user who never logged in.

import { apiError } from '../errors.js';
import { singlePageInfo } from '../pagination.js';
import { defineRoute, type RouteDef } from '../route.js';
import { anyObject, arr, num, obj, str } from '../../schema/json-schema.js';
import { getUserOr404 } from './users.js';

const USER = '/accounts/{account_id}/access/users/{user_id}';
const TAG = 'Zero Trust users';
const READ = ['Access: Audit Logs Read', 'Zero Trust: Seats Write'] as const;
const USER_PARAM = { user_id: str({ description: 'The user id.' }) };

const SESSION = obj(
  {
    name: str({ description: 'The name of the session.' }),
    expiration: num({ description: 'When the session expires, in seconds since the epoch.' }),
    metadata: obj(
      {
        apps: anyObject('The applications the session reached, by application uid: hostname, name, type, uid.'),
        expires: num({ description: 'When the session expires, in seconds since the epoch.' }),
        iat: num({ description: 'When the session was issued, in seconds since the epoch.' }),
        nonce: str({ description: 'The session nonce.' }),
        ttl: num({ description: 'The session lifetime in seconds.' }),
      },
      { additional: true },
    ),
  },
  { additional: true, description: 'An active session of the user.' },
);

const FAILED_LOGIN = obj(
  {
    expiration: num({ description: 'When the record expires, in seconds since the epoch.' }),
    metadata: anyObject('What is known of the attempt: app_name, aud, datetime, ray_id, user_email, user_uuid.'),
  },
  { additional: true, description: 'A failed login of the user.' },
);

/** A list about one user that logins through the enforcement point fill (empty until then). */
function userListRoute(o: { readonly path: string; readonly operationId: string; readonly summary: string; readonly description: string; readonly item: typeof SESSION | typeof FAILED_LOGIN }): RouteDef {
  return defineRoute({
    method: 'GET',
    path: `${USER}/${o.path}`,
    operationId: o.operationId,
    summary: o.summary,
    description: o.description,
    tag: TAG,
    permissions: [...READ],
    params: USER_PARAM,
    status: 200,
    result: arr(o.item),
    paged: true,
    handler: async ({ accountId, params, ctx }) => {
      await getUserOr404(ctx.store.read, accountId, params.user_id);
      return { result: [], resultInfo: singlePageInfo(0) };
    },
  });
}

export const userSessionRoutes: RouteDef[] = [
  userListRoute({
    path: 'active_sessions',
    operationId: 'zero-trust-users-get-active-sessions',
    summary: "Get a user's active sessions",
    description: 'The sessions this user holds through the enforcement point; empty for a user who has not logged in.',
    item: SESSION,
  }),
  defineRoute({
    method: 'GET',
    path: `${USER}/active_sessions/{nonce}`,
    operationId: 'zero-trust-users-get-active-session',
    summary: "Get a user's active session",
    description: 'One session of the user by its nonce, with the identity it carries.',
    tag: TAG,
    permissions: [...READ],
    params: { ...USER_PARAM, nonce: str({ description: 'The session nonce.' }) },
    status: 200,
    result: anyObject('The identity of the session, and isActive.'),
    handler: async ({ accountId, params, ctx }) => {
      await getUserOr404(ctx.store.read, accountId, params.user_id);
      throw apiError('not_found', { what: 'Active session', id: JSON.stringify(params.nonce) });
    },
  }),
  userListRoute({
    path: 'failed_logins',
    operationId: 'zero-trust-users-get-failed-logins',
    summary: "Get a user's failed logins",
    description: 'Failed login attempts of this user through the enforcement point; empty for a user who has not tried.',
    item: FAILED_LOGIN,
  }),
];
