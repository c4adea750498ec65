// Sign-in with a one-time PIN (Cloudflare's `onetimepin` identity provider): the person types an
// email, a 6-digit code is mailed to it when the application's policies could let that address in,
// and the code signs them in once, within 10 minutes. docs/identity-providers.md "One-time PIN".
//
// Only a salted HMAC of the code is stored, in the sign-in challenge; codes asked for are limited
// per address and per client address, wrong codes per challenge, and both per address over a day
// (counts that outlive the challenges); a code is compared in constant time. Whether a code was
// mailed is never shown: the page is the same either way.

import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isValidEmail, prepareIdentity, resultAccess } from '../../engine/index.js';
import type { ResourceRecord } from '../../store/store.js';
import { formPage, messagePage } from '../pages.js';
import { forwarded } from '../forwarded.js';
import { identityOf, type LoginIdentity } from '../logins.js';
import { allowedProviders, approverSignInApp, completeLogin, pendingLogin, refuseLogin, resumeLogin, saveChallenge, testLogin, type LoginContext, type PendingLogin } from './flow.js';
import { mayAnswer } from './approval.js';
import type { LoginMethod } from './method.js';
import type { Mailer } from './mailer.js';
import { AUTH_DOMAIN_FORM } from './form-origin.js';

export const PIN_TYPE = 'onetimepin';
const CHALLENGE_KIND = 'pin';
/** Cloudflare's: a 6-digit code that expires 10 minutes after it was asked for. */
export const PIN_DIGITS = 6;
export const PIN_SECONDS = 10 * 60;
/** Wrong codes a challenge takes; the next answer, right or wrong, needs a new code. */
export const PIN_MAX_WRONG = 5;
/** Codes asked for within RATE_WINDOW_SECONDS, per email address and per client address. */
export const PIN_RATE_WINDOW_SECONDS = 15 * 60;
export const PIN_CODES_PER_EMAIL = 5;
export const PIN_CODES_PER_ADDRESS = 20;
/**
 * The limits over a day, per address (docs/identity-providers.md "One-time PIN"): the limits above
 * still let anyone ask for 480 codes a day for someone else's address, and try 5 guesses on each,
 * which finds a 6-digit code within months, and floods that mailbox all day. Past 20 codes in a
 * day (more than anyone signing in by hand asks for) none is mailed; past 30 wrong codes (a few
 * mistypes on each of those), none is taken, the right one either: guessing a code then takes
 * some 45 years on average. The day starts with the first code or the first wrong one; the page asking
 * for a code reads the same either way.
 */
export const PIN_DAY_SECONDS = 24 * 60 * 60;
export const PIN_CODES_PER_EMAIL_PER_DAY = 20;
export const PIN_WRONG_PER_EMAIL_PER_DAY = 30;
/** The names of an address's counts of the day (store.ts SignInCounterStore). */
const codesCount = (email: string): string => `pin-codes:${email}`;
const wrongCount = (email: string): string => `pin-wrong:${email}`;
/** How a PIN login authenticated (RFC 8176 "otp": a one-time password). */
export const PIN_AMR = ['otp'] as const;


/** A test of the provider (the dashboard's Test button) has no application's host: its forms post under test-idp. */
const emailPath = (pending: PendingLogin, idp: ResourceRecord): string =>
  pending.test === true ? `/cdn-cgi/access/test-idp/${encodeURIComponent(idp.id)}/pin` : `/cdn-cgi/access/login/${encodeURIComponent(pending.host)}/idp/${encodeURIComponent(idp.id)}/pin`;
const codePath = (pending: PendingLogin, idp: ResourceRecord): string => `${emailPath(pending, idp)}/code`;
const idpName = (idp: ResourceRecord): string => String(idp.body.name ?? idp.name);

const newCode = (): string => randomInt(0, 10 ** PIN_DIGITS).toString().padStart(PIN_DIGITS, '0');
const codeHash = (salt: Buffer, code: string): Buffer => createHmac('sha256', salt).update(code, 'utf8').digest();

