// The App Launcher (docs/enforcement.md "App Launcher"): a page on the auth domain that lists,
// as tiles, the applications the signed-in user may open. It is off until the account has an
// application of type `app_launcher`, whose policies decide who may see the page at all, as
// Cloudflare's; each tile is then shown only to those its own application's policies let in
// (bookmarks, which Access does not protect, to everyone who sees the page).

import type { FastifyInstance, FastifyReply } from 'fastify';
import { prepareIdentity, resultAccess, resultDecidingIndex, type Identity } from '../engine/index.js';
import type { ResourceRecord } from '../store/store.js';
import { evaluatedIdentity } from '../api/resources/user-policy-checks.js';
import type { AccountView } from './account-views.js';
import { destinationsOf } from '../schema/destination-hosts.js';
import { decide, denyMessage, LAUNCHER_DENIED, unprovidedSteps, type DecideContext, type Decision } from './decide.js';
import { cookieValue, first, forwarded, servedOverHttps } from './forwarded.js';
import { globalSessionTokens, verifyGlobalSession } from './global-session.js';
import { BINDING_COOKIE } from './binding-cookie.js';
import { TOKEN_COOKIE } from './app-token.js';
import type { TrustedProxies } from '../api/trusted-proxies.js';
import type { AccessLog } from './access-log.js';
import { launcherLandingPage, launcherPage, messagePage, webUrl, type LauncherTile } from './pages.js';
import type { OrganizationBody } from '../account/organization.js';

/** Where the App Launcher is served on the auth domain; over plain http its session cookie is scoped to it. */
export const LAUNCHER_PATH = '/cdn-cgi/access/launcher';

/**
 * The launcher session's cookie under https: a `__Host-` cookie (Path=/, Secure, no Domain), which
 * a browser takes only from the auth domain itself, so that a page on a sibling subdomain cannot
 * plant a session of its choosing there (someone else's launcher: login CSRF), as it could a plain
 * CF_Authorization with `Domain=` the parent domain. Its own name, apart from the global session's.
 */
const HOST_ONLY_LAUNCHER_COOKIE = '__Host-CF_Launcher';
/** The launcher session's cookie on this auth domain: only this name is read there (a plain one is ignored under https). */
export const launcherCookie = (issuer: string): { readonly name: string; readonly path: string; readonly secure: boolean } =>
  servedOverHttps(issuer) ? { name: HOST_ONLY_LAUNCHER_COOKIE, path: '/', secure: true } : { name: TOKEN_COOKIE, path: LAUNCHER_PATH, secure: false };
/** The Set-Cookie ending the launcher's `__Host-` session (the plain one is ended with the other plain cookies). */
export const CLEAR_LAUNCHER_SESSION = `${HOST_ONLY_LAUNCHER_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure`;

/** Application types a tile can open in a browser (SaaS sign-ins start at the SaaS application, not here). */
const TILE_TYPES: ReadonlySet<string> = new Set(['self_hosted', 'bookmark', 'ssh', 'vnc', 'rdp']);

/** The account's App Launcher application: the oldest of type `app_launcher`, if any. */
export function launcherApplication(apps: Iterable<ResourceRecord>): ResourceRecord | undefined {
  let found: ResourceRecord | undefined;
  for (const app of apps) {
    if (app.body.type === 'app_launcher' && (found === undefined || app.createdAt < found.createdAt)) found = app;
  }
  return found;
}

/** The App Launcher application of an account's view. */
export const launcherOf = (view: AccountView): ResourceRecord | undefined => launcherApplication(view.candidates.map((c) => c.value));

/**
 * Whether `host` (a request's, perhaps with a port) is the auth domain `issuer` names. With one
 * account every host finds it, so its auth domain's own host name is what tells them apart.
 */
export function isIssuerHost(issuer: string, host: string): boolean {
  return new URL(issuer).hostname.toLowerCase() === host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '').toLowerCase();
}

