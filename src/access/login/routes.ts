// The login flow on the auth domain (Cloudflare's /cdn-cgi/access/login/<host>): the page that
// lists the identity providers an application allows, the start of each provider's sign-in, and
// the development login. docs/identity-providers.md "The login page".

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ResourceRecord } from '../../store/store.js';
import { loginPage, messagePage, refusedPage, testResultPage } from '../pages.js';
import { forwarded, urlOnHost } from '../forwarded.js';
import { globalSessionOf, sessionFitsProviders } from '../global-session.js';
import { APP_SESSION_PARAM } from '../app-session.js';
import { customRefusalPage, sendCustomRefusalPage } from '../custom-pages.js';
import { admitToApplication, allowedProviders, completeLogin, continueGlobalSession, FORBIDDEN_PATH, pendingLogin, testLogin, TEST_RESULT_KIND, type LoginContext, type LoginContextOf, type PendingLogin } from './flow.js';
import type { LoginMethod } from './method.js';
import { oidcMethod } from './oidc.js';
import { samlMethod } from './saml.js';
import { pinMethod } from './one-time-pin.js';
import type { Mailer } from './mailer.js';
import { readOrganization } from '../../account/organization.js';
import { denyMessage } from '../decide.js';
import { registerJustificationRoutes } from './justification.js';
import { registerApprovalRoutes } from './approval.js';
import { AUTH_DOMAIN_FORM } from './form-origin.js';

const badRequest = (reply: FastifyReply, message: string): FastifyReply => reply.code(400).type('text/html').send(messagePage('Bad request', message));

/** What a sign-in method may need from the server's configuration. */
export interface LoginMethodOptions {
  /** Sends one-time PIN mail; without it, one-time PIN providers are not offered. */
  readonly mailer?: Mailer | undefined;
}

/** Every way of signing in this server knows, one per identity provider type. */
export function loginMethods(options: LoginMethodOptions): LoginMethod[] {
  return [oidcMethod(), samlMethod(), pinMethod(options.mailer)];
}

