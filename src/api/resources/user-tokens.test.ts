// API tokens' lifetimes and restrictions: a time or a restriction the server cannot read is
// refused when a token is created or changed (400, naming the field), and one already stored
// (written before these checks existed, or by hand) makes the token refuse every request.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomAccountId, startTestServer, type TestServer } from '../../../test/support/server.js';
import { insertToken } from '../../../test/support/tokens.js';
import type { TokenRecord } from '../../store/store.js';
import { findPermissionGroup } from '../auth/permissions.js';

const group = (name: string) => ({ id: findPermissionGroup(name)!.id });
const READ_POLICIES = 'Access: Apps and Policies Read';

describe('API token lifetimes and restrictions', () => {
  let s: TestServer;
  let account: string;
  let policies: object[];
  before(async () => {
    s = await startTestServer();
    account = randomAccountId();
    policies = [{ effect: 'allow', permission_groups: [group(READ_POLICIES)], resources: { [`com.cloudflare.api.account.${account}`]: '*' } }];
  });
  after(() => s.close());

  const path = () => `/accounts/${account}/access/policies`;
  const as = (secret: string, route = path()) => s.api('GET', route, undefined, { authorization: `Bearer ${secret}` });
  const pointers = (json: any) => json.errors.map((e: any) => e.source?.pointer);

  /** A token written straight into the store, as data from an older version could be. */
  const storedToken = (fields: Partial<TokenRecord>): Promise<string> => insertToken(s.store, { name: 'stored', policies, ...fields });

  describe('expires_on and not_before', () => {
    it('refuses a leap second, and any time it cannot read, naming the field', async () => {
      for (const field of ['expires_on', 'not_before']) {
        for (const value of ['2016-12-31T23:59:60Z', '2016-12-31T23:59:60.5Z', '2017-01-01T00:59:60+01:00', '2030-01-01T00:00:00+01', '2030-02-30T00:00:00Z']) {
          const created = await s.api('POST', '/user/tokens', { name: 'leap', policies, [field]: value });
          assert.equal(created.status, 400, `${field} ${value}`);
          assert.deepEqual(pointers(created.json), [`/${field}`], `${field} ${value}`);
        }
      }
      const live = await s.api('POST', '/user/tokens', { name: 'to change', policies });
      assert.equal(live.status, 200);
      const changed = await s.api('PUT', `/user/tokens/${live.json.result.id}`, { name: 'changed', policies, expires_on: '2016-12-31T23:59:60Z' });
      assert.equal(changed.status, 400);
      assert.deepEqual(pointers(changed.json), ['/expires_on']);
    });

    it('stores times as UTC instants, whatever the offset or case they were written in', async () => {
      const created = await s.api('POST', '/user/tokens', { name: 'offsets', policies, expires_on: '2999-01-01t01:00:00+01:00', not_before: '2020-01-01T01:00:00.250+0100' });
      assert.equal(created.status, 200);
      assert.equal(created.json.result.expires_on, '2999-01-01T00:00:00Z');
      assert.equal(created.json.result.not_before, '2020-01-01T00:00:00.250Z');
      assert.equal((await as(created.json.result.value)).status, 200);
      const expired = await s.api('POST', '/user/tokens', { name: 'expired in another zone', policies, expires_on: '2020-01-01T05:00:00+05:00' });
      assert.equal(expired.json.result.status, 'expired');
      assert.equal((await s.api('POST', '/user/tokens', { name: 'lower case', policies, expires_on: '2999-01-01t00:00:00.5z' })).json.result.expires_on, '2999-01-01T00:00:00.500Z');
      assert.equal((await as(expired.json.result.value)).status, 401);
      const reversed = await s.api('POST', '/user/tokens', { name: 'reversed', policies, not_before: '2030-01-01T00:30:00+01:00', expires_on: '2029-12-31T23:30:00Z' });
      assert.equal(reversed.status, 400, 'expires_on equal to not_before, written in two offsets');
    });

    it('refuses every request of a stored token whose expires_on or not_before is unreadable', async () => {
      for (const fields of [{ expiresOn: '2016-12-31T23:59:60Z' }, { notBefore: '2016-12-31T23:59:60Z' }, { expiresOn: 'tomorrow' }, { notBefore: '' }] satisfies Partial<TokenRecord>[]) {
        const secret = await storedToken(fields);
        const answer = await as(secret);
        assert.equal(answer.status, 401, JSON.stringify(fields));
        assert.equal(answer.json.errors[0].code, 10001);
        assert.equal((await as(secret, '/user/tokens/verify')).status, 401, JSON.stringify(fields));
      }
      const listed = await s.api('GET', '/user/tokens?per_page=1000');
      const unreadable = listed.json.result.filter((t: any) => t.name === 'stored');
      assert.equal(unreadable.length, 4);
      for (const token of unreadable) assert.equal(token.status, 'expired', JSON.stringify(token));
    });
  });

  describe('client IP conditions', () => {
    it('refuses addresses and ranges it cannot read, naming the entry', async () => {
      for (const list of ['in', 'not_in']) {
        for (const bad of ['127.0.0.1/33', '127.0.0.01', 'localhost', '127.0.0.1 ', ' 10.0.0.0/8', '10.0.0.0/08', 'fe80::1%eth0', '']) {
          const answer = await s.api('POST', '/user/tokens', { name: 'bad ip', policies, condition: { request_ip: { [list]: ['192.0.2.0/24', bad] } } });
          assert.equal(answer.status, 400, `${list} ${JSON.stringify(bad)}`);
          assert.deepEqual(pointers(answer.json), [`/condition/request_ip/${list}/1`], `${list} ${JSON.stringify(bad)}`);
        }
      }
      const live = await s.api('POST', '/user/tokens', { name: 'to change', policies, condition: { request_ip: { in: ['127.0.0.1', '::1/128', '::ffff:127.0.0.0/104'] } } });
      assert.equal(live.status, 200);
      assert.equal((await as(live.json.result.value)).status, 200);
      const changed = await s.api('PUT', `/user/tokens/${live.json.result.id}`, { name: 'changed', policies, condition: { request_ip: { not_in: ['127.0.0.1/33'] } } });
      assert.equal(changed.status, 400);
      assert.deepEqual(pointers(changed.json), ['/condition/request_ip/not_in/0']);
      assert.equal((await as(live.json.result.value)).status, 200, 'the refused change changed nothing');
    });

    it('refuses every request of a stored token whose IP condition is unreadable', async () => {
      const conditions = [
        { request_ip: { not_in: ['127.0.0.1/33'] } },
        { request_ip: { not_in: ['127.0.0.01'] } },
        { request_ip: { not_in: ['localhost'] } },
        { request_ip: { not_in: ['127.0.0.1 '] } },
        { request_ip: { in: ['127.0.0.0/8', 'localhost'] } },
        { request_ip: { not_in: '127.0.0.1' } },
        { request_ip: { not_in: [127] } },
        { request_ip: 'anywhere' },
        { request_ip: { in: ['127.0.0.0/8'], elsewhere: ['10.0.0.0/8'] } },
        { request_ip: { in: ['127.0.0.0/8'] }, request_country: { in: ['XX'] } },
      ];
      for (const condition of conditions) {
        const answer = await as(await storedToken({ condition: condition as Record<string, unknown> }));
        assert.equal(answer.status, 403, JSON.stringify(condition));
        assert.equal(answer.json.errors[0].code, 1103, JSON.stringify(condition));
      }
      assert.equal((await as(await storedToken({ condition: { request_ip: { in: ['127.0.0.0/8'] } } }))).status, 200, 'a readable condition still works');
    });
  });

  describe('policies', () => {
    const account2 = () => `com.cloudflare.api.account.${account}`;

    it('refuses a resource value that is neither "*" nor an object, naming it', async () => {
      for (const value of ['read', '', 'none']) {
        const answer = await s.api('POST', '/user/tokens', {
          name: 'bad deny',
          policies: [...policies, { effect: 'deny', permission_groups: [group(READ_POLICIES)], resources: { [account2()]: value } }],
        });
        assert.equal(answer.status, 400, value);
        assert.deepEqual(pointers(answer.json), [`/policies/1/resources/${account2()}`], value);
      }
    });

    it('lets a stored deny policy it cannot read deny everything', async () => {
      const deny = (fields: object) => ({ effect: 'deny', permission_groups: [group(READ_POLICIES)], resources: { [account2()]: '*' }, ...fields });
      const unreadable = [
        deny({ resources: { [account2()]: 'read' } }),
        deny({ resources: { [account2()]: 1 } }),
        deny({ resources: { [account2()]: null } }),
        deny({ resources: 'everything' }),
        deny({ resources: {} }),
        deny({ resources: { 'com.example.thing': '*' } }),
        deny({ permission_groups: [{ id: 'no such group' }] }),
        deny({ permission_groups: 'all' }),
        deny({ permission_groups: [] }),
        { effect: 'forbid', permission_groups: [group(READ_POLICIES)], resources: { [account2()]: '*' } },
        'deny',
        null,
      ];
      for (const policy of unreadable) {
        const answer = await as(await storedToken({ policies: [...policies, policy] }));
        assert.equal(answer.status, 403, JSON.stringify(policy));
      }
      const elsewhere = deny({ resources: { [`com.cloudflare.api.account.${randomAccountId()}`]: '*' } });
      assert.equal((await as(await storedToken({ policies: [...policies, elsewhere] }))).status, 200, 'a readable deny elsewhere takes nothing away here');
    });

    it('grants nothing through an allow policy it cannot read', async () => {
      const allow = { effect: 'allow', permission_groups: [group(READ_POLICIES)], resources: { [account2()]: 'read' } };
      assert.equal((await as(await storedToken({ policies: [allow] }))).status, 403);
      assert.equal((await as(await storedToken({ policies: 'all' as never }))).status, 403);
    });
  });
});