/** Whether a URL is the App Launcher's page. */
export const isLauncherPath = (pathname: string): boolean => pathname === LAUNCHER_PATH;

/**
 * Where a tile leads: the application's `domain` (the one Cloudflare shows in the launcher), else
 * its first destination, with the launcher's own scheme unless it names one; none for a
 * destination with `*`, which names no one page. A domain names no port (the API refuses one), so
 * where the proxy listens on another port than the scheme's, the operator gives it (`appPort`,
 * --app-port): a domain that is a whole address is left as it is. (Bookmarks never get it.)
 */
export function tileLink(app: ResourceRecord, proto: string, appPort?: number): string | undefined {
  const domain = typeof app.body.domain === 'string' && app.body.domain !== '' ? app.body.domain : destinationsOf(app)[0];
  if (domain === undefined || domain.includes('*')) return undefined;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(domain)) return webUrl(domain);
  const link = webUrl(`${proto}://${domain}`);
  if (link === undefined || appPort === undefined) return link;
  const url = new URL(link);
  // The URL drops the scheme's own port by itself (https and 443 give no port).
  url.port = String(appPort);
  return url.toString();
}

/** Whether these policies let this identity in as a person (an Allow or a Bypass, with nothing this server cannot provide). */
async function letsIn(view: AccountView, app: ResourceRecord, identity: Identity): Promise<boolean> {
  // A policy set that cannot be built shows no tile (fails closed) rather than failing the page.
  const built = await view.compiled(app).catch(() => undefined);
  if (built === undefined) return false;
  const { policies, compiled } = built;
  const packed = compiled.evaluate(prepareIdentity(identity));
  if (resultAccess(packed) !== 'granted') return false;
  const deciding = policies[resultDecidingIndex(packed)];
  if (deciding === undefined) return false;
  if (deciding.decision === 'bypass') return true;
  return deciding.decision === 'allow' && unprovidedSteps(deciding) === undefined;
}

/** The tiles this identity sees: visible applications that would let it in, and visible bookmarks, by name. */
export async function launcherTiles(view: AccountView, identity: Identity, proto: string, appPort?: number): Promise<LauncherTile[]> {
  const tiles: LauncherTile[] = [];
  for (const { value: app } of view.candidates) {
    const type = String(app.body.type);
    // app_launcher_visible defaults to true, as in Cloudflare's API.
    if (!TILE_TYPES.has(type) || app.body.app_launcher_visible === false) continue;
    // The proxy serves the applications Access protects; a bookmark's site is none of its.
    const href = tileLink(app, proto, type === 'bookmark' ? undefined : appPort);
    if (href === undefined) continue;
    if (type !== 'bookmark' && !(await letsIn(view, app, identity))) continue;
    const logo = webUrl(app.body.logo_url, true);
    tiles.push({ name: app.name, href, ...(logo !== undefined ? { logo } : {}) });
  }
  return tiles.sort((a, b) => a.name.localeCompare(b.name));
}

export interface LauncherDeps {
  readonly context: DecideContext;
  readonly trusted: TrustedProxies;
  readonly log: AccessLog;
  issuerOf(organization: OrganizationBody | undefined): string;
  /** The port the proxy serves the applications on, when not the scheme's (tiles open it); undefined: the scheme's. */
  readonly appPort?: number;
}

