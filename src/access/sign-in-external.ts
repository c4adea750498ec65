// External evaluation at the enforcement point (docs/enforcement.md "External evaluation"): as at
// Cloudflare, an application's external_evaluation rules are asked at sign-in, and their answers
// hold for the session. The sign-in asks every endpoint its policies reach, once, and the
// application token carries the answers (signed with it), so that forward auth, which decides
// every request again without calling out, reads them from the session. The claim names each
// endpoint by a short digest, not its URLs: a token stays small enough for a cookie and shows the
// user nothing of the endpoints.

import { createHash } from 'node:crypto';
import { externalKey, gatherExternalAnswers, type CompiledPolicySet, type ExternalAnswers, type ExternalEvaluationRule, type ExternalEvaluator, type Identity } from '../engine/index.js';
import { MAX_EXTERNAL_ENDPOINTS } from '../api/resources/external-endpoints.js';
import { ProblemLog } from './problem-log.js';

/**
 * The token's `external_evaluation` claim: for each endpoint the sign-in asked (by digest), its
 * answer, or null when it gave none (unknown: it refuses wherever it decides).
 */
export type ExternalVerdicts = Readonly<Record<string, boolean | null>>;

/** How long a sign-in's answers are reused for the same session and application (a reload of the sign-in page asks nobody again). */
export const ANSWERS_REUSED_MS = 60_000;
const REMEMBERED_SIGN_INS = 10_000;

/** Where a sign-in's failed external evaluations are reported (the server's log, as a warning). */
export type ExternalFailureLog = (details: { readonly account: string; readonly evaluateUrl: string; readonly keysUrl: string; readonly reason: string; readonly failedSince: number }, message: string) => void;

const digests = new WeakMap<ExternalEvaluationRule, string>();
/** An endpoint's name in the claim: 16 bytes of the SHA-256 of its two URLs. */
function digestOf(rule: ExternalEvaluationRule): string {
  let digest = digests.get(rule);
  if (digest === undefined) {
    digest = createHash('sha256').update(externalKey(rule)).digest('base64url').slice(0, 22);
    digests.set(rule, digest);
  }
  return digest;
}

/** The sign-ins' external evaluation: the endpoints asked, and each session's answers kept a minute. */
/** What a sign-in's endpoints said: the answers, and why some gave none, in words fit for the access log. */
interface Asked {
  readonly verdicts: ExternalVerdicts;
  readonly failure?: string;
}

export class SignInExternal {
  private readonly recent = new Map<string, { readonly at: number } & Asked>();
  /** Failing endpoints, each logged at most once a minute per account with how many failures since. */
  private readonly failures = new ProblemLog();

  constructor(
    private readonly evaluatorFor: ((accountId: string) => ExternalEvaluator) | undefined,
    private readonly logFailure?: ExternalFailureLog,
  ) {}

  /**
   * Ask the endpoints the application's policies reach about the signing-in identity: the answers
   * for the decision and the claim for the token; undefined when the policies have no such rule.
   * Nothing is asked without an evaluator (external evaluation off) or past MAX_EXTERNAL_ENDPOINTS
   * distinct endpoints: every rule is then unknown, which refuses where it decides. `session`,
   * when given, names an existing session's entry to an application (account, user, identity
   * nonce, application): its answers are reused for ANSWERS_REUSED_MS, so reloading the sign-in
   * page does not call out each time. `failure`, when an endpoint gave no answer, says why for the
   * access log (failureText).
   */
  async ask(accountId: string, compiled: CompiledPolicySet, identity: Identity, session: string | undefined, now: number): Promise<({ readonly answers: ExternalAnswers } & Asked) | undefined> {
    const rules = compiled.externalRules;
    if (rules.length === 0) return undefined;
    const kept = session === undefined ? undefined : this.recent.get(session);
    const missing = kept === undefined || now - kept.at >= ANSWERS_REUSED_MS || rules.some((rule) => !Object.hasOwn(kept.verdicts, digestOf(rule)));
    const asked: Asked = missing ? await this.askNow(accountId, rules, identity, now) : kept;
    if (missing && session !== undefined) {
      this.recent.delete(session);
      this.recent.set(session, { at: now, ...asked });
      if (this.recent.size > REMEMBERED_SIGN_INS) this.recent.delete(this.recent.keys().next().value!);
    }
    const { verdicts, failure } = asked;
    return { answers: (rule) => verdicts[digestOf(rule)] ?? undefined, verdicts, ...(failure !== undefined ? { failure } : {}) };
  }

