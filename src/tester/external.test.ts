// external_evaluation through the policy tester and what-if, with the real evaluator (signed
// JWTs both ways) against a local endpoint that the server is allowed to reach.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createExternalEvaluator, type PortcullisExternalEvaluator } from '../external/evaluator.js';
import { startEvaluationEndpoint, type EvaluationEndpoint } from '../../test/support/external-endpoint.js';
import { importUsers, resultsByEmail, runPolicyTest } from '../../test/support/policy-tests.js';
import { randomAccountId, startTestServer, type TestServer } from '../../test/support/server.js';

describe('external evaluation in the policy tester', () => {
  let evaluator: PortcullisExternalEvaluator;
  let endpoint: EvaluationEndpoint;
  let s: TestServer;
  before(async () => {
    evaluator = createExternalEvaluator({ allowlist: ['127.0.0.1'], timeoutMs: 5000 });
    endpoint = await startEvaluationEndpoint(() => evaluator.publicJwks(), '@partner.example');
    s = await startTestServer({ external: evaluator });
  });
  after(async () => {
    await s.close();
    await endpoint.close();
    evaluator.close();
  });

  it('asks the endpoint about every user and decides on its signed answers', async () => {
    const account = randomAccountId();
    await importUsers(s, account, [{ email: 'a@partner.example' }, { email: 'b@elsewhere.example' }, { email: 'c@partner.example' }]);
    const rule = { external_evaluation: { evaluate_url: endpoint.evaluateUrl, keys_url: endpoint.keysUrl } };
    const { id, progress } = await runPolicyTest(s, account, { policies: [{ name: 'Partners', decision: 'allow', include: [rule] }] });
    assert.deepEqual([progress.status, progress.users_approved, progress.users_blocked, progress.users_errored], ['complete', 2, 1, 0]);
    assert.ok(endpoint.answered() >= 3);
    const results = await resultsByEmail(s, account, id);
    assert.equal(results.get('b@elsewhere.example').status, 'blocked');

    const whatIf = await s.api('POST', `/accounts/${account}/access/evaluate`, { policies: [{ name: 'Partners', decision: 'allow', include: [rule] }], email: 'c@partner.example' });
    assert.deepEqual([whatIf.json.result.status, whatIf.json.result.unknown], ['approved', false]);
  });
});
