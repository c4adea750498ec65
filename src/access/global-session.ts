// The global session (docs/enforcement.md "Global session"): as at Cloudflare, a sign-in also
// leaves a session on the auth domain, so that the user's next application (or the App Launcher)
// is entered without signing in again until that session ends. It is a JWT of the account's keys
// like an application token, but of type "org" and for the auth domain as audience, so it opens
// no application by itself: an application still gets a token of its own, made from it at its
// login page. Its cookie is scoped to /cdn-cgi/access on the auth domain, where those pages are.

import { createLocalJWKSet, jwtVerify, SignJWT } from 'jose';
import { parseGoDuration } from '../engine/index.js';
import type { SigningKey } from '../account/signing-keys.js';
import { TOKEN_COOKIE } from './app-token.js';
import type { ResourceRecord, StoreReader, UserRecord } from '../store/store.js';
import { issuedBefore, sessionsRevokedAt } from '../account/organization.js';
import { cookieValue, cookieValues, servedOverHttps } from './forwarded.js';

/** The same name as an application's session cookie, as at Cloudflare; the auth domain's path tells them apart. */
export const GLOBAL_COOKIE = TOKEN_COOKIE;
export const GLOBAL_COOKIE_PATH = '/cdn-cgi/access';
/**
 * Under https the global session is kept as a `__Host-` cookie (Path=/, Secure, no Domain), which a
 * browser takes only from the auth domain itself: a page on a sibling subdomain cannot plant a
 * session of its own choosing in someone's browser there (login CSRF), as it could a plain cookie
 * with `Domain=` the parent domain. Over plain http (development) the plain cookie stays.
 */
const HOST_ONLY_GLOBAL_COOKIE = `__Host-${GLOBAL_COOKIE}`;


/** The name the global session's cookie has on this auth domain. */
export const globalCookieName = (issuer: string): string => (servedOverHttps(issuer) ? HOST_ONLY_GLOBAL_COOKIE : GLOBAL_COOKIE);

export interface GlobalSession {
  readonly userId: string;
  readonly email: string;
  /** The identity provider the user signed in with (its id; "development" for the development login). */
  readonly idp: { readonly id: string; readonly type: string };
  readonly identityNonce: string;
  /** When it was issued and ends (seconds since the epoch). */
  readonly iat: number;
  readonly exp: number;
  /** The SAML sign-in's request headers, carried to every application token made from it. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The sign-in's custom claims (logins.ts customClaims), likewise. */
  readonly custom?: Readonly<Record<string, unknown>>;
}

export interface GlobalSessionInput {
  readonly issuer: string;
  readonly userId: string;
  readonly email: string;
  readonly idp: { readonly id: string; readonly type: string };
  readonly identityNonce: string;
  readonly lifetimeSeconds: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly custom?: Readonly<Record<string, unknown>>;
}

export function globalSessionToken(input: GlobalSessionInput, key: SigningKey, now = Date.now()): Promise<string> {
  const iat = Math.floor(now / 1000);
  const claims = { type: 'org', email: input.email, sub: input.userId, idp: { id: input.idp.id, type: input.idp.type }, identity_nonce: input.identityNonce, ...(input.headers !== undefined ? { saml_headers: { ...input.headers } } : {}), ...(input.custom !== undefined ? { custom: input.custom } : {}) };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
    .setAudience([input.issuer])
    .setIssuer(input.issuer)
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(iat + Math.max(1, Math.floor(input.lifetimeSeconds)))
    .sign(key.privateKey);
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const isStringRecord = (value: unknown): value is Record<string, string> => isRecord(value) && Object.values(value).every((v) => typeof v === 'string');

/** The global session a token carries, if it is one of these keys and this auth domain, unexpired; anything unreadable is none. */
export async function verifyGlobalSession(token: string | undefined, keys: readonly SigningKey[], issuer: string, now = Date.now()): Promise<GlobalSession | undefined> {
  if (token === undefined || token === '' || token.length > 16_384) return undefined;
  try {
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet({ keys: keys.map((k) => k.publicJwk) }), { algorithms: ['RS256'], audience: issuer, issuer, currentDate: new Date(now), typ: 'JWT' });
    const idp = payload.idp as { id?: unknown; type?: unknown } | undefined;
    if (protectedHeader.kid === undefined || payload.type !== 'org' || typeof payload.sub !== 'string' || payload.sub === '' || typeof payload.email !== 'string') return undefined;
    if (typeof idp?.id !== 'string' || typeof idp.type !== 'string' || typeof payload.identity_nonce !== 'string' || payload.iat === undefined || payload.exp === undefined) return undefined;
    if (payload.saml_headers !== undefined && !isStringRecord(payload.saml_headers)) return undefined;
    if (payload.custom !== undefined && !isRecord(payload.custom)) return undefined;
    return { userId: payload.sub, email: payload.email, idp: { id: idp.id, type: idp.type }, identityNonce: payload.identity_nonce, iat: payload.iat, exp: payload.exp, ...(payload.saml_headers !== undefined ? { headers: payload.saml_headers } : {}), ...(payload.custom !== undefined ? { custom: payload.custom } : {}) };
  } catch {
    return undefined;
  }
}