  private async askNow(accountId: string, rules: readonly ExternalEvaluationRule[], identity: Identity, now: number): Promise<Asked> {
    const verdicts: Record<string, boolean | null> = {};
    const distinct = new Set(rules.map(externalKey));
    const evaluator = this.evaluatorFor?.(accountId);
    const tooMany = distinct.size > MAX_EXTERNAL_ENDPOINTS;
    const answers = evaluator === undefined || tooMany ? undefined : await gatherExternalAnswers(rules, identity, evaluator);
    for (const rule of rules) verdicts[digestOf(rule)] = answers?.(rule) ?? null;
    // An endpoint that did not answer leaves its rule unknown, which refuses the sign-in where it
    // decides; the token and the access log only say refused, so the server's log says why.
    const reported = new Set<string>();
    for (const rule of rules) {
      const reason = answers?.failure?.(rule);
      const key = `${accountId}\n${externalKey(rule)}`;
      if (reason !== undefined && !reported.has(key)) {
        reported.add(key);
        this.reportFailure(key, { account: accountId, evaluateUrl: rule.evaluateUrl, keysUrl: rule.keysUrl, reason }, now);
      }
    }
    const failure =
      evaluator === undefined
        ? 'external evaluation: not asked, turned off on this server'
        : tooMany
          ? `external evaluation: not asked, more than ${MAX_EXTERNAL_ENDPOINTS} endpoints`
          : failureText(rules, answers);
    return { verdicts, ...(failure !== undefined ? { failure } : {}) };
  }

  /** Log a failure, at most once a minute per account and endpoint (a flood of sign-ins cannot fill the log). */
  private reportFailure(key: string, details: { readonly account: string; readonly evaluateUrl: string; readonly keysUrl: string; readonly reason: string }, now: number): void {
    if (this.logFailure === undefined) return;
    const report = this.failures.report(key, now);
    if (report !== undefined) this.logFailure({ ...details, failedSince: report.refusedSince }, 'external evaluation failed at a sign-in: its rule is unknown, which refuses where it decides');
  }
}

/**
 * The access log's words for the endpoints that gave no answer, e.g. "external evaluation at
 * https://eval.example.com: timeout; external evaluation at https://other.example: http_status 503": each
 * endpoint's origin and the evaluator's code, never its path, query or message (they can carry a
 * secret) nor a token; undefined when all answered.
 */
function failureText(rules: readonly ExternalEvaluationRule[], answers: ExternalAnswers | undefined): string | undefined {
  const failed = new Set<string>();
  for (const rule of rules) {
    if (answers?.(rule) !== undefined) continue;
    failed.add(`external evaluation at ${originOf(rule.evaluateUrl)}: ${answers?.failureCode?.(rule) ?? 'no_answer'}`);
  }
  return failed.size === 0 ? undefined : [...failed].join('; ');
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'an invalid URL';
  }
}

/** What a session's token says of the external evaluation endpoints: their answers, and which ones its sign-in asked. */
export interface SessionAnswers {
  readonly answers: ExternalAnswers;
  /** Whether the sign-in asked this rule's endpoint (a rule added since was not). */
  asked(rule: ExternalEvaluationRule): boolean;
}

/** Read a token's claim (anything unreadable is an endpoint not asked); undefined when it has none. */
export function answersOfSession(claim: unknown): SessionAnswers | undefined {
  if (claim === null || typeof claim !== 'object' || Array.isArray(claim)) return undefined;
  const verdicts = claim as Record<string, unknown>;
  const answerOf = (rule: ExternalEvaluationRule): unknown => {
    const digest = digestOf(rule);
    return Object.hasOwn(verdicts, digest) ? verdicts[digest] : undefined;
  };
  return {
    answers: (rule) => {
      const answer = answerOf(rule);
      return typeof answer === 'boolean' ? answer : undefined;
    },
    asked: (rule) => {
      const answer = answerOf(rule);
      return typeof answer === 'boolean' || answer === null;
    },
  };
}
