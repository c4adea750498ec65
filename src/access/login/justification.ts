// Purpose justification (docs/enforcement.md "Purpose justification"): when the Allow policy that
// lets a signed-in user into an application has purpose_justification_required, the sign-in asks
// them why before it hands over the application's token, as Cloudflare's does. The policy's
// purpose_justification_prompt is shown (else a default), the answer goes to the access log with
// the sign-in, and the token says a justification was written (its purpose_justified claim),
// which forward auth asks for while the policy does.

import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { prepareIdentity, resultAccess, resultDecidingIndex, type Policy } from '../../engine/index.js';
import type { ResourceRecord, UserRecord } from '../../store/store.js';
import { evaluatedIdentity } from '../../api/resources/user-policy-checks.js';
import { asksApproval, asksJustification, unprovidedSteps } from '../decide.js';
import { forwarded } from '../forwarded.js';
import { globalSessionOf, userOfSession, type GlobalSession } from '../global-session.js';
import { justificationPage, messagePage } from '../pages.js';
import { withAppSession, type LoginContext, type LoginContextOf, type PendingLogin } from './flow.js';
import type { Mailer } from './mailer.js';
import { requestApproval, type ApprovalGroupSetting } from './approval.js';
import { AUTH_DOMAIN_FORM } from './form-origin.js';
import type { ExternalVerdicts } from '../sign-in-external.js';

/** Where the step is served on the auth domain: `${JUSTIFY_PATH}/<id>`. */
export const JUSTIFY_PATH = '/cdn-cgi/access/justify';
const JUSTIFICATION_KIND = 'purpose_justification';
/** The prompt when the policy gives none. */
export const DEFAULT_JUSTIFICATION_PROMPT = 'Why do you need access to this application?';
/** How long the page waits for an answer before the user must sign in again. */
const JUSTIFICATION_SECONDS = 10 * 60;
/** The longest justification taken, in characters. */
export const MAX_JUSTIFICATION = 1000;

/** Who is signing in, as the application's token will carry them: the global session's user, and the provider's type. */
export type SigningIn = Pick<GlobalSession, 'userId' | 'email' | 'identityNonce' | 'headers' | 'custom'> & { readonly connection: string; readonly external?: ExternalVerdicts };

/** What the token is made from once the user has written their justification. */
export interface Justified {
  readonly pending: PendingLogin;
  readonly who: SigningIn;
  readonly lifetimeSeconds: number;
  readonly justification: { readonly prompt: string; readonly response: string };
}

/** What the policy letting a user in asks of them before the token: a justification, and perhaps an approver's consent. */
export interface SignInSteps {
  readonly prompt: string;
  /** With an access request: the policy's approval groups (approval.ts). */
  readonly approvalGroups?: readonly ApprovalGroupSetting[];
}

/** What a sign-in decided about an application. */
export interface SignInDecision {
  /** The policy that lets the user in (an Allow or a Bypass), if any: what the sign-in asks of them and how long their session lasts are its. */
  readonly deciding: Policy | undefined;
  /** The external evaluation endpoints' answers it rests on, for the token (when the policies have such rules). */
  readonly external?: ExternalVerdicts;
  /** Why an endpoint gave no answer (its rule then unknown), in words fit for the access log. */
  readonly externalFailure?: string;
}

/**
 * Run the application's policies on the user signing in now, asking their external evaluation
 * endpoints (sign-in-external.ts); `sessionNonce`: the identity nonce of the sign-in (or of the
 * global session entering the application), whose answers an entry within a minute reuses.
 */