/**
 * How long a global session lasts: the organization's session_duration (Cloudflare's global session
 * timeout) when it sets a readable one, else as long as the application session it began with.
 */
export function globalSessionSeconds(organizationDuration: unknown, applicationSeconds: number): number {
  const parsed = typeof organizationDuration === 'string' ? parseGoDuration(organizationDuration) : undefined;
  return parsed === undefined ? applicationSeconds : Math.max(1, Math.floor(parsed.ns / 1e9));
}

/** The Set-Cookie header keeping a global session on the auth domain. */
export function globalSessionCookie(token: string, maxAgeSeconds: number, issuer: string): string {
  const maxAge = Math.max(1, Math.floor(maxAgeSeconds));
  if (servedOverHttps(issuer)) return `${HOST_ONLY_GLOBAL_COOKIE}=${token}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Lax; Secure`;
  return `${GLOBAL_COOKIE}=${token}; Path=${GLOBAL_COOKIE_PATH}; Max-Age=${maxAge}; HttpOnly; SameSite=Lax`;
}

/** The Set-Cookie headers ending it (either kind: the auth domain may have moved to https since it was set). */
export const CLEAR_GLOBAL_SESSION = [`${GLOBAL_COOKIE}=; Path=${GLOBAL_COOKIE_PATH}; Max-Age=0; HttpOnly; SameSite=Lax`, `${HOST_ONLY_GLOBAL_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure`] as const;

/** The global session tokens a request carries to this auth domain (under https only the host-only cookie's). */
export const globalSessionTokens = (cookieHeader: string | undefined, issuer: string): string[] => cookieValues(cookieHeader, globalCookieName(issuer));

/**
 * The browser's global session on this auth domain, verified with the account's keys (`keysFor`
 * is given the token, so a key the process has not seen yet is looked up); undefined without one.
 */
export async function globalSessionOf(cookieHeader: string | undefined, issuer: string, keysFor: (token: string | undefined) => Promise<readonly SigningKey[]>, now = Date.now()): Promise<GlobalSession | undefined> {
  const token = cookieValue(cookieHeader, globalCookieName(issuer));
  return verifyGlobalSession(token, await keysFor(token), issuer, now);
}

/**
 * Whether a global session may enter an application: only with an identity provider the
 * application allows (its allowed_idps, or every one it offers), so that an application asking
 * for one provider is not entered on a sign-in through another.
 */
export function sessionFitsProviders(session: GlobalSession, offered: readonly ResourceRecord[], devLogin: boolean): boolean {
  if (session.idp.type === 'development') return devLogin;
  return offered.some((idp) => idp.id === session.idp.id);
}

/**
 * The global session's user, while they exist, their sessions were not revoked since it began and
 * its sign-in was not signed out of (sign-out.ts); else undefined.
 */
export async function userOfSession(read: StoreReader, accountId: string, session: GlobalSession, now = Date.now()): Promise<UserRecord | undefined> {
  const [user, ended] = await Promise.all([read.getUser(accountId, session.userId), read.endedSignIns(accountId, now, session.userId)]);
  if (user === undefined || ended.some((e) => e.nonce === session.identityNonce)) return undefined;
  return issuedBefore(session.iat, await sessionsRevokedAt(read, accountId, user.id)) ? undefined : user;
}
