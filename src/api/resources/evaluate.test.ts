// What-if evaluation: one identity (a user's, or inline) against inline/reusable policies or an
// application's, with context overrides, explained; unknowns fail closed.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { importUsers } from '../../../test/support/policy-tests.js';
import { randomAccountId, startTestServer, type TestServer } from '../../../test/support/server.js';
import { withContext } from './evaluate.js';

describe('what-if evaluation', () => {
  let s: TestServer;
  let account: string;
  let path: string;
  const staff = { name: 'Staff from the US with MFA', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }], require: [{ geo: { country_code: 'US' } }, { auth_method: { auth_method: 'mfa' } }] };
  before(async () => {
    s = await startTestServer();
    account = randomAccountId();
    path = `/accounts/${account}/access/evaluate`;
    await importUsers(s, account, [{ email: 'ada@example.com', name: 'Ada', identity: { geo: { country: 'DE' }, amr: ['pwd', 'mfa'], ip: '198.51.100.7' } }]);
  });
  after(() => s.close());

  it("decides a user's identity, and the same user with another country", async () => {
    const asIs = await s.api('POST', path, { policies: [staff], email: 'ada@example.com' });
    assert.equal(asIs.status, 200);
    assert.deepEqual([asIs.json.result.status, asIs.json.result.access, asIs.json.result.unknown, asIs.json.result.deciding_policy], ['blocked', 'blocked', false, null]);
    const geo = asIs.json.result.explanation.policies[0].require[0];
    assert.deepEqual([geo.selector, geo.outcome, geo.reason.expected, geo.reason.actual], ['geo', 'not_matched', 'US', 'DE']);

    const travelling = await s.api('POST', path, { policies: [staff], email: 'ada@example.com', context: { country: 'us' } });
    assert.equal(travelling.json.result.status, 'approved');
    assert.equal(travelling.json.result.decision, 'allow');
    assert.equal(travelling.json.result.deciding_policy.name, staff.name);
    assert.deepEqual(travelling.json.result.identity.geo, { country: 'US' });
    assert.deepEqual(travelling.json.result.identity.amr, ['pwd', 'mfa'], 'the rest of the identity is kept');
  });

  it("evaluates inline identities and an application's policies by precedence", async () => {
    const policy = await s.api('POST', `/accounts/${account}/access/policies`, { name: 'Office IPs', decision: 'bypass', include: [{ ip: { ip: '192.0.2.0/24' } }] });
    // Reusable and inline policies cannot be mixed in one request: the app's own policy comes second.
    const app = await s.api('POST', `/accounts/${account}/access/apps`, { type: 'self_hosted', domain: 'wiki.example.com', name: 'Wiki', policies: [{ id: policy.json.result.id, precedence: 2 }] });
    assert.equal((await s.api('POST', `/accounts/${account}/access/apps/${app.json.result.id}/policies`, { ...staff, precedence: 1 })).status, 201);
    const inline = await s.api('POST', path, { app_id: app.json.result.id, identity: { email: 'guest@other.org', ip: '192.0.2.9' } });
    assert.equal(inline.json.result.status, 'approved');
    assert.equal(inline.json.result.decision, 'bypass');
    const override = await s.api('POST', path, { app_id: app.json.result.id, identity: { email: 'guest@other.org', ip: '192.0.2.9' }, context: { ip: '203.0.113.1' } });
    assert.equal(override.json.result.status, 'blocked');
  });

  it('names lists and identity providers by their names and opens with the deciding rule', async () => {
    const list = await s.api('POST', `/accounts/${account}/gateway/lists`, { name: 'Partner offices', type: 'IP', items: [{ value: '203.0.113.0/24' }] });
    const idp = await s.api('POST', `/accounts/${account}/access/identity_providers`, { name: 'Corporate Okta', type: 'okta', config: { okta_account: 'https://corp.okta.com', client_id: 'x', client_secret: 'y' } });
    const policies = [
      { name: 'Staff off partner networks', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }], exclude: [{ ip_list: { id: list.json.result.id } }] },
      { name: 'Okta users', decision: 'allow', include: [{ login_method: { id: idp.json.result.id } }] },
    ];
    const answer = await s.api('POST', path, { policies, identity: { email: 'ann@example.com', ip: '203.0.113.9' } });
    assert.equal(answer.status, 200);
    const explanation = answer.json.result.explanation;
    assert.equal(explanation.summary, 'Blocked: no policy matched (deny by default); the closest, allow policy "Staff off partner networks", excludes this user: IP 203.0.113.9 is in list "Partner offices".');
    const excluded = explanation.policies[0].exclude[0];
    assert.equal(excluded.reason.expected, list.json.result.id, 'the id stays in the structured reason');
    assert.match(explanation.policies[1].include[0].reason.message, /not "Corporate Okta"\.$/);
  });

  it('fails closed when the decision depends on something unknown', async () => {
    const res = await s.api('POST', path, {
      policies: [{ name: 'Ask outside', decision: 'allow', include: [{ external_evaluation: { evaluate_url: 'https://eval.example/ask', keys_url: 'https://eval.example/keys' } }] }],
      identity: { email: 'x@example.com' },
    });
    assert.deepEqual([res.json.result.status, res.json.result.unknown, res.json.result.decision], ['blocked', true, null]);
  });

  it('refuses ambiguous or incomplete requests', async () => {
    const none = await s.api('POST', path, { context: { ip: 'nope', country: 'Germany' } });
    assert.equal(none.status, 400);
    assert.deepEqual(none.json.errors.map((e: any) => [e.code, e.source.pointer]), [[1301, '/policies'], [1301, '/user_id'], [1356, '/context/ip'], [1352, '/context/country']], 'every problem at once');
    const emptyApp = await s.api('POST', path, { app_id: '', email: 'ada@example.com' });
    assert.equal(emptyApp.status, 400, 'an empty application id is a bad request, not an application not found');
    const both = await s.api('POST', path, { policies: [staff], app_id: 'x', email: 'ada@example.com', identity: {} });
    assert.deepEqual(both.json.errors.map((e: any) => [e.code, e.source.pointer]), [[1352, '/app_id'], [1352, '/identity']]);
    const nobody = await s.api('POST', path, { policies: [staff], email: 'nobody@example.com' });
    assert.equal(nobody.status, 404);
  });

  it('applies context overrides without touching fields it does not name', () => {
    const base = { email: 'a@b.c', geo: { country: 'DE' }, devicePosture: { disk: { success: false, extra: 1 } }, user_risk_score: 'high', idp: { id: 'x', type: 'okta' } };
    assert.deepEqual(withContext(base, { device_posture: { disk: true, fw: false }, user_risk_score: 'unscored', identity_provider_id: 'y' }), {
      email: 'a@b.c',
      geo: { country: 'DE' },
      devicePosture: { disk: { success: true, extra: 1 }, fw: { success: false } },
      idp: { id: 'y', type: 'okta' },
    });
    assert.deepEqual(base.devicePosture.disk.success, false, 'the original is not modified');
  });
});