/** The App Launcher's route on the auth domain. */
export function registerAppLauncher(app: FastifyInstance, deps: LauncherDeps): void {
  const { context, trusted, log } = deps;
  /** Whether any of the request's CF_Authorization cookies is a global session of the account, of a sign-in not signed out of. */
  const holdsGlobalSession = async (cookie: string | undefined, view: AccountView, issuer: string): Promise<boolean> => {
    const tokens = globalSessionTokens(cookie, issuer);
    if (tokens.length === 0) return false;
    const keys = await context.keys.keysFor(view.accountId, tokens[0]);
    for (const token of tokens) {
      const session = await verifyGlobalSession(token, keys, issuer, context.now ?? Date.now());
      if (session !== undefined && !view.signInEnded(session.identityNonce)) return true;
    }
    return false;
  };
  const page = (reply: FastifyReply, status: number, title: string, message: string): FastifyReply => reply.code(status).header('cache-control', 'no-store').type('text/html').send(messagePage(title, message));

  app.get(LAUNCHER_PATH, async (request, reply) => {
    const original = forwarded(request, trusted);
    const view = (await context.accounts.get()).authDomainAccount(original.host);
    if (view === undefined) return page(reply, 404, 'Not found', `No account on this server has its auth domain at ${original.host}.`);
    const launcher = launcherOf(view);
    if (launcher === undefined) return page(reply, 404, 'App Launcher off', 'The App Launcher is not enabled: an administrator turns it on by adding an application of type app_launcher with a policy saying who may use it.');
    const issuer = deps.issuerOf(view.organization);
    // On an application's host (one account answers on every host), the launcher is on the auth domain.
    if (!isIssuerHost(issuer, original.host)) return reply.redirect(`${issuer}${LAUNCHER_PATH}`, 302);
    const h = request.headers;
    const binding = cookieValue(h.cookie, BINDING_COOKIE);
    const asked = { host: original.host, path: LAUNCHER_PATH, ip: original.ip, token: cookieValue(h.cookie, launcherCookie(issuer).name) ?? first(h['cf-access-token']), clientId: undefined, clientSecret: undefined, ...(binding !== undefined ? { binding } : {}) };
    const decision: Decision = await decide(asked, context, { view, app: launcher });
    reply.header('cache-control', 'no-store');
    switch (decision.kind) {
      case 'login': {
        // By the sign-in start on the auth domain, which gives the browser its application-session
        // nonce for the launcher's session (app-session.ts).
        const to = `${issuer}/cdn-cgi/access/sign-in?redirect_url=${encodeURIComponent(`${issuer}${LAUNCHER_PATH}`)}`;
        // Cloudflare's landing page comes first, unless the launcher skips it; someone with a
        // global session is signed in already and goes straight on.
        if (launcher.body.skip_app_launcher_login_page === true || (await holdsGlobalSession(h.cookie, view, issuer))) return reply.redirect(to, 302);
        return reply.type('text/html').send(launcherLandingPage(launcher.body.landing_page_design, to));
      }
      case 'allow': {
        // A user's session shows what that user may open; a Bypass on the launcher shows anyone what anyone may open.
        const user = decision.userId === undefined ? undefined : await view.user(decision.userId);
        const network: Identity = original.ip === undefined ? {} : { ip: original.ip };
        const identity: Identity = user === undefined ? network : { ...evaluatedIdentity(user), ...network };
        const tiles = await launcherTiles(view, identity, original.proto, deps.appPort);
        const logo = webUrl(launcher.body.app_launcher_logo_url, true);
        return reply.type('text/html').send(
          launcherPage({
            title: typeof view.organization?.name === 'string' && view.organization.name !== '' ? view.organization.name : 'App Launcher',
            ...(user !== undefined ? { email: user.email } : {}),
            tiles,
            ...(logo !== undefined ? { logo } : {}),
            colors: { background: launcher.body.bg_color, header: launcher.body.header_bg_color },
            footerLinks: Array.isArray(launcher.body.footer_links) ? launcher.body.footer_links : [],
            logoutUrl: `${issuer}/cdn-cgi/access/logout`,
          }),
        );
      }
      case 'deny': {
        await log.refusal(view.accountId, { app: launcher, host: original.host, ip: original.ip, ...(decision.userId !== undefined ? { userId: decision.userId } : {}), ...(decision.email !== undefined ? { userEmail: decision.email } : {}) });
        return page(reply, 403, 'Forbidden', denyMessage(launcher));
      }
      default:
        return page(reply, 403, 'Forbidden', LAUNCHER_DENIED);
    }
  });
}
