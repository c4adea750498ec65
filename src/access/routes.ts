// The enforcement point's HTTP endpoints under /cdn-cgi/access (docs/enforcement.md): the
// forward-auth endpoint reverse proxies ask about every request, the public keys applications
// verify tokens with, and, reached on the application's own host through the proxy, the
// endpoints that set, read and clear the CF_Authorization cookie. The sign-ins (login page,
// identity providers, development login) are in login/routes.ts. Every account the server holds
// is enforced: which one a request is for is found by enforced-accounts.ts (docs/enforcement.md
// "Several accounts on one server").

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ResourceRecord, Store } from '../store/store.js';
import type { ExternalEvaluator } from '../engine/index.js';
import { audiencesOf, TOKEN_COOKIE, VerifiedTokens, verifyAppToken, type AppTokenClaims } from './app-token.js';
import { decodeJwt } from 'jose';
import { AccessLog } from './access-log.js';
import { ProblemLog } from './problem-log.js';
import { decide, decideFromMemory, denyMessage, denyUrl, type Decision, type ForwardedRequest } from './decide.js';
import { messagePage, signInRequiredPage } from './pages.js';
import { customRefusalPage, sendCustomRefusalPage } from './custom-pages.js';
import { pageHeaders } from './page-headers.js';
import { authDomainUrl, issuedBefore, sessionsRevokedAt, type OrganizationBody } from '../account/organization.js';
import { AccountViews, type AccountView } from './account-views.js';
import { candidatesOnHost, coveringCookiePath, cookiePathsOnHost } from './app-match.js';
import { destinationsOf, normalizedHost } from '../schema/destination-hosts.js';
import { nextPresetHost, presetHosts } from './preset-hosts.js';
import { EnforcedAccounts, type AccountIndex } from './enforced-accounts.js';
import type { LoginContext } from './login/flow.js';
import { CommitStampCheck } from './commit-stamp-check.js';
import { cookieValue, first, forwardAuthRequest, forwarded, namesHostWithoutPath, pathNotNamed, sameHostUrl, urlOnHost, type OriginalRequest } from './forwarded.js';
import { APP_SESSION_PARAM, APP_SESSION_PROOF_PARAM, appSessionDigests, appSessionHolds, markedStartedAtSignInPath, startAppSession, startedAtSignInPath, withDigest } from './app-session.js';
import { BINDING_COOKIE, bindingFor, bindingHolds, bindsSessions, handoffHolds, HANDOFF_PROOF_PARAM, USED_PROOF_KIND, usedProofId, withoutBindingCookie } from './binding-cookie.js';
import { loginMethods, registerLoginRoutes } from './login/routes.js';
import { CROSS_ORIGIN_FORM, isAuthDomainForm, postedFromAuthDomain } from './login/form-origin.js';
import { CLEAR_GLOBAL_SESSION, globalSessionOf } from './global-session.js';
import type { Mailer } from './login/mailer.js';
import { DEFAULT_TRUSTED_PROXIES, parseTrustedProxies } from '../api/trusted-proxies.js';
import { preflightOf } from './cors.js';
import { SignInExternal } from './sign-in-external.js';
import { endSignInsOf } from './sign-out.js';
import { CLEAR_LAUNCHER_SESSION, isIssuerHost, isLauncherPath, LAUNCHER_PATH, launcherCookie, launcherOf, registerAppLauncher } from './app-launcher.js';
import { UNSTORABLE_MESSAGE, unstorableField } from '../api/untrusted-json.js';
import { answerFrameworkErrorsUnder } from '../api/server.js';
import type { ApiError } from '../api/errors.js';
import { serviceTokenHeaderOf } from '../schema/service-token-header.js';
import type { SigningKey, SigningKeys } from '../account/signing-keys.js';

const COOKIE = TOKEN_COOKIE;
/**
 * On the application's host: where a sign-in starts when forward auth's own answer cannot give the
 * browser its application-session nonce (an application on several hosts, each of which sets one;
 * a browser whose proxy dropped that answer's Set-Cookie), before the auth domain (app-session.ts).
 */
export const SIGN_IN_PATH = '/cdn-cgi/access/sign-in';
/** The address on `home`'s origin that starts a sign-in returning to `home`. */
export const signInStartUrl = (home: URL): string => `${home.origin}${SIGN_IN_PATH}?redirect_url=${encodeURIComponent(home.toString())}`;
/** The header that marks forward auth's answer to a CORS preflight Access answers itself. */
export const PREFLIGHT_ANSWERED = 'x-access-preflight';
const AUTHORIZE_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

export interface AccessOptions {
  readonly store: Store;
  readonly keys: SigningKeys;
  /**
   * The server's default account. Every account the store holds is enforced (docs/enforcement.md
   * "Several accounts on one server"); this one also where it was never created (open accounts),
   * and it answers on the server's own address while its organization names no auth domain.
   */
  readonly accountId: string;
  /**
   * The public URL of this server as users reach it: the default auth domain, the tokens' issuer
   * for an account whose organization names none (a function when it is known only once the
   * server listens).
   */
  readonly authDomain: string | (() => string);
  /** Peers whose X-Forwarded-* headers are believed (default: loopback only). */
  readonly trustedProxies?: readonly string[];
  /** What a request no application covers gets (default: deny). */
  readonly noApplication?: 'deny' | 'allow';
  /** Serve the development login (docs/enforcement.md "Development login"). */
  readonly devLogin?: boolean;
  /** The port the proxy serves applications on, when not the scheme's default: the App Launcher's tiles open it (docs/enforcement.md "App Launcher"). */
  readonly appPort?: number;
  /** Sends one-time PIN codes (docs/identity-providers.md "One-time PIN"); without it they are off. */
  readonly mailer?: Mailer;
  /** Asks external_evaluation endpoints at sign-in for an account (docs/enforcement.md "External evaluation"); without it such rules refuse. */
  readonly externalFor?: (accountId: string) => ExternalEvaluator;
  /** The clock sign-ins are timed by (how long a code or a sign-in under way lasts); tests move it. */
  readonly clock?: () => number;
}

