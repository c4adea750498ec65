// A what-if evaluation sends identities to external_evaluation endpoints: it may reach at most
// MAX_EXTERNAL_ENDPOINTS distinct ones, and a caller who could not save a policy may send
// identities only where a saved policy or group already does.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomAccountId, startTestServer, type TestServer } from '../../../test/support/server.js';
import { scopedToken } from '../../../test/support/tokens.js';
import { MAX_EXTERNAL_ENDPOINTS } from './external-endpoints.js';

const asking = (url: string) => ({ external_evaluation: { evaluate_url: url, keys_url: 'https://keys.example/keys' } });

describe('external endpoints of a what-if evaluation', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(() => s.close());

  it(`refuses policies that reach more than ${MAX_EXTERNAL_ENDPOINTS} distinct endpoints, before calling any`, async () => {
    const account = randomAccountId();
    const include = Array.from({ length: MAX_EXTERNAL_ENDPOINTS + 1 }, (_, i) => asking(`https://eval${i}.example/ask`));
    const res = await s.api('POST', `/accounts/${account}/access/evaluate`, { policies: [{ name: 'Many', decision: 'allow', include }], identity: { email: 'a@example.com' } });
    assert.equal(res.status, 400);
    assert.equal(res.json.errors[0].code, 1361);
    assert.match(res.json.errors[0].message, new RegExp(`${MAX_EXTERNAL_ENDPOINTS + 1} distinct .* at most ${MAX_EXTERNAL_ENDPOINTS}`));
    const repeated = Array.from({ length: 50 }, () => asking('https://eval0.example/ask'));
    const same = await s.api('POST', `/accounts/${account}/access/evaluate`, { policies: [{ name: 'Same', decision: 'allow', include: repeated }], identity: { email: 'a@example.com' } });
    assert.equal(same.status, 200, 'one endpoint named many times is one endpoint');
  });

  it(`refuses to save a policy or group that names more than ${MAX_EXTERNAL_ENDPOINTS} distinct endpoints`, async () => {
    const account = randomAccountId();
    const include = Array.from({ length: MAX_EXTERNAL_ENDPOINTS + 1 }, (_, i) => asking(`https://eval${i}.example/ask`));
    const policy = await s.api('POST', `/accounts/${account}/access/policies`, { name: 'Many', decision: 'allow', include });
    assert.deepEqual([policy.status, policy.json.errors[0].code], [400, 1361]);
    const group = await s.api('POST', `/accounts/${account}/access/groups`, { name: 'Many', include });
    assert.deepEqual([group.status, group.json.errors[0].code], [400, 1361]);
    const enough = await s.api('POST', `/accounts/${account}/access/policies`, { name: 'Enough', decision: 'allow', include: include.slice(1) });
    assert.equal(enough.status, 201);
  });

  it('lets a read-only token send identities only to endpoints a saved policy or group names', async () => {
    const account = randomAccountId();
    const reader = `Bearer ${await scopedToken(s.store, account, ['Access: Policy Test Read'])}`;
    const body = { policies: [{ name: 'Ask', decision: 'allow', include: [asking('https://new.example/ask')] }], identity: { email: 'a@example.com' } };
    const refused = await s.api('POST', `/accounts/${account}/access/evaluate`, body, { authorization: reader });
    assert.equal(refused.status, 403);
    assert.equal(refused.json.errors[0].code, 9109);
    assert.match(refused.json.errors[0].message, /https:\/\/new\.example\/ask/);
    const writer = `Bearer ${await scopedToken(s.store, account, ['Access: Policy Test Read', 'Access: Apps and Policies Write'])}`;
    assert.equal((await s.api('POST', `/accounts/${account}/access/evaluate`, body, { authorization: writer })).status, 200, 'who may save the policy may try it');
    const saved = await s.api('POST', `/accounts/${account}/access/groups`, { name: 'Asked', include: [asking('https://new.example/ask')] });
    assert.equal(saved.status, 201);
    assert.equal((await s.api('POST', `/accounts/${account}/access/evaluate`, body, { authorization: reader })).status, 200, 'a saved group names it now');
  });

  it("holds a policy test to the same endpoints: a token that may only run tests cannot send the directory's identities to a new one", async () => {
    const account = randomAccountId();
    await s.api('POST', `/accounts/${account}/access/users`, { email: 'ada@example.com', name: 'Ada' });
    const tester = `Bearer ${await scopedToken(s.store, account, ['Access: Policy Test Write'])}`;
    const start = (body: Record<string, unknown>, authorization = tester) => s.api('POST', `/accounts/${account}/access/policy-tests`, body, { authorization });
    const asks = (url: string) => [{ name: 'Ask', decision: 'allow', include: [asking(url)] }];
    for (const body of [{ policies: asks('https://new.example/ask') }, { policies: [{ name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] }], baseline_policies: asks('https://new.example/ask') }]) {
      const refused = await start(body);
      assert.equal(refused.status, 403, JSON.stringify(body));
      assert.equal(refused.json.errors[0].code, 9109);
      assert.match(refused.json.errors[0].message, /https:\/\/new\.example\/ask/);
    }
    // Through a group the test's policy names, as through the policy itself.
    const group = await s.api('POST', `/accounts/${account}/access/groups`, { name: 'Elsewhere', include: [{ email: { email: 'ada@example.com' } }] });
    const groupAsks = await s.api('PUT', `/accounts/${account}/access/groups/${group.json.result.id}`, { name: 'Elsewhere', include: [asking('https://group.example/ask')] });
    assert.equal(groupAsks.status, 200);
    assert.equal((await start({ policies: [{ name: 'Group', decision: 'allow', include: [{ group: { id: group.json.result.id } }] }] })).status, 200, 'a saved group names it');
    const include = Array.from({ length: MAX_EXTERNAL_ENDPOINTS + 1 }, (_, i) => asking(`https://eval${i}.example/ask`));
    const many = await start({ policies: [{ name: 'Many', decision: 'allow', include }] });
    assert.deepEqual([many.status, many.json.errors?.[0]?.code], [400, 1361]);
    const writer = `Bearer ${await scopedToken(s.store, account, ['Access: Policy Test Write', 'Access: Apps and Policies Write'])}`;
    assert.equal((await start({ policies: asks('https://new.example/ask') }, writer)).status, 200, 'who may save the policy may test it');
  });
});

