// The login page as the organization sets it: its name, and its login_design (background and text
// colours, logo, header and footer text; only plain colours and an https logo are used), and the
// organization's auto_redirect_to_identity, which skips the page when one provider is offered.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../../test/support/server.js';

describe('the login page', () => {
  let s: TestServer;
  let A: string;
  let oidcId: string;
  const organization = (extra: Record<string, unknown>) => s.api('PUT', `${A}/organizations`, { name: 'Acme <Corp>', auth_domain: s.baseUrl, ...extra });
  const loginPage = () => fetch(`${s.baseUrl}/cdn-cgi/access/login/wiki.test?redirect_url=${encodeURIComponent('http://wiki.test/')}`, { redirect: 'manual' });

  before(async () => {
    s = await startTestServer({ access: {} });
    A = `/accounts/${s.accountId}/access`;
    const oidc = await s.api('POST', `${A}/identity_providers`, { name: 'Corp SSO', type: 'oidc', config: { client_id: 'c', client_secret: 's', auth_url: 'https://sso.test/auth', token_url: 'https://sso.test/token', certs_url: 'https://sso.test/certs' } });
    oidcId = oidc.json.result.id;
    const staff = await s.api('POST', `${A}/policies`, { name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] });
    await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Wiki', domain: 'wiki.test', policies: [{ id: staff.json.result.id, precedence: 1 }] });
  });
  after(() => s?.close());

  it("shows the organization's name and its login design, using only plain colours and an https logo", async () => {
    const design = { background_color: '#112233', text_color: 'white;}body{display:none', logo_path: 'https://cdn.test/acme.svg', header_text: 'Acme staff only', footer_text: 'Need help? Call <the desk>.' };
    assert.equal((await organization({ login_design: design })).status, 200);
    const html = await (await loginPage()).text();
    assert.match(html, /<p id="organization">Acme &lt;Corp&gt;<\/p>/);
    assert.match(html, /<img id="login-logo" src="https:\/\/cdn\.test\/acme\.svg"/);
    assert.match(html, /<p id="header-text">Acme staff only<\/p>/);
    assert.match(html, /<footer id="footer-text"[^>]*>Need help\? Call &lt;the desk&gt;\.<\/footer>/);
    assert.match(html, /html\{background:#112233\}/);
    assert.doesNotMatch(html, /display:none/, 'a colour that is not one is left out');
    assert.match(html, /Sign in with Corp SSO/);

    assert.equal((await organization({ login_design: { ...design, logo_path: 'http://cdn.test/plain.svg' } })).status, 200);
    assert.doesNotMatch(await (await loginPage()).text(), /login-logo/, 'no logo over plain http');
  });

  it("skips the page for the one provider offered when the organization's auto_redirect_to_identity is on", async () => {
    assert.equal((await loginPage()).status, 200, 'off: the page');
    assert.equal((await organization({ auto_redirect_to_identity: true })).status, 200);
    try {
      const skipped = await loginPage();
      assert.equal(skipped.status, 302);
      assert.match(skipped.headers.get('location')!, new RegExp(`/cdn-cgi/access/login/wiki\\.test/idp/${oidcId}\\?`));
      // With two providers to choose from, the page is shown all the same.
      const partner = await s.api('POST', `${A}/identity_providers`, { name: 'Partner SSO', type: 'oidc', config: { client_id: 'p', client_secret: 's', auth_url: 'https://partner.test/auth', token_url: 'https://partner.test/token', certs_url: 'https://partner.test/certs' } });
      assert.equal((await loginPage()).status, 200);
      await s.api('DELETE', `${A}/identity_providers/${partner.json.result.id}`);
    } finally {
      await organization({ auto_redirect_to_identity: false });
    }
  });
});
