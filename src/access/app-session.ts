// The application session nonce (docs/enforcement.md "Sign-in from the application's host"): as
// Cloudflare's CF_AppSession, a random cookie the application's host sets before sending the
// browser to sign in, so that /cdn-cgi/access/authorized there keeps a token only in the browser
// that started its sign-in. Otherwise anyone could sign in as themself, copy the /authorized
// address their sign-in ended on, and have someone else open it: that browser would be signed in
// to the application as them (login CSRF, RFC 9700 4.7.1).
//
// The sign-in carries the digests of the cookie (one per host whose session it sets: the host it
// started on and the application's preset hosts) from the application's host to the auth domain
// and back; the /authorized address comes with a proof, an HMAC the account's keys make over the
// token and those digests, and the host keeps the token only when the cookie the browser holds
// there is one of them.

import { createHash, randomBytes } from 'node:crypto';
import type { SigningKey } from '../account/signing-keys.js';
import { sameDigest, tokenKeyedDigest } from './binding-cookie.js';
import { cookieValues } from './forwarded.js';

export const APP_SESSION_COOKIE = 'CF_AppSession';
/**
 * Under https a `__Host-` cookie (Path=/, Secure, no Domain), which a browser takes only from the
 * host itself: a page on a sibling subdomain cannot put a nonce of its own sign-in into someone
 * else's browser, as it could a plain cookie set for the parent domain.
 */
const HOST_ONLY_APP_SESSION_COOKIE = `__Host-${APP_SESSION_COOKIE}`;
/** Over plain http (development), a plain cookie only portcullis's own paths receive. */
const COOKIE_PATH = '/cdn-cgi/access';
/**
 * Kept a day and reused by every sign-in meanwhile: sign-ins started in several tabs all finish,
 * and so does one that waits for an approver's answer.
 */
const COOKIE_SECONDS = 24 * 3600;
const WELL_FORMED = /^[A-Za-z0-9_-]{43}$/;

/** The query parameter (and form field) that carries the cookie's digests through the sign-in. */
export const APP_SESSION_PARAM = 'app_session';
/** The query parameter of /cdn-cgi/access/authorized that proves its token is for those digests. */
export const APP_SESSION_PROOF_PARAM = 'app_session_proof';
/** The most digests a sign-in carries: one per host whose session it sets (preset-hosts.ts's five at most). */
const MAX_DIGESTS = 5;

const digest = (value: string): string => createHash('sha256').update(value).digest('base64url');

/**
 * The one well-formed nonce the request's Cookie header carries. Several are none: this server
 * sets one, so another came from elsewhere (a cookie set for the parent domain), and which is
 * ours cannot be told.
 */
function heldNonce(cookieHeader: string | undefined, secure: boolean): string | undefined {
  const held = cookieValues(cookieHeader, secure ? HOST_ONLY_APP_SESSION_COOKIE : APP_SESSION_COOKIE);
  return held.length === 1 && WELL_FORMED.test(held[0]!) ? held[0] : undefined;
}

/** The digest of the nonce a request holds on this host; undefined without one (or with several). */
function appSessionOf(cookieHeader: string | undefined, secure: boolean): string | undefined {
  const held = heldNonce(cookieHeader, secure);
  return held === undefined ? undefined : digest(held);
}

/** The browser's nonce on this host (the one it holds, else a new one): the Set-Cookie that keeps it, and its digest. */
export function startAppSession(cookieHeader: string | undefined, secure: boolean): { readonly setCookie: string; readonly digest: string } {
  const value = heldNonce(cookieHeader, secure) ?? randomBytes(32).toString('base64url');
  // Lax: the way back from the auth domain is a top-level navigation, which carries it.
  const setCookie = secure
    ? `${HOST_ONLY_APP_SESSION_COOKIE}=${value}; Path=/; Max-Age=${COOKIE_SECONDS}; HttpOnly; SameSite=Lax; Secure`
    : `${APP_SESSION_COOKIE}=${value}; Path=${COOKIE_PATH}; Max-Age=${COOKIE_SECONDS}; HttpOnly; SameSite=Lax`;
  return { setCookie, digest: digest(value) };
}

/**
 * The last entry of the `app_session` value of a sign-in started at SIGN_IN_PATH (routes.ts), not
 * on forward auth's own answer: its /cdn-cgi/access/authorized never sends the browser back there,
 * so that a browser that keeps no nonce cannot go round for ever.
 */
const STARTED_AT_SIGN_IN_PATH = 'h';

/** The entries an `app_session` value lists (`.` between them: digests, perhaps ending with the mark above); undefined when it is not such a list. */
export function appSessionDigests(value: unknown): string[] | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const entries = value.split('.');
  const digests = entries[entries.length - 1] === STARTED_AT_SIGN_IN_PATH ? entries.slice(0, -1) : entries;
  return digests.length > 0 && digests.length <= MAX_DIGESTS && digests.every((d) => WELL_FORMED.test(d)) ? entries : undefined;
}

/** `digests` (entries of an `app_session` value) marked as gathered at SIGN_IN_PATH. */
export const markedStartedAtSignInPath = (digests: string): string => `${digests}.${STARTED_AT_SIGN_IN_PATH}`;

/** Whether an `app_session` value was gathered at SIGN_IN_PATH. */
export const startedAtSignInPath = (value: unknown): boolean => typeof value === 'string' && value.endsWith(`.${STARTED_AT_SIGN_IN_PATH}`);

/** `digests` with `added` last (once), as an `app_session` value; undefined past MAX_DIGESTS. */
export function withDigest(entries: readonly string[], added: string): string | undefined {
  const digests = entries.filter((entry) => entry !== STARTED_AT_SIGN_IN_PATH);
  const all = digests.includes(added) ? [...digests] : [...digests, added];
  return all.length <= MAX_DIGESTS ? all.join('.') : undefined;
}

/** What a sign-in hands over beside a token made for a browser holding one of `appSession`'s nonces. */
export const appSessionProof = (token: string, appSession: string, keys: readonly SigningKey[]): string | undefined => tokenKeyedDigest(token, keys, `app-session\n${appSession}\n${token}`);

/**
 * Whether a token may become a session in the browser that sent `cookieHeader`: its proof holds
 * for the digests it came with, and the nonce the browser holds on this host is one of them. Fails
 * closed: no nonce, no proof, or digests of another browser, no session.
 */
export function appSessionHolds(request: { readonly token: string; readonly appSession: unknown; readonly proof: unknown; readonly cookieHeader: string | undefined; readonly secure: boolean }, keys: readonly SigningKey[]): boolean {
  const digests = appSessionDigests(request.appSession);
  const held = appSessionOf(request.cookieHeader, request.secure);
  if (digests === undefined || held === undefined || !digests.includes(held) || typeof request.proof !== 'string') return false;
  return sameDigest(request.proof, appSessionProof(request.token, digests.join('.'), keys));
}
