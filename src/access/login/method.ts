// A way of signing in (OpenID Connect, SAML, one-time PIN): how it starts for an identity
// provider the login page offers, and the routes its answers come back on.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ResourceRecord } from '../../store/store.js';
import type { LoginContext, LoginContextOf, PendingLogin } from './flow.js';

export interface LoginMethod {
  /** The identity provider types it signs in with. */
  readonly types: readonly string[];
  /**
   * Why this server cannot sign in with it now (a one-time PIN without an SMTP server), when it
   * cannot: its providers are then left off the login page, and starting one answers 503.
   */
  readonly unavailable?: string;
  /**
   * Why this provider cannot be used as configured (fields its type needs are missing or
   * unreadable), when it cannot: it is then left off the login page, where its users would only
   * meet an error; starting it says why, for the administrator setting it up.
   */
  notSetUp?(idp: ResourceRecord): string | undefined;
  /** Send the browser on to the identity provider, or show what the method asks for. */
  start(ctx: LoginContext, idp: ResourceRecord, pending: PendingLogin, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply>;
  /** Its own routes (the identity provider's callback, a form's answer), each for the account whose auth domain it is reached on. */
  register(scope: FastifyInstance, contextOf: LoginContextOf): void;
}

/** The callback identity providers send the browser back to (Cloudflare's, on the auth domain). */
export const CALLBACK_PATH = '/cdn-cgi/access/callback';
