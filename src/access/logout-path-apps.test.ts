// Logging out on a host whose applications all sit on paths of it (wiki.test/reports, none on the
// whole host): /cdn-cgi/access/logout there covers no application at `/`, yet it is that
// application's host, so the browser goes on to the auth domain's logout as from any application
// host (docs/enforcement.md "Sessions and tokens"). With path_cookie_attribute the session cookie
// is scoped to /reports and never reaches /cdn-cgi/access/logout: only the auth domain's step,
// which carries the global session of the same sign-in, can end that sign-in on the server.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../test/support/server.js';

const AUTH_DOMAIN = 'auth.test';
const ISSUER = `http://${AUTH_DOMAIN}`;

for (const accounts of [1, 2]) {
  describe(`logout on the host of an application on a path (${accounts} account${accounts === 1 ? '' : 's'})`, () => {
    let s: TestServer;
    const A = () => `/accounts/${s.accountId}/access`;

    before(async () => {
      s = await startTestServer({ access: { devLogin: true } });
      assert.ok((await s.api('PUT', `${A()}/organizations`, { name: 'Acme', auth_domain: ISSUER })).status < 300);
      const staff = await s.api('POST', `${A()}/policies`, { name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] });
      const created = await s.api('POST', `${A()}/apps`, { type: 'self_hosted', name: 'Reports', domain: 'wiki.test/reports', path_cookie_attribute: true, policies: [{ id: staff.json.result.id, precedence: 1 }] });
      assert.equal(created.status, 201, JSON.stringify(created.json));
      // A second account with an application elsewhere: the server then tells accounts apart by host.
      if (accounts === 2) {
        const created = await s.api('POST', '/accounts', { name: 'Other' });
        assert.equal(created.status, 200, JSON.stringify(created.json));
        const other = `/accounts/${created.json.result.id as string}/access`;
        assert.ok((await s.api('PUT', `${other}/organizations`, { name: 'Other', auth_domain: 'http://auth.other.test' })).status < 300);
        assert.equal((await s.api('POST', `${other}/apps`, { type: 'self_hosted', name: 'Else', domain: 'else.test' })).status, 201);
      }
    });
    after(() => s?.close());

    it('goes on to the auth domain, whose logout ends the sign-in: its copied application cookie opens nothing afterwards', async () => {
      const posted = await fetch(`${s.baseUrl}/cdn-cgi/access/login/wiki.test`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-host': AUTH_DOMAIN },
        body: new URLSearchParams({ email: 'ada@example.com', redirect_url: 'http://wiki.test/reports/' }).toString(),
      });
      assert.equal(posted.status, 302);
      const token = new URL(posted.headers.get('location')!).searchParams.get('token')!;
      const global = posted.headers.getSetCookie().find((c) => c.startsWith('CF_Authorization='))!.split(';')[0]!;
      const authorize = async () => (await fetch(`${s.baseUrl}/cdn-cgi/access/authorize`, { redirect: 'manual', headers: { 'x-forwarded-host': 'wiki.test', 'x-forwarded-uri': '/reports/', cookie: `CF_Authorization=${token}` } })).status;
      assert.equal(await authorize(), 200, 'the session opens the application');

      // The browser sends its Path=/reports cookie only below /reports: the logout gets no cookie.
      const onHost = await fetch(`${s.baseUrl}/cdn-cgi/access/logout`, { redirect: 'manual', headers: { 'x-forwarded-host': 'wiki.test' } });
      assert.equal(onHost.status, 302, 'sent on to the auth domain');
      assert.equal(onHost.headers.get('location'), `${ISSUER}/cdn-cgi/access/logout`);
      assert.ok(onHost.headers.getSetCookie().some((c) => c.startsWith('CF_Authorization=; Path=/reports; Max-Age=0')), "the application's scoped cookie is cleared");

      const onAuthDomain = await fetch(`${s.baseUrl}/cdn-cgi/access/logout`, { redirect: 'manual', headers: { 'x-forwarded-host': AUTH_DOMAIN, cookie: global } });
      assert.equal(onAuthDomain.status, 200);
      assert.notEqual(await authorize(), 200, 'a copy of the application cookie, taken before, opens nothing');
    });
  });
}
