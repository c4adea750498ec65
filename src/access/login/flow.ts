// What every sign-in shares, whatever proves who the person is (the development login, an OpenID
// Connect or SAML identity provider, a one-time PIN): where it may return to, the challenge that
// carries it across the identity provider's round trip, and its end: the user's last seen
// identity recorded, an access-log entry, an application token handed to the application's host.

import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ResourceRecord, Store } from '../../store/store.js';
import type { Policy } from '../../engine/index.js';
import type { SignInExternal } from '../sign-in-external.js';
import type { SigningKeys } from '../../account/signing-keys.js';
import { readOrganization } from '../../account/organization.js';
import { globalSessionCookie, globalSessionSeconds, globalSessionToken, userOfSession, type GlobalSession } from '../global-session.js';
import type { AccessLog } from '../access-log.js';
import { denyUrl, findApplication, policySessionSeconds, sessionSeconds } from '../decide.js';
import { newIdentityNonce, userAppToken } from '../app-token.js';
import { urlOnHost } from '../forwarded.js';
import { bindsSessions, handoffProof, HANDOFF_PROOF_PARAM } from '../binding-cookie.js';
import { APP_SESSION_PARAM, APP_SESSION_PROOF_PARAM, appSessionDigests, appSessionProof } from '../app-session.js';
import { customClaims, identityOf, recordLogin, type LoginIdentity } from '../logins.js';
import type { TrustedProxies } from '../../api/trusted-proxies.js';
import type { AccountViews } from '../account-views.js';
import { isLauncherPath, launcherApplication } from '../app-launcher.js';
import { isApprovalPath, type Approval } from './approval.js';
import { askJustification, decideSignIn, signInSteps, type Justified, type SigningIn } from './justification.js';

/** One account's sign-ins. */
export interface LoginContext {
  readonly store: Store;
  /** The account's applications and compiled policies (what a one-time PIN checks before mailing). */
  readonly views: AccountViews;
  readonly keys: SigningKeys;
  readonly accountId: string;
  readonly log: AccessLog;
  readonly trusted: TrustedProxies;
  /** The account's auth domain URL (the tokens' issuer; identity providers call back here). */
  issuer(): Promise<string>;
  readonly devLogin: boolean;
  /** Asks the external evaluation endpoints of an application's policies at sign-in. */
  readonly external: SignInExternal;
  now(): number;
}

/**
 * The login context of the account whose auth domain a request came to (docs/enforcement.md
 * "Several accounts on one server"); undefined once a 404 answered that no account's is there.
 */
export type LoginContextOf = (request: FastifyRequest, reply: FastifyReply) => Promise<LoginContext | undefined>;

/** A sign-in under way: for which application, and where the browser goes back to. */
export interface PendingLogin {
  readonly app: ResourceRecord;
  readonly host: string;
  /** The page to return to: on `host`, covered by `app`. */
  readonly target: string;
  /**
   * A test of the identity provider from the dashboard: no application, no session; the identity
   * the provider gave is shown (see testLogin).
   */
  readonly test?: true;
  /**
   * A sign-in for no application: an approver's, on the auth domain, which leaves the global
   * session and goes back to the access request they opened (approval.ts).
   */
  readonly signInOnly?: true;
  /**
   * The digests of the application-session nonces the browser holds on the hosts this sign-in
   * sets sessions on (app-session.ts): the /authorized address it ends on carries them and their
   * proof. Absent for a sign-in opened without passing the application's host first.
   */
  readonly appSession?: string;
}

/** What an approver's sign-in stands for: no application, so every identity provider (allowed_idps empty). */
function approverSignIn(accountId: string): ResourceRecord {
  return { accountId, kind: 'app', id: '', parentId: null, name: 'Access requests', body: {}, secretHash: null, createdAt: '', updatedAt: '', version: 0 };
}

/**
 * What an approver signs in to (approval.ts): the App Launcher when the account has one (its
 * providers and policies admit approvers, as Cloudflare's does), else no application (any provider).
 */
export async function approverSignInApp(ctx: LoginContext): Promise<{ readonly app: ResourceRecord; readonly launcher: boolean }> {
  const launcher = launcherApplication(await ctx.store.read.allResources(ctx.accountId, 'app'));
  return launcher === undefined ? { app: approverSignIn(ctx.accountId), launcher: false } : { app: launcher, launcher: true };
}

/** A sign-in that tests an identity provider: it stands for no application and returns to no host. */
export function testLogin(idp: ResourceRecord): PendingLogin {
  const app: ResourceRecord = { ...idp, kind: 'app', id: '', name: `Test of ${String(idp.body.name ?? idp.name)}`, body: {} };
  return { app, host: '', target: '', test: true };
}

