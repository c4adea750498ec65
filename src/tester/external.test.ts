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

  it("explains a user's result with the endpoint's answer, and an endpoint's failure with its reason", async () => {
    const account = randomAccountId();
    await importUsers(s, account, [{ email: 'd@partner.example' }]);
    const rule = { external_evaluation: { evaluate_url: endpoint.evaluateUrl, keys_url: endpoint.keysUrl } };
    const { id } = await runPolicyTest(s, account, { policies: [{ name: 'Partners', decision: 'allow', include: [rule] }] });
    const user = (await resultsByEmail(s, account, id)).get('d@partner.example');
    assert.equal(user.status, 'approved');
    const asked = endpoint.answered();
    const detail = (await s.api('GET', `/accounts/${account}/access/policy-tests/${id}/users/${user.id}`)).json.result;
    assert.equal(detail.identity_changed, false, 'the same answer as the test: nothing changed');
    assert.equal(detail.explanation.access, 'granted');
    assert.equal(detail.explanation.policies[0].include[0].reason.code, 'external_allow');
    assert.equal(endpoint.answered(), asked + 1, 'the endpoint was asked again, as the explanation is computed now');

    // Keys that cannot be fetched (nothing listens on port 9): the user is an error, and the explanation says why.
    const broken = { external_evaluation: { evaluate_url: endpoint.evaluateUrl, keys_url: 'http://127.0.0.1:9/keys' } };
    const failed = await runPolicyTest(s, account, { policies: [{ name: 'Broken', decision: 'allow', include: [broken] }] });
    const errored = (await resultsByEmail(s, account, failed.id)).get('d@partner.example');
    assert.equal(errored.status, 'error');
    const why = (await s.api('GET', `/accounts/${account}/access/policy-tests/${failed.id}/users/${errored.id}`)).json.result;
    assert.equal(why.identity_changed, false);
    assert.match(why.explanation.policies[0].include[0].reason.message, /\(network: Keys URL http:\/\/127\.0\.0\.1:9\/keys: .*ECONNREFUSED/);
  });
});
