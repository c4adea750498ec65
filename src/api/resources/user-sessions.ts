// A Zero Trust user's active sessions and failed logins, at Cloudflare's paths, read from the
// access-request log of the enforcement point: a session is a sign-in that has not expired, was
// not revoked since (organizations/revoke_user) and was not signed out of (a logout); a failed
// login is a refused request.

import { sessionsRevokedAt } from '../../account/organization.js';
import type { AccessRequestRecord } from '../../store/store.js';
import { apiError } from '../errors.js';
import { singlePageInfo } from '../pagination.js';
import { defineRoute, type ApiContext, type RouteDef } from '../route.js';
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

/** How many log entries a list reads at most. */
const LIST_LIMIT = 1000;

/** The user's sign-ins that still hold a session now. */
async function activeSessions(ctx: ApiContext, accountId: string, userId: string, now = Date.now()): Promise<AccessRequestRecord[]> {
  const [revokedAt, signIns, signedOut] = await Promise.all([
    sessionsRevokedAt(ctx.store.read, accountId, userId),
    ctx.store.read.listAccessRequests(accountId, LIST_LIMIT, { userId, allowed: true }),
    ctx.store.read.endedSignIns(accountId, now, userId),
  ]);
  const ended = new Set(signedOut.map((e) => e.nonce));
  // An application's tokens revoked since a sign-in (apps/{id}/revoke_tokens) end it too.
  const apps = [...new Set(signIns.flatMap((e) => (e.appUid === null ? [] : [e.appUid])))];
  const appRevokedAt = new Map(await Promise.all(apps.map(async (id) => [id, await sessionsRevokedAt(ctx.store.read, accountId, id)] as const)));
  const after = (at: number | undefined, createdAt: string): boolean => at === undefined || Date.parse(createdAt) > at;
  return signIns.filter((e) => e.nonce !== null && !ended.has(e.nonce) && e.expiresAt !== null && Date.parse(e.expiresAt) > now && after(revokedAt, e.createdAt) && (e.appUid === null || after(appRevokedAt.get(e.appUid), e.createdAt)));
}

const seconds = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

/**
 * One session: the sign-ins that share a nonce (the sign-in itself, then each application the
 * global session entered: docs/enforcement.md "Global session"), newest first.
 */
type Session = readonly AccessRequestRecord[];

/** Sign-ins (newest first) grouped into sessions by nonce, the most recently used session first. */
function sessionsOf(signIns: readonly AccessRequestRecord[]): Session[] {
  const byNonce = new Map<string, AccessRequestRecord[]>();
  for (const e of signIns) {
    const group = byNonce.get(e.nonce!);
    if (group === undefined) byNonce.set(e.nonce!, [e]);
    else group.push(e);
  }
  return [...byNonce.values()];
}

/** When a session began: its first sign-in. */
const startOf = (session: Session): AccessRequestRecord => session[session.length - 1]!;

function sessionResult(session: Session): Record<string, unknown> {
  const first = startOf(session);
  const iat = seconds(first.createdAt);
  const expires = Math.max(...session.map((e) => seconds(e.expiresAt!)));
  const apps = Object.fromEntries(session.filter((e) => e.appUid !== null).map((e) => [e.appUid, { hostname: e.appDomain, name: e.appName, type: 'self_hosted', uid: e.appUid }]));
  return {
    name: first.appName ?? first.appDomain ?? '',
    expiration: expires,
    metadata: { apps, expires, iat, nonce: first.nonce, ttl: expires - iat },
  };
}

function failedLoginResult(e: AccessRequestRecord): Record<string, unknown> {
  return {
    expiration: seconds(e.createdAt) + 30 * 24 * 3600,
    metadata: { app_name: e.appName, aud: e.appUid, datetime: e.createdAt, ray_id: e.rayId, user_email: e.userEmail, user_uuid: e.userId },
  };
}

/** A list about one user, read from the access-request log. */
function userListRoute(o: {
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description: string;
  readonly item: typeof SESSION | typeof FAILED_LOGIN;
  readonly read: (ctx: ApiContext, accountId: string, userId: string) => Promise<Record<string, unknown>[]>;
}): RouteDef {
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
      const items = await o.read(ctx, accountId, params.user_id);
      return { result: items, resultInfo: singlePageInfo(items.length) };
    },
  });
}

export const userSessionRoutes: RouteDef[] = [
  userListRoute({
    path: 'active_sessions',
    operationId: 'zero-trust-users-get-active-sessions',
    summary: "Get a user's active sessions",
    description: 'The sessions this user holds through the enforcement point (sign-ins not expired, not revoked and not signed out of), newest first.',
    item: SESSION,
    read: async (ctx, accountId, userId) => sessionsOf(await activeSessions(ctx, accountId, userId)).map(sessionResult),
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
      const user = await getUserOr404(ctx.store.read, accountId, params.user_id);
      const found = sessionsOf(await activeSessions(ctx, accountId, user.id)).find((group) => group[0]!.nonce === params.nonce);
      if (found === undefined) throw apiError('not_found', { what: 'Active session', id: JSON.stringify(params.nonce) });
      const session = startOf(found);
      const identity = (user.identity ?? {}) as Record<string, unknown>;
      return {
        result: {
          ...identity,
          account_id: accountId,
          email: user.email,
          user_uuid: user.id,
          iat: seconds(session.createdAt),
          ip: session.ipAddress ?? identity.ip,
          is_gateway: false,
          is_warp: false,
          isActive: true,
          version: 2,
        },
      };
    },
  }),
  userListRoute({
    path: 'failed_logins',
    operationId: 'zero-trust-users-get-failed-logins',
    summary: "Get a user's failed logins",
    description: 'Requests of this user the enforcement point refused (at most one a minute per application), newest first.',
    item: FAILED_LOGIN,
    read: async (ctx, accountId, userId) => (await ctx.store.read.listAccessRequests(accountId, LIST_LIMIT, { userId, allowed: false })).map(failedLoginResult),
  }),
];
