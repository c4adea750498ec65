// The application host's own endpoints on a host whose applications all sit on paths of it
// (wiki.test/reports, wiki.test/docs; none on the whole host), which no application covers at `/`
// (docs/enforcement.md "Sessions and tokens"). Logging out there goes on to the auth domain's
// logout as from any application host: with path_cookie_attribute the session cookie is scoped to
// /reports and never reaches /cdn-cgi/access/logout, so only the auth domain's step, which carries
// the global session of the same sign-in, can end that sign-in on the server. get-identity answers
// for the application the host-wide cookie's token is for.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../test/support/server.js';

const AUTH_DOMAIN = 'auth.test';
const ISSUER = `http://${AUTH_DOMAIN}`;

for (const accounts of [1, 2]) {
  describe(`the host of applications on paths (${accounts} account${accounts === 1 ? '' : 's'})`, () => {
    let s: TestServer;
    const A = () => `/accounts/${s.accountId}/access`;

    before(async () => {
      s = await startTestServer({ access: { devLogin: true } });
      assert.ok((await s.api('PUT', `${A()}/organizations`, { name: 'Acme', auth_domain: ISSUER })).status < 300);
      const staff = await s.api('POST', `${A()}/policies`, { name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] });
      const created = await s.api('POST', `${A()}/apps`, { type: 'self_hosted', name: 'Reports', domain: 'wiki.test/reports', path_cookie_attribute: true, policies: [{ id: staff.json.result.id, precedence: 1 }] });
      assert.equal(created.status, 201, JSON.stringify(created.json));
      // Its cookie is the host's (Path=/), as by default.
      assert.equal((await s.api('POST', `${A()}/apps`, { type: 'self_hosted', name: 'Docs', domain: 'wiki.test/docs', policies: [{ id: staff.json.result.id, precedence: 1 }] })).status, 201);
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

    /** Signs Ada in through the development login, returning to `to`: the application token and the global session cookie. */
    const signIn = async (to: string): Promise<{ token: string; global: string }> => {
      const posted = await fetch(`${s.baseUrl}/cdn-cgi/access/login/wiki.test`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-host': AUTH_DOMAIN },
        body: new URLSearchParams({ email: 'ada@example.com', redirect_url: to }).toString(),
      });
      assert.equal(posted.status, 302);
      return {
        token: new URL(posted.headers.get('location')!).searchParams.get('token')!,
        global: posted.headers.getSetCookie().find((c) => c.startsWith('CF_Authorization='))!.split(';')[0]!,
      };
    };

    it("get-identity answers with the user of the host-wide cookie's application", async () => {
      const { token } = await signIn('http://wiki.test/docs/');
      const answer = await fetch(`${s.baseUrl}/cdn-cgi/access/get-identity`, { headers: { 'x-forwarded-host': 'wiki.test', cookie: `CF_Authorization=${token}` } });
      assert.equal(answer.status, 200, await answer.clone().text());
      assert.equal((await answer.json()).email, 'ada@example.com');
      const none = await fetch(`${s.baseUrl}/cdn-cgi/access/get-identity`, { headers: { 'x-forwarded-host': 'wiki.test' } });
      assert.equal(none.status, 401, 'no cookie, no identity');
    });

    it('goes on to the auth domain, whose logout ends the sign-in: its copied application cookie opens nothing afterwards', async () => {
      const { token, global } = await signIn('http://wiki.test/reports/');
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