/**
 * Whether a sign-in may hand an application token to `target`'s origin. Under an https auth
 * domain: only https, on the standard port or the auth domain's own (a token sent over plain
 * http, or to whatever listens on another port of the same host name, is a token given away; the
 * port of a Host header is the client's to choose). Under an http auth domain, a development
 * setup whose sign-in is in the clear anyway: any port of the host.
 */
export function returnOriginAllowed(target: URL, authDomain: URL): boolean {
  if (authDomain.protocol !== 'https:') return true;
  return target.protocol === 'https:' && (target.port === '' || target.port === authDomain.port);
}

/**
 * What a sign-in may return to: a page on `host` that one of the account's applications covers
 * (no open redirect), on an origin returnOriginAllowed accepts (a 400 otherwise).
 */
export async function pendingLogin(ctx: LoginContext, host: string, redirectUrl: string | undefined, appSession?: unknown): Promise<PendingLogin | undefined> {
  const found = await pendingLoginTo(ctx, host, redirectUrl);
  return found === undefined ? undefined : withAppSession(found, appSession);
}

/** `pending` with the application-session digests a sign-in was started with, when they are well formed (else none: its /authorized then starts it again). */
export function withAppSession(pending: PendingLogin, appSession: unknown): PendingLogin {
  if (pending.test === true || pending.signInOnly === true) return pending;
  const digests = appSessionDigests(appSession);
  return digests === undefined ? pending : { ...pending, appSession: digests.join('.') };
}

async function pendingLoginTo(ctx: LoginContext, host: string, redirectUrl: string | undefined): Promise<PendingLogin | undefined> {
  const authDomain = new URL(await ctx.issuer());
  const target = urlOnHost(redirectUrl, host) ?? urlOnHost(`${authDomain.protocol}//${host}/`, host);
  if (target === undefined) return undefined;
  if (!returnOriginAllowed(target, authDomain)) {
    const allowed = authDomain.port === '' ? 'https on the standard port' : `https on the standard port or on port ${authDomain.port}`;
    throw Object.assign(new Error(`A sign-in returns only to ${allowed} (docs/enforcement.md "Sessions and tokens"), not to ${target.origin}.`), { statusCode: 400 });
  }
  // The App Launcher, on this account's auth domain (app-launcher.ts).
  if (isLauncherPath(target.pathname) && target.origin === authDomain.origin) {
    const launcher = launcherApplication(await ctx.store.read.allResources(ctx.accountId, 'app'));
    return launcher === undefined ? undefined : { app: launcher, host: target.host, target: target.toString() };
  }
  // An approver answering an access request, on this account's auth domain: the providers the
  // App Launcher allows when there is one (Cloudflare checks approvers against it), else any.
  if (isApprovalPath(target.pathname) && target.origin === authDomain.origin) {
    return { app: (await approverSignInApp(ctx)).app, host: target.host, target: target.toString(), signInOnly: true };
  }
  const app = await findApplication(ctx.store, ctx.accountId, target.host, target.pathname);
  return app === undefined ? undefined : { app, host: target.host, target: target.toString() };
}

/** The identity providers a sign-in to `app` may use: its allowed_idps, or every one when it names none. */
export async function allowedProviders(ctx: LoginContext, app: ResourceRecord): Promise<ResourceRecord[]> {
  const all = await ctx.store.read.allResources(ctx.accountId, 'identity_provider');
  const allowed = Array.isArray(app.body.allowed_idps) ? (app.body.allowed_idps as unknown[]).filter((id): id is string => typeof id === 'string') : [];
  return allowed.length === 0 ? all : all.filter((idp) => allowed.includes(idp.id));
}

/** The auth domain's page that tells a signed-in user an application refuses them (refuseAtSignIn). */
export const FORBIDDEN_PATH = '/cdn-cgi/access/forbidden';

/** How long a sign-in may take between its start and the identity provider's answer. */
export const CHALLENGE_SECONDS = 10 * 60;

