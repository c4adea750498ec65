// Cookies a page on a sibling subdomain could plant (Domain= the parent domain) must not carry a
// sign-in or a session into someone else's browser (login CSRF; docs/identity-providers.md "The
// login page"). On an https auth domain the sign-in binding and the global session are `__Host-`
// cookies, which a browser takes only from the auth domain itself; plain cookies of those names are
// ignored there, and a request holding two binding cookies finishes no sign-in.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../../test/support/server.js';
import { SIGN_IN_UNFINISHABLE } from './flow.js';

describe('cookies planted from a sibling subdomain', () => {
  let s: TestServer;
  let idpId: string;
  const AUTH = 'auth.example.test';
  const APP = 'wiki.example.test';

  /** A request as the trusted proxy forwards it to the https auth domain. */
  const onAuthDomain = (path: string, init: { cookie?: string; form?: Record<string, string> } = {}) =>
    fetch(`${s.baseUrl}${path}`, {
      method: init.form === undefined ? 'GET' : 'POST',
      redirect: 'manual',
      headers: {
        'x-forwarded-host': AUTH,
        'x-forwarded-proto': 'https',
        ...(init.cookie !== undefined ? { cookie: init.cookie } : {}),
        ...(init.form !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(init.form !== undefined ? { body: new URLSearchParams(init.form).toString() } : {}),
    });
  const loginPath = `/cdn-cgi/access/login/${APP}?redirect_url=${encodeURIComponent(`https://${APP}/`)}`;
  const cookieNamed = (res: Response, name: string): string | undefined => res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));

  before(async () => {
    s = await startTestServer({ access: { devLogin: true } });
    const A = `/accounts/${s.accountId}/access`;
    assert.equal((await s.api('PUT', `${A}/organizations`, { auth_domain: AUTH })).status, 200);
    const staff = await s.api('POST', `${A}/policies`, { name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] });
    const idp = await s.api('POST', `${A}/identity_providers`, { name: 'Corp SSO', type: 'oidc', config: { client_id: 'c', client_secret: 's', auth_url: 'https://sso.invalid/auth', token_url: 'https://sso.invalid/token', certs_url: 'https://sso.invalid/certs' } });
    idpId = idp.json.result.id;
    assert.equal((await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Wiki', domain: APP, policies: [{ id: staff.json.result.id, precedence: 1 }] })).status, 201);
  });
  after(() => s?.close());

  it('keeps the global session in a __Host- cookie on an https auth domain, and takes no plain cookie of that name for one', async () => {
    const signedIn = await onAuthDomain(`/cdn-cgi/access/login/${APP}`, { form: { email: 'ada@example.com', redirect_url: `https://${APP}/` } });
    assert.equal(signedIn.status, 302);
    const global = cookieNamed(signedIn, '__Host-CF_Authorization');
    assert.ok(global !== undefined, signedIn.headers.getSetCookie().join('\n'));
    assert.match(global, /; Path=\/;/);
    assert.match(global, /; Secure/);
    assert.doesNotMatch(global, /Domain=/i);
    assert.equal(cookieNamed(signedIn, 'CF_Authorization'), undefined, 'no plain global session cookie');
    const token = global.slice('__Host-CF_Authorization='.length).split(';')[0]!;

    const continued = await onAuthDomain(loginPath, { cookie: `__Host-CF_Authorization=${token}` });
    assert.equal(continued.status, 302, 'the session enters the application without a sign-in');
    assert.equal(new URL(continued.headers.get('location')!).host, APP);

    // The same token as a plain cookie, as a sibling page could set it for the parent domain.
    const planted = await onAuthDomain(loginPath, { cookie: `CF_Authorization=${token}` });
    assert.equal(planted.status, 200, 'the login page, not a session');
    assert.match(await planted.text(), /Corp SSO/);
  });

  it('binds a sign-in to a __Host- cookie on an https auth domain, and finishes none with a plain one or with two', async () => {
    const started = await onAuthDomain(`/cdn-cgi/access/login/${APP}/idp/${idpId}?redirect_url=${encodeURIComponent(`https://${APP}/`)}`);
    assert.equal(started.status, 302);
    const binding = cookieNamed(started, '__Host-CF_Sign_In');
    assert.ok(binding !== undefined, started.headers.getSetCookie().join('\n'));
    assert.match(binding, /; Path=\/;.*; Secure$/);
    const value = binding.slice('__Host-CF_Sign_In='.length).split(';')[0]!;
    const state = new URL(started.headers.get('location')!).searchParams.get('state')!;
    const callback = `/cdn-cgi/access/callback?state=${encodeURIComponent(state)}&code=abc`;
    const other = 'x'.repeat(43);

    for (const [what, cookie] of [
      ['a plain cookie of the same value', `CF_Sign_In=${value}`],
      ['a second binding cookie before ours', `__Host-CF_Sign_In=${other}; __Host-CF_Sign_In=${value}`],
      ['a second binding cookie after ours', `__Host-CF_Sign_In=${value}; __Host-CF_Sign_In=${other}`],
    ] as const) {
      const refused = await onAuthDomain(callback, { cookie });
      assert.equal(refused.status, 400, what);
      assert.ok((await refused.text()).includes(SIGN_IN_UNFINISHABLE), what);
    }
    // Our cookie alone gets past the binding, to the code exchange (which this provider cannot answer).
    const bound = await onAuthDomain(callback, { cookie: `__Host-CF_Sign_In=${value}` });
    assert.ok(!(await bound.text()).includes('started in another browser'), 'the binding held');
  });
});
