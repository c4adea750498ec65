// What a browser holds and carries through a sign-in that starts on the application's host
// (src/access/app-session.ts): its CF_AppSession nonce there, and the digests and proof the
// /cdn-cgi/access/authorized address comes with. Tests that hand /authorized a token they made
// themselves use these, as a browser that started that sign-in would.

import { createHash, randomBytes } from 'node:crypto';
import { appSessionProof } from '../../src/access/app-session.js';
import type { SigningKey } from '../../src/account/signing-keys.js';

export interface BrowserNonce {
  /** The Cookie header pair the browser sends on the application's host. */
  readonly cookie: string;
  /** Its digest, as the `app_session` parameter carries it. */
  readonly appSession: string;
}

/** A new nonce, as SIGN_IN_PATH gives it (named `__Host-CF_AppSession` under https). */
export function browserNonce(secure: boolean): BrowserNonce {
  const value = randomBytes(32).toString('base64url');
  return { cookie: `${secure ? '__Host-' : ''}CF_AppSession=${value}`, appSession: createHash('sha256').update(value).digest('base64url') };
}

/** The query an /authorized address of a sign-in started with `appSession` (a digest, or several joined by `.`) ends with. */
export function appSessionQuery(token: string, appSession: string, keys: readonly SigningKey[]): string {
  return `&app_session=${appSession}&app_session_proof=${appSessionProof(token, appSession, keys)!}`;
}

/** The `name=value` of the nonce a response of SIGN_IN_PATH sets, as a Cookie header pair. */
export function nonceCookie(response: Response): string {
  return response.headers.getSetCookie().map((line) => line.split(';')[0]!).find((pair) => /^(__Host-)?CF_AppSession=/.test(pair)) ?? '';
}

/** A sign-in started on the application's host as a browser sent there by the proxy starts it. */
export interface StartedSignIn {
  /** The nonce cookie pair each host it passed set (the host it started on, then any preset hosts). */
  readonly cookies: ReadonlyMap<string, string>;
  /** The Cookie header pair of the host it started on. */
  readonly cookie: string;
  /** The digests the login is told. */
  readonly appSession: string;
  /** The auth domain's login address it ends on. */
  readonly login: URL;
}

/**
 * Start a sign-in returning to `target` at its host's /cdn-cgi/access/sign-in (every host reached
 * through `baseUrl` with forwarded headers, as the tests' proxy-less servers are), following its
 * preset hosts, and return what the browser then holds. `cookie` is sent on the first host.
 */
export async function startSignIn(baseUrl: string, target: string, cookie?: string): Promise<StartedSignIn> {
  const cookies = new Map<string, string>();
  let next = new URL(`${new URL(target).origin}/cdn-cgi/access/sign-in?redirect_url=${encodeURIComponent(target)}`);
  for (let hop = 0; hop < 10 && next.pathname === '/cdn-cgi/access/sign-in'; hop++) {
    const headers: Record<string, string> = { 'x-forwarded-host': next.host, 'x-forwarded-proto': next.protocol.slice(0, -1), ...(hop === 0 && cookie !== undefined ? { cookie } : {}) };
    const answer = await fetch(`${baseUrl}${next.pathname}${next.search}`, { redirect: 'manual', headers });
    if (answer.status !== 302) throw new Error(`the sign-in start on ${next.host} answered ${answer.status}: ${await answer.text()}`);
    cookies.set(next.host, nonceCookie(answer));
    next = new URL(answer.headers.get('location')!);
  }
  const first = new URL(target).host;
  return { cookies, cookie: cookies.get(first) ?? '', appSession: next.searchParams.get('app_session') ?? '', login: next };
}

/**
 * Another digest of the same length: its last two characters changed. Always changed ('AA', or
 * 'BB' when it ends so already): a fixed replacement would leave a digest ending in it as it
 * was, one run in about a thousand, and the check would fail for nothing.
 */
export const otherDigest = (digest: string): string => `${digest.slice(0, -2)}${digest.endsWith('AA') ? 'BB' : 'AA'}`;
