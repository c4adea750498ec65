// Temporary authentication (docs/enforcement.md "Temporary authentication"): an Allow policy with
// approval_required lets a user in only for as long as its approvers grant. After the sign-in and
// the purpose justification, an access request is made: mailed to the approvers (when a mail
// server is configured) and shown to the user with its approval link to pass on by hand. An
// approver signs in on the auth domain, sees who asks and why, and grants access for up to 24
// hours, or denies it. Once every approval group has its approvals, the user's waiting page
// hands over the application's token, lasting no longer than the grant; the next session asks
// again. The request and each approver's answer are sign-in challenges (store.ts), so any
// instance can finish what another started, and an answer is given once.

import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LoginChallengeRecord, UserRecord } from '../../store/store.js';
import { forwarded } from '../forwarded.js';
import { globalSessionOf, sessionFitsProviders, userOfSession, type GlobalSession } from '../global-session.js';
import { approvalPage, messagePage, waitingPage } from '../pages.js';
import type { Mailer } from './mailer.js';
import { allowedProviders, approverSignInApp, withAppSession, type LoginContext, type LoginContextOf } from './flow.js';
import { policyLettingIn, type Justified, type SigningIn } from './justification.js';
import { AUTH_DOMAIN_FORM } from './form-origin.js';
import { asksApproval } from '../decide.js';

/** The requester's page, which waits for the answer. */
export const REQUEST_PATH = '/cdn-cgi/access/request';
/** The approvers' page. */
export const APPROVE_PATH = '/cdn-cgi/access/approve';
/** Whether a path is an approver's page of one request. */
export const isApprovalPath = (pathname: string): boolean => pathname.startsWith(`${APPROVE_PATH}/`) && !pathname.slice(APPROVE_PATH.length + 1).includes('/');
const REQUEST_KIND = 'access_request';
const ANSWER_KIND = 'access_request_answer';
/** How long approvers have to answer a request. */
export const REQUEST_SECONDS = 24 * 60 * 60;
/** What an approver may grant, as at Cloudflare: up to 24 hours. */
export const GRANT_CHOICES: readonly { readonly seconds: number; readonly label: string }[] = [
  { seconds: 15 * 60, label: '15 minutes' },
  { seconds: 60 * 60, label: '1 hour' },
  { seconds: 4 * 60 * 60, label: '4 hours' },
  { seconds: 8 * 60 * 60, label: '8 hours' },
  { seconds: 24 * 60 * 60, label: '24 hours' },
];
const MAX_GRANT_SECONDS = GRANT_CHOICES.at(-1)!.seconds;
/** Access requests one user may make in an hour: each mails every approver, so a loop of them must not flood their mailboxes. */
export const REQUESTS_PER_HOUR = 10;
/** Approvers mailed for one request, at most (the rest can be given the link). */
const MAX_MAILED = 50;
/** A page of an email list read while looking for an approver. */
const LIST_PAGE = 1000;

/** An Allow policy's approval group, as the API takes it. */
export interface ApprovalGroupSetting {
  readonly approvals_needed: number;
  readonly email_addresses?: readonly string[];
  readonly email_list_uuid?: string;
}

interface RequestBody {
  readonly app: string;
  readonly appName: string;
  readonly host: string;
  readonly target: string;
  /** The sign-in's application-session digests (app-session.ts), for the /authorized address the grant ends on. */
  readonly appSession?: string;
  readonly who: SigningIn;
  readonly lifetimeSeconds: number;
  readonly justification: { readonly prompt: string; readonly response: string };
  /** The policy's approval groups when the request was made. */
  readonly groups: readonly ApprovalGroupSetting[];
}

interface AnswerBody {
  readonly email: string;
  readonly approved: boolean;
  readonly seconds: number;
  /** When it was given (milliseconds). */
  readonly at: number;
  /** The approval groups the approver was in when answering (their indexes). */
  readonly groups: readonly number[];
}