/** Keep a sign-in across the identity provider's round trip; the id is the `state` / `RelayState`. */
export async function saveChallenge(ctx: LoginContext, kind: string, pending: PendingLogin, idp: ResourceRecord, body: Record<string, unknown>, who: { email?: string; ip?: string } = {}, seconds = CHALLENGE_SECONDS): Promise<string> {
  const id = randomBytes(24).toString('base64url');
  const now = ctx.now();
  await ctx.store.challenges.put({
    id,
    accountId: ctx.accountId,
    kind,
    email: who.email ?? null,
    ipAddress: who.ip ?? null,
    body: { ...body, app: pending.app.id, host: pending.host, target: pending.target, idp: idp.id, ...(pending.test === true ? { test: true } : {}), ...(pending.signInOnly === true ? { signInOnly: true } : {}), ...(pending.appSession !== undefined ? { appSession: pending.appSession } : {}) },
    attempts: 0,
    createdAt: new Date(now).toISOString(),
    expiresAt: now + seconds * 1000,
  });
  return id;
}

export interface ResumedLogin {
  readonly pending: PendingLogin;
  readonly idp: ResourceRecord;
  readonly body: Record<string, unknown>;
  readonly email: string | null;
}

/**
 * The sign-in a challenge carried, once (a second answer with the same state finds nothing). A
 * challenge bound to a browser (browser-binding.ts) is resumed only with that browser's digest.
 */
export async function resumeLogin(ctx: LoginContext, kind: string, id: string | undefined, take = true, browser?: string): Promise<ResumedLogin | undefined> {
  if (id === undefined || id === '' || id.length > 200) return undefined;
  const now = ctx.now();
  // Of the right kind before it is used up: an answer of one method cannot spend another's sign-in.
  const seen = await ctx.store.challenges.get(ctx.accountId, id, now);
  if (seen === undefined || seen.kind !== kind) return undefined;
  if (!startedIn(seen.body, browser)) return undefined;
  const challenge = take ? await ctx.store.challenges.take(ctx.accountId, id, now) : seen;
  if (challenge === undefined) return undefined;
  const body = challenge.body;
  if (body.test === true) {
    const tested = await ctx.store.read.getResource(ctx.accountId, 'identity_provider', String(body.idp));
    return tested === undefined ? undefined : { pending: testLogin(tested), idp: tested, body, email: challenge.email };
  }
  if (body.signInOnly === true) {
    const [again, idp] = await Promise.all([pendingLogin(ctx, String(body.host), String(body.target)), ctx.store.read.getResource(ctx.accountId, 'identity_provider', String(body.idp))]);
    return again?.signInOnly !== true || idp === undefined ? undefined : { pending: again, idp, body, email: challenge.email };
  }
  const [app, idp] = await Promise.all([
    ctx.store.read.getResource(ctx.accountId, 'app', String(body.app)),
    ctx.store.read.getResource(ctx.accountId, 'identity_provider', String(body.idp)),
  ]);
  // The application or the provider deleted during the sign-in: it cannot finish.
  if (app === undefined || idp === undefined) return undefined;
  return { pending: withAppSession({ app, host: String(body.host), target: String(body.target) }, body.appSession), idp, body, email: challenge.email };
}

/** What an answer that finds no sign-in to finish (in this browser) is told. */
export const SIGN_IN_UNFINISHABLE = 'This sign-in has expired, was already used, or was started in another browser. Go back to the application to sign in again.';

/** Whether a challenge's sign-in may be finished by the browser with this digest: any, when it was not bound to one. */
function startedIn(body: Record<string, unknown>, browser: string | undefined): boolean {
  return body.browser === undefined || (typeof body.browser === 'string' && body.browser === browser);
}

/** Whether the challenge `id` is missing, or was started in the browser with this digest (what a SAML answer checks before asking the browser to post it again). */
export async function challengeStartedIn(ctx: LoginContext, id: string | undefined, browser: string | undefined): Promise<boolean> {
  if (id === undefined || id === '' || id.length > 200) return true;
  const seen = await ctx.store.challenges.get(ctx.accountId, id, ctx.now());
  return seen === undefined || startedIn(seen.body, browser);
}

/**
 * Finish a sign-in: record the user's last seen identity (creating the user on a first login),
 * log it, and return where the browser goes: the application host's /cdn-cgi/access/authorized,
 * which keeps the token as its cookie.
 */
