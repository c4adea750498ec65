// The enforcement decision for one request a reverse proxy forwards (docs/enforcement.md): find
// the application covering its host and path, of whichever account the server serves (see
// enforced-accounts.ts), work out who is asking (a service token's two
// headers, the CF_Authorization application token, or nobody), and run the application's
// policies, in Cloudflare's order of execution, on that identity now: a policy change, a
// deleted user or a revoked service token takes effect on the next request. decideFromMemory
// makes it from what is kept in memory, decide() reads what is missing (docs/enforcement.md
// "Sessions and caching").

import { createHash, timingSafeEqual } from 'node:crypto';
import { parseGoDuration, prepareIdentity, resultAccess, resultDecidingIndex, type Identity, type Policy } from '../engine/index.js';
import type { AccountView, CompiledApp } from './account-views.js';
import { destinationsOf, enforcedDestinationsOf } from '../schema/destination-hosts.js';
import type { AccountIndex, EnforcedAccounts } from './enforced-accounts.js';
import { evaluatedIdentity } from '../api/resources/user-policy-checks.js';
import type { ResourceRecord, Store, UserRecord } from '../store/store.js';
import { matchDestination } from './app-match.js';
import { serviceAppToken, type AppTokenClaims, type ServiceTokenInput, type VerifiedTokens } from './app-token.js';
import { bindingHolds, bindsSessions } from './binding-cookie.js';
import type { SigningKey, SigningKeys } from '../account/signing-keys.js';
import { isSafeHeader } from '../schema/saml-headers.js';
import { previousSecretUntil } from '../schema/service-token-grace.js';
import { serviceTokenCredentialsIn, serviceTokenHeaderOf } from '../schema/service-token-header.js';
import { issuedBefore } from '../account/organization.js';
import { preflightHandling, type Preflight } from './cors.js';
import { answersOfSession } from './sign-in-external.js';

export interface ForwardedRequest {
  readonly host: string;
  readonly path: string;
  readonly ip: string | undefined;
  /** The CF_Authorization cookie or Cf-Access-Token header, if any. */
  readonly token: string | undefined;
  /** The CF_Binding cookie, if any (binding-cookie.ts). */
  readonly binding?: string;
  readonly clientId: string | undefined;
  readonly clientSecret: string | undefined;
  /**
   * The request's header of this (lower-case) name, if any: where the application's
   * read_service_tokens_from_header says a service token's credentials may come instead.
   */
  readonly header?: (name: string) => string | undefined;
  /** When the request is a CORS preflight (OPTIONS with Origin and Access-Control-Request-Method): what it asks. */
  readonly preflight?: Preflight;
}

export type Decision =
  /**
   * Let the request through; `token` (and `email`) go upstream, and `headers`: every header the
   * account's SAML providers pass, with the value the session's sign-in gave it, else empty.
   */
  | { readonly kind: 'allow'; readonly app: ResourceRecord; readonly token?: string; readonly email?: string; readonly userId?: string; readonly bypass: boolean; readonly headers: SessionHeaders }
  /** Nobody is logged in for this application: send the browser to log in, on `authDomain` (its account's). */
  | { readonly kind: 'login'; readonly app: ResourceRecord; readonly authDomain: string }
  /**
   * A CORS preflight Access answers itself (the application's cors_headers), with these
   * Access-Control-* headers: it never reaches the origin (docs/enforcement.md "CORS").
   */
  | { readonly kind: 'preflight'; readonly app: ResourceRecord; readonly headers: SessionHeaders }
  /**
   * Policies deny whoever is asking; `unprovided` when an Allow policy matched but asks for steps
   * this server does not provide (Browser Isolation).
   */
  | { readonly kind: 'deny'; readonly app: ResourceRecord; readonly email?: string; readonly userId?: string; readonly unprovided?: UnprovidedSteps; readonly serviceToken?: true }
  /** No application covers the request. */
  | { readonly kind: 'no_application' }
  /** Applications of several accounts cover the request equally: refused (a configuration error). */
  | { readonly kind: 'conflict'; readonly accountIds: readonly string[] };

