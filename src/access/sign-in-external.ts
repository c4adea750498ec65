// External evaluation at the enforcement point (docs/enforcement.md "External evaluation"): as at
// Cloudflare, an application's external_evaluation rules are asked at sign-in, and their answers
// hold for the session. The sign-in asks every endpoint its policies reach, once, and the
// application token carries the answers (signed with it), so that forward auth, which decides
// every request again without calling out, reads them from the session.

import { externalKey, gatherExternalAnswers, type CompiledPolicySet, type ExternalAnswers, type ExternalEvaluator, type Identity } from '../engine/index.js';
import { MAX_EXTERNAL_ENDPOINTS } from '../api/resources/external-endpoints.js';

/** One endpoint's answer at sign-in, as the token's `external_evaluation` claim lists it. */
export interface ExternalVerdict {
  readonly evaluate_url: string;
  readonly keys_url: string;
  readonly success: boolean;
}

/**
 * Ask the endpoints the application's policies reach about the signing-in identity: the answers
 * for the decision and for the token. Nothing is asked without an evaluator (external evaluation
 * off) or past MAX_EXTERNAL_ENDPOINTS distinct endpoints: such rules stay unknown, which refuses.
 */
export async function askAtSignIn(compiled: CompiledPolicySet, identity: Identity, evaluator: ExternalEvaluator | undefined): Promise<{ readonly answers: ExternalAnswers; readonly verdicts: readonly ExternalVerdict[] } | undefined> {
  const rules = compiled.externalRules;
  if (rules.length === 0) return undefined;
  const endpoints = new Set(rules.map((rule) => rule.evaluateUrl));
  if (evaluator === undefined || endpoints.size > MAX_EXTERNAL_ENDPOINTS) return { answers: () => undefined, verdicts: [] };
  const answers = await gatherExternalAnswers(rules, identity, evaluator);
  const verdicts = new Map<string, ExternalVerdict>();
  for (const rule of rules) {
    const success = answers(rule);
    if (success !== undefined) verdicts.set(externalKey(rule), { evaluate_url: rule.evaluateUrl, keys_url: rule.keysUrl, success });
  }
  return { answers, verdicts: [...verdicts.values()] };
}

/**
 * The answers a session's token carries, for forward auth; undefined when it carries none (a
 * token from before the application had external rules). Anything unreadable is left out, so
 * its rule is unknown and refuses.
 */
export function answersOfSession(claim: unknown): ExternalAnswers | undefined {
  if (!Array.isArray(claim)) return undefined;
  const known = new Map<string, boolean>();
  for (const item of claim as unknown[]) {
    if (item === null || typeof item !== 'object') continue;
    const { evaluate_url: evaluateUrl, keys_url: keysUrl, success } = item as Record<string, unknown>;
    if (typeof evaluateUrl === 'string' && typeof keysUrl === 'string' && typeof success === 'boolean') known.set(externalKey({ evaluateUrl, keysUrl }), success);
  }
  return (rule) => known.get(externalKey(rule));
}