export async function completeLogin(ctx: LoginContext, pending: PendingLogin, identity: LoginIdentity, ip: string | undefined, reply: FastifyReply): Promise<string> {
  if (pending.test === true) return showTestedIdentity(ctx, identity, ip);
  const user = await recordLogin(ctx.store, ctx.accountId, { ...identity, ip });
  const organization = await readOrganization(ctx.store.read, ctx.accountId);
  const identityNonce = newIdentityNonce();
  const decision = pending.signInOnly === true ? undefined : await decideSignIn(ctx, pending.app, user, ip, identityNonce);
  const deciding = decision?.deciding;
  const lifetimeSeconds = tokenSeconds(deciding, pending.app, organization?.body.session_duration);
  const headers = identity.headers !== undefined && Object.keys(identity.headers).length > 0 ? identity.headers : undefined;
  const custom = customClaims(identity, headers);
  // The global session: the organization's session_duration, else as long as this application token.
  const issuer = await ctx.issuer();
  const globalSeconds = globalSessionSeconds(organization?.body.session_duration, lifetimeSeconds);
  const key = await ctx.keys.current(ctx.accountId);
  const global = await globalSessionToken({ issuer, userId: user.id, email: user.email, idp: identity.idp, identityNonce, lifetimeSeconds: globalSeconds, ...(headers !== undefined ? { headers } : {}), ...(custom !== undefined ? { custom } : {}) }, key, ctx.now());
  reply.header('set-cookie', globalSessionCookie(global, globalSeconds, issuer));
  if (pending.signInOnly === true) return pending.target;
  const who: SigningIn = { userId: user.id, email: user.email, identityNonce, connection: identity.idp.type, ...(headers !== undefined ? { headers } : {}), ...(custom !== undefined ? { custom } : {}), ...(decision?.external !== undefined ? { external: decision.external } : {}) };
  if (deciding === undefined) return refuseAtSignIn(ctx, pending, who, ip, decision?.externalFailure);
  return enterApplication(ctx, pending, deciding, who, ip, lifetimeSeconds);
}

/** As at Cloudflare: the session duration of the policy letting the user in when it sets one, else the application's (else the organization's). */
const tokenSeconds = (deciding: Policy | undefined, app: ResourceRecord, organizationDefault: unknown): number => policySessionSeconds(deciding) ?? sessionSeconds(app, organizationDefault);

/**
 * Enter an application on the global session the browser holds on the auth domain, without
 * signing in again: undefined when that session no longer holds (its user deleted or their
 * sessions revoked since it began), and the login page is shown instead.
 */
export async function continueGlobalSession(ctx: LoginContext, pending: PendingLogin, session: GlobalSession, ip: string | undefined): Promise<string | undefined> {
  const user = await userOfSession(ctx.store.read, ctx.accountId, session, ctx.now());
  if (user === undefined) return undefined;
  if (pending.signInOnly === true) return pending.target;
  const organization = await readOrganization(ctx.store.read, ctx.accountId);
  const { deciding, external, externalFailure } = await decideSignIn(ctx, pending.app, user, ip, session.identityNonce);
  const who: SigningIn = { userId: user.id, email: user.email, identityNonce: session.identityNonce, connection: session.idp.type, ...(session.headers !== undefined ? { headers: session.headers } : {}), ...(session.custom !== undefined ? { custom: session.custom } : {}), ...(external !== undefined ? { external } : {}) };
  if (deciding === undefined) return refuseAtSignIn(ctx, pending, who, ip, externalFailure);
  const lifetimeSeconds = tokenSeconds(deciding, pending.app, organization?.body.session_duration);
  return enterApplication(ctx, pending, deciding, who, ip, lifetimeSeconds);
}

/**
 * A signed-in user whom no policy of the application lets in is refused here, on the auth domain,
 * as at Cloudflare: no application token, a refusal in the access log (allowed: false, at most once
 * a minute per user and application), and the browser goes to the application's custom_deny_url,
 * else to the auth domain's refusal page. The global session stays: the person did sign in, and
 * may open the applications that do let them in (docs/enforcement.md "Refused at the sign-in").
 * `externalFailure`: why an external evaluation endpoint gave no answer, for the log entry's reason.
 */
async function refuseAtSignIn(ctx: LoginContext, pending: PendingLogin, who: SigningIn, ip: string | undefined, externalFailure?: string): Promise<string> {
  await ctx.log.refusal(ctx.accountId, { app: pending.app, host: pending.host, ip, userId: who.userId, userEmail: who.email, connection: who.connection, ...(externalFailure !== undefined ? { reason: externalFailure } : {}) });
  return denyUrl(pending.app) ?? `${await ctx.issuer()}${FORBIDDEN_PATH}/${encodeURIComponent(pending.app.id)}`;
}

/**
 * Where a signed-in user goes next: the purpose-justification page when the policy that lets them
 * in asks for one, or for an approver's consent, which starts with one (justification.ts); else
 * straight into the application.
 */