/** Header name → value pairs for the forward-auth answer. */
export type SessionHeaders = readonly (readonly [string, string])[];
const NO_HEADERS: SessionHeaders = Object.freeze([]);

/**
 * The SAML headers of an answer (docs/identity-providers.md "Attributes as request headers"):
 * those configured now, each with the value the session's token carries (fixed at sign-in,
 * checked again here) or empty, so that a proxy copying a header the answer lacked cannot pass
 * placeholder text upstream.
 */
function sessionHeaders(names: readonly string[], claims: AppTokenClaims | undefined): SessionHeaders {
  if (names.length === 0) return NO_HEADERS;
  const carried = claims?.saml_headers !== null && typeof claims?.saml_headers === 'object' ? claims.saml_headers : undefined;
  return names.map((name) => {
    const value = carried === undefined ? undefined : (carried[name] ?? Object.entries(carried).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1]);
    return [name, typeof value === 'string' && isSafeHeader(name, value) ? value : ''];
  });
}

/** The application covering a host and path, read now (for the rare sign-in paths). */
export async function findApplication(store: Store, accountId: string, host: string, path: string): Promise<ResourceRecord | undefined> {
  const apps = await store.read.allResources(accountId, 'app');
  return matchDestination(apps.map((app) => ({ value: app, destinations: enforcedDestinationsOf(app) })), host, path);
}

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** A service token's secret version: 1 until its first rotation (older records have none). */
const secretVersionOf = (token: ResourceRecord): number => (typeof token.body.client_secret_version === 'number' ? token.body.client_secret_version : 1);

/** Whether `hash` (hex, as stored) is the SHA-256 `sent`, compared in constant time. */
function sameHash(hash: unknown, sent: Buffer): boolean {
  if (typeof hash !== 'string') return false;
  const stored = Buffer.from(hash, 'hex');
  return stored.length === sent.length && timingSafeEqual(stored, sent);
}

/** Whether the token is enabled and unexpired now. */
function tokenValid(token: ResourceRecord, now: number): boolean {
  if (token.body.enabled === false) return false;
  const expires = token.body.expires_at;
  // Fail closed: an expiry that cannot be read is an expired token.
  return typeof expires !== 'string' || Date.parse(expires) > now;
}

/**
 * The credentials' service token: which secret version they hold (the previous secret's is one
 * less) and, for the previous secret, until when its grace period lets it work.
 */
interface ServiceCredentials {
  readonly token: ResourceRecord;
  readonly version: number;
  readonly until?: number;
}

/**
 * The service token these credentials belong to, when it is enabled and unexpired: with its
 * current secret, or its previous one while a rotation's grace period runs.
 */
function serviceToken(tokens: readonly ResourceRecord[], clientId: string, clientSecret: string, now: number): ServiceCredentials | undefined {
  const token = tokens.find((t) => t.body.client_id === clientId);
  if (token === undefined || token.secretHash === null) return undefined;
  const sent = sha256(clientSecret);
  // Both hashes are compared whichever matches, so the time taken tells nothing of which.
  const current = sameHash(token.secretHash, sent);
  const previous = sameHash(token.body.previous_secret_hash, sent);
  if (!tokenValid(token, now)) return undefined;
  if (current) return { token, version: secretVersionOf(token) };
  const until = previous ? previousSecretUntil(token.body, now) : undefined;
  return until === undefined ? undefined : { token, version: secretVersionOf(token) - 1, until };
}

/** The service-token credentials in the application's read_service_tokens_from_header header, if it names one and they are readable. */
function singleHeaderCredentials(app: ResourceRecord, request: ForwardedRequest): { readonly clientId: string; readonly clientSecret: string } | undefined {
  const name = serviceTokenHeaderOf(app.body);
  return name === undefined || request.header === undefined ? undefined : serviceTokenCredentialsIn(request.header(name));
}

/**
 * Whether an application token made for a service token with secret version `version` still
 * stands for it: the current secret's, or the previous one's while its grace period runs.
 */
function versionStands(token: ResourceRecord, version: number, now: number): boolean {
  const current = secretVersionOf(token);
  return version === current || (version === current - 1 && previousSecretUntil(token.body, now) !== undefined);
}

