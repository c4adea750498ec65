// External evaluation is asynchronous (an HTTPS call per identity), while evaluation is
// synchronous. The caller supplies an ExternalEvaluator (the real one lives in src/external);
// the engine only decides which calls are needed and turns failures into *unknown*.

import { externalKey, type ExternalAnswers } from './env.js';
import type { Identity } from './identity.js';
import type { ExternalEvaluationRule } from './rules.js';

export interface ExternalEvaluator {
  /** Resolve to the endpoint's verified answer; reject on any failure (network, timeout, bad signature). */
  evaluate(rule: ExternalEvaluationRule, identity: Identity): Promise<boolean>;
}

/**
 * Ask every distinct endpoint among `rules` about `identity`, concurrently. Failures become
 * undefined answers, which evaluators treat as unknown (fail closed when enforcing).
 */
export async function gatherExternalAnswers(
  rules: readonly ExternalEvaluationRule[],
  identity: Identity,
  evaluator: ExternalEvaluator,
): Promise<ExternalAnswers> {
  const distinct = new Map<string, ExternalEvaluationRule>();
  for (const rule of rules) distinct.set(externalKey(rule), rule);
  const answers = new Map<string, boolean>();
  const failures = new Map<string, string>();
  const failureCodes = new Map<string, string>();
  await Promise.all(
    [...distinct].map(async ([key, rule]) => {
      try {
        const answer = await evaluator.evaluate(rule, identity);
        if (typeof answer === 'boolean') answers.set(key, answer);
        else {
          failures.set(key, 'the evaluator gave no boolean answer');
          failureCodes.set(key, 'no_answer');
        }
      } catch (err) {
        // Left out: an absent answer is unknown. Why is kept for the explanation.
        failures.set(key, failureText(err));
        failureCodes.set(key, failureCode(err));
      }
    }),
  );
  return Object.assign((rule: ExternalEvaluationRule) => answers.get(externalKey(rule)), {
    failure: (rule: ExternalEvaluationRule) => failures.get(externalKey(rule)),
    failureCode: (rule: ExternalEvaluationRule) => failureCodes.get(externalKey(rule)),
  });
}

/**
 * Why an evaluation failed in a few words: the error's code when it is a plain word (and the HTTP
 * status it carries), else "error". Nothing of the message, which can name URLs and their query.
 */
function failureCode(err: unknown): string {
  const { code, status } = (err ?? {}) as { code?: unknown; status?: unknown };
  const word = typeof code === 'string' && /^[a-z][a-z0-9_]{0,39}$/.test(code) ? code : 'error';
  return typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 599 ? `${word} ${status}` : word;
}

/** One line saying why an evaluation failed: the error's message, with its code when it has one. */
function failureText(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code !== '' ? `${code}: ${message}` : message;
}
