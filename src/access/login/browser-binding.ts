// A sign-in whose answer comes from elsewhere (an OpenID Connect provider's redirect, a SAML
// provider's posted assertion) finishes only in the browser that started it. Otherwise anyone
// could start a sign-in, let their own provider answer it, and hand the answer's URL to someone
// else, whose browser would then be signed in as them (login CSRF, RFC 9700 4.7.1). The start sets
// a random cookie on the auth domain and the challenge keeps its digest; the answer must come with
// the same cookie (docs/identity-providers.md "The login page").

import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { cookieValues, servedOverHttps } from '../forwarded.js';

export const SIGN_IN_COOKIE = 'CF_Sign_In';
/**
 * Under https the cookie is a `__Host-` one (Path=/, Secure, no Domain), which a browser takes only
 * from the auth domain itself: a page on a sibling subdomain cannot put its own binding (that of a
 * sign-in it started) into someone else's browser, as it could a plain cookie set for the parent domain.
 */
const HOST_ONLY_SIGN_IN_COOKIE = `__Host-${SIGN_IN_COOKIE}`;
const COOKIE_PATH = '/cdn-cgi/access';
/** Kept a day and reused by every sign-in meanwhile, so that sign-ins in several tabs all finish. */
const COOKIE_SECONDS = 24 * 3600;
const WELL_FORMED = /^[A-Za-z0-9_-]{43}$/;

const digest = (value: string): string => createHash('sha256').update(value).digest('base64url');

/**
 * The one well-formed sign-in cookie the request carries. Several are none: this server sets one,
 * so another came from elsewhere (a cookie set for the parent domain), and which is ours cannot be told.
 */
function heldCookie(request: FastifyRequest, secure: boolean): string | undefined {
  const held = cookieValues(request.headers.cookie, secure ? HOST_ONLY_SIGN_IN_COOKIE : SIGN_IN_COOKIE);
  return held.length === 1 && WELL_FORMED.test(held[0]!) ? held[0] : undefined;
}

/** The digest a challenge keeps of this browser's sign-in cookie, which is set (or renewed) on the reply; `issuer` is the auth domain's URL. */
export function bindToBrowser(request: FastifyRequest, reply: FastifyReply, issuer: string): string {
  const secure = servedOverHttps(issuer);
  const value = heldCookie(request, secure) ?? randomBytes(32).toString('base64url');
  // Lax: the provider's redirect back is a top-level navigation, which carries it.
  reply.header('set-cookie', secure ? `${HOST_ONLY_SIGN_IN_COOKIE}=${value}; Path=/; Max-Age=${COOKIE_SECONDS}; HttpOnly; SameSite=Lax; Secure` : `${SIGN_IN_COOKIE}=${value}; Path=${COOKIE_PATH}; Max-Age=${COOKIE_SECONDS}; HttpOnly; SameSite=Lax`);
  return digest(value);
}

/** The digest of the sign-in cookie this request carries; undefined without one (or with several). */
export function browserOf(request: FastifyRequest, issuer: string): string | undefined {
  const held = heldCookie(request, servedOverHttps(issuer));
  return held === undefined ? undefined : digest(held);
}