export type RequestState =
  | { readonly state: 'pending' }
  | { readonly state: 'expired' }
  | { readonly state: 'denied'; readonly by: string }
  /** Granted until `until` (milliseconds), by `approvers`, for `seconds` (the shortest grant). */
  | { readonly state: 'approved'; readonly until: number; readonly approvers: readonly string[]; readonly seconds: number };

const lower = (email: string): string => email.trim().toLowerCase();
const answerId = (requestId: string, email: string): string => `${requestId}.${createHash('sha256').update(lower(email)).digest('base64url').slice(0, 22)}`;

/** What an access request's approvers granted: until when, who, for how long (seconds). */
export interface Approval {
  readonly until: number;
  readonly approvers: readonly string[];
  readonly seconds: number;
}

/** Whether any approval group names an approver (an address, or a list). */
export const namesApprovers = (groups: readonly ApprovalGroupSetting[]): boolean => groups.some((g) => (g.email_addresses?.length ?? 0) > 0 || g.email_list_uuid !== undefined);

/** Whether an email is in one of the account's email lists. */
async function inList(ctx: LoginContext, listId: string, email: string): Promise<boolean> {
  for (let offset = 0; ; offset += LIST_PAGE) {
    const page = await ctx.store.read.listItems(ctx.accountId, listId, { offset, limit: LIST_PAGE });
    if (page.items.some((item) => lower(item.value) === email)) return true;
    if (page.items.length < LIST_PAGE) return false;
  }
}

/** The indexes of the approval groups an email belongs to (named, or in the group's email list). */
async function groupsOf(ctx: LoginContext, groups: readonly ApprovalGroupSetting[], email: string): Promise<number[]> {
  const wanted = lower(email);
  const found: number[] = [];
  for (const [index, group] of groups.entries()) {
    if ((group.email_addresses ?? []).some((address) => lower(address) === wanted) || (group.email_list_uuid !== undefined && (await inList(ctx, group.email_list_uuid, wanted)))) found.push(index);
  }
  return found;
}

/** The approval groups the application's Allow policies that ask for an approver name now (none once it is deleted). */
async function currentApprovalGroups(ctx: LoginContext, appId: string): Promise<readonly ApprovalGroupSetting[]> {
  const app = await ctx.store.read.getResource(ctx.accountId, 'app', appId);
  if (app === undefined) return [];
  const { policies } = await (await ctx.views.get(ctx.accountId, ctx.now())).compiled(app);
  return policies.filter(asksApproval).flatMap((policy) => (policy.settings.approval_groups ?? []) as readonly ApprovalGroupSetting[]);
}

/** The access request `id`, while it is unexpired. */
async function accessRequest(ctx: LoginContext, id: string): Promise<LoginChallengeRecord | undefined> {
  if (id.length > 100) return undefined;
  const found = await ctx.store.challenges.get(ctx.accountId, id, ctx.now());
  return found?.kind === REQUEST_KIND ? found : undefined;
}

/**
 * Whether `email` could answer the access request whose approval page `target` is: in one of its
 * approval groups, as the request was made and as the policies are now, and not its requester
 * (what the approver's page checks once they have signed in). A one-time PIN is mailed to an
 * approver signing in without an App Launcher only then (one-time-pin.ts), so that the approvers'
 * sign-in, which no application's policies decide, mails no code to anyone else.
 */
export async function mayAnswer(ctx: LoginContext, target: string, email: string): Promise<boolean> {
  const { pathname } = new URL(target);
  if (!isApprovalPath(pathname)) return false;
  const found = await accessRequest(ctx, pathname.slice(APPROVE_PATH.length + 1));
  if (found === undefined) return false;
  const body = found.body as unknown as RequestBody;
  if (lower(email) === lower(body.who.email)) return false;
  return (await groupsOf(ctx, body.groups, email)).length > 0 && (await groupsOf(ctx, await currentApprovalGroups(ctx, body.app), email)).length > 0;
}

