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

/** The same name as an application's session cookie, as at Cloudflare; the auth domain's path tells them apart. */
export const GLOBAL_COOKIE = TOKEN_COOKIE;
export const GLOBAL_COOKIE_PATH = '/cdn-cgi/access';

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
}

export interface GlobalSessionInput {
  readonly issuer: string;
  readonly userId: string;
  readonly email: string;
  readonly idp: { readonly id: string; readonly type: string };
  readonly identityNonce: string;
  readonly lifetimeSeconds: number;
  readonly headers?: Readonly<Record<string, string>>;
}

export function globalSessionToken(input: GlobalSessionInput, key: SigningKey, now = Date.now()): Promise<string> {
  const iat = Math.floor(now / 1000);
  const claims = { type: 'org', email: input.email, sub: input.userId, idp: { id: input.idp.id, type: input.idp.type }, identity_nonce: input.identityNonce, ...(input.headers !== undefined ? { saml_headers: { ...input.headers } } : {}) };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
    .setAudience([input.issuer])
    .setIssuer(input.issuer)
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(iat + Math.max(1, Math.floor(input.lifetimeSeconds)))
    .sign(key.privateKey);
}

const isStringRecord = (value: unknown): value is Record<string, string> => value !== null && typeof value === 'object' && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');

/** The global session a token carries, if it is one of these keys and this auth domain, unexpired; anything unreadable is none. */
export async function verifyGlobalSession(token: string | undefined, keys: readonly SigningKey[], issuer: string, now = Date.now()): Promise<GlobalSession | undefined> {
  if (token === undefined || token === '' || token.length > 16_384) return undefined;
  try {
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet({ keys: keys.map((k) => k.publicJwk) }), { algorithms: ['RS256'], audience: issuer, issuer, currentDate: new Date(now), typ: 'JWT' });
    const idp = payload.idp as { id?: unknown; type?: unknown } | undefined;
    if (protectedHeader.kid === undefined || payload.type !== 'org' || typeof payload.sub !== 'string' || payload.sub === '' || typeof payload.email !== 'string') return undefined;
    if (typeof idp?.id !== 'string' || typeof idp.type !== 'string' || typeof payload.identity_nonce !== 'string' || payload.iat === undefined || payload.exp === undefined) return undefined;
    if (payload.saml_headers !== undefined && !isStringRecord(payload.saml_headers)) return undefined;
    return { userId: payload.sub, email: payload.email, idp: { id: idp.id, type: idp.type }, identityNonce: payload.identity_nonce, iat: payload.iat, exp: payload.exp, ...(payload.saml_headers !== undefined ? { headers: payload.saml_headers } : {}) };
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
export function globalSessionCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  return `${GLOBAL_COOKIE}=${token}; Path=${GLOBAL_COOKIE_PATH}; Max-Age=${Math.max(1, Math.floor(maxAgeSeconds))}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

/** The Set-Cookie header ending it. */
export const CLEAR_GLOBAL_SESSION = `${GLOBAL_COOKIE}=; Path=${GLOBAL_COOKIE_PATH}; Max-Age=0; HttpOnly; SameSite=Lax`;

/**
 * Whether a global session may enter an application: only with an identity provider the
 * application allows (its allowed_idps, or every one it offers), so that an application asking
 * for one provider is not entered on a sign-in through another.
 */
export function sessionFitsProviders(session: GlobalSession, offered: readonly ResourceRecord[], devLogin: boolean): boolean {
  if (session.idp.type === 'development') return devLogin;
  return offered.some((idp) => idp.id === session.idp.id);
}

/** The global session's user, while they exist and their sessions were not revoked since it began; else undefined. */
export async function userOfSession(read: StoreReader, accountId: string, session: GlobalSession): Promise<UserRecord | undefined> {
  const user = await read.getUser(accountId, session.userId);
  if (user === undefined) return undefined;
  return issuedBefore(session.iat, await sessionsRevokedAt(read, accountId, user.id)) ? undefined : user;
}