async function enterApplication(ctx: LoginContext, pending: PendingLogin, deciding: Policy | undefined, who: SigningIn, ip: string | undefined, lifetimeSeconds: number): Promise<string> {
  const steps = signInSteps(deciding);
  if (steps !== undefined) return askJustification(ctx, pending, who, lifetimeSeconds, steps, ip);
  return admitToApplication(ctx, { pending, who, lifetimeSeconds }, ip);
}

/** The application's token for a signed-in user, logged, and where the browser takes it: the application host's /cdn-cgi/access/authorized. */
export async function admitToApplication(ctx: LoginContext, entry: Omit<Justified, 'justification'> & { readonly justification?: Justified['justification']; readonly approval?: Approval }, ip: string | undefined): Promise<string> {
  const { pending, who, justification, approval } = entry;
  // A session an approver granted ends with the grant.
  const lifetimeSeconds = approval === undefined ? entry.lifetimeSeconds : Math.max(1, Math.min(entry.lifetimeSeconds, Math.floor((approval.until - ctx.now()) / 1000)));
  const key = await ctx.keys.current(ctx.accountId);
  const token = await userAppToken(
    { aud: String(pending.app.body.aud), issuer: await ctx.issuer(), lifetimeSeconds, userId: who.userId, email: who.email, identityNonce: who.identityNonce, ...(who.headers !== undefined ? { headers: who.headers } : {}), ...(who.custom !== undefined ? { custom: who.custom } : {}), ...(justification !== undefined ? { justified: true as const } : {}), ...(approval !== undefined ? { approved: true as const } : {}), ...(who.external !== undefined ? { external: who.external } : {}) },
    key,
  );
  await ctx.log.signIn(ctx.accountId, { app: pending.app, host: pending.host, ip, userId: who.userId, userEmail: who.email, connection: who.connection, nonce: who.identityNonce, expiresAt: new Date(ctx.now() + lifetimeSeconds * 1000), ...(justification !== undefined ? { justification } : {}), ...(approval !== undefined ? { approval: { approvers: approval.approvers, seconds: approval.seconds } } : {}) });
  const target = new URL(pending.target);
  // An application that binds sessions takes the token only with this proof that a sign-in made it.
  const proof = bindsSessions(pending.app) ? handoffProof(token, [key]) : undefined;
  // The browser that started the sign-in on the application's host, and only it, can keep the token (app-session.ts).
  const appSession = pending.appSession === undefined ? undefined : appSessionProof(token, pending.appSession, [key]);
  const bound = appSession === undefined ? '' : `&${APP_SESSION_PARAM}=${pending.appSession}&${APP_SESSION_PROOF_PARAM}=${appSession}`;
  return `${target.protocol}//${target.host}/cdn-cgi/access/authorized?token=${encodeURIComponent(token)}&redirect_url=${encodeURIComponent(target.toString())}${proof === undefined ? '' : `&${HANDOFF_PROOF_PARAM}=${proof}`}${bound}`;
}

/** A sign-in that failed: an access-log entry (and the user's failed logins when the email is known). */
export async function refuseLogin(ctx: LoginContext, pending: PendingLogin | undefined, failure: { readonly connection: string; readonly ip: string | undefined; readonly email?: string | null }): Promise<void> {
  const email = failure.email ?? undefined;
  const user = email === undefined ? undefined : await ctx.store.read.getUserByEmail(ctx.accountId, email);
  const app = pending?.test === true || pending?.signInOnly === true ? undefined : pending;
  await ctx.log.failedSignIn(ctx.accountId, {
    app: app?.app,
    host: app?.host,
    ip: failure.ip,
    connection: failure.connection,
    ...(email !== undefined ? { userEmail: user?.email ?? email } : {}),
    ...(user !== undefined ? { userId: user.id } : {}),
  });
}

/** How long the identity a provider test produced can be looked at. */
const TEST_RESULT_SECONDS = 5 * 60;
export const TEST_RESULT_KIND = 'idp_test_result';

/** Keep a provider test's identity for the page that shows it (once); nothing is recorded. */
async function showTestedIdentity(ctx: LoginContext, identity: LoginIdentity, ip: string | undefined): Promise<string> {
  const id = randomBytes(24).toString('base64url');
  const now = ctx.now();
  await ctx.store.challenges.put({ id, accountId: ctx.accountId, kind: TEST_RESULT_KIND, email: identity.email, ipAddress: ip ?? null, body: { identity: identityOf({ ...identity, ip }) }, attempts: 0, createdAt: new Date(now).toISOString(), expiresAt: now + TEST_RESULT_SECONDS * 1000 });
  return `${await ctx.issuer()}/cdn-cgi/access/test-idp/result/${id}`;
}
