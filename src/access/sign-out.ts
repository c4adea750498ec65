// What a logout ends on the server (docs/enforcement.md "Sessions and tokens"): the sign-ins
// whose tokens the request carries, so that a copy of a cookie taken before (a shared computer, a
// proxy's log) opens nothing afterwards. A sign-in is its identity nonce, which the global session
// and every application token made from it carry (global-session.ts, login/flow.ts). Only a token
// that verifies (the account's keys, unexpired, its auth domain as issuer) ends one: an unreadable,
// forged or expired cookie is only cleared, so nobody can end someone else's sign-in by its nonce.
// The user's other sign-ins (other devices) go on, unlike organizations/revoke_user.

import type { SigningKeys } from '../account/signing-keys.js';
import type { OrganizationBody } from '../account/organization.js';
import type { Store } from '../store/store.js';
import type { AccountView } from './account-views.js';
import { audiencesOf, TOKEN_COOKIE, verifyAppToken } from './app-token.js';
import { launcherCookie, launcherOf } from './app-launcher.js';
import { sessionSeconds } from './decide.js';
import { cookieValues } from './forwarded.js';
import { globalSessionSeconds, globalSessionTokens, verifyGlobalSession } from './global-session.js';

/** More CF_Authorization cookies than a browser sends to one path are not looked at (each costs a signature check). */
const MAX_TOKENS = 8;
/** The sign-ins logged under one nonce that are read for its tokens' expiries (one per application entered). */
const MAX_LOGGED = 1000;

export interface SignOutContext {
  readonly store: Store;
  readonly keys: SigningKeys;
  issuerOf(organization: OrganizationBody | undefined): string;
}

/** A sign-in a logout proves: its account, nonce and user, and when the token that proved it expires (seconds). */
interface ProvenSignIn {
  readonly view: AccountView;
  readonly nonce: string;
  readonly userId: string;
  readonly exp: number;
}

/** The sign-in behind an application token for `aud`, if it verifies and is a user's (a service token's has no sign-in behind it). */
async function signInOfAppToken(ctx: SignOutContext, view: AccountView, token: string, aud: string, issuer: string, now: number): Promise<ProvenSignIn | undefined> {
  const claims = await verifyAppToken(token, await ctx.keys.keysFor(view.accountId, token, now), aud, issuer, now);
  if (claims?.sub === undefined || claims.sub === '' || typeof claims.identity_nonce !== 'string' || claims.exp === undefined) return undefined;
  return { view, nonce: claims.identity_nonce, userId: claims.sub, exp: claims.exp };
}

/**
 * End the sign-ins of a logout request's cookies: application tokens for `appView`'s applications
 * on `host`, and, on `authView`'s auth domain, its global session.
 */
export async function endSignInsOf(ctx: SignOutContext, cookieHeader: string | undefined, host: string, appView: AccountView | undefined, authView: AccountView | undefined, now = Date.now()): Promise<void> {
  const proven: ProvenSignIn[] = [];
  if (appView !== undefined) {
    const issuer = ctx.issuerOf(appView.organization);
    const onHost = appView.applicationsOn(host);
    for (const token of cookieValues(cookieHeader, TOKEN_COOKIE).slice(0, MAX_TOKENS)) {
      // The application the token names (unverified, only to pick the audience it is checked for).
      const app = onHost.find((c) => audiencesOf(token).includes(String(c.value.body.aud)))?.value;
      if (app === undefined) continue;
      const signIn = await signInOfAppToken(ctx, appView, token, String(app.body.aud), issuer, now);
      if (signIn !== undefined) proven.push(signIn);
    }
  }
  if (authView !== undefined) {
    const issuer = ctx.issuerOf(authView.organization);
    for (const token of globalSessionTokens(cookieHeader, issuer).slice(0, MAX_TOKENS)) {
      const session = await verifyGlobalSession(token, await ctx.keys.keysFor(authView.accountId, token, now), issuer, now);
      if (session !== undefined) proven.push({ view: authView, nonce: session.identityNonce, userId: session.userId, exp: session.exp });
    }
    // The App Launcher's own session, when its cookie reaches the logout (the `__Host-` one, at `/`).
    const launcher = launcherOf(authView);
    const launcherName = launcherCookie(issuer).name;
    if (launcher !== undefined && launcherName !== TOKEN_COOKIE) {
      for (const token of cookieValues(cookieHeader, launcherName).slice(0, MAX_TOKENS)) {
        const signIn = await signInOfAppToken(ctx, authView, token, String(launcher.body.aud), issuer, now);
        if (signIn !== undefined) proven.push(signIn);
      }
    }
  }
  // One write per sign-in, however many of its tokens came (its application's and its global session).
  const bySignIn = new Map<string, ProvenSignIn>();
  for (const signIn of proven) {
    const key = `${signIn.view.accountId}\n${signIn.nonce}`;
    const seen = bySignIn.get(key);
    if (seen === undefined || signIn.exp > seen.exp) bySignIn.set(key, signIn);
  }
  for (const signIn of bySignIn.values()) await endSignIn(ctx, signIn, now);
}

/** Record the sign-in as ended until its longest token expires; nothing is written when it is recorded so already. */
async function endSignIn(ctx: SignOutContext, signIn: ProvenSignIn, now: number): Promise<void> {
  const { view, nonce } = signIn;
  const until = await longestTokenEnd(ctx.store, signIn, now);
  if ((view.signInEndedUntil(nonce) ?? 0) >= until) return;
  await ctx.store.transaction(view.accountId, (tx) => tx.endSignIn({ accountId: view.accountId, nonce, userId: signIn.userId, expiresAt: until, endedAt: new Date(now).toISOString() }, now));
}

/**
 * When the sign-in's last token expires (ms): the one the logout carried, every application token
 * made from it (each is logged as a sign-in with its expiry), and its global session, which the
 * request may not have carried: that lasts at most the organization's session_duration (else the
 * App Launcher's session, for a sign-in made at the launcher; else as long as the first
 * application's token, logged already) from its start, before now.
 */
async function longestTokenEnd(store: Store, signIn: ProvenSignIn, now: number): Promise<number> {
  const logged = await store.read.listAccessRequests(signIn.view.accountId, MAX_LOGGED, { nonce: signIn.nonce, allowed: true });
  const organizationDuration = signIn.view.organization?.session_duration;
  const launcher = launcherOf(signIn.view);
  const globalSeconds = globalSessionSeconds(organizationDuration, launcher === undefined ? 0 : sessionSeconds(launcher, organizationDuration));
  const expiries = logged.map((entry) => (entry.expiresAt === null ? 0 : Date.parse(entry.expiresAt))).filter((at) => Number.isFinite(at));
  return Math.max(signIn.exp * 1000, now + globalSeconds * 1000, ...expiries);
}
