// A sign-in whose answer comes from elsewhere (an OpenID Connect provider's redirect, a SAML
// provider's posted assertion) finishes only in the browser that started it. Otherwise anyone
// could start a sign-in, let their own provider answer it, and hand the answer's URL to someone
// else, whose browser would then be signed in as them (login CSRF, RFC 9700 4.7.1). The start sets
// a random cookie on the auth domain and the challenge keeps its digest; the answer must come with
// the same cookie (docs/identity-providers.md "The login page").

import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { cookieValue } from '../forwarded.js';

export const SIGN_IN_COOKIE = 'CF_Sign_In';
const COOKIE_PATH = '/cdn-cgi/access';
/** Kept a day and reused by every sign-in meanwhile, so that sign-ins in several tabs all finish. */
const COOKIE_SECONDS = 24 * 3600;
const WELL_FORMED = /^[A-Za-z0-9_-]{43}$/;

const digest = (value: string): string => createHash('sha256').update(value).digest('base64url');

/** The digest a challenge keeps of this browser's sign-in cookie, which is set (or renewed) on the reply. */
export function bindToBrowser(request: FastifyRequest, reply: FastifyReply, secure: boolean): string {
  const held = cookieValue(request.headers.cookie, SIGN_IN_COOKIE);
  const value = held !== undefined && WELL_FORMED.test(held) ? held : randomBytes(32).toString('base64url');
  // Lax: the provider's redirect back is a top-level navigation, which carries it.
  reply.header('set-cookie', `${SIGN_IN_COOKIE}=${value}; Path=${COOKIE_PATH}; Max-Age=${COOKIE_SECONDS}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`);
  return digest(value);
}

/** The digest of the sign-in cookie this request carries; undefined without one. */
export function browserOf(request: FastifyRequest): string | undefined {
  const held = cookieValue(request.headers.cookie, SIGN_IN_COOKIE);
  return held !== undefined && WELL_FORMED.test(held) ? digest(held) : undefined;
}
