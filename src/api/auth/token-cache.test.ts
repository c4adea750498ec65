// Verified API tokens are kept between requests (authenticate.ts), yet every change to a token
// is obeyed from the very next request: disabled, expired (by a write or by the clock),
// deleted, rolled, its permissions or its IP condition changed. Checked on one server (SQLite),
// on two server processes sharing one SQLite file, and on two sharing one PostgreSQL database,
// where the change is written through one instance and the next request goes to the other.
// Each token is used first, on every instance, so that it is kept before it changes.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describeTwoInstances } from '../../../test/support/shared-instances.js';
import { startTestServer, type TestServer } from '../../../test/support/server.js';
import { insertToken } from '../../../test/support/tokens.js';
import { TOKENS_SCOPE } from '../../store/store.js';
import { accountResource, findPermissionGroup } from './permissions.js';

interface Answer {
  readonly status: number;
  readonly json: any;
}

/** An instance as these tests need it: calls with a given bearer token. */
interface Instance {
  call(token: string, method: string, path: string, body?: unknown): Promise<Answer>;
}

function instanceAt(apiUrl: string): Instance {
  return {
    async call(token, method, path, body) {
      const res = await fetch(apiUrl + path, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, json: await res.json() };
    },
  };
}

const group = (name: string) => ({ id: findPermissionGroup(name)!.id });

/**
 * The changes, each written through `writer` with the root token, and the next request made
 * through every one of `readers` (the writer among them or not).
 */
function tokenChanges(setup: () => { writer: Instance; readers: readonly Instance[]; root: string; accountId: string }): void {
  const policiesOf = (accountId: string, groupName = 'Access: Apps and Policies Read') => [
    { effect: 'allow', permission_groups: [group(groupName)], resources: { [accountResource(accountId)]: '*' } },
  ];

  /** A new token allowed to read the account's policies, used once on every reader (so it is kept). */
  async function keptToken(extra: Record<string, unknown> = {}): Promise<{ id: string; secret: string; body: Record<string, unknown> }> {
    const { writer, root, accountId } = setup();
    const body = { name: `kept ${randomBytes(3).toString('hex')}`, policies: policiesOf(accountId), ...extra };
    const created = await writer.call(root, 'POST', '/user/tokens', body);
    assert.equal(created.status, 200, JSON.stringify(created.json));
    const token = { id: created.json.result.id as string, secret: created.json.result.value as string, body };
    await expectEverywhere(token.secret, 200);
    await expectEverywhere(token.secret, 200);
    return token;
  }

  /** The status (and error code) of reading the account's policies with `secret` on every reader. */
  async function expectEverywhere(secret: string, status: number, code?: number): Promise<void> {
    const { readers, accountId } = setup();
    for (const [i, reader] of readers.entries()) {
      const answer = await reader.call(secret, 'GET', `/accounts/${accountId}/access/policies`);
      assert.equal(answer.status, status, `instance ${i}: ${JSON.stringify(answer.json)}`);
      if (code !== undefined) assert.equal(answer.json.errors[0].code, code, `instance ${i}`);
    }
  }

  const change = async (id: string, body: Record<string, unknown>) => {
    const { writer, root } = setup();
    const answer = await writer.call(root, 'PUT', `/user/tokens/${id}`, body);
    assert.equal(answer.status, 200, JSON.stringify(answer.json));
  };

  it('refuses a disabled token on the next request, and takes it back once active again', async () => {
    const token = await keptToken();
    await change(token.id, { ...token.body, status: 'disabled' });
    await expectEverywhere(token.secret, 401, 10001);
    await change(token.id, { ...token.body, status: 'active' });
    await expectEverywhere(token.secret, 200);
  });

  it('refuses a token given a past expiry on the next request', async () => {
    const token = await keptToken();
    await change(token.id, { ...token.body, expires_on: '2020-01-01T00:00:00Z' });
    await expectEverywhere(token.secret, 401, 10001);
  });

  it('refuses a kept token once its expiry passes, with nothing written in between', async () => {
    const token = await keptToken({ expires_on: new Date(Date.now() + 1500).toISOString() });
    await new Promise((resolve) => setTimeout(resolve, 1600));
    await expectEverywhere(token.secret, 401, 10001);
  });

  it('refuses a deleted token on the next request', async () => {
    const token = await keptToken();
    const { writer, root } = setup();
    assert.equal((await writer.call(root, 'DELETE', `/user/tokens/${token.id}`)).status, 200);
    await expectEverywhere(token.secret, 401, 10000);
  });

  it('refuses the old secret of a rolled token on the next request, and takes the new one', async () => {
    const token = await keptToken();
    const { writer, root } = setup();
    const rolled = await writer.call(root, 'PUT', `/user/tokens/${token.id}/value`, {});
    assert.equal(rolled.status, 200);
    await expectEverywhere(token.secret, 401, 10000);
    await expectEverywhere(rolled.json.result, 200);
  });

  it('applies a removed permission on the next request, and a granted one too', async () => {
    const { accountId } = setup();
    const token = await keptToken();
    await change(token.id, { ...token.body, policies: policiesOf(accountId, 'Access: Service Tokens Read') });
    await expectEverywhere(token.secret, 403, 9109);
    await change(token.id, token.body);
    await expectEverywhere(token.secret, 200);
    await change(token.id, { ...token.body, policies: [...policiesOf(accountId), { effect: 'deny', permission_groups: [group('Access: Apps and Policies Read')], resources: { [accountResource(accountId)]: '*' } }] });
    await expectEverywhere(token.secret, 403, 9109);
  });

  it('applies a changed IP condition on the next request', async () => {
    const token = await keptToken();
    await change(token.id, { ...token.body, condition: { request_ip: { not_in: ['127.0.0.1/32', '::1/128'] } } });
    await expectEverywhere(token.secret, 403, 1103);
  });
}

describe('kept API tokens: one server on SQLite', () => {
  let s: TestServer;
  const setup = () => ({ writer: instanceAt(s.apiUrl), readers: [instanceAt(s.apiUrl)], root: s.rootToken, accountId: s.accountId });
  it('starts', async () => {
    s = await startTestServer();
  });
  after(() => s?.close());
  describe('changes through the API', () => tokenChanges(setup));

  it('obeys a token written straight to the store, not through the API, on the next request', async () => {
    const secret = await insertToken(s.store, { policies: [{ effect: 'allow', permission_groups: [group('Access: Apps and Policies Read')], resources: { [accountResource(s.accountId)]: '*' } }] });
    const reader = instanceAt(s.apiUrl);
    assert.equal((await reader.call(secret, 'GET', `/accounts/${s.accountId}/access/policies`)).status, 200);
    const [token] = (await s.store.read.listTokens({ limit: 1000, offset: 0 })).items.filter((t) => t.name === 'test token');
    await s.store.transaction(TOKENS_SCOPE, (tx) => tx.updateToken(token.id, { status: 'disabled' }));
    assert.equal((await reader.call(secret, 'GET', `/accounts/${s.accountId}/access/policies`)).status, 401);
  });
});

await describeTwoInstances(
  (where) => `kept API tokens: two server processes on one ${where}`,
  ({ root, accountId, apiUrls }) => {
    const instances = () => apiUrls().map((url) => instanceAt(url));
    describe('written on the first, read on both', () => tokenChanges(() => ({ writer: instances()[0]!, readers: instances(), root, accountId })));
    describe('written on the second, read on both', () => tokenChanges(() => ({ writer: instances()[1]!, readers: instances(), root, accountId })));
  },
);
