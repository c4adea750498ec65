// External evaluation requests signed with each account's Access signing key, as Cloudflare signs
// them with the account's key: an endpoint verifies them with the keys the account publishes at
// <auth domain>/cdn-cgi/access/certs (docs/external-evaluation.md), which survive restarts and
// rotate like the application tokens'. One guarded evaluator per key, made on first use.

import type { ExternalEvaluator } from '../engine/index.js';
import type { SigningKey, SigningKeys } from '../account/signing-keys.js';
import { createExternalEvaluator, type ExternalEvaluatorOptions, type PortcullisExternalEvaluator } from '../external/evaluator.js';

/** Evaluators kept at once (a key each); the oldest is closed past this. */
const KEPT_EVALUATORS = 64;

export function accountEvaluators(keys: Pick<SigningKeys, 'current'>, options: Omit<ExternalEvaluatorOptions, 'signingKey'>): (accountId: string) => ExternalEvaluator {
  const byKid = new Map<string, PortcullisExternalEvaluator>();
  const evaluatorOf = (key: SigningKey): PortcullisExternalEvaluator => {
    let evaluator = byKid.get(key.kid);
    if (evaluator === undefined) {
      evaluator = createExternalEvaluator({ ...options, signingKey: { key: key.privateKey, kid: key.kid, alg: 'RS256', publicJwk: key.publicJwk } });
      byKid.set(key.kid, evaluator);
      if (byKid.size > KEPT_EVALUATORS) {
        const [oldest, retired] = byKid.entries().next().value!;
        byKid.delete(oldest);
        // Its connections are dropped once the calls it may still be making are over.
        setTimeout(() => retired.close(), 2 * (options.timeoutMs ?? 5000)).unref();
      }
    }
    return evaluator;
  };
  // The key is looked up at each call: a rotation signs the next request with the new key.
  return (accountId) => ({ evaluate: async (rule, identity) => evaluatorOf(await keys.current(accountId)).evaluate(rule, identity) });
}