/** A header sent several times, as one comma-separated value. */
const joined = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value.join(', ') : value);

/** Whether the request came with service-token credentials: the pair of headers, or the application's single header. */
function sentServiceCredentials(app: { body: Record<string, unknown> }, request: FastifyRequest): boolean {
  const single = serviceTokenHeaderOf(app.body);
  return request.headers['cf-access-client-id'] !== undefined || (single !== undefined && request.headers[single] !== undefined);
}

function cookieHeader(app: { body: Record<string, unknown> }, name: string, value: string, maxAgeSeconds: number, secure: boolean, path = '/', httpOnly = app.body.http_only_cookie_attribute !== false): string {
  const parts = [`${name}=${value}`, `Path=${path}`, `Max-Age=${maxAgeSeconds}`];
  if (httpOnly) parts.push('HttpOnly');
  const sameSite = typeof app.body.same_site_cookie_attribute === 'string' ? app.body.same_site_cookie_attribute : 'lax';
  parts.push(`SameSite=${sameSite === 'none' ? 'None' : sameSite === 'strict' ? 'Strict' : 'Lax'}`);
  if (secure || sameSite === 'none') parts.push('Secure');
  return parts.join('; ');
}

/** The /cdn-cgi/access routes, in a scope of their own (their form parser is not the API's). */
export function registerAccessRoutes(app: FastifyInstance, options: AccessOptions): void {
  void app.register(async (scope) => registerRoutesIn(scope, options));
}