/** Whether `typed` is the code a challenge keeps the hash of (constant time over the hashes). */
function codeMatches(body: Record<string, unknown>, typed: unknown): boolean {
  if (typeof body.salt !== 'string' || typeof body.hash !== 'string') return false;
  const code = (typeof typed === 'string' ? typed : '').replace(/\s+/g, '');
  const stored = Buffer.from(body.hash, 'base64url');
  const given = codeHash(Buffer.from(body.salt, 'base64url'), code);
  return stored.length === given.length && timingSafeEqual(stored, given) && new RegExp(`^\\d{${PIN_DIGITS}}$`).test(code);
}

const pinIdentity = (email: string, idp: ResourceRecord): LoginIdentity => ({ email, groups: [], idp: { id: idp.id, type: PIN_TYPE }, amr: [...PIN_AMR] });

/**
 * Cloudflare mails a code only when an Access policy of the application would let the address in.
 * Undecided because of external evaluation rules, whose endpoints are asked only once the person
 * has signed in (docs/enforcement.md "External evaluation"), it may: the sign-in decides.
 */
async function policiesMayAllow(ctx: LoginContext, app: ResourceRecord, identity: LoginIdentity): Promise<boolean> {
  const view = await ctx.views.get(ctx.accountId, ctx.now());
  const { compiled } = await view.compiled(app);
  const access = resultAccess(compiled.evaluate(prepareIdentity(identityOf(identity))));
  return access === 'granted' || (access === 'unknown' && compiled.externalRules.length > 0);
}

/**
 * Whether a sign-in may mail `identity` a code. An application's sign-in: by its policies. An
 * approver's: by the App Launcher's policies, or without one, by whether the address may answer
 * the access request it returns to (approval.ts). A test of the provider stands for no
 * application: only to an address one of the account's applications that allow this provider
 * lets in, so that the test page (which needs no API token) cannot mail anyone else.
 */
async function mayBeAllowed(ctx: LoginContext, pending: PendingLogin, idp: ResourceRecord, identity: LoginIdentity): Promise<boolean> {
  if (pending.signInOnly === true && !(await approverSignInApp(ctx)).launcher) return mayAnswer(ctx, pending.target, identity.email);
  if (pending.test !== true) return policiesMayAllow(ctx, pending.app, identity);
  for (const app of await ctx.store.read.allResources(ctx.accountId, 'app')) {
    const allowed = Array.isArray(app.body.allowed_idps) ? (app.body.allowed_idps as unknown[]) : [];
    if (allowed.length > 0 && !allowed.includes(idp.id)) continue;
    if (await policiesMayAllow(ctx, app, identity)) return true;
  }
  return false;
}

/**
 * Whether a code may be mailed to `email` within the day's limits (PIN_DAY_SECONDS): this one
 * counted among the codes of its day, and neither those nor the wrong codes past their limit.
 */
async function withinTheDay(ctx: LoginContext, email: string): Promise<boolean> {
  const now = ctx.now();
  const [codes, wrong] = await Promise.all([ctx.store.counters.add(ctx.accountId, codesCount(email), 1, now, PIN_DAY_SECONDS * 1000), ctx.store.counters.get(ctx.accountId, wrongCount(email), now)]);
  return codes <= PIN_CODES_PER_EMAIL_PER_DAY && wrong < PIN_WRONG_PER_EMAIL_PER_DAY;
}

/** Mail text: no link to follow, only the code and what it is for. */
function pinMail(code: string, pending: PendingLogin): { subject: string; text: string } {
  const appName = pending.app.name.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return {
    subject: `Your sign-in code for ${appName}`,
    text: [
      `Your code to sign in to ${appName}${pending.host === '' ? '' : ` (${pending.host})`}: ${code}`,
      '',
      `It works once, within ${PIN_SECONDS / 60} minutes, on the page that asked for it.`,
      'If you did not ask to sign in, ignore this mail: nobody gets in without the code.',
    ].join('\n'),
  };
}