export async function decideSignIn(ctx: LoginContext, app: ResourceRecord, user: UserRecord, ip: string | undefined, sessionNonce?: string): Promise<SignInDecision> {
  const view = await ctx.views.get(ctx.accountId, ctx.now());
  const { policies, compiled } = await view.compiled(app);
  const identity = { ...evaluatedIdentity(user), ...(ip !== undefined ? { ip } : {}) };
  const session = sessionNonce === undefined ? undefined : `${ctx.accountId}\n${user.id}\n${sessionNonce}\n${app.id}`;
  const asked = await ctx.external.ask(ctx.accountId, compiled, identity, session, ctx.now());
  const packed = compiled.evaluate(prepareIdentity(identity), asked?.answers);
  return {
    deciding: resultAccess(packed) === 'granted' ? policies[resultDecidingIndex(packed)] : undefined,
    ...(asked !== undefined ? { external: asked.verdicts } : {}),
    ...(asked?.failure !== undefined ? { externalFailure: asked.failure } : {}),
  };
}

/** The policy that lets this user into the application now, if any (decideSignIn). */
export async function policyLettingIn(ctx: LoginContext, app: ResourceRecord, user: UserRecord, ip: string | undefined): Promise<Policy | undefined> {
  return (await decideSignIn(ctx, app, user, ip)).deciding;
}

/**
 * What to ask when the policy that lets the user into the application asks for a justification
 * (or an approver's consent, which comes with one); undefined when nothing is asked (or nothing
 * lets them in: forward auth refuses them as before, and there is nothing to justify).
 */
export function signInSteps(deciding: Policy | undefined): SignInSteps | undefined {
  // A policy that also asks for a step this server does not provide refuses the user anyway.
  if (deciding === undefined || !asksJustification(deciding) || unprovidedSteps(deciding) !== undefined) return undefined;
  const prompt = deciding.settings.purpose_justification_prompt;
  return {
    prompt: typeof prompt === 'string' && prompt.trim() !== '' ? prompt : DEFAULT_JUSTIFICATION_PROMPT,
    ...(asksApproval(deciding) ? { approvalGroups: deciding.settings.approval_groups ?? [] } : {}),
  };
}

/** Keep the sign-in while the user writes; the address of the page that asks them. */
export async function askJustification(ctx: LoginContext, pending: PendingLogin, who: SigningIn, lifetimeSeconds: number, steps: SignInSteps, ip: string | undefined): Promise<string> {
  const id = randomBytes(24).toString('base64url');
  const now = ctx.now();
  await ctx.store.challenges.put({
    id,
    accountId: ctx.accountId,
    kind: JUSTIFICATION_KIND,
    email: who.email,
    ipAddress: ip ?? null,
    body: { app: pending.app.id, host: pending.host, target: pending.target, ...(pending.appSession !== undefined ? { appSession: pending.appSession } : {}), who: { ...who }, lifetimeSeconds, prompt: steps.prompt, ...(steps.approvalGroups !== undefined ? { approvalGroups: steps.approvalGroups } : {}) },
    attempts: 0,
    createdAt: new Date(now).toISOString(),
    expiresAt: now + JUSTIFICATION_SECONDS * 1000,
  });
  return `${await ctx.issuer()}${JUSTIFY_PATH}/${id}`;
}

const SIGN_IN_AGAIN = 'This sign-in has expired or was already used: open the application again to sign in.';

/**
 * The justification step's page and its answer. The page belongs to the browser that signed in:
 * both need that sign-in's global session cookie (set on the auth domain at sign-in, SameSite=Lax),
 * so a leaked address alone enters nobody; the form is taken only from the auth domain's own page
 * (form-origin.ts).
 */
