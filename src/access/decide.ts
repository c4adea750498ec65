// The enforcement decision for one request a reverse proxy forwards (docs/enforcement.md): find
// the application covering its host and path, work out who is asking (a service token's two
// headers, the CF_Authorization application token, or nobody), and run the application's
// policies, in Cloudflare's order of execution, on that identity now: a policy change, a
// deleted user or a revoked service token takes effect on the next request.

import { createHash, timingSafeEqual } from 'node:crypto';
import { parseGoDuration, prepareIdentity, resultAccess, resultDecidingIndex, type Identity } from '../engine/index.js';
import { destinationsOf, type AccountView, type AccountViews } from './account-views.js';
import { evaluatedIdentity } from '../api/resources/user-policy-checks.js';
import type { ResourceRecord, Store } from '../store/store.js';
import { matchDestination } from './app-match.js';
import { serviceAppToken, type AppTokenClaims, type VerifiedTokens } from './app-token.js';
import type { SigningKeys } from '../account/signing-keys.js';

export interface ForwardedRequest {
  readonly host: string;
  readonly path: string;
  readonly ip: string | undefined;
  /** The CF_Authorization cookie or Cf-Access-Token header, if any. */
  readonly token: string | undefined;
  readonly clientId: string | undefined;
  readonly clientSecret: string | undefined;
}

export type Decision =
  /** Let the request through; `token` (and `email`) go upstream. */
  | { readonly kind: 'allow'; readonly app: ResourceRecord; readonly token?: string; readonly email?: string; readonly bypass: boolean }
  /** Nobody is logged in for this application: send the browser to log in. */
  | { readonly kind: 'login'; readonly app: ResourceRecord }
  /** Policies deny whoever is asking. */
  | { readonly kind: 'deny'; readonly app: ResourceRecord; readonly email?: string; readonly userId?: string }
  /** No application covers the request. */
  | { readonly kind: 'no_application' };

/** The application covering a host and path, read now (for the rare sign-in paths). */
export async function findApplication(store: Store, accountId: string, host: string, path: string): Promise<ResourceRecord | undefined> {
  const apps = await store.read.allResources(accountId, 'app');
  return matchDestination(apps.map((app) => ({ value: app, destinations: destinationsOf(app) })), host, path);
}

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** The service token these credentials belong to, when it is enabled and unexpired. */
function serviceToken(tokens: readonly ResourceRecord[], clientId: string, clientSecret: string, now: number): ResourceRecord | undefined {
  const token = tokens.find((t) => t.body.client_id === clientId);
  if (token === undefined || token.secretHash === null) return undefined;
  const stored = Buffer.from(token.secretHash, 'hex');
  const sent = sha256(clientSecret);
  if (stored.length !== sent.length || !timingSafeEqual(stored, sent)) return undefined;
  if (token.body.enabled === false) return undefined;
  const expires = token.body.expires_at;
  if (typeof expires === 'string') {
    const at = Date.parse(expires);
    // Fail closed: an expiry that cannot be read is an expired token.
    if (!(at > now)) return undefined;
  }
  return token;
}

export interface DecideContext {
  readonly store: Store;
  readonly views: AccountViews;
  readonly tokens: VerifiedTokens;
  readonly keys: SigningKeys;
  readonly accountId: string;
  /** The account's auth domain URL (the tokens' issuer), given what the organization says. */
  issuer(organization: AccountView['organization']): string;
  readonly now?: number;
}

/** The application's session length in seconds: its own, else the organization's, else 24 hours. */
export function sessionSeconds(app: ResourceRecord, organizationDefault?: unknown): number {
  const text = typeof app.body.session_duration === 'string' ? app.body.session_duration : typeof organizationDefault === 'string' ? organizationDefault : '24h';
  const parsed = parseGoDuration(text);
  // Durations are checked on write; one that cannot be read gets the 24-hour default.
  return parsed === undefined ? 24 * 3600 : Math.max(1, Math.floor(parsed.ns / 1e9));
}