/** The sign-in routes, each for the account whose auth domain it is reached on (contextOf). */
export function registerLoginRoutes(scope: FastifyInstance, contextOf: LoginContextOf, devLogin: boolean, methods: readonly LoginMethod[], mailer?: Mailer): void {
  const methodOf = new Map(methods.flatMap((method) => method.types.map((type) => [type, method] as const)));
  for (const method of methods) method.register(scope, contextOf);
  registerJustificationRoutes(scope, contextOf, admitToApplication, mailer);
  registerApprovalRoutes(scope, contextOf, admitToApplication);

  const startUrl = (pending: PendingLogin, idp: ResourceRecord): string =>
    `/cdn-cgi/access/login/${encodeURIComponent(pending.host)}/idp/${encodeURIComponent(idp.id)}?redirect_url=${encodeURIComponent(pending.target)}${pending.appSession === undefined ? '' : `&${APP_SESSION_PARAM}=${pending.appSession}`}`;
  /** The providers an application's login offers: those it allows that this server can sign in with. */
  const offered = async (ctx: LoginContext, pending: PendingLogin): Promise<ResourceRecord[]> =>
    (await allowedProviders(ctx, pending.app)).filter((idp) => {
      const method = methodOf.get(String(idp.body.type));
      return method !== undefined && method.unavailable === undefined && method.notSetUp?.(idp) === undefined;
    });

  /** The login page; `known` is the organization when the caller has read it already. */
  const page = async (ctx: LoginContext, pending: PendingLogin, error?: string, known?: { organization: Awaited<ReturnType<typeof readOrganization>> }): Promise<string> => {
    const organization = known !== undefined ? known.organization : await readOrganization(ctx.store.read, ctx.accountId);
    return loginPage(pending.app.name, pending.target, {
      providers: (await offered(ctx, pending)).map((idp) => ({ name: String(idp.body.name ?? idp.name), href: startUrl(pending, idp) })),
      devLogin: ctx.devLogin,
      ...(pending.appSession !== undefined ? { appSession: pending.appSession } : {}),
      design: { organizationName: organization?.body.name, design: organization?.body.login_design },
      ...(error !== undefined ? { error } : {}),
    });
  };

  scope.get('/cdn-cgi/access/login/:host', async (request, reply) => {
    const ctx = await contextOf(request, reply);
    if (ctx === undefined) return reply;
    const { host } = request.params as { host: string };
    const query = request.query as Record<string, string | undefined>;
    const pending = await pendingLogin(ctx, host, query.redirect_url, query[APP_SESSION_PARAM]);
    if (pending === undefined) return reply.code(404).type('text/html').send(messagePage('Not found', `No Access application covers ${host}.`));
    const providers = await offered(ctx, pending);
    // A global session on the auth domain enters the application without signing in again,
    // when it was made through a provider this application allows (global-session.ts).
    const session = await globalSessionOf(request.headers.cookie, await ctx.issuer(), (token) => ctx.keys.keysFor(ctx.accountId, token), ctx.now());
    if (session !== undefined && sessionFitsProviders(session, providers, ctx.devLogin)) {
      const to = await continueGlobalSession(ctx, pending, session, forwarded(request, ctx.trusted).ip);
      if (to !== undefined) return reply.redirect(to, 302);
    }
    // Cloudflare's auto_redirect_to_identity, the application's or the organization's: with one
    // provider and nothing else to choose, go straight there.
    const organization = await readOrganization(ctx.store.read, ctx.accountId);
    const autoRedirect = pending.app.body.auto_redirect_to_identity === true || organization?.body.auto_redirect_to_identity === true;
    if (autoRedirect && providers.length === 1 && !ctx.devLogin) return reply.redirect(startUrl(pending, providers[0]!), 302);
    return reply.type('text/html').send(await page(ctx, pending, undefined, { organization }));
  });

  scope.get('/cdn-cgi/access/login/:host/idp/:idp', async (request, reply) => {
    const ctx = await contextOf(request, reply);
    if (ctx === undefined) return reply;
    const { host, idp: idpId } = request.params as { host: string; idp: string };
    const query = request.query as Record<string, string | undefined>;
    const pending = await pendingLogin(ctx, host, query.redirect_url, query[APP_SESSION_PARAM]);
    if (pending === undefined) return badRequest(reply, 'The page to return to is not on an application here.');
    const idp = (await allowedProviders(ctx, pending.app)).find((candidate) => candidate.id === idpId);
    const method = idp === undefined ? undefined : methodOf.get(String(idp.body.type));
    if (idp === undefined || method === undefined) return badRequest(reply, 'This identity provider cannot sign in to this application.');
    if (method.unavailable !== undefined) return reply.code(503).type('text/html').send(messagePage('Sign-in unavailable', `${String(idp.body.name ?? idp.name)} cannot be used on this server: ${method.unavailable}`));
    return method.start(ctx, idp, pending, request, reply);
  });

  // A test of an identity provider (the dashboard's "Test" button): its sign-in, then the identity
  // it produced, with no application and no session.
  scope.get('/cdn-cgi/access/test-idp/:idp', async (request, reply) => {
    const ctx = await contextOf(request, reply);
    if (ctx === undefined) return reply;
    const { idp: idpId } = request.params as { idp: string };
    const idp = await ctx.store.read.getResource(ctx.accountId, 'identity_provider', idpId);
    if (idp === undefined) return reply.code(404).type('text/html').send(messagePage('Not found', 'No identity provider has this id.'));
    const method = methodOf.get(String(idp.body.type));
    if (method === undefined) return badRequest(reply, `This server cannot sign in with ${String(idp.body.type)} identity providers.`);
    if (method.unavailable !== undefined) return reply.code(503).type('text/html').send(messagePage('Sign-in unavailable', `${String(idp.body.name ?? idp.name)} cannot be used on this server: ${method.unavailable}`));
    return method.start(ctx, idp, testLogin(idp), request, reply);
  });

  scope.get('/cdn-cgi/access/test-idp/result/:id', async (request, reply) => {
    const ctx = await contextOf(request, reply);
    if (ctx === undefined) return reply;
    const { id } = request.params as { id: string };
    const result = id.length > 200 ? undefined : await ctx.store.challenges.take(ctx.accountId, id, ctx.now());
    if (result === undefined || result.kind !== TEST_RESULT_KIND) return reply.code(404).type('text/html').send(messagePage('Not found', 'This test result has expired or was already shown: run the test again.'));
    const identity = result.body.identity as { idp?: { id?: string } };
    const idp = await ctx.store.read.getResource(ctx.accountId, 'identity_provider', String(identity.idp?.id));
    return reply.type('text/html').header('cache-control', 'no-store').send(testResultPage(String(idp?.body.name ?? 'The identity provider'), identity));
  });

  // Where a sign-in refused by the application's policies ends (flow.ts refuseAtSignIn).
  scope.get(`${FORBIDDEN_PATH}/:app`, async (request, reply) => {
    const ctx = await contextOf(request, reply);
    if (ctx === undefined) return reply;
    const { app: appId } = request.params as { app: string };
    const app = appId.length > 200 ? undefined : await ctx.store.read.getResource(ctx.accountId, 'app', appId);
    if (app === undefined) return reply.code(404).type('text/html').send(messagePage('Not found', 'No application has this id.'));
    const custom = await customRefusalPage(ctx.store.read, app, 'identity_denied');
    if (custom !== undefined) return sendCustomRefusalPage(reply, custom);
    const issuer = await ctx.issuer();
    const session = await globalSessionOf(request.headers.cookie, issuer, (token) => ctx.keys.keysFor(ctx.accountId, token), ctx.now());
    return reply.code(403).header('cache-control', 'no-store').type('text/html').send(refusedPage(denyMessage(app), session?.email, `${issuer}/cdn-cgi/access/logout`));
  });

  if (!devLogin) return;

  // The development login: an operator types an email; no password. Off unless enabled.
  scope.post('/cdn-cgi/access/login/:host', AUTH_DOMAIN_FORM, async (request: FastifyRequest, reply: FastifyReply) => {
    const ctx = await contextOf(request, reply);
    if (ctx === undefined) return reply;
    const { host } = request.params as { host: string };
    const form = (request.body ?? {}) as Record<string, string | undefined>;
    if (form.redirect_url === undefined || form.redirect_url === '') return badRequest(reply, 'The page to return to is missing.');
    // No open redirect: only back to the host this login is for, and only where an application is.
    const wanted = urlOnHost(form.redirect_url, host);
    if (wanted === undefined) return badRequest(reply, 'The page to return to is not on this application.');
    const pending = await pendingLogin(ctx, host, wanted.toString(), form[APP_SESSION_PARAM]);
    if (pending === undefined) return badRequest(reply, 'The page to return to is not on an application here.');
    const email = (form.email ?? '').trim();
    if (!/^[^\s@]+@[^\s@]+$/.test(email)) return reply.code(400).type('text/html').send(await page(ctx, pending, 'Type an email address.'));
    const groups = (form.groups ?? '').split(',').map((g) => g.trim()).filter((g) => g !== '');
    const to = await completeLogin(ctx, pending, { email, groups, idp: { id: 'development', type: 'development' }, amr: ['pwd'] }, forwarded(request, ctx.trusted).ip, reply);
    return reply.redirect(to, 302);
  });
}