/** Every approver's address (named ones first, then the lists'), without repeats, up to `limit`. */
async function approverAddresses(ctx: LoginContext, groups: readonly ApprovalGroupSetting[], limit: number): Promise<string[]> {
  const found = new Set<string>();
  for (const group of groups) for (const address of group.email_addresses ?? []) found.add(lower(address));
  for (const group of groups) {
    if (group.email_list_uuid === undefined || found.size >= limit) continue;
    const page = await ctx.store.read.listItems(ctx.accountId, group.email_list_uuid, { offset: 0, limit });
    for (const item of page.items) found.add(lower(item.value));
  }
  return [...found].slice(0, limit);
}

/**
 * Where a request stands, from its approvers' answers: denied once anyone denies; approved once
 * every group has its approvals_needed and at least one approver has approved, until the
 * shortest grant of those who approved ends; else pending, until its approvers' day is over.
 */
export function requestState(request: LoginChallengeRecord, answers: readonly AnswerBody[], now: number): RequestState {
  const body = request.body as unknown as RequestBody;
  const denial = answers.find((a) => !a.approved);
  if (denial !== undefined) return { state: 'denied', by: denial.email };
  const approvals = answers.filter((a) => a.approved);
  const met = approvals.length > 0 && body.groups.every((group, index) => approvals.filter((a) => a.groups.includes(index)).length >= group.approvals_needed);
  if (met) {
    const granted = (a: AnswerBody): number => Math.min(a.seconds, MAX_GRANT_SECONDS);
    const until = Math.min(...approvals.map((a) => a.at + granted(a) * 1000));
    return until > now ? { state: 'approved', until, approvers: approvals.map((a) => a.email), seconds: Math.min(...approvals.map(granted)) } : { state: 'expired' };
  }
  return Date.parse(request.createdAt) + REQUEST_SECONDS * 1000 > now ? { state: 'pending' } : { state: 'expired' };
}

async function stateOf(ctx: LoginContext, request: LoginChallengeRecord, now: number): Promise<RequestState> {
  const answers = (await ctx.store.challenges.withPrefix(ctx.accountId, ANSWER_KIND, `${request.id}.`, now)).map((a) => a.body as unknown as AnswerBody);
  return requestState(request, answers, now);
}

/**
 * Make the access request for a justified sign-in, mail its approvers, and return the address of
 * the page where the user waits; a refusal when the policy names no approver (fails closed).
 */
export async function requestApproval(ctx: LoginContext, justified: Justified, groups: readonly ApprovalGroupSetting[], mailer: Mailer | undefined, log: (message: string, err: unknown) => void): Promise<string | { readonly refused: string; readonly status: number }> {
  if (!namesApprovers(groups)) return { status: 403, refused: "Access to this application needs an approver's consent, and its policy names no approver. Ask the application's administrator." };
  const id = randomBytes(24).toString('base64url');
  const now = ctx.now();
  const { pending, who, lifetimeSeconds, justification } = justified;
  const lastHour = (): Promise<number> => ctx.store.challenges.countSince(ctx.accountId, REQUEST_KIND, { email: who.email }, new Date(now - 3600_000));
  const tooMany = { status: 429, refused: `You have made ${REQUESTS_PER_HOUR} access requests in the last hour: wait for your approvers to answer before asking again.` };
  // A cheap refusal first; then, once this request is stored, the count that decides: of requests
  // racing past the first check (another instance, another connection), only those within the
  // limit mail anyone. Those over it stay counted, as a one-time PIN's codes do.
  if ((await lastHour()) >= REQUESTS_PER_HOUR) return tooMany;
  const body: RequestBody = { app: pending.app.id, appName: pending.app.name, host: pending.host, target: pending.target, ...(pending.appSession !== undefined ? { appSession: pending.appSession } : {}), who: { ...who }, lifetimeSeconds, justification, groups: groups.map((g) => ({ ...g })) };
  await ctx.store.challenges.put({
    id,
    accountId: ctx.accountId,
    kind: REQUEST_KIND,
    email: who.email,
    ipAddress: null,
    body: body as unknown as Record<string, unknown>,
    attempts: 0,
    createdAt: new Date(now).toISOString(),
    // Kept past the approvers' day for as long as a grant made at its end may last.
    expiresAt: now + (REQUEST_SECONDS + MAX_GRANT_SECONDS) * 1000,
  });
  if ((await lastHour()) > REQUESTS_PER_HOUR) return tooMany;
  const issuer = await ctx.issuer();
  if (mailer !== undefined) {
    const link = `${issuer}${APPROVE_PATH}/${id}`;
    const mail = requestMail(body, link);
    for (const to of await approverAddresses(ctx, groups, MAX_MAILED)) {
      if (to === lower(who.email)) continue;
      mailer.send({ to, ...mail }).catch((err: unknown) => log('an access request could not be mailed to an approver', err));
    }
  }
  return `${issuer}${REQUEST_PATH}/${id}`;
}

