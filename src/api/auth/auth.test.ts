// Credentials and permissions end to end: root token, X-Auth-Email/Key, scoped API tokens
// created through the SDK, token lifetimes and IP conditions. One real server on SQLite
// (the store's part is covered on both databases by the conformance suite).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import Cloudflare from 'cloudflare';
import { randomAccountId, startTestServer, type TestServer } from '../../../test/support/server.js';
import { findPermissionGroup } from './permissions.js';

const group = (name: string) => ({ id: findPermissionGroup(name)!.id });
const account = (id: string) => ({ [`com.cloudflare.api.account.${id}`]: '*' });

describe('authentication and authorization', () => {
  let s: TestServer;
  let cf: Cloudflare;
  let mine: string;
  let other: string;
  before(async () => {
    s = await startTestServer({ authKey: { email: 'admin@example.com', key: 'global-key-123' } });
    cf = s.sdk();
    mine = randomAccountId();
    other = randomAccountId();
  });
  after(() => s.close());

  async function token(policies: object[], extra: object = {}): Promise<string> {
    const created = await cf.user.tokens.create({ name: 'test token', policies: policies as never, ...extra });
    assert.equal(typeof created.value, 'string');
    return created.value!;
  }

  const get = (path: string, headers: Record<string, string>) => s.api('GET', path, undefined, headers);

  it('answers 401 without credentials, with unknown ones, and with a malformed header', async () => {
    const path = `/accounts/${mine}/access/policies`;
    const none = await fetch(`${s.apiUrl}${path}`);
    assert.equal(none.status, 401);
    assert.equal(((await none.json()) as { errors: { code: number }[] }).errors[0].code, 9106);
    assert.equal((await get(path, { authorization: 'Bearer not-a-token' })).json.errors[0].code, 10000);
    assert.equal((await get(path, { authorization: 'Basic abc' })).status, 401);
    const sdk = new Cloudflare({ apiToken: 'nope', baseURL: s.apiUrl, maxRetries: 0 });
    await assert.rejects(sdk.zeroTrust.access.policies.list({ account_id: mine }), Cloudflare.AuthenticationError);
  });

  it('accepts the configured X-Auth-Email and X-Auth-Key as root, and nothing else', async () => {
    const path = `/accounts/${mine}/access/policies`;
    const ok = await fetch(`${s.apiUrl}${path}`, { headers: { 'x-auth-email': 'Admin@Example.com', 'x-auth-key': 'global-key-123' } });
    assert.equal(ok.status, 200);
    const wrongKey = await fetch(`${s.apiUrl}${path}`, { headers: { 'x-auth-email': 'admin@example.com', 'x-auth-key': 'guess' } });
    assert.equal(wrongKey.status, 401);
    const sdk = new Cloudflare({ apiEmail: 'admin@example.com', apiKey: 'global-key-123', baseURL: s.apiUrl, maxRetries: 0 });
    const created = await sdk.zeroTrust.access.policies.create({ account_id: mine, name: 'via key', decision: 'allow', include: [{ everyone: {} }] });
    assert.equal(created.name, 'via key');
  });

  it('lets a scoped token do what its permission groups allow, on its accounts only', async () => {
    const reader = await token([{ effect: 'allow', permission_groups: [group('Access: Apps and Policies Read')], resources: account(mine) }]);
    const sdk = s.sdk(reader);
    assert.deepEqual((await sdk.zeroTrust.access.policies.list({ account_id: mine })).result, (await cf.zeroTrust.access.policies.list({ account_id: mine })).result);
    await assert.rejects(
      sdk.zeroTrust.access.policies.create({ account_id: mine, name: 'x', decision: 'allow', include: [{ everyone: {} }] }),
      (err: unknown) => err instanceof Cloudflare.PermissionDeniedError && /Access: Apps and Policies Write/.test(err.message),
    );
    await assert.rejects(sdk.zeroTrust.access.policies.list({ account_id: other }), Cloudflare.PermissionDeniedError);
    await assert.rejects(sdk.zeroTrust.access.groups.list({ account_id: mine }), Cloudflare.PermissionDeniedError);
    await assert.rejects(sdk.user.tokens.list(), Cloudflare.PermissionDeniedError);
    const denied = await get(`/accounts/${other}/access/policies`, { authorization: `Bearer ${reader}` });
    assert.equal(denied.json.errors[0].code, 9109);
    assert.doesNotMatch(JSON.stringify(denied.json), new RegExp(other), 'the answer says nothing about the other account');
  });

  it('treats a Write group as including its Read twin, wildcards as every account, and deny as final', async () => {
    const writer = await token([{ effect: 'allow', permission_groups: [group('Access: Apps and Policies Write')], resources: { 'com.cloudflare.api.account.*': '*' } }]);
    const sdk = s.sdk(writer);
    const created = await sdk.zeroTrust.access.policies.create({ account_id: other, name: 'w', decision: 'allow', include: [{ everyone: {} }] });
    assert.equal((await sdk.zeroTrust.access.policies.get(created.id!, { account_id: other })).name, 'w');
    const denyOne = await token([
      { effect: 'allow', permission_groups: [group('Access: Apps and Policies Write')], resources: { 'com.cloudflare.api.account.*': '*' } },
      { effect: 'deny', permission_groups: [group('Access: Apps and Policies Write')], resources: account(other) },
    ]);
    assert.equal((await get(`/accounts/${mine}/access/policies`, { authorization: `Bearer ${denyOne}` })).status, 200);
    assert.equal((await get(`/accounts/${other}/access/policies`, { authorization: `Bearer ${denyOne}` })).status, 403);
  });

  it('accepts permission groups by name, and refuses unknown groups and resource names', async () => {
    const byName = await cf.user.tokens.create({ name: 'n', policies: [{ effect: 'allow', permission_groups: [{ id: 'Access: Policy Test Read' }], resources: account(mine) }] });
    assert.equal((byName.policies![0].permission_groups[0] as { name?: string }).name, 'Access: Policy Test Read');
    const bad = await s.api('POST', '/user/tokens', {
      name: 'bad',
      policies: [{ effect: 'allow', permission_groups: [{ id: 'Everything Admin' }], resources: { 'com.example.thing': '*' } }],
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.json.errors.map((e: any) => [e.code, e.source.pointer]), [
      [1358, '/policies/0/permission_groups/0/id'],
      [1352, '/policies/0/resources/com.example.thing'],
    ]);
  });

  it("reads a resource narrowed by an object (Cloudflare's zones of an account) as nothing to allow and everything to deny", async () => {
    const path = `/accounts/${mine}/access/policies`;
    const zones = { [`com.cloudflare.api.account.${mine}`]: { 'com.cloudflare.api.account.zone.*': '*' } };
    const write = [group('Access: Apps and Policies Write')];
    const narrowAllow = await token([{ effect: 'allow', permission_groups: write, resources: zones }]);
    const created = await s.api('POST', path, { name: 'Narrowed', decision: 'allow', include: [{ everyone: {} }] }, { authorization: `Bearer ${narrowAllow}` });
    assert.equal(created.status, 403, 'an allow narrowed to zones grants no account-wide write');
    const narrowDeny = await token([
      { effect: 'allow', permission_groups: write, resources: account(mine) },
      { effect: 'deny', permission_groups: write, resources: zones },
    ]);
    assert.equal((await s.api('POST', path, { name: 'Narrowed', decision: 'allow', include: [{ everyone: {} }] }, { authorization: `Bearer ${narrowDeny}` })).status, 403, 'a deny narrowed to zones takes the account away');
    const whole = await token([{ effect: 'allow', permission_groups: write, resources: account(mine) }]);
    assert.equal((await s.api('POST', path, { name: 'Whole', decision: 'allow', include: [{ everyone: {} }] }, { authorization: `Bearer ${whole}` })).status, 201);
  });

  it('refuses expired, not-yet-valid and disabled tokens', async () => {
    const policies = [{ effect: 'allow', permission_groups: [group('Access: Apps and Policies Read')], resources: account(mine) }];
    const expired = await token(policies, { expires_on: '2020-01-01T00:00:00Z' });
    const future = await token(policies, { not_before: '2999-01-01T00:00:00Z' });
    const path = `/accounts/${mine}/access/policies`;
    assert.deepEqual((await get(path, { authorization: `Bearer ${expired}` })).json.errors[0], { code: 10001, message: 'Authentication error: the API token is expired.' });
    assert.equal((await get(path, { authorization: `Bearer ${future}` })).status, 401);
    const live = await cf.user.tokens.create({ name: 'to disable', policies: policies as never });
    assert.equal((await get(path, { authorization: `Bearer ${live.value}` })).status, 200);
    await cf.user.tokens.update(live.id!, { name: 'disabled', policies: policies as never, status: 'disabled' });
    assert.equal((await get(path, { authorization: `Bearer ${live.value}` })).status, 401);
    await cf.user.tokens.delete(live.id!);
    assert.equal((await get(path, { authorization: `Bearer ${live.value}` })).json.errors[0].code, 10000);
  });

  it('enforces client IP conditions', async () => {
    const policies = [{ effect: 'allow', permission_groups: [group('Access: Apps and Policies Read')], resources: account(mine) }];
    const elsewhere = await token(policies, { condition: { request_ip: { in: ['192.0.2.0/24'] } } });
    const here = await token(policies, { condition: { request_ip: { in: ['127.0.0.0/8'], not_in: ['10.0.0.0/8'] } } });
    const notHere = await token(policies, { condition: { request_ip: { not_in: ['127.0.0.1/32'] } } });
    const path = `/accounts/${mine}/access/policies`;
    const refused = await get(path, { authorization: `Bearer ${elsewhere}` });
    assert.equal(refused.status, 403);
    assert.equal(refused.json.errors[0].code, 1103);
    assert.equal((await get(path, { authorization: `Bearer ${here}` })).status, 200);
    assert.equal((await get(path, { authorization: `Bearer ${notHere}` })).status, 403);
  });

  it('verifies tokens, rolls secrets, and stores only hashes', async () => {
    const secret = await token([{ effect: 'allow', permission_groups: [group('Zero Trust Read')], resources: account(mine) }]);
    const verified = await s.sdk(secret).user.tokens.verify();
    assert.equal(verified.status, 'active');
    const stored = await s.store.read.getToken(verified.id);
    assert.ok(stored);
    assert.equal(stored.secretHash, createHash('sha256').update(secret).digest('hex'));
    assert.ok(!JSON.stringify(stored).includes(secret), 'the secret itself is not stored');
    const listed = await cf.user.tokens.list();
    assert.ok(!JSON.stringify(listed.result).includes(secret));
    const rolled = await cf.user.tokens.value.update(verified.id, {} as never);
    assert.equal(typeof rolled, 'string');
    assert.equal((await get(`/user/tokens/verify`, { authorization: `Bearer ${secret}` })).status, 401, 'the old secret stops working');
    assert.equal((await get(`/user/tokens/verify`, { authorization: `Bearer ${rolled}` })).status, 200);
    assert.equal((await cf.user.tokens.verify()).id, 'root');
  });

  it('lists permission groups with their scopes', async () => {
    const groups = await s.api('GET', '/user/tokens/permission_groups');
    const names = groups.json.result.map((g: any) => g.name);
    assert.ok(names.includes('Access: Apps and Policies Write'));
    assert.ok(names.includes('Access: Policy Test Read'));
    assert.deepEqual(groups.json.result.find((g: any) => g.name === 'API Tokens Write').scopes, ['com.cloudflare.api.user']);
  });
});