export function registerJustificationRoutes(scope: FastifyInstance, contextOf: LoginContextOf, admit: (ctx: LoginContext, justified: Justified, ip: string | undefined) => Promise<string>, mailer: Mailer | undefined): void {
  /** The sign-in waiting at this address, when this browser made it. */
  const waiting = async (ctx: LoginContext, id: string, cookie: string | undefined, take: boolean) => {
    if (id.length > 200) return undefined;
    const now = ctx.now();
    const seen = await ctx.store.challenges.get(ctx.accountId, id, now);
    if (seen === undefined || seen.kind !== JUSTIFICATION_KIND) return undefined;
    const body = seen.body as { app?: unknown; host?: unknown; target?: unknown; appSession?: unknown; who?: SigningIn; lifetimeSeconds?: unknown; prompt?: unknown; approvalGroups?: readonly ApprovalGroupSetting[] };
    const session = await globalSessionOf(cookie, await ctx.issuer(), (token) => ctx.keys.keysFor(ctx.accountId, token), now);
    if (session === undefined || body.who === undefined || session.userId !== body.who.userId || session.identityNonce !== body.who.identityNonce) return undefined;
    // Not for a user deleted, or whose sessions were revoked, since the sign-in, nor after it was signed out of.
    if ((await userOfSession(ctx.store.read, ctx.accountId, session, now)) === undefined) return undefined;
    const app = await ctx.store.read.getResource(ctx.accountId, 'app', String(body.app));
    if (app === undefined) return undefined;
    if (take && (await ctx.store.challenges.take(ctx.accountId, id, now)) === undefined) return undefined;
    return { pending: withAppSession({ app, host: String(body.host), target: String(body.target) }, body.appSession), who: body.who, lifetimeSeconds: Number(body.lifetimeSeconds), prompt: String(body.prompt), approvalGroups: body.approvalGroups };
  };
  const pageOf = (id: string, found: { pending: PendingLogin; prompt: string; approvalGroups?: unknown }, options: { error?: string; written?: string } = {}) =>
    justificationPage(found.pending.app.name, found.prompt, `${JUSTIFY_PATH}/${encodeURIComponent(id)}`, MAX_JUSTIFICATION, { ...options, ...(found.approvalGroups !== undefined ? { approval: true } : {}) });

  scope.get(`${JUSTIFY_PATH}/:id`, async (request, reply) => {
    const ctx = await contextOf(request, reply);
    if (ctx === undefined) return reply;
    const { id } = request.params as { id: string };
    reply.header('cache-control', 'no-store');
    const found = await waiting(ctx, id, request.headers.cookie, false);
    if (found === undefined) return reply.code(404).type('text/html').send(messagePage('Sign in again', SIGN_IN_AGAIN));
    return reply.type('text/html').send(pageOf(id, found));
  });

  scope.post(`${JUSTIFY_PATH}/:id`, AUTH_DOMAIN_FORM, async (request, reply) => {
    const ctx = await contextOf(request, reply);
    if (ctx === undefined) return reply;
    const { id } = request.params as { id: string };
    reply.header('cache-control', 'no-store');
    const form = (request.body ?? {}) as Record<string, unknown>;
    const written = typeof form.justification === 'string' ? form.justification.trim() : '';
    const problem = written === '' ? 'Write why you need access.' : [...written].length > MAX_JUSTIFICATION ? `Write at most ${MAX_JUSTIFICATION} characters.` : undefined;
    if (problem !== undefined) {
      const found = await waiting(ctx, id, request.headers.cookie, false);
      if (found === undefined) return reply.code(404).type('text/html').send(messagePage('Sign in again', SIGN_IN_AGAIN));
      return reply.code(400).type('text/html').send(pageOf(id, found, { error: problem, written: written.slice(0, MAX_JUSTIFICATION * 2) }));
    }
    // Once: a second post of the same form finds nothing.
    const found = await waiting(ctx, id, request.headers.cookie, true);
    if (found === undefined) return reply.code(404).type('text/html').send(messagePage('Sign in again', SIGN_IN_AGAIN));
    const justified: Justified = { pending: found.pending, who: found.who, lifetimeSeconds: found.lifetimeSeconds, justification: { prompt: found.prompt, response: written } };
    if (found.approvalGroups !== undefined) {
      // Temporary authentication: the justification goes to the approvers, and the user waits.
      const requested = await requestApproval(ctx, justified, found.approvalGroups, mailer, (message, err) => request.log.error({ err: (err as Error).message }, message));
      if (typeof requested !== 'string') return reply.code(requested.status).type('text/html').send(messagePage(requested.status === 429 ? 'Too many requests' : 'Forbidden', requested.refused));
      return reply.redirect(requested, 302);
    }
    return reply.redirect(await admit(ctx, justified, forwarded(request, ctx.trusted).ip), 302);
  });
}
