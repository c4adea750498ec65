// The sign-in forms on the auth domain (a justification, an approver's answer, a one-time PIN, the
// development login) are answered only when posted from a page of the auth domain itself. The
// global session cookie is SameSite=Lax, which keeps other *sites* out but not a page on a sibling
// subdomain (same site, another origin): without this check such a page could make a signed-in
// approver's browser approve a request.

import type { FastifyRequest } from 'fastify';
import { first } from '../forwarded.js';

/**
 * Whether a form post came from a page of `issuer`'s origin: by the browser's Sec-Fetch-Site where
 * it sends one, else by its Origin. A post with neither is not a browser's cross-origin post
 * (every browser that runs another page's script sends one of them), so it is let through.
 */
export function postedFromAuthDomain(request: FastifyRequest, issuer: string): boolean {
  const site = first(request.headers['sec-fetch-site']);
  if (site !== undefined) return site === 'same-origin';
  const origin = first(request.headers.origin);
  if (origin === undefined) return true;
  try {
    return origin === new URL(issuer).origin;
  } catch {
    return false;
  }
}

/** Route options of a sign-in form's POST: loginContextOf (routes.ts) answers it only when postedFromAuthDomain. */
export const AUTH_DOMAIN_FORM = { config: { authDomainForm: true } } as const;

/** Whether a request is to a route registered with AUTH_DOMAIN_FORM. */
export const isAuthDomainForm = (request: FastifyRequest): boolean => (request.routeOptions.config as { authDomainForm?: unknown } | undefined)?.authDomainForm === true;

export const CROSS_ORIGIN_FORM = 'This form was sent from another page than the sign-in page: open the page again and send it from there.';
