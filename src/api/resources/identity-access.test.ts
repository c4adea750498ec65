// Identity values of directory users need the permission that reads users: a what-if answer
// about a user (evaluate with user_id/email, user_policy_checks with user_id/email) gives the
// decision to any token allowed to ask, and the identity and explanation only to one that could
// read the user through the users API (docs/operations.md, "Who sees identities").
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { importUsers, runPolicyTest } from '../../../test/support/policy-tests.js';
import { randomAccountId, startTestServer, type TestServer } from '../../../test/support/server.js';
import { scopedToken } from '../../../test/support/tokens.js';
import type { PermissionName } from '../auth/permissions.js';

const SECRETS = ['ada@example.com', 'Ada Lovelace', '198.51.100.7', 'Analysts'];

describe('who sees identity values in what-if answers', () => {
  let s: TestServer;
  const account = randomAccountId();
  let appId = '';
  let userId = '';
  const as = async (permissions: readonly PermissionName[]) => ({ authorization: `Bearer ${await scopedToken(s.store, account, permissions)}` });

  before(async () => {
    s = await startTestServer();
    await importUsers(s, account, [{ email: 'ada@example.com', name: 'Ada Lovelace', identity: { ip: '198.51.100.7', groups: [{ id: 'g1', name: 'Analysts' }], geo: { country: 'GB' } } }]);
    userId = (await s.api('GET', `/accounts/${account}/access/users?email=ada@example.com`)).json.result[0].id;
    const app = await s.api('POST', `/accounts/${account}/access/apps`, {
      type: 'self_hosted',
      domain: 'wiki.example.com',
      name: 'Wiki',
      policies: [{ name: 'UK', decision: 'allow', include: [{ geo: { country_code: 'GB' } }] }],
    });
    appId = app.json.result.id;
  });
  after(() => s.close());

  const evaluate = (headers: Record<string, string>, who: Record<string, string>) =>
    s.api('POST', `/accounts/${account}/access/evaluate`, { app_id: appId, ...who }, headers);

  for (const who of [{ user_id: 'user' }, { email: 'ada@example.com' }]) {
    const key = Object.keys(who)[0];
    it(`evaluate by ${key}: a Policy Test Read token gets the decision without identity values; a users reader gets them`, async () => {
      const body: Record<string, string> = key === 'user_id' ? { user_id: userId } : { email: 'ada@example.com' };
      const redacted = await evaluate(await as(['Access: Policy Test Read']), body);
      assert.equal(redacted.status, 200);
      assert.equal(redacted.json.result.access, 'granted', 'the decision is answered');
      assert.equal(redacted.json.result.deciding_policy.name, 'UK');
      assert.equal(redacted.json.result.identity, undefined);
      assert.equal(redacted.json.result.explanation, undefined);
      assert.deepEqual(redacted.json.messages.map((m: { code: number }) => m.code), [1451]);
      for (const secret of SECRETS) assert.ok(!JSON.stringify(redacted.json).includes(secret), `the answer mentions ${secret}`);

      const full = await evaluate(await as(['Access: Policy Test Read', 'Access: Audit Logs Read']), body);
      assert.equal(full.json.result.identity.email, 'ada@example.com');
      assert.ok(full.json.result.explanation !== undefined);
    });
  }

  it('evaluate with an inline identity answers in full: the caller gave the values', async () => {
    const res = await evaluate(await as(['Access: Policy Test Read']), { identity: { email: 'x@example.com', geo: { country: 'GB' } } } as never);
    assert.equal(res.json.result.identity.email, 'x@example.com');
    assert.ok(res.json.result.explanation !== undefined);
  });

  it('user_policy_checks: an Apps and Policies Read token gets the state without the user, and cannot tell a known email from an unknown one', async () => {
    const reader = await as(['Access: Apps and Policies Read']);
    const known = await s.api('GET', `/accounts/${account}/access/apps/${appId}/user_policy_checks?email=ada@example.com`, undefined, reader);
    assert.equal(known.status, 200);
    assert.equal(known.json.result.app_state.status, 'Approved');
    assert.deepEqual(known.json.result.user_identity, {});
    assert.equal(known.json.result.explanation, undefined);
    for (const secret of SECRETS) assert.ok(!JSON.stringify(known.json).includes(secret), `the answer mentions ${secret}`);
    const unknown = await s.api('GET', `/accounts/${account}/access/apps/${appId}/user_policy_checks?email=nobody@example.com`, undefined, reader);
    assert.equal(unknown.status, 200, 'no 404 tells that the email is not a user');
    assert.deepEqual(unknown.json.result.user_identity, {});

    const full = await s.api('GET', `/accounts/${account}/access/apps/${appId}/user_policy_checks?email=ada@example.com`, undefined, await as(['Access: Apps and Policies Read', 'Zero Trust: Seats Write']));
    assert.equal(full.json.result.user_identity.email, 'ada@example.com');
    const missing = await s.api('GET', `/accounts/${account}/access/apps/${appId}/user_policy_checks?email=nobody@example.com`, undefined, await as(['Access: Apps and Policies Read', 'Access: Audit Logs Read']));
    assert.equal(missing.status, 404, 'a users reader may learn that');
  });

  it("a policy test user's result: a Policy Test Read token gets the status, the explanations only with a users-read permission", async () => {
    const test = await runPolicyTest(s, account, { policies: [{ name: 'UK', decision: 'allow', include: [{ geo: { country_code: 'GB' } }] }] });
    const path = `/accounts/${account}/access/policy-tests/${test.id}/users/${userId}`;
    const redacted = await s.api('GET', path, undefined, await as(['Access: Policy Test Read']));
    assert.equal(redacted.status, 200);
    assert.equal(redacted.json.result.status, 'approved');
    assert.equal(redacted.json.result.explanation, undefined);
    assert.deepEqual(redacted.json.messages.map((m: { code: number }) => m.code), [1451]);
    for (const secret of ['198.51.100.7', 'Analysts', 'GB']) assert.ok(!JSON.stringify(redacted.json).includes(secret), `the answer mentions ${secret}`);
    const full = await s.api('GET', path, undefined, await as(['Access: Policy Test Read', 'Access: Audit Logs Read']));
    assert.ok(full.json.result.explanation !== undefined);
  });
});
