// The headers every answer of the enforcement point carries (docs/enforcement.md "Forms and
// frames"): no cache keeps one unless its route says so, and a page is never framed and runs no
// script but its own, unless the page set its own policy.

import type { FastifyReply, FastifyRequest } from 'fastify';
import { PAGE_CONTENT_SECURITY_POLICY } from './pages.js';

/**
 * An onSend hook (a callback one, not async: forward auth answers without a promise). No page of
 * the enforcement point may be shown inside another site's frame, where a click on it (an
 * approver's Approve) could be stolen; nor may any cache keep an answer unless its route says so
 * (the public keys): sign-in pages carry challenges, redirects carry tokens in their Location and
 * set session cookies, get-identity answers with who is signed in. A page that sets its own
 * Content-Security-Policy (one an administrator wrote) keeps it.
 */
export function pageHeaders(_request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: null, payload: unknown) => void): void {
  if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  if (String(reply.getHeader('content-type') ?? '').startsWith('text/html')) {
    if (!reply.hasHeader('x-frame-options')) reply.header('x-frame-options', 'DENY');
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', PAGE_CONTENT_SECURITY_POLICY);
  }
  done(null, payload);
}