export interface DecideContext {
  readonly store: Store;
  /** The accounts the server serves, and which one a request is for. */
  readonly accounts: EnforcedAccounts;
  readonly tokens: VerifiedTokens;
  readonly keys: SigningKeys;
  /** An account's auth domain URL (the tokens' issuer), given what its organization says. */
  issuer(organization: AccountView['organization']): string;
  readonly now?: number;
}

/** What the App Launcher's refusals say by default. */
export const LAUNCHER_DENIED = "You don't have permission to use the App Launcher.";

/** What a refused user is told: the application's custom_deny_message, else Cloudflare's default words. */
export function denyMessage(app: ResourceRecord): string {
  const custom = app.body.custom_deny_message;
  if (typeof custom === 'string' && custom !== '') return custom;
  return app.body.type === 'app_launcher' ? LAUNCHER_DENIED : "You don't have permission to view this application.";
}

/**
 * Where a refusal sends the browser instead of a page: custom_deny_url, or for a service token
 * custom_non_identity_deny_url. Written out as the URL parser serializes it (non-ASCII escaped,
 * no line breaks), so that it always fits a header; anything but an absolute http(s) URL is not
 * followed (the page is shown instead).
 */
export function denyUrl(app: ResourceRecord, serviceToken = false): string | undefined {
  const setting = serviceToken ? app.body.custom_non_identity_deny_url : app.body.custom_deny_url;
  if (typeof setting !== 'string' || setting === '') return undefined;
  try {
    const url = new URL(setting);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** The application's session length in seconds: its own, else the organization's, else 24 hours. */
export function sessionSeconds(app: ResourceRecord, organizationDefault?: unknown): number {
  const text = typeof app.body.session_duration === 'string' ? app.body.session_duration : typeof organizationDefault === 'string' ? organizationDefault : '24h';
  const parsed = parseGoDuration(text);
  // Durations are checked on write; one that cannot be read gets the 24-hour default.
  return parsed === undefined ? 24 * 3600 : Math.max(1, Math.floor(parsed.ns / 1e9));
}

/**
 * The session length the policy that lets a user (or a service token) in sets for the token, as
 * Cloudflare's policy session duration overrides the application's; undefined when it sets none.
 */
export function policySessionSeconds(policy: Policy | undefined): number | undefined {
  const text = policy?.settings.session_duration;
  const parsed = typeof text === 'string' ? parseGoDuration(text) : undefined;
  return parsed === undefined ? undefined : Math.max(1, Math.floor(parsed.ns / 1e9));
}

/**
 * Something a decision needs that is not in memory: decide() loads it and decides again. The
 * slow path of the same decision, so there is one implementation of the rules (decideWith).
 */
type Missing =
  | { readonly load: 'compiled'; readonly view: AccountView; readonly app: ResourceRecord }
  | { readonly load: 'keys'; readonly accountId: string }
  | { readonly load: 'claims'; readonly token: string; readonly keys: readonly SigningKey[]; readonly aud: string; readonly issuer: string }
  | { readonly load: 'user'; readonly view: AccountView; readonly userId: string }
  | { readonly load: 'service_token_jwt'; readonly accountId: string; readonly input: ServiceTokenInput };

/** What one slow decision loaded, used before the caches (which may have let go of it meanwhile). */
interface Loaded {
  compiled?: CompiledApp;
  keys?: readonly SigningKey[];
  claims?: { readonly value: AppTokenClaims | undefined };
  user?: { readonly value: UserRecord | undefined };
  serviceTokenJwt?: string;
}

const NOTHING_LOADED: Loaded = Object.freeze({});

/**
 * The decision from memory alone, without waiting: on the accounts' views as last confirmed
 * current, when everything the decision reads (the compiled policy set, the signing keys, the
 * token's checked signature, the user) is at hand; else undefined (ask decide()). It holds only
 * if nothing was committed since the view was confirmed: the caller answers with it once the
 * store's commit stamp is seen to be still `stamp` (CommitStampCheck), and asks decide()
 * otherwise. Either way the policies run now, on the identity as it is now.
 */
export function decideFromMemory(request: ForwardedRequest, ctx: DecideContext): { readonly decision: Decision; readonly stamp: number } | undefined {
  const now = ctx.now ?? Date.now();
  const confirmed = ctx.accounts.lastConfirmed(now);
  if (confirmed === undefined) return undefined;
  const out = decideWith(request, ctx, confirmed.index, now, NOTHING_LOADED);
  return 'load' in out ? undefined : { decision: out, stamp: confirmed.stamp };
}

/** An application named by the caller rather than found by the request's host and path. */
export interface NamedApplication {
  readonly view: AccountView;
  readonly app: ResourceRecord;
}

/**
 * The decision for a request: for the application covering its host and path, or for `named`
 * (the App Launcher, which no host and path select: app-launcher.ts).
 */
export async function decide(request: ForwardedRequest, ctx: DecideContext, named?: NamedApplication): Promise<Decision> {
  const now = ctx.now ?? Date.now();
  const index = await ctx.accounts.get(now);
  const loaded: Loaded = {};
  // Each round loads one missing thing, which the next round finds: a handful of rounds at most.
  for (;;) {
    const out = decideWith(request, ctx, index, now, loaded, named);
    if (!('load' in out)) return out;
    switch (out.load) {
      case 'compiled':
        loaded.compiled = await out.view.compiled(out.app);
        break;
      case 'keys':
        loaded.keys = await ctx.keys.keysFor(out.accountId, request.token, now);
        break;
      case 'claims':
        loaded.claims = { value: await ctx.tokens.verify(out.token, out.keys, out.aud, out.issuer, now) };
        break;
      case 'user':
        loaded.user = { value: await out.view.user(out.userId) };
        break;
      case 'service_token_jwt':
        loaded.serviceTokenJwt = await serviceAppToken(out.input, await ctx.keys.current(out.accountId), now);
        break;
    }
  }
}

const NO_APPLICATION: Decision = Object.freeze({ kind: 'no_application' });

/** Steps an Allow policy may ask for before it lets a user in, which this enforcement point does not provide. */
const UNPROVIDED_STEPS = [['isolation_required', 'Browser Isolation']] as const;

/**
 * Whether the Allow policy that lets a user in asks for an approver's consent (docs/enforcement.md
 * "Temporary authentication"): the sign-in makes an access request (approval.ts).
 */
export const asksApproval = (policy: Policy): boolean => policy.decision === 'allow' && policy.settings.approval_required === true;

/**
 * Whether the Allow policy that lets a user in asks them for a purpose justification at sign-in
 * (docs/enforcement.md "Purpose justification"): the login flow asks for it (justification.ts).
 * An access request always carries one, as at Cloudflare.
 */
export const asksJustification = (policy: Policy): boolean => policy.decision === 'allow' && (policy.settings.purpose_justification_required === true || policy.settings.approval_required === true);

export interface UnprovidedSteps {
  /** The Allow policy's name (for the server's log, not the refused user's page). */
  readonly policy: string;
  /** What it asks for, in words: "an approver's consent and Browser Isolation". */
  readonly steps: string;
}

/** The steps an Allow policy asks for that this server does not provide, if any. */
export function unprovidedSteps(policy: Policy): UnprovidedSteps | undefined {
  const steps = UNPROVIDED_STEPS.filter(([setting]) => policy.settings[setting] === true).map(([, step]) => step);
  return steps.length === 0 ? undefined : { policy: policy.name, steps: steps.join(' and ') };
}

/** The decision on these views, or what it still needs from outside memory. */
function decideWith(request: ForwardedRequest, ctx: DecideContext, index: AccountIndex, now: number, loaded: Loaded, named?: NamedApplication): Decision | Missing {
  const match = named === undefined ? index.application(request.host, request.path) : ({ kind: 'application', ...named } as const);
  if (match.kind === 'none') return NO_APPLICATION;
  if (match.kind === 'conflict') return { kind: 'conflict', accountIds: match.accountIds };
  const { view, app } = match;
  // A CORS preflight carries no cookie: the application's CORS settings say whether Access
  // answers it or lets it through to the origin, as nobody (no token, every SAML header empty).
  const preflight = preflightHandling(app, request.preflight);
  if (preflight?.kind === 'answer') return { kind: 'preflight', app, headers: preflight.headers };
  if (preflight?.kind === 'bypass') return { kind: 'allow', app, bypass: true, headers: sessionHeaders(view.samlHeaderNames, undefined) };
  const aud = String(app.body.aud ?? '');
  const compiledApp = loaded.compiled ?? view.compiledNow(app);
  if (compiledApp === undefined) return { load: 'compiled', view, app };
  const { policies, compiled } = compiledApp;
  const network: Identity = request.ip === undefined ? {} : { ip: request.ip };

  // Who is asking: a service token's credentials, else the application token, else nobody.
  let identity: Identity = network;
  let claims: AppTokenClaims | undefined;
  let service: ResourceRecord | undefined;
  let credentials: ServiceCredentials | undefined;
  // The pair of CF-Access-Client-* headers, else the application's single header (its value a
  // JSON object with both; anything else in it is no credentials). The pair wins when both come.
  const sent = request.clientId !== undefined && request.clientSecret !== undefined ? { clientId: request.clientId, clientSecret: request.clientSecret } : singleHeaderCredentials(app, request);
  if (sent !== undefined) {
    credentials = serviceToken(view.serviceTokens, sent.clientId, sent.clientSecret, now);
    service = credentials?.token;
    if (service !== undefined) identity = { ...network, service_token_id: service.id, service_token_status: true, common_name: String(service.body.client_id) };
  } else if (request.token !== undefined) {
    const keys = loaded.keys ?? ctx.keys.keysNowFor(view.accountId, request.token, now);
    if (keys === undefined) return { load: 'keys', accountId: view.accountId };
    const issuer = ctx.issuer(view.organization);
    if (loaded.claims !== undefined) claims = loaded.claims.value;
    else {
      claims = ctx.tokens.known(request.token, keys, aud, issuer, now);
      // Not checked before (or no longer passing): the signature is checked, off this path.
      if (claims === undefined) return { load: 'claims', token: request.token, keys, aud, issuer };
    }
    // Every token issued for the application before its tokens were revoked (apps/{id}/revoke_tokens) is none,
    // and so is every token of a sign-in signed out of (its identity nonce; a service token's has none).
    if (claims !== undefined && (issuedBefore(claims.iat, view.revokedAt(app.id)) || view.signInEnded(claims.identity_nonce))) claims = undefined;
    if (claims?.common_name !== undefined && claims.common_name !== '') {
      // A token issued to a service token: the token must still be valid now, and its secret not
      // rotated since (a token made before the claim existed counts as made with the first
      // secret), unless the rotation's grace period for the previous secret still runs.
      const version = claims.client_secret_version ?? 1;
      service = view.serviceTokens.find((t) => t.body.client_id === claims!.common_name && tokenValid(t, now) && typeof version === 'number' && versionStands(t, version, now));
      if (service !== undefined) identity = { ...network, service_token_id: service.id, service_token_status: true, common_name: claims.common_name };
      else claims = undefined;
    } else if (claims?.sub !== undefined && bindsSessions(app) && !bindingHolds(request.token, request.binding, keys)) {
      // The application binds its sessions to the browser: a token without its CF_Binding
      // cookie (one that leaked alone) is no session.
      claims = undefined;
    } else if (claims?.sub !== undefined) {
      const known = loaded.user !== undefined ? { user: loaded.user.value } : view.userNow(claims.sub);
      if (known === undefined) return { load: 'user', view, userId: claims.sub };
      const user = known.user;
      const revokedAt = user === undefined ? undefined : view.revokedAt(user.id);
      // A user deleted since the login, or whose sessions were revoked since, has no session any more.
      if (user === undefined || issuedBefore(claims.iat, revokedAt)) claims = undefined;
      else identity = { ...evaluatedIdentity(user), ...network };
    }
  }

  // A user's session carries its sign-in's external evaluation answers (sign-in-external.ts).
  const userSession = claims !== undefined && service === undefined;
  const sessionAnswers = userSession && compiled.externalRules.length > 0 ? answersOfSession(claims!.external_evaluation) : undefined;
  const packed = compiled.evaluate(prepareIdentity(identity), sessionAnswers?.answers);
  const access = resultAccess(packed);
  const deciding = policies[resultDecidingIndex(packed)];
  if (access === 'granted') {
    const headers = sessionHeaders(view.samlHeaderNames, service === undefined ? claims : undefined);
    if (deciding?.decision === 'bypass') return { kind: 'allow', app, bypass: true, headers };
    // A service token gets in through Service Auth (non_identity) policies only; an Allow
    // policy that matches it still asks for a login, as at Cloudflare.
    if (service !== undefined && deciding?.decision === 'non_identity') {
      if (request.token !== undefined && claims !== undefined) return { kind: 'allow', app, token: request.token, bypass: false, headers };
      if (loaded.serviceTokenJwt === undefined) {
        const lifetimeSeconds = policySessionSeconds(deciding) ?? sessionSeconds(app, view.organization?.session_duration);
        // A token made with the previous secret ends with its grace period (it is refused after it anyway).
        const graceSeconds = credentials?.until === undefined ? undefined : Math.floor((credentials.until - now) / 1000);
        const secretVersion = credentials?.version ?? secretVersionOf(service);
        return { load: 'service_token_jwt', accountId: view.accountId, input: { aud, issuer: ctx.issuer(view.organization), lifetimeSeconds: graceSeconds === undefined ? lifetimeSeconds : Math.min(lifetimeSeconds, graceSeconds), clientId: String(service.body.client_id), secretVersion } };
      }
      return { kind: 'allow', app, token: loaded.serviceTokenJwt, bypass: false, headers };
    }
    if (claims !== undefined && service === undefined) {
      // Fails closed: at Cloudflare the user would be sent through Browser Isolation, which does
      // not exist here, so the Allow does not let them in.
      const unprovided = deciding === undefined ? undefined : unprovidedSteps(deciding);
      if (unprovided !== undefined) return { kind: 'deny', app, unprovided, ...(typeof claims.email === 'string' ? { email: claims.email } : {}), ...(claims.sub !== undefined && claims.sub !== '' ? { userId: claims.sub } : {}) };
      // A session from a sign-in that wrote no justification (one made before the policy asked
      // for it) is sent back through the sign-in, which asks for one.
      // Likewise a session no approver granted, while the policy asks for one (its grant's end is the token's).
      if (deciding !== undefined && ((asksJustification(deciding) && claims.purpose_justified !== true) || (asksApproval(deciding) && claims.access_approved !== true))) return { kind: 'login', app, authDomain: ctx.issuer(view.organization) };
      return { kind: 'allow', app, token: request.token!, ...(typeof claims.email === 'string' ? { email: claims.email } : {}), ...(claims.sub !== undefined && claims.sub !== '' ? { userId: claims.sub } : {}), bypass: false, headers };
    }
    // Granted by an Allow policy without a user (nobody, or a service token): Cloudflare asks
    // for a login before an Allow policy applies.
    return { kind: 'login', app, authDomain: ctx.issuer(view.organization) };
  }
  // Denied (or undecidable, which fails closed): a logged-in user or a service token is refused;
  // nobody identified is sent to log in first.
  if (claims === undefined && service === undefined) return { kind: 'login', app, authDomain: ctx.issuer(view.organization) };
  // A session whose sign-in did not ask an endpoint the policies reach now (a rule added or changed
  // since) signs in again, which asks; one its sign-in asked without an answer is refused.
  if (access === 'unknown' && userSession && compiled.externalRules.some((rule) => sessionAnswers?.asked(rule) !== true)) return { kind: 'login', app, authDomain: ctx.issuer(view.organization) };
  return {
    kind: 'deny',
    app,
    ...(service !== undefined ? { serviceToken: true as const } : {}),
    ...(typeof claims?.email === 'string' ? { email: claims.email } : service !== undefined ? { email: String(service.body.client_id) } : {}),
    ...(claims?.sub !== undefined && claims.sub !== '' ? { userId: claims.sub } : {}),
  };
}
