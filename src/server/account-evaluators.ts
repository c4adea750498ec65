// External evaluation requests signed with each account's Access signing key, as Cloudflare signs
// them with the account's key: an endpoint verifies them with the keys the account publishes at
// <auth domain>/cdn-cgi/access/certs (docs/external-evaluation.md), which survive restarts and
// rotate like the application tokens'.
//
// Every account shares one client: the connection pool, the limit of calls in flight per endpoint
// URL and the keys_url JWKS cache belong to the endpoint, not to the account. With an evaluator per
// account key (64 kept), a server of more accounts rebuilt them over and over, losing the pooled
// connections and cached JWKS, and accounts calling one endpoint each had their own 8 calls to it.

import type { ExternalEvaluator } from '../engine/index.js';
import type { SigningKey, SigningKeys } from '../account/signing-keys.js';
import { createExternalEvaluationClient, type ExternalEvaluatorOptions, type RequestSigningKey } from '../external/evaluator.js';

const requestSigningKey = (key: SigningKey): RequestSigningKey => ({ key: key.privateKey, kid: key.kid, alg: 'RS256' });

export function accountEvaluators(keys: Pick<SigningKeys, 'current'>, options: Omit<ExternalEvaluatorOptions, 'signingKey'>): (accountId: string) => ExternalEvaluator {
  const client = createExternalEvaluationClient(options);
  // The key is looked up at each call: a rotation signs the next request with the new key.
  return (accountId) => ({ evaluate: (rule, identity) => client.evaluate(rule, identity, async () => requestSigningKey(await keys.current(accountId))) });
}
