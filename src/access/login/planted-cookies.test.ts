// Cookies a page on a sibling subdomain could plant (Domain= the parent domain) must not carry a
// sign-in or a session into someone else's browser (login CSRF; docs/identity-providers.md "The
// login page"). On an https auth domain the sign-in binding and the global session are `__Host-`
// cookies, which a browser takes only from the auth domain itself; plain cookies of those names are
// ignored there, and a request holding two binding cookies finishes no sign-in.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../../test/support/server.js';
import { SIGN_IN_UNFINISHABLE } from './flow.js';
import { LAUNCHER_PATH } from '../app-launcher.js';

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
    assert.equal((await s.api('POST', `${A}/apps`, { type: 'app_launcher', name: 'App Launcher', policies: [{ id: staff.json.result.id, precedence: 1 }] })).status, 201);
  });

  /** A sign-in to the App Launcher with the development login, as a browser makes it: the launcher session's Set-Cookie. */
  async function launcherSignIn(email: string): Promise<string[]> {
    const launcherUrl = `https://${AUTH}${LAUNCHER_PATH}`;
    const begun = await onAuthDomain(`/cdn-cgi/access/sign-in?redirect_url=${encodeURIComponent(launcherUrl)}`);
    assert.equal(begun.status, 302);
    const nonce = begun.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ');
    const login = new URL(begun.headers.get('location')!);
    const posted = await onAuthDomain(`${login.pathname}${login.search}`, { cookie: nonce, form: { email, redirect_url: launcherUrl, app_session: login.searchParams.get('app_session')! } });
    assert.equal(posted.status, 302);
    const handoff = new URL(posted.headers.get('location')!);
    const kept = await onAuthDomain(`${handoff.pathname}${handoff.search}`, { cookie: nonce });
    assert.equal(kept.status, 302, await kept.text());
    return kept.headers.getSetCookie();
  }

  it("keeps the App Launcher's session in a __Host- cookie on an https auth domain: a plain one planted beside it, or alone, is not its session", async () => {
    const set = await launcherSignIn('ada@example.com');
    const session = set.find((c) => c.startsWith('__Host-CF_Launcher='));
    assert.ok(session !== undefined, set.join('\n'));
    assert.match(session, /; Path=\/;/);
    assert.match(session, /; Secure/);
    assert.doesNotMatch(session, /Domain=/i);
    assert.equal(set.find((c) => c.startsWith('CF_Authorization=')), undefined, 'no plain session cookie');
    const ada = session.split(';')[0]!;
    const mallory = (await launcherSignIn('mallory@example.com')).find((c) => c.startsWith('__Host-CF_Launcher='))!.split(';')[0]!.slice('__Host-CF_Launcher='.length);
    const launcher = async (cookie: string) => (await onAuthDomain(LAUNCHER_PATH, { cookie })).text();

    assert.match(await launcher(ada), /<span id="user">ada@example\.com<\/span>/);
    // What a page on a sibling subdomain could plant for the parent domain: a plain CF_Authorization at the launcher's path.
    for (const [what, cookie] of [
      ["another user's session alone", `CF_Authorization=${mallory}`],
      ["another user's session before ours", `CF_Authorization=${mallory}; ${ada}`],
      ['nonsense before ours', `CF_Authorization=nonsense; ${ada}`],
      ["another user's session after ours", `${ada}; CF_Authorization=${mallory}`],
    ] as const) {
      const html = await launcher(cookie);
      assert.doesNotMatch(html, /mallory@example\.com/, what);
      if (cookie.includes(ada)) assert.match(html, /<span id="user">ada@example\.com<\/span>/, what);
      else assert.match(html, /id="sign-in"/, `${what}: the landing page, nobody signed in`);
    }

    const out = await onAuthDomain('/cdn-cgi/access/logout', { cookie: ada });
    assert.ok(out.headers.getSetCookie().some((c) => c.startsWith('__Host-CF_Launcher=;') && c.includes('Path=/;') && c.includes('Max-Age=0') && c.includes('Secure')), out.headers.getSetCookie().join('\n'));
    assert.match(await launcher(ada), /id="sign-in"/, 'signed out: a copy of the cookie opens nothing');
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