const emailForm = (pending: PendingLogin, idp: ResourceRecord, error?: string): string =>
  formPage(
    `Sign in to ${pending.app.name}`,
    `${idpName(idp)}: type your email address and a code to sign in with is mailed to it.`,
    emailPath(pending, idp),
    { redirect_url: pending.target, ...(pending.appSession !== undefined ? { app_session: pending.appSession } : {}) },
    { name: 'email', label: 'Email', type: 'email', autocomplete: 'email' },
    error,
  );

const codeForm = (pending: PendingLogin, idp: ResourceRecord, email: string, challenge: string, error?: string): string =>
  formPage(
    'Check your email',
    `If ${email} may sign in to ${pending.test === true ? `an application with ${idpName(idp)}` : pending.app.name}, a code was mailed to it. Type it here: it works once, within ${PIN_SECONDS / 60} minutes.`,
    codePath(pending, idp),
    { challenge },
    { name: 'code', label: 'Code', type: 'text', autocomplete: 'one-time-code' },
    error,
  );

const html = (reply: FastifyReply, status: number, page: string): FastifyReply => reply.code(status).type('text/html').send(page);

export function pinMethod(mailer: Mailer | undefined): LoginMethod {
  const unavailable = mailer === undefined ? 'one-time PIN sign-in is off because no mail server is configured (the administrator sets one with --smtp-url).' : undefined;
  const off = (reply: FastifyReply): FastifyReply => html(reply, 503, messagePage('Sign-in unavailable', `This server cannot mail codes: ${unavailable}`));

  return {
    types: [PIN_TYPE],
    ...(unavailable !== undefined ? { unavailable } : {}),

    async start(_ctx: LoginContext, idp: ResourceRecord, pending: PendingLogin, _request: FastifyRequest, reply: FastifyReply) {
      if (mailer === undefined) return off(reply);
      return html(reply, 200, emailForm(pending, idp));
    },

    register(scope, contextOf) {
      // The email typed: mail a code (when the policies could let the address in) and ask for it.
      scope.post('/cdn-cgi/access/login/:host/idp/:idp/pin', AUTH_DOMAIN_FORM, async (request, reply) => {
        const ctx = await contextOf(request, reply);
        if (ctx === undefined) return reply;
        const { host, idp: idpId } = request.params as { host: string; idp: string };
        const form = (request.body ?? {}) as Record<string, unknown>;
        const pending = await pendingLogin(ctx, host, typeof form.redirect_url === 'string' ? form.redirect_url : undefined, form.app_session);
        if (pending === undefined) return html(reply, 400, messagePage('Bad request', 'The page to return to is not on an application here.'));
        const idp = (await allowedProviders(ctx, pending.app)).find((candidate) => candidate.id === idpId && candidate.body.type === PIN_TYPE);
        if (idp === undefined) return html(reply, 400, messagePage('Bad request', 'This identity provider cannot sign in to this application.'));
        return askForCode(ctx, request, reply, pending, idp, form);
      });
      // The same for a test of the provider (the dashboard's Test button: routes.ts test-idp).
      scope.post('/cdn-cgi/access/test-idp/:idp/pin', AUTH_DOMAIN_FORM, async (request, reply) => {
        const ctx = await contextOf(request, reply);
        if (ctx === undefined) return reply;
        const { idp: idpId } = request.params as { idp: string };
        const idp = idpId.length > 200 ? undefined : await ctx.store.read.getResource(ctx.accountId, 'identity_provider', idpId);
        if (idp === undefined || idp.body.type !== PIN_TYPE) return html(reply, 404, messagePage('Not found', 'No one-time PIN identity provider has this id.'));
        return askForCode(ctx, request, reply, testLogin(idp), idp, (request.body ?? {}) as Record<string, unknown>);
      });

      // The code typed: sign in, once, if it is right, unexpired, and within the tries allowed.
      scope.post('/cdn-cgi/access/login/:host/idp/:idp/pin/code', AUTH_DOMAIN_FORM, async (request, reply) => {
        const ctx = await contextOf(request, reply);
        if (ctx === undefined) return reply;
        const { host, idp: idpId } = request.params as { host: string; idp: string };
        return checkCode(ctx, request, reply, idpId, (pending) => pending.test !== true && pending.host === host, () => pendingLogin(ctx, host, undefined));
      });
      scope.post('/cdn-cgi/access/test-idp/:idp/pin/code', AUTH_DOMAIN_FORM, async (request, reply) => {
        const ctx = await contextOf(request, reply);
        if (ctx === undefined) return reply;
        const { idp: idpId } = request.params as { idp: string };
        return checkCode(ctx, request, reply, idpId, (pending) => pending.test === true, async () => undefined);
      });

      /** Mail a code to the email typed when the policies could let it in, and ask for the code. */
      async function askForCode(ctx: LoginContext, request: FastifyRequest, reply: FastifyReply, pending: PendingLogin, idp: ResourceRecord, form: Record<string, unknown>): Promise<FastifyReply> {
        if (mailer === undefined) return off(reply);
        const email = (typeof form.email === 'string' ? form.email : '').trim().toLowerCase();
        // A plain address only (the engine's own test): the mail library reads `"x"@y` or
        // `x<y@z>` as the mailbox inside, so such text would be mailed to one address and decided
        // as another, past a policy's email rules and the per-address limit.
        if (!isValidEmail(email)) return html(reply, 400, emailForm(pending, idp, 'Type an email address.'));
        const ip = forwarded(request, ctx.trusted).ip;

        // Whether `asking` more codes than those asked for lately would pass a limit.
        const since = new Date(ctx.now() - PIN_RATE_WINDOW_SECONDS * 1000);
        const overLimit = async (asking: number): Promise<boolean> => {
          const [byEmail, byAddress] = await Promise.all([
            ctx.store.challenges.countSince(ctx.accountId, CHALLENGE_KIND, { email }, since),
            ip === undefined ? Promise.resolve(0) : ctx.store.challenges.countSince(ctx.accountId, CHALLENGE_KIND, { ipAddress: ip }, since),
          ]);
          return byEmail + asking > PIN_CODES_PER_EMAIL || byAddress + asking > PIN_CODES_PER_ADDRESS;
        };
        const tooMany = async (): Promise<FastifyReply> => {
          await refuseLogin(ctx, pending, { connection: PIN_TYPE, ip, email });
          return html(reply, 429, messagePage('Too many codes', `Too many sign-in codes were asked for from here or for this address: wait ${PIN_RATE_WINDOW_SECONDS / 60} minutes, then ask again.`, pending.target));
        };
        // A cheap refusal first; then, once this request's challenge is stored, the count that
        // decides: of requests racing past the first check, only those within the limit go on.
        if (await overLimit(1)) return tooMany();

        const identity = pinIdentity(email, idp);
        // Counted whether or not the policies let the address in: the same work either way.
        const [mayBe, inTheDay] = await Promise.all([mayBeAllowed(ctx, pending, idp, { ...identity, ip }), withinTheDay(ctx, email)]);
        const allowed = mayBe && inTheDay;
        const code = newCode();
        const salt = randomBytes(16);
        // The challenge outlives its code until the rate window ends, so that codes asked for
        // keep counting after they expire (and after a challenge is locked by wrong codes).
        const challenge = await saveChallenge(
          ctx,
          CHALLENGE_KIND,
          pending,
          idp,
          { salt: salt.toString('base64url'), hash: codeHash(salt, code).toString('base64url'), codeExpiresAt: ctx.now() + PIN_SECONDS * 1000, mailed: allowed },
          { email, ...(ip !== undefined ? { ip } : {}) },
          Math.max(PIN_SECONDS, PIN_RATE_WINDOW_SECONDS),
        );
        if (await overLimit(0)) return tooMany();

        // Neither the mail nor the log entry is waited for: the answer takes as long, and reads
        // the same, whether a code was mailed or not.
        if (allowed) {
          mailer.send({ to: email, ...pinMail(code, pending) }).catch((err: unknown) => request.log.error({ idp: idp.id, err: (err as Error).message }, 'the one-time PIN mail could not be sent'));
        } else {
          // As at Cloudflare: no mail to an address no policy lets in, and an access-log entry;
          // nor to one past the day's limits.
          refuseLogin(ctx, pending, { connection: PIN_TYPE, ip, email }).catch((err: unknown) => request.log.error({ err: (err as Error).message }, 'a refused one-time PIN request could not be logged'));
        }
        return html(reply, 200, codeForm(pending, idp, email, challenge));
      }

      /**
       * Sign in with the code typed for a challenge of this provider whose sign-in `fits` the route
       * (a test's code finishes no application's sign-in, nor the reverse); `loggedAs` is what a
       * refusal without a sign-in to resume is logged against.
       */
      async function checkCode(ctx: LoginContext, request: FastifyRequest, reply: FastifyReply, idpId: string, fits: (pending: PendingLogin) => boolean, loggedAs: () => Promise<PendingLogin | undefined>): Promise<FastifyReply> {
        const form = (request.body ?? {}) as Record<string, unknown>;
        const ip = forwarded(request, ctx.trusted).ip;
        if (mailer === undefined) return off(reply);
        const challengeId = typeof form.challenge === 'string' ? form.challenge : undefined;
        const gone = async (): Promise<FastifyReply> => {
          await refuseLogin(ctx, await loggedAs(), { connection: PIN_TYPE, ip });
          return html(reply, 400, messagePage('Sign-in failed', 'This code has expired or was already used. Go back to the application to ask for a new one.'));
        };
        const resumed = await resumeLogin(ctx, CHALLENGE_KIND, challengeId, false);
        if (resumed === undefined || !fits(resumed.pending) || resumed.idp.id !== idpId || resumed.email === null) return gone();
        const { pending, idp, body, email } = resumed;
        const fail = async (page: string): Promise<FastifyReply> => {
          await refuseLogin(ctx, pending, { connection: PIN_TYPE, ip, email });
          return html(reply, 401, page);
        };
        const now = ctx.now();
        if (!(Number(body.codeExpiresAt) > now)) return fail(messagePage('Sign-in failed', `This code has expired (codes work for ${PIN_SECONDS / 60} minutes): ask for a new one.`, pending.target));
        // Every answer counts before it is compared, so that answers sent at once cannot try
        // more codes than the limit.
        const attempts = await ctx.store.challenges.addAttempt(ctx.accountId, challengeId!);
        if (attempts === undefined) return gone();
        if (attempts > PIN_MAX_WRONG) return fail(messagePage('Sign-in failed', 'Too many wrong codes were typed for this one: ask for a new code.', pending.target));
        // So is it among the address's wrong codes of the day, which outlive the challenge (a
        // right one gives its place back); past them, the right code is refused too.
        const wrongToday = await ctx.store.counters.add(ctx.accountId, wrongCount(email), 1, now, PIN_DAY_SECONDS * 1000);
        if (wrongToday > PIN_WRONG_PER_EMAIL_PER_DAY) return fail(messagePage('Sign-in failed', 'Too many wrong codes were typed for this address lately: ask for a new code later.', pending.target));
        if (body.mailed !== true || !codeMatches(body, form.code)) {
          const left = Math.min(PIN_MAX_WRONG - attempts, PIN_WRONG_PER_EMAIL_PER_DAY - wrongToday);
          return fail(
            left > 0
              ? codeForm(pending, idp, email, challengeId!, `That code is not right: ${left} ${left === 1 ? 'try' : 'tries'} left.`)
              : messagePage('Sign-in failed', 'That code is not right, and it was the last try: ask for a new code.', pending.target),
          );
        }
        // Single use: of two answers with the right code, one signs in.
        if ((await ctx.store.challenges.take(ctx.accountId, challengeId!, now)) === undefined) return gone();
        await ctx.store.counters.add(ctx.accountId, wrongCount(email), -1, now, PIN_DAY_SECONDS * 1000);
        return reply.redirect(await completeLogin(ctx, pending, pinIdentity(email, idp), ip, reply), 302);
      }
    },
  };
}