/** Mail text: who asks, for what, why, and the page to answer on. */
function requestMail(body: RequestBody, link: string): { subject: string; text: string } {
  const plain = (text: string): string => text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return {
    subject: `Access request: ${plain(body.who.email)} for ${plain(body.appName)}`,
    text: [
      `${plain(body.who.email)} asks for access to ${plain(body.appName)} (${plain(body.host)}).`,
      '',
      `${plain(body.justification.prompt)}`,
      `> ${plain(body.justification.response)}`,
      '',
      `Approve or deny it, after signing in: ${link}`,
      `The request can be answered for ${REQUEST_SECONDS / 3600} hours.`,
    ].join('\n'),
  };
}

/** An access request as an approver sees it. */
interface ApproverView {
  readonly id: string;
  readonly found: LoginChallengeRecord;
  readonly body: RequestBody;
  readonly session: GlobalSession;
  /** The approval groups the approver is in. */
  readonly groups: number[];
}

const GONE = 'This access request has expired or was already used: open the application again to ask anew.';

/**
 * The requester's waiting page and the approvers' page. Each needs a global session on the auth
 * domain: the requester's own sign-in's (so a leaked address enters nobody), or the approver's.
 */
export function registerApprovalRoutes(scope: FastifyInstance, contextOf: LoginContextOf, admit: (ctx: LoginContext, entry: Justified & { readonly approval: Approval }, ip: string | undefined) => Promise<string>): void {
  /** The browser's global session and its user, while they exist and their sessions were not revoked since it began. */
  const signedInOf = async (ctx: LoginContext, request: FastifyRequest): Promise<{ readonly session: GlobalSession; readonly user: UserRecord } | undefined> => {
    const session = await globalSessionOf(request.headers.cookie, await ctx.issuer(), (token) => ctx.keys.keysFor(ctx.accountId, token), ctx.now());
    const user = session === undefined ? undefined : await userOfSession(ctx.store.read, ctx.accountId, session, ctx.now());
    return user === undefined ? undefined : { session: session!, user };
  };
  const sessionOf = async (ctx: LoginContext, request: FastifyRequest): Promise<GlobalSession | undefined> => (await signedInOf(ctx, request))?.session;
  const page = (reply: FastifyReply, status: number, title: string, message: string): FastifyReply => reply.code(status).header('cache-control', 'no-store').type('text/html').send(messagePage(title, message));

  scope.get(`${REQUEST_PATH}/:id`, async (request, reply) => {
    const ctx = await contextOf(request, reply);
    if (ctx === undefined) return reply;
    const { id } = request.params as { id: string };
    const found = await accessRequest(ctx, id);
    const session = await sessionOf(ctx, request);
    const body = found?.body as unknown as RequestBody | undefined;
    if (found === undefined || body === undefined || session === undefined || session.userId !== body.who.userId || session.identityNonce !== body.who.identityNonce) return page(reply, 404, 'Ask again', GONE);
    const now = ctx.now();
    const state = await stateOf(ctx, found, now);
    switch (state.state) {
      case 'pending': {
        const link = `${await ctx.issuer()}${APPROVE_PATH}/${id}`;
        return reply.header('cache-control', 'no-store').type('text/html').send(waitingPage(body.appName, link, `${REQUEST_PATH}/${encodeURIComponent(id)}`));
      }
      case 'expired':
        await ctx.store.challenges.take(ctx.accountId, id, now);
        return page(reply, 403, 'Request expired', `Your request for access to ${body.appName} was not approved in time, or its grant has ended. Open the application again to ask anew.`);
      case 'denied':
        await ctx.store.challenges.take(ctx.accountId, id, now);
        return page(reply, 403, 'Access denied', `An approver denied your request for access to ${body.appName}.`);
      case 'approved': {
        // Once: the token is handed over to one page load.
        if ((await ctx.store.challenges.take(ctx.accountId, id, now)) === undefined) return page(reply, 404, 'Ask again', GONE);
        const app = await ctx.store.read.getResource(ctx.accountId, 'app', body.app);
        if (app === undefined) return page(reply, 404, 'Not found', 'The application of this request no longer exists.');
        const to = await admit(ctx, { pending: withAppSession({ app, host: body.host, target: body.target }, body.appSession), who: body.who, lifetimeSeconds: body.lifetimeSeconds, justification: body.justification, approval: { until: state.until, approvers: state.approvers, seconds: state.seconds } }, forwarded(request, ctx.trusted).ip);
        return reply.header('cache-control', 'no-store').redirect(to, 302);
      }
    }
  });

  /** The request and the approver answering it, or the answer that stops them. */
  const approverView = async (ctx: LoginContext, request: FastifyRequest, reply: FastifyReply): Promise<ApproverView | { readonly stop: FastifyReply }> => {
    const { id } = request.params as { id: string };
    const found = await accessRequest(ctx, id);
    if (found === undefined) return { stop: page(reply, 404, 'Not found', 'This access request has expired or was already answered and used.') };
    const signedIn = await signedInOf(ctx, request);
    // An approver's session must come from a provider the approvers' sign-in offers (the App
    // Launcher's, when there is one): else they sign in again, through one of those.
    const signInApp = await approverSignInApp(ctx);
    if (signedIn === undefined || !sessionFitsProviders(signedIn.session, await allowedProviders(ctx, signInApp.app), ctx.devLogin)) {
      // Sign in first, on the auth domain; the sign-in comes back here.
      const issuer = await ctx.issuer();
      const here = `${issuer}${APPROVE_PATH}/${id}`;
      return { stop: reply.redirect(`${issuer}/cdn-cgi/access/login/${encodeURIComponent(new URL(issuer).host)}?redirect_url=${encodeURIComponent(here)}`, 302) };
    }
    const { session, user } = signedIn;
    // With an App Launcher, its policies say who may approve at all (Cloudflare checks approvers
    // against them), on the approver's identity and address now.
    if (signInApp.launcher && (await policyLettingIn(ctx, signInApp.app, user, forwarded(request, ctx.trusted).ip)) === undefined) {
      return { stop: page(reply, 403, 'Not an approver', `The App Launcher's policies do not let ${session.email} in, and only those they let in may answer access requests.`) };
    }
    const body = found.body as unknown as RequestBody;
    if (lower(session.email) === lower(body.who.email)) return { stop: page(reply, 403, 'Not yours to answer', 'You cannot approve your own access request.') };
    const groups = await groupsOf(ctx, body.groups, session.email);
    if (groups.length === 0) return { stop: page(reply, 403, 'Not an approver', `${session.email} is not an approver of this request.`) };
    // An approver when the request was made, and still one: taken out of every approval group the
    // application's policies name now, they can no longer answer requests made before.
    if ((await groupsOf(ctx, await currentApprovalGroups(ctx, body.app), session.email)).length === 0) {
      return { stop: page(reply, 403, 'Not an approver', `${session.email} is no longer an approver of ${body.appName}: its policies name other approvers now.`) };
    }
    return { id, found, body, session, groups };
  };

  scope.get(`${APPROVE_PATH}/:id`, async (request, reply) => {
    const ctx = await contextOf(request, reply);
    if (ctx === undefined) return reply;
    const view = await approverView(ctx, request, reply);
    if ('stop' in view) return view.stop;
    const { id, found, body, session } = view;
    const answered = await ctx.store.challenges.get(ctx.accountId, answerId(id, session.email), ctx.now());
    const state = await stateOf(ctx, found, ctx.now());
    return reply
      .header('cache-control', 'no-store')
      .type('text/html')
      .send(
        approvalPage({
          requester: body.who.email,
          appName: body.appName,
          host: body.host,
          prompt: body.justification.prompt,
          justification: body.justification.response,
          askedAt: found.createdAt,
          action: `${APPROVE_PATH}/${encodeURIComponent(id)}`,
          choices: GRANT_CHOICES,
          ...(answered !== undefined ? { answered: (answered.body as unknown as AnswerBody).approved ? 'approved' : 'denied' } : state.state !== 'pending' ? { closed: state.state } : {}),
        }),
      );
  });

  scope.post(`${APPROVE_PATH}/:id`, AUTH_DOMAIN_FORM, async (request, reply) => {
    const ctx = await contextOf(request, reply);
    if (ctx === undefined) return reply;
    const view = await approverView(ctx, request, reply);
    if ('stop' in view) return view.stop;
    const { id, found, body, session, groups } = view;
    const form = (request.body ?? {}) as Record<string, unknown>;
    const approved = form.decision === 'approve' ? true : form.decision === 'deny' ? false : undefined;
    const seconds = Number(form.duration);
    if (approved === undefined) return page(reply, 400, 'Bad request', 'Choose to approve or to deny.');
    if (approved && !GRANT_CHOICES.some((choice) => choice.seconds === seconds)) return page(reply, 400, 'Bad request', 'Choose how long to grant access for: up to 24 hours.');
    const now = ctx.now();
    if ((await stateOf(ctx, found, now)).state !== 'pending') return page(reply, 409, 'Already decided', `This request for access to ${body.appName} is no longer waiting for an answer.`);
    const answer: AnswerBody = { email: lower(session.email), approved, seconds: approved ? seconds : 0, at: now, groups };
    try {
      await ctx.store.challenges.put({ id: answerId(id, session.email), accountId: ctx.accountId, kind: ANSWER_KIND, email: answer.email, ipAddress: forwarded(request, ctx.trusted).ip ?? null, body: answer as unknown as Record<string, unknown>, attempts: 0, createdAt: new Date(now).toISOString(), expiresAt: found.expiresAt });
    } catch {
      // The same approver's answer, stored a moment ago by another request (its id is theirs).
      if ((await ctx.store.challenges.get(ctx.accountId, answerId(id, session.email), now)) === undefined) throw new Error('the answer to an access request could not be stored');
      return page(reply, 409, 'Already answered', 'You have already answered this request.');
    }
    request.log.info({ request: id, app: body.app, requester: body.who.email, approver: answer.email, approved, seconds: answer.seconds }, 'an access request was answered');
    const grant = GRANT_CHOICES.find((choice) => choice.seconds === seconds)?.label;
    return page(reply, 200, approved ? 'Approved' : 'Denied', approved ? `You approved ${body.who.email}'s access to ${body.appName} for ${grant}.` : `You denied ${body.who.email}'s access to ${body.appName}.`);
  });
}