function registerRoutesIn(app: FastifyInstance, options: AccessOptions): void {
  const { store, keys } = options;
  const views = new AccountViews(store);
  const authDomain = options.authDomain;
  const configured = (): string => (typeof authDomain === 'function' ? authDomain() : authDomain).replace(/\/+$/, '');
  // The organization's auth domain when it names one (docs/enforcement.md), else the configured one.
  const issuerOf = (org: OrganizationBody | undefined): string => (typeof org?.auth_domain === 'string' && org.auth_domain !== '' ? authDomainUrl(org.auth_domain) : configured());
  const trusted = parseTrustedProxies(options.trustedProxies ?? DEFAULT_TRUSTED_PROXIES);
  const log = new AccessLog(store);
  // Ties between accounts: logged once a minute per host and path, not on every request refused.
  const ties = new ProblemLog();
  // Allow policies asking for approval, a justification or isolation: logged once a minute per application and policy.
  const unprovided = new ProblemLog();
  const tokens = new VerifiedTokens();
  const stamps = new CommitStampCheck(store);
  const accounts = new EnforcedAccounts(store, views, options.accountId, configured, (message, details) => app.log.warn(details, message));
  const context = { store, accounts, tokens, keys, issuer: issuerOf };

  // No caching, no framing, no script but the pages' own (page-headers.ts).
  app.addHook('onSend', pageHeaders);

  // A path segment, query value or form field with text the store cannot hold (U+0000, a lone
  // surrogate) names nothing stored: refused here, before PostgreSQL would fail on it. Forward
  // auth hands the store no such text (headers cannot carry it) and keeps its hook-free path.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/cdn-cgi/access/authorize')) return;
    const existing = route.preValidation === undefined ? [] : Array.isArray(route.preValidation) ? route.preValidation : [route.preValidation];
    route.preValidation = [...existing, refuseUnstorableText];
  });
  function refuseUnstorableText(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
    const sources = { 'path segment': request.params, 'query parameter': request.query, 'form field': request.body } as Record<string, unknown>;
    for (const [where, values] of Object.entries(sources)) {
      if (values === null || typeof values !== 'object') continue;
      if (unstorableField(values as Record<string, unknown>, true) !== undefined) {
        void reply.code(400).type('text/html').send(messagePage('Bad request', `A ${where} ${UNSTORABLE_MESSAGE}.`));
        return;
      }
    }
    done();
  }

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });

  // Forward auth: nginx auth_request, Caddy forward_auth, Traefik forwardAuth, Envoy ext_authz.
  // Every method: Envoy's ext_authz asks with the original request's method, and its path under
  // the configured path_prefix (forwarded() reads it from there). Not an async function: a
  // decision made from memory is answered, once the commit stamp shows that nothing changed,
  // without a single promise; only one that must read the store waits for it
  // (docs/enforcement.md "Sessions and caching").
  app.route({ method: AUTHORIZE_METHODS, url: '/cdn-cgi/access/authorize', handler: authorize });
  app.route({ method: AUTHORIZE_METHODS, url: '/cdn-cgi/access/authorize/*', handler: authorize });
  function authorize(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> | undefined {
    const original = forwardAuthRequest(request, trusted);
    // Without the path, a request for an application on /admin would be decided as one for the
    // host's whole-host application (or none): refused where the host has applications on paths.
    if (namesHostWithoutPath(request, trusted)) {
      return accounts.get().then((index) => {
        const onPaths = index.applicationsOn(original.host).some((c) => cookiePathsOnHost(c.destinations, original.host).some((path) => path !== '/'));
        if (onPaths) throw pathNotNamed(original.host);
        return authorizeOn(request, reply, original) ?? reply;
      });
    }
    return authorizeOn(request, reply, original);
  }

  function authorizeOn(request: FastifyRequest, reply: FastifyReply, original: OriginalRequest): Promise<FastifyReply> | undefined {
    const h = request.headers;
    const token = first(h['cf-access-token']) ?? cookieValue(h.cookie, COOKIE);
    const clientId = first(h['cf-access-client-id']);
    const clientSecret = first(h['cf-access-client-secret']);
    // The proxies pass the original request's headers along: a CORS preflight's among them.
    const preflight = preflightOf(original.method, first(h.origin), first(h['access-control-request-method']), joined(h['access-control-request-headers']));
    const binding = cookieValue(h.cookie, BINDING_COOKIE);
    // The application's single service-token header is read whole (its JSON holds a comma, where
    // first() would cut); one sent twice is joined into text that is no JSON object: no credentials.
    const asked: ForwardedRequest = { host: original.host, path: original.path, ip: original.ip, token, clientId, clientSecret, header: (name) => joined(h[name]), ...(binding !== undefined ? { binding } : {}), ...(preflight !== undefined ? { preflight } : {}) };
    const decideFromStore = () => decide(asked, context).then((decision) => answer(request, reply, original, decision));
    const remembered = decideFromMemory(asked, context);
    if (remembered === undefined) return decideFromStore();
    stamps.unchangedSince(remembered.stamp, (unchanged) => {
      try {
        const answered = unchanged ? answer(request, reply, original, remembered.decision) : decideFromStore();
        if (answered instanceof Promise) answered.catch((err: unknown) => reply.send(err));
      } catch (err) {
        reply.send(err);
      }
    });
    return undefined;
  }

  /** The forward-auth answer to a decision: at once for an allow, after a read for the rest. */
  function answer(request: FastifyRequest, reply: FastifyReply, original: OriginalRequest, decision: Decision): FastifyReply | Promise<FastifyReply> {
    reply.header('cache-control', 'no-store');
    if (decision.kind === 'allow') {
      // Always both headers, empty when there is nothing to pass (a bypass): a proxy that
      // copies a header the answer lacks may pass its own placeholder text upstream instead
      // (Caddy 2.6's copy_headers does); nginx leaves empty headers out.
      reply.header('cf-access-jwt-assertion', decision.token ?? '');
      reply.header('cf-access-authenticated-user-email', decision.email ?? '');
      // SAML attributes as headers (docs/identity-providers.md): a value is sent as its UTF-8
      // bytes, which is what a header carrying text other than ASCII holds on the wire.
      for (const [name, value] of decision.headers) reply.header(name, Buffer.from(value, 'utf8').toString('latin1'));
      return letThrough(request, reply);
    }
    return refuse(request, reply, original, decision);
  }

  /**
   * A 200 that lets the request through. Asked with `cookie=1` (the generated Traefik
   * configuration, whose middleware can replace the upstream's Cookie header but not edit it),
   * it also carries the request's cookies without CF_Binding, for the proxy to send upstream
   * instead; none when nothing else is left, so the proxy sends none.
   */
  function letThrough(request: FastifyRequest, reply: FastifyReply): FastifyReply {
    if ((request.query as Record<string, unknown>).cookie === '1') {
      const cookies = withoutBindingCookie(request.headers.cookie);
      if (cookies !== undefined) reply.header('cookie', cookies);
    }
    return reply.code(200).send();
  }

  async function refuse(request: FastifyRequest, reply: FastifyReply, original: OriginalRequest, decision: Exclude<Decision, { kind: 'allow' }>): Promise<FastifyReply> {
    const redirect = (request.query as Record<string, unknown>).redirect === '1';
    switch (decision.kind) {
      case 'preflight':
        // A preflight answered here: a refusal to the proxy (the origin must not see it) that the
        // generated nginx and Caddy configurations turn into a 204 with these headers, told apart
        // by X-Access-Preflight. A proxy configured otherwise shows the browser a 403, which
        // fails the preflight as before (docs/enforcement.md "CORS").
        for (const [name, value] of decision.headers) reply.header(name, value);
        return reply.code(403).header(PREFLIGHT_ANSWERED, 'answered').send();
      case 'login': {
        // service_auth_401_redirect: a request that came with service-token credentials which let
        // it in nowhere gets a bare 401 (a script cannot follow a sign-in page).
        if (decision.app.body.service_auth_401_redirect === true && sentServiceCredentials(decision.app, request)) return reply.code(401).type('text/html').send(messagePage('Unauthorized', 'The service token is not valid for this application.'));
        // An AJAX request (X-Requested-With: XMLHttpRequest) gets a bare 401 instead, as at
        // Cloudflare: the page's script learns the session ended and can reload; a redirect to a
        // sign-in page would be followed out of its sight.
        if (first(request.headers['x-requested-with'])?.toLowerCase() === 'xmlhttprequest') return reply.code(401).type('text/plain').send('Sign in again: the Access session has ended.');
        const returnTo = `${original.proto}://${original.host}${original.path}`;
        // As at Cloudflare, straight to the auth domain's login, this answer setting the browser's
        // CF_AppSession nonce on the application's host (app-session.ts; the generated proxy
        // configurations pass its Set-Cookie on). An application whose sign-in sets its session
        // on other hosts too goes by SIGN_IN_PATH, which takes a nonce on each of them first.
        // Only hosts this account holds count: a sign-in sets no session on another account's.
        const index = await accounts.get();
        const holder = index.holderOf(original.host);
        const elsewhere = holder !== undefined && heldPresetHosts(index, holder, decision.app).some((host) => host !== normalizedHost(original.host));
        let to = `${original.proto}://${original.host}${SIGN_IN_PATH}?redirect_url=${encodeURIComponent(returnTo)}`;
        if (!elsewhere) {
          const nonce = startAppSession(request.headers.cookie, original.proto === 'https');
          reply.header('set-cookie', nonce.setCookie);
          to = `${decision.authDomain}/cdn-cgi/access/login/${encodeURIComponent(original.host)}?redirect_url=${encodeURIComponent(returnTo)}&${APP_SESSION_PARAM}=${nonce.digest}`;
        }
        reply.header('x-access-login', to);
        return redirect ? reply.redirect(to, 302) : reply.code(401).type('text/html').send(signInRequiredPage(to));
      }
      case 'deny': {
        await log.refusal(decision.app.accountId, { app: decision.app, host: original.host, ip: original.ip, ...(decision.userId !== undefined ? { userId: decision.userId } : {}), ...(decision.email !== undefined ? { userEmail: decision.email } : {}) });
        // A service token refused goes to custom_non_identity_deny_url, a user to custom_deny_url.
        const sendTo = denyUrl(decision.app, decision.serviceToken === true);
        if (decision.unprovided !== undefined) {
          const { policy, steps } = decision.unprovided;
          const report = unprovided.report(`${decision.app.id}\n${policy}`);
          if (report !== undefined) app.log.warn({ app: decision.app.name, appId: decision.app.id, policy, steps, refusedSince: report.refusedSince }, 'An Allow policy asks for a step this server does not provide; the users it matches are refused (docs/enforcement.md)');
        }
        if (sendTo !== undefined) reply.header('x-access-deny-url', sendTo);
        if (redirect && sendTo !== undefined) return reply.redirect(sendTo, 302);
        if (decision.unprovided !== undefined) {
          return reply.code(403).type('text/html').send(messagePage('Forbidden', `Access to this application needs ${decision.unprovided.steps} first, which this server does not provide. Ask the application's administrator.`));
        }
        // The administrator's page for this refusal, if the application or its organization chose one, over the deny message.
        const custom = await customRefusalPage(store.read, decision.app, decision.serviceToken === true ? 'forbidden' : 'identity_denied');
        if (custom !== undefined) return sendCustomRefusalPage(reply, custom);
        return reply.code(403).type('text/html').send(messagePage('Forbidden', denyMessage(decision.app)));
      }
      case 'conflict': {
        const path = original.path.split('?')[0];
        const report = ties.report(`${original.host}${path}`);
        if (report !== undefined) request.log.error({ host: original.host, path, accounts: decision.accountIds, refusedSince: report.refusedSince }, 'applications of several accounts cover this request equally: refused until one of them is changed');
        return reply.code(403).type('text/html').send(messagePage('Forbidden', `Applications of several accounts cover ${original.host}${path}: the administrator must change one of them.`));
      }
      case 'no_application':
        if (options.noApplication === 'allow') return letThrough(request, reply);
        return reply.code(403).type('text/html').send(messagePage('Forbidden', `No Access application covers ${original.host}${original.path.split('?')[0]}.`));
    }
  }

  /** The App Launcher of the account whose auth domain `host` is, when `path` is its page. */
  const launcherAt = (index: AccountIndex, host: string, path: string): { view: AccountView; app: ResourceRecord } | undefined => {
    if (!isLauncherPath(path)) return undefined;
    const view = index.authDomainAccount(host);
    const launcher = view === undefined ? undefined : launcherOf(view);
    return launcher === undefined ? undefined : { view: view!, app: launcher };
  };

  /** The answer of an identity endpoint on a host that is neither an auth domain nor an application's (several accounts). */
  const unknownHost = (reply: FastifyReply, host: string): FastifyReply => reply.code(404).send({ err: `No account on this server has its auth domain or an Access application at ${host}.` });

  /** The account and application an application-host endpoint is for; a tie between accounts (logged) counts as none. */
  const applicationAt = (request: FastifyRequest, index: AccountIndex, host: string, path: string): { view: AccountView; app: ResourceRecord } | undefined => {
    const match = index.application(host, path);
    if (match.kind === 'conflict') {
      const report = ties.report(`${host}${path}`);
      if (report !== undefined) request.log.error({ host, path, accounts: match.accountIds, refusedSince: report.refusedSince }, 'applications of several accounts cover this host equally');
    }
    return match.kind === 'application' ? match : undefined;
  };

  // On the auth domain: the account's current and previous keys as JWKs, and as PEM
  // certificates (the current one first), in Cloudflare's shape.
  app.get('/cdn-cgi/access/certs', async (request, reply) => {
    const host = forwarded(request, trusted).host;
    const index = await accounts.get();
    const account = index.authDomainAccount(host);
    if (account === undefined) {
      // An application's host: the keys are its account's, published on that account's auth domain (as at Cloudflare).
      const app = applicationAt(request, index, host, '/');
      if (app !== undefined) return reply.code(404).send({ err: `Signing keys are published on the auth domain, not on an application's host: ${issuerOf(app.view.organization)}/cdn-cgi/access/certs` });
      return unknownHost(reply, host);
    }
    const published = await keys.keys(account.accountId);
    const certs = published.map((k) => ({ kid: k.kid, cert: k.certificate }));
    return reply.header('cache-control', 'public, max-age=60').send({ keys: published.map((k) => k.publicJwk), public_cert: certs[0], public_certs: certs });
  });

  /**
   * The hosts a sign-in to `app` sets its session on in advance (preset-hosts.ts), of those its
   * account holds: another account's host is not its to set a session on (its users' own session
   * there would be replaced), nor to send its token to.
   */
  const heldPresetHosts = (index: AccountIndex, view: AccountView, app: ResourceRecord): string[] => presetHosts(destinationsOf(app)).filter((preset) => index.holderOf(preset) === view);

  /** The cookies that keep `token` as `app`'s session on `host`, each at one of `paths`. */
  async function sessionCookies(view: AccountView, app: ResourceRecord, token: string, claims: AppTokenClaims & { exp: number }, secure: boolean, paths: readonly string[], name = COOKIE): Promise<string[]> {
    const maxAge = Math.max(1, claims.exp - Math.floor(Date.now() / 1000));
    // A user's session on an application that binds sessions: the token's CF_Binding beside it,
    // always HttpOnly (no script of the page needs it, and the origin never sees it).
    const binding = bindsSessions(app) && claims.sub !== undefined && claims.sub !== '' ? bindingFor(token, await keys.keys(view.accountId)) : undefined;
    return paths.flatMap((path) => [cookieHeader(app, name, token, maxAge, secure, path), ...(binding !== undefined ? [cookieHeader(app, BINDING_COOKIE, binding, maxAge, secure, path, true)] : [])]);
  }

  /**
   * Where the browser goes once `host` holds the session: the next host of the application whose
   * session is set in advance (preset-hosts.ts), with the same token and the same way home, else
   * home (the page first asked for).
   */
  function afterSession(index: AccountIndex, view: AccountView, app: ResourceRecord, host: string, token: string, home: URL, proofs: string): string {
    const next = nextPresetHost(heldPresetHosts(index, view, app), host, home.host);
    if (next === undefined) return home.toString();
    return `${home.protocol}//${next}${home.port === '' ? '' : `:${home.port}`}/cdn-cgi/access/authorized?token=${encodeURIComponent(token)}&redirect_url=${encodeURIComponent(home.toString())}${proofs}`;
  }

  /** The proofs an /authorized address came with, as the query it passes on to the next host's. */
  const proofsOf = (query: Record<string, string | undefined>): string =>
    [HANDOFF_PROOF_PARAM, APP_SESSION_PARAM, APP_SESSION_PROOF_PARAM]
      .filter((name) => query[name] !== undefined)
      .map((name) => `&${name}=${encodeURIComponent(query[name]!)}`)
      .join('');

  /**
   * The application a sign-in started at SIGN_IN_PATH on `original.host` is for, and where it
   * returns: a page of this host (its application's, or the App Launcher on the auth domain), or,
   * on the way through an application's preset hosts, a page of another of its hosts. Undefined
   * for anything else.
   */
  function signInStart(request: FastifyRequest, index: AccountIndex, original: OriginalRequest, redirectUrl: string | undefined): { view: AccountView; app: ResourceRecord; home: URL; presets: string[] } | undefined {
    const here = urlOnHost(redirectUrl, original.host);
    if (here === undefined && redirectUrl !== undefined) {
      let home: URL;
      try {
        home = new URL(redirectUrl);
      } catch {
        return undefined;
      }
      // As presetStep: the same account holds both hosts, and this one is a preset host of home's application.
      const view = index.holderOf(original.host);
      const match = index.application(home.host, home.pathname);
      if (home.protocol !== `${original.proto}:` || view === undefined || match.kind !== 'application' || match.view !== view) return undefined;
      const presets = heldPresetHosts(index, view, match.app);
      return presets.includes(normalizedHost(original.host)) ? { view, app: match.app, home, presets } : undefined;
    }
    const home = here ?? sameHostUrl(undefined, original.host, original.proto);
    if (home === undefined) return undefined;
    const launcher = launcherAt(index, original.host, home.pathname);
    if (launcher !== undefined) return { ...launcher, home, presets: [] };
    const found = applicationAt(request, index, original.host, home.pathname);
    return found === undefined ? undefined : { ...found, home, presets: heldPresetHosts(index, found.view, found.app) };
  }

  // On the application's host, before the auth domain's login: the browser takes (or keeps) its
  // application-session nonce here, and on each preset host of the application in turn, and the
  // login is told their digests (app-session.ts).
  app.get(SIGN_IN_PATH, async (request, reply) => {
    const original = forwarded(request, trusted);
    const query = request.query as Record<string, string | undefined>;
    const index = await accounts.get();
    const start = signInStart(request, index, original, query.redirect_url);
    if (start === undefined) return reply.code(400).type('text/html').send(messagePage('Bad request', 'This sign-in link is not for an application here.'));
    const nonce = startAppSession(request.headers.cookie, original.proto === 'https');
    reply.header('set-cookie', nonce.setCookie);
    // The digests gathered on the way carry on only through preset hosts: a sign-in starting here
    // starts afresh (a link cannot make it carry another browser's).
    const startsHere = normalizedHost(start.home.host) === normalizedHost(original.host);
    const gathered = startsHere ? [] : (appSessionDigests(query[APP_SESSION_PARAM]) ?? []);
    const appSession = withDigest(gathered, nonce.digest) ?? nonce.digest;
    const next = nextPresetHost(start.presets, original.host, start.home.host);
    const home = start.home;
    if (next !== undefined) return reply.redirect(`${home.protocol}//${next}${home.port === '' ? '' : `:${home.port}`}${SIGN_IN_PATH}?redirect_url=${encodeURIComponent(home.toString())}&${APP_SESSION_PARAM}=${appSession}`, 302);
    return reply.redirect(`${issuerOf(start.view.organization)}/cdn-cgi/access/login/${encodeURIComponent(home.host)}?redirect_url=${encodeURIComponent(home.toString())}&${APP_SESSION_PARAM}=${markedStartedAtSignInPath(appSession)}`, 302);
  });

  /**
   * A step of setting a session in advance: `/cdn-cgi/access/authorized` on another host of the
   * application whose token it carries, on the way home to the host the browser signed in on.
   * Undefined when the request is not one (then home must be on this host, as for any sign-in).
   */
  function presetStep(index: AccountIndex, original: OriginalRequest, redirectUrl: string | undefined, token: string): { view: AccountView; app: ResourceRecord; home: URL } | undefined {
    let home: URL;
    let auds: unknown[];
    try {
      home = new URL(redirectUrl ?? '');
      const { aud } = decodeJwt(token);
      auds = Array.isArray(aud) ? aud : [aud];
    } catch {
      return undefined;
    }
    if (home.protocol !== `${original.proto}:` || normalizedHost(home.host) === normalizedHost(original.host)) return undefined;
    // The account that holds this host, as for any request to it (enforced-accounts.ts): an
    // application of another account naming the host takes no session on it. Home is a host
    // the same account holds, as the host a sign-in starts on always is.
    const view = index.holderOf(original.host);
    if (view === undefined || index.holderOf(home.host) !== view) return undefined;
    const onHost = view.applicationsOn(original.host).find((c) => auds.includes(c.value.body.aud));
    if (onHost === undefined) return undefined;
    // Home must be another host of the same application, and this host one whose session it presets.
    const here = presetHosts(onHost.destinations).includes(normalizedHost(original.host));
    const homeIsTheApps = candidatesOnHost([onHost], home.host).length > 0;
    return here && homeIsTheApps ? { view, app: onHost.value, home } : undefined;
  }

  /**
   * Whether a token may become a session here: under enable_binding_cookie only with the hand-off
   * proof its sign-in gave (binding-cookie.ts), else a token that leaked on its own (the
   * Cf-Access-Jwt-Assertion the application sees) would be given its binding cookie here.
   */
  const handedOver = (app: ResourceRecord, token: string, proof: string | undefined, published: readonly SigningKey[]): boolean => !bindsSessions(app) || handoffHolds(token, proof, published);
  /**
   * Whether this is the proof's first use on `host` (always, for an application that binds no
   * sessions): a hand-off address replayed later (from the browser's history, a log that kept
   * it) makes no second session. Recorded until the token expires, in the store, so every
   * instance agrees; only a sign-in makes a proof, so the records grow with sign-ins alone.
   */
  const firstUseOfProof = (view: AccountView, app: ResourceRecord, proof: string | undefined, host: string, exp: number): Promise<boolean> => {
    if (!bindsSessions(app)) return Promise.resolve(true);
    const now = Date.now();
    return store.challenges.claim({ id: usedProofId(proof ?? '', normalizedHost(host)), accountId: view.accountId, kind: USED_PROOF_KIND, email: null, ipAddress: null, body: {}, attempts: 0, createdAt: new Date(now).toISOString(), expiresAt: Math.max(now, exp * 1000) });
  };
  const INVALID_SIGN_IN_LINK = 'This sign-in link is invalid or has expired: sign in again.';
  const OTHER_BROWSER = 'This sign-in was started in another browser (or this browser did not keep its sign-in cookie): open the application again to sign in.';
  /**
   * Whether this browser started the sign-in that made `token`: it holds one of the
   * application-session nonces the address names, and the proof shows the sign-in named them.
   */
  const startedHere = (request: FastifyRequest, original: OriginalRequest, query: Record<string, string | undefined>, token: string, published: readonly SigningKey[]): boolean =>
    appSessionHolds({ token, appSession: query[APP_SESSION_PARAM], proof: query[APP_SESSION_PROOF_PARAM], cookieHeader: request.headers.cookie, secure: original.proto === 'https' }, published);

  /**
   * The answer to an /authorized address this browser did not start. A sign-in that began on
   * forward auth's answer starts again at SIGN_IN_PATH, which sets (or reuses) the browser's nonce
   * through /cdn-cgi/access/: the browser may hold none (a proxy configured before the nonce
   * existed dropped its Set-Cookie) or another one (two tabs sent to sign in at once, each given
   * a fresh nonce, the browser keeping the last). That sign-in is marked, so a browser still not
   * holding its nonce at the end of it gets 400 rather than going round again; restarting signs
   * the browser in only as whoever signs in in it, never with the token this address carries.
   */
  const otherBrowser = (reply: FastifyReply, query: Record<string, string | undefined>, home: URL): FastifyReply => {
    if (!startedAtSignInPath(query[APP_SESSION_PARAM])) return reply.redirect(signInStartUrl(home), 302);
    return reply.code(400).type('text/html').send(messagePage('Bad request', OTHER_BROWSER, home.toString()));
  };

  // On the application's host (through the proxy): keep the token a login issued as the cookie.
  app.get('/cdn-cgi/access/authorized', async (request, reply) => {
    const original = forwarded(request, trusted);
    const query = request.query as Record<string, string | undefined>;
    const index = await accounts.get();
    const secure = original.proto === 'https';
    const step = query.token === undefined ? undefined : presetStep(index, original, query.redirect_url, query.token);
    const proof = query[HANDOFF_PROOF_PARAM];
    // A sign-in that did not start on the application's host (a login address opened as it was,
    // or an address stripped of its proof) leaves no session: the browser starts one of its own
    // there instead, which can only sign it in as whoever signs in in it (app-session.ts).
    const unproven = query[APP_SESSION_PROOF_PARAM] === undefined;
    if (step !== undefined) {
      const published = await keys.keysFor(step.view.accountId, query.token);
      const claims = await verifyAppToken(query.token!, published, String(step.app.body.aud), issuerOf(step.view.organization));
      if (claims === undefined || claims.exp === undefined || !handedOver(step.app, query.token!, proof, published) || step.view.signInEnded(claims.identity_nonce)) return reply.code(400).type('text/html').send(messagePage('Bad request', INVALID_SIGN_IN_LINK));
      if (unproven) return reply.redirect(signInStartUrl(step.home), 302);
      if (!startedHere(request, original, query, query.token!, published)) return otherBrowser(reply, query, step.home);
      if (!(await firstUseOfProof(step.view, step.app, proof, original.host, claims.exp))) return reply.code(400).type('text/html').send(messagePage('Bad request', INVALID_SIGN_IN_LINK));
      const paths = step.app.body.path_cookie_attribute === true ? [...new Set(cookiePathsOnHost(destinationsOf(step.app), original.host))] : ['/'];
      reply.header('set-cookie', await sessionCookies(step.view, step.app, query.token!, { ...claims, exp: claims.exp }, secure, paths.length > 0 ? paths : ['/']));
      return reply.redirect(afterSession(index, step.view, step.app, original.host, query.token!, step.home, proofsOf(query)), 302);
    }
    const target = sameHostUrl(query.redirect_url, original.host, original.proto);
    const found = target === undefined ? undefined : (launcherAt(index, original.host, target.pathname) ?? applicationAt(request, index, original.host, target.pathname));
    if (target === undefined || found === undefined || query.token === undefined) return reply.code(400).type('text/html').send(messagePage('Bad request', 'This sign-in link is not for an application here.'));
    // Only a token of the application's own account: its keys, its auth domain as the issuer, the application's aud.
    // A token of a sign-in signed out of since is refused like an expired one.
    const published = await keys.keysFor(found.view.accountId, query.token);
    const claims = await verifyAppToken(query.token, published, String(found.app.body.aud), issuerOf(found.view.organization));
    if (claims === undefined || claims.exp === undefined || !handedOver(found.app, query.token, proof, published) || found.view.signInEnded(claims.identity_nonce)) return reply.code(400).type('text/html').send(messagePage('Bad request', INVALID_SIGN_IN_LINK));
    if (unproven) return reply.redirect(signInStartUrl(target), 302);
    if (!startedHere(request, original, query, query.token, published)) return otherBrowser(reply, query, target);
    if (!(await firstUseOfProof(found.view, found.app, proof, original.host, claims.exp))) return reply.code(400).type('text/html').send(messagePage('Bad request', INVALID_SIGN_IN_LINK));
    // path_cookie_attribute: the session is scoped to the application's path, so that applications
    // on other paths of the host keep their own (a browser sends the longer path's cookie first).
    // The App Launcher's session is scoped to its page, so that it never stands in for an
    // application's session on the same host name (a cookie ignores the port).
    // (Under https its own `__Host-` cookie instead: app-launcher.ts launcherCookie.)
    const launcher = found.app.body.type === 'app_launcher' ? launcherCookie(issuerOf(found.view.organization)) : undefined;
    const cookiePath = launcher !== undefined ? launcher.path : found.app.body.path_cookie_attribute === true ? (coveringCookiePath(destinationsOf(found.app), original.host, target.pathname) ?? '/') : '/';
    reply.header('set-cookie', await sessionCookies(found.view, found.app, query.token, { ...claims, exp: claims.exp }, secure || launcher?.secure === true, [cookiePath], launcher?.name));
    return reply.redirect(launcher !== undefined ? target.toString() : afterSession(index, found.view, found.app, original.host, query.token, target, proofsOf(query)), 302);
  });

  // On the application's host: who the cookie says is logged in, in Cloudflare's shape.
  app.get('/cdn-cgi/access/get-identity', async (request, reply) => {
    const original = forwarded(request, trusted);
    const index = await accounts.get();
    const token = cookieValue(request.headers.cookie, COOKIE) ?? first(request.headers['cf-access-token']);
    // The application the token is for, of those of the account holding the host (whatever their
    // paths: the host-wide cookie of an application on /docs reaches this path too), else the one at `/`.
    const onHost = index.applicationsOn(original.host);
    const holder = onHost.length === 0 ? undefined : index.holderOf(original.host);
    const named = holder === undefined || token === undefined ? undefined : holder.applicationsOn(original.host).find((c) => audiencesOf(token).includes(String(c.value.body.aud)))?.value;
    const found = named !== undefined ? { view: holder!, app: named } : applicationAt(request, index, original.host, '/');
    if (found === undefined && index.only === undefined && onHost.length === 0 && index.authDomainAccount(original.host) === undefined) return unknownHost(reply, original.host);
    const accountId = found?.view.accountId;
    const published = found === undefined ? [] : await keys.keysFor(found.view.accountId, token);
    const verified = found === undefined || token === undefined ? undefined : await verifyAppToken(token, published, String(found.app.body.aud), issuerOf(found.view.organization));
    // A bound session answers only with its CF_Binding cookie, as at the enforcement point.
    const claims = verified !== undefined && bindsSessions(found!.app) && !bindingHolds(token!, cookieValue(request.headers.cookie, BINDING_COOKIE), published) ? undefined : verified;
    // Whose session: the application's token, else on the auth domain the global session (as
    // Cloudflare's team domain answers get-identity).
    // A session of a sign-in signed out of is none.
    let session: { readonly accountId: string; readonly userId: string; readonly iat: number | undefined; readonly appId?: string } | undefined;
    if (accountId !== undefined && claims?.sub !== undefined && claims.sub !== '') {
      if (!found!.view.signInEnded(claims.identity_nonce)) session = { accountId, userId: claims.sub, iat: claims.iat, appId: found!.app.id };
    } else {
      const authView = index.authDomainAccount(original.host);
      if (authView !== undefined && isIssuerHost(issuerOf(authView.organization), original.host)) {
        const global = await globalSessionOf(request.headers.cookie, issuerOf(authView.organization), (token) => keys.keysFor(authView.accountId, token));
        if (global !== undefined && !authView.signInEnded(global.identityNonce)) session = { accountId: authView.accountId, userId: global.userId, iat: global.iat };
      }
    }
    const user = session === undefined ? undefined : await store.read.getUser(session.accountId, session.userId);
    const revokedAt = user === undefined ? undefined : await sessionsRevokedAt(store.read, session!.accountId, user.id);
    const appRevokedAt = user === undefined || session!.appId === undefined ? undefined : await sessionsRevokedAt(store.read, session!.accountId, session!.appId);
    if (user === undefined || issuedBefore(session!.iat, revokedAt) || issuedBefore(session!.iat, appRevokedAt)) return reply.code(401).send({ err: 'no session' });
    const identity = (user.identity ?? {}) as Record<string, unknown>;
    return reply.send({
      ...identity,
      email: user.email,
      name: user.name,
      user_uuid: user.id,
      account_id: session!.accountId,
      iat: session!.iat,
      ip: identity.ip ?? original.ip,
      auth_status: 'NONE',
      common_name: '',
      service_token_id: '',
      service_token_status: false,
      is_warp: false,
      is_gateway: false,
      version: 2,
    });
  });

  // On the application's host: end the sessions there, then the global session on the auth
  // domain (else the next sign-in would take it up again). On the auth domain: end that one.
  // Either way the sign-in ends on the server too, not only in this browser.
  app.get('/cdn-cgi/access/logout', async (request, reply) => {
    const host = forwarded(request, trusted).host;
    const index = await accounts.get();
    // The account whose applications the host serves, whatever their paths: a host whose
    // applications all sit on paths (wiki.example.com/reports) covers nothing at `/` and is
    // still theirs (with one account, holderOf names it for any host: an application must be there).
    const onHost = index.applicationsOn(host);
    const appView = onHost.length === 0 ? undefined : index.holderOf(host);
    const authDomainView = index.authDomainAccount(host);
    if (index.only === undefined && onHost.length === 0 && authDomainView === undefined) return unknownHost(reply, host);
    // Every session on the host: the host-wide cookie and those of applications scoped to their paths.
    const scoped = onHost.filter((c) => c.value.body.path_cookie_attribute === true).flatMap((c) => cookiePathsOnHost(c.destinations, host));
    const onAuthDomain = authDomainView !== undefined && isIssuerHost(issuerOf(authDomainView.organization), host);
    // The sign-ins the cookies prove end on the server first (sign-out.ts): a copy of them,
    // taken before, opens nothing from now on, on any instance.
    await endSignInsOf({ store, keys, issuerOf }, request.headers.cookie, host, index.holderOf(host), onAuthDomain ? authDomainView : undefined);
    const paths = [...new Set(['/', ...scoped, ...(onAuthDomain ? [LAUNCHER_PATH] : [])])];
    reply.header('set-cookie', [...paths.flatMap((path) => [COOKIE, BINDING_COOKIE].map((name) => `${name}=; Path=${path}; Max-Age=0; HttpOnly; SameSite=Lax`)), ...(onAuthDomain ? [...CLEAR_GLOBAL_SESSION, CLEAR_LAUNCHER_SESSION] : [])]);
    // Only from an application's host: a host that is neither (an auth domain reached under another
    // name) must not send the browser round in a loop. The auth domain's logout ends the global
    // session's sign-in, the only one a path-scoped cookie (never sent to this path) can be ended by.
    if (!onAuthDomain && appView !== undefined) return reply.redirect(`${issuerOf(appView.organization)}/cdn-cgi/access/logout`, 302);
    return reply.code(200).type('text/html').send(messagePage('Signed out', 'You are signed out.'));
  });

  registerAppLauncher(app, { context, trusted, log, issuerOf, ...(options.appPort !== undefined ? { appPort: options.appPort } : {}) });

  const clock = options.clock ?? Date.now;
  // The sign-ins' external evaluation, with each session's answers kept a minute (sign-in-external.ts).
  const signInExternal = new SignInExternal(options.externalFor, (details, message) => app.log.warn(details, message));
  // The sign-ins run on the auth domain: the account is the one whose auth domain the request came to.
  const loginContextOf = async (request: FastifyRequest, reply: FastifyReply): Promise<LoginContext | undefined> => {
    const host = forwarded(request, trusted).host;
    const account = (await accounts.get(clock())).authDomainAccount(host);
    if (account === undefined) {
      await reply.code(404).type('text/html').send(messagePage('Not found', `No account on this server has its auth domain at ${host}.`));
      return undefined;
    }
    const issuer = issuerOf(account.organization);
    if (isAuthDomainForm(request) && !postedFromAuthDomain(request, issuer)) {
      await reply.code(403).header('cache-control', 'no-store').type('text/html').send(messagePage('Forbidden', CROSS_ORIGIN_FORM));
      return undefined;
    }
    return { store, views, keys, accountId: account.accountId, log, trusted, issuer: async () => issuer, devLogin: options.devLogin === true, external: signInExternal, now: () => clock() };
  };
  registerLoginRoutes(app, loginContextOf, options.devLogin === true, loginMethods({ mailer: options.mailer }), options.mailer);
  // What fastify refuses before a sign-in route runs (a provider's answer past the size limit, a
  // body of a type the page does not read), and a database outage meanwhile, reach a browser: a page, not the API's JSON.
  for (const prefix of SIGN_IN_PAGE_PREFIXES) answerFrameworkErrorsUnder(app, prefix, signInErrorPage);
}

const SIGN_IN_PAGE_PREFIXES = ['/cdn-cgi/access/login/', '/cdn-cgi/access/callback'] as const;

function signInErrorPage(error: ApiError): { contentType: string; body: string } {
  const message =
    error.status === 413
      ? 'What was posted to the sign-in page is larger than this server accepts (an identity provider sending very many attributes or groups can cause this: ask an administrator to send fewer).'
      : error.status === 415
        ? 'The sign-in page reads a posted form (application/x-www-form-urlencoded) and was sent something else.'
        : error.errors.map((e) => e.message).join(' ');
  return { contentType: 'text/html; charset=utf-8', body: messagePage(error.status >= 500 ? 'Sign-in unavailable' : 'Sign-in failed', message) };
}
