// An account's auth domain is its own: another account of the server, with an API token for that
// account alone, cannot name it too. Two accounts naming one auth domain answer there for
// neither (docs/enforcement.md "Several accounts on one server"), so such a write would take the
// first account's sign-ins and published keys away (its users could not sign in, its
// applications could not fetch its keys); naming the server's own address, the default account's
// auth domain, would take it over.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import { findPermissionGroup } from '../api/auth/permissions.js';

describe("an account's auth domain cannot be named by another account", () => {
  let s: TestServer;
  let a = '';
  let b = '';
  let bToken = '';

  /** A request about `host`, as a trusted proxy forwards it. */
  const send = async (host: string, path: string): Promise<{ status: number; text: string }> => {
    const res = await fetch(`${s.baseUrl}${path}`, { redirect: 'manual', headers: { 'x-forwarded-host': host, 'x-forwarded-proto': 'https' } });
    return { status: res.status, text: await res.text() };
  };

  before(async () => {
    s = await startTestServer({ access: { devLogin: true } });
    a = (await s.api('POST', '/accounts', { name: 'Account A' })).json.result.id;
    b = (await s.api('POST', '/accounts', { name: 'Account B' })).json.result.id;
    assert.equal((await s.api('POST', `/accounts/${a}/access/organizations`, { name: 'Org A', auth_domain: 'login-a.test' })).status, 201);
    const staff = await s.api('POST', `/accounts/${a}/access/policies`, { name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] });
    assert.equal((await s.api('POST', `/accounts/${a}/access/apps`, { type: 'self_hosted', name: 'App A', domain: 'app-a.test', policies: [{ id: staff.json.result.id, precedence: 1 }] })).status, 201);
    // B's administrator: a token for account B only.
    const created = await s.api('POST', '/user/tokens', {
      name: 'B admin',
      policies: [{ effect: 'allow', permission_groups: [{ id: findPermissionGroup('Access: Organizations, Identity Providers, and Groups Write')!.id }], resources: { [`com.cloudflare.api.account.${b}`]: '*' } }],
    });
    assert.equal(created.status, 200, JSON.stringify(created.json));
    bToken = created.json.result.value;
  });
  after(() => s?.close());

  it("B's write naming A's auth domain is refused, and A keeps signing in and publishing its keys there", async () => {
    assert.equal((await send('login-a.test', '/cdn-cgi/access/certs')).status, 200, 'a baseline');
    for (const [method, authDomain] of [
      ['POST', 'login-a.test'],
      ['POST', 'https://LOGIN-A.test/'],
      ['PUT', 'login-a.test.'],
      ['PUT', 'login-a.test:443'],
    ] as const) {
      const write = await s.api(method, `/accounts/${b}/access/organizations`, { name: 'Org B', auth_domain: authDomain }, { authorization: `Bearer ${bToken}` });
      assert.equal(write.status, 400, `${method} ${authDomain}: ${JSON.stringify(write.json)}`);
      assert.equal(write.json.errors[0].source?.pointer, '/auth_domain');
    }
    const certs = await send('login-a.test', '/cdn-cgi/access/certs');
    assert.equal(certs.status, 200, certs.text);
    const login = await send('login-a.test', `/cdn-cgi/access/login/app-a.test?redirect_url=${encodeURIComponent('https://app-a.test/')}`);
    assert.equal(login.status, 200, login.text);
    assert.match(login.text, /Sign in to App A/);
  });

  it("B cannot name the server's own address, the default account's auth domain while its organization names none", async () => {
    const own = new URL(s.baseUrl).host;
    const defaultKid = (await s.accessKeys!.current(s.accountId)).kid;
    const write = await s.api('PUT', `/accounts/${b}/access/organizations`, { name: 'Org B', auth_domain: s.baseUrl }, { authorization: `Bearer ${bToken}` });
    assert.equal(write.status, 400, JSON.stringify(write.json));
    const certs = await send(own, '/cdn-cgi/access/certs');
    assert.equal(certs.status, 200, certs.text);
    assert.equal(JSON.parse(certs.text).public_cert.kid, defaultKid, "the default account's keys are still the ones published there");
    // The default account itself may name it.
    assert.equal((await s.api('PUT', `/accounts/${s.accountId}/access/organizations`, { name: 'Default', auth_domain: s.baseUrl })).status, 200);
  });

  it('B may name an auth domain of its own, and A may keep writing its own', async () => {
    assert.equal((await s.api('PUT', `/accounts/${b}/access/organizations`, { name: 'Org B', auth_domain: 'login-b.test' }, { authorization: `Bearer ${bToken}` })).status, 200);
    assert.equal((await send('login-b.test', '/cdn-cgi/access/certs')).status, 200);
    assert.equal((await s.api('PUT', `/accounts/${a}/access/organizations`, { name: 'Org A, renamed', auth_domain: 'login-a.test' })).status, 200);
    assert.equal((await send('login-a.test', '/cdn-cgi/access/certs')).status, 200);
  });
});