export async function decide(request: ForwardedRequest, ctx: DecideContext): Promise<Decision> {
  const now = ctx.now ?? Date.now();
  const view = await ctx.views.get(ctx.accountId, now);
  const app = view.application(request.host, request.path);
  if (app === undefined) return { kind: 'no_application' };
  const aud = String(app.body.aud ?? '');
  const { policies, compiled } = await view.compiled(app);
  const network: Identity = request.ip === undefined ? {} : { ip: request.ip };

  // Who is asking: a service token's credentials, else the application token, else nobody.
  let identity: Identity = network;
  let claims: AppTokenClaims | undefined;
  let service: ResourceRecord | undefined;
  if (request.clientId !== undefined && request.clientSecret !== undefined) {
    service = serviceToken(view.serviceTokens, request.clientId, request.clientSecret, now);
    if (service !== undefined) identity = { ...network, service_token_id: service.id, service_token_status: true, common_name: String(service.body.client_id) };
  } else if (request.token !== undefined) {
    claims = await ctx.tokens.verify(request.token, await ctx.keys.keys(ctx.accountId, now), aud, ctx.issuer(view.organization), now);
    if (claims?.common_name !== undefined && claims.common_name !== '') {
      // A token issued to a service token: the token must still be valid now.
      service = view.serviceTokens.find((t) => t.body.client_id === claims!.common_name && t.body.enabled !== false && !(typeof t.body.expires_at === 'string' && !(Date.parse(t.body.expires_at) > now)));
      if (service !== undefined) identity = { ...network, service_token_id: service.id, service_token_status: true, common_name: claims.common_name };
      else claims = undefined;
    } else if (claims?.sub !== undefined) {
      const user = await view.user(claims.sub);
      const revokedAt = user === undefined ? undefined : view.revokedAt(user.id);
      // A user deleted since the login, or whose sessions were revoked since, has no session any more.
      if (user === undefined || (revokedAt !== undefined && !((claims.iat ?? 0) * 1000 > revokedAt))) claims = undefined;
      else identity = { ...evaluatedIdentity(user), ...network };
    }
  }

  const packed = compiled.evaluate(prepareIdentity(identity));
  const access = resultAccess(packed);
  const deciding = policies[resultDecidingIndex(packed)];
  if (access === 'granted') {
    if (deciding?.decision === 'bypass') return { kind: 'allow', app, bypass: true };
    // A service token gets in through Service Auth (non_identity) policies only; an Allow
    // policy that matches it still asks for a login, as at Cloudflare.
    if (service !== undefined && deciding?.decision === 'non_identity') {
      const token = request.token !== undefined && claims !== undefined ? request.token : await serviceAppToken({ aud, issuer: ctx.issuer(view.organization), lifetimeSeconds: sessionSeconds(app), clientId: String(service.body.client_id) }, await ctx.keys.current(ctx.accountId), now);
      return { kind: 'allow', app, token, bypass: false };
    }
    if (claims !== undefined && service === undefined) return { kind: 'allow', app, token: request.token!, ...(typeof claims.email === 'string' ? { email: claims.email } : {}), bypass: false };
    // Granted by an Allow policy without a user (nobody, or a service token): Cloudflare asks
    // for a login before an Allow policy applies.
    return { kind: 'login', app };
  }
  // Denied (or undecidable, which fails closed): a logged-in user or a service token is refused;
  // nobody identified is sent to log in first.
  if (claims === undefined && service === undefined) return { kind: 'login', app };
  return {
    kind: 'deny',
    app,
    ...(typeof claims?.email === 'string' ? { email: claims.email } : service !== undefined ? { email: String(service.body.client_id) } : {}),
    ...(claims?.sub !== undefined && claims.sub !== '' ? { userId: claims.sub } : {}),
  };
}