describe('outbound calls count against the caller\'s rate limit', () => {
  let s: TestServer;
  const asked: string[] = [];
  before(async () => {
    s = await startTestServer({
      settings: { rateLimit: 6, rateWindowMs: 3_600_000 },
      external: { evaluate: async (rule) => (asked.push(rule.evaluateUrl), true) },
    });
  });
  after(() => s.close());

  it('charges each distinct endpoint as one request, and refuses with 429 before calling out when the token cannot pay', async () => {
    const account = randomAccountId();
    const token = `Bearer ${await scopedToken(s.store, account, ['Access: Policy Test Read', 'Access: Apps and Policies Write'])}`;
    const include = [asking('https://a.example/ask'), asking('https://b.example/ask'), asking('https://c.example/ask')];
    const body = { policies: [{ name: 'Three', decision: 'allow', include }], identity: { email: 'a@example.com' } };
    const first = await s.api('POST', `/accounts/${account}/access/evaluate`, body, { authorization: token });
    assert.equal(first.status, 200, 'the request and its three calls: 4 of 6');
    assert.equal(asked.length, 3);
    const second = await s.api('POST', `/accounts/${account}/access/evaluate`, body, { authorization: token });
    assert.equal(second.status, 429, 'one more request (5 of 6) cannot pay for three calls');
    assert.match(second.json.errors[0].message, /3 outbound external evaluation calls/);
    assert.ok(Number(second.headers.get('retry-after')) > 0);
    assert.equal(asked.length, 3, 'nothing was called for the refused request');
  });
});

