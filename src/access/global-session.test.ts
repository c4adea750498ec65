// The global session on the auth domain: a sign-in leaves it, and the next application's login
// page enters on it without asking again, for as long as it lasts, only through a provider that
// application allows, and never for a deleted user or after their sessions were revoked. It opens
// no application by itself, and signing out (on an application or the auth domain) ends it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt, generateKeyPair } from 'jose';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import { CookieJar } from '../../test/support/cookie-jar.js';
import type { SigningKey } from '../account/signing-keys.js';
import { globalSessionToken, verifyGlobalSession, GLOBAL_COOKIE_PATH } from './global-session.js';
import { userAppToken } from './app-token.js';

describe('global session', () => {
  let s: TestServer;
  let A: string;
  let oidcId: string;
  const form = { 'content-type': 'application/x-www-form-urlencoded' };

  /** The development login for `host` from a jar: the answer that sends the browser to the application's /authorized. */
  const devSignIn = async (jar: CookieJar, host: string, email: string): Promise<Response> => {
    const posted = await jar.fetch(`${s.baseUrl}/cdn-cgi/access/login/${host}`, { method: 'POST', headers: form, body: new URLSearchParams({ email, redirect_url: `http://${host}/` }).toString() });
    assert.equal(posted.status, 302);
    return posted;
  };
  /** What the login page of `host` answers a browser with this jar's cookies. */
  const loginPage = (jar: CookieJar, host: string): Promise<Response> => jar.fetch(`${s.baseUrl}/cdn-cgi/access/login/${host}?redirect_url=${encodeURIComponent(`http://${host}/`)}`);
  const tokenIn = (answer: Response): string => new URL(answer.headers.get('location')!).searchParams.get('token')!;

  before(async () => {
    s = await startTestServer({ access: { devLogin: true } });
    A = `/accounts/${s.accountId}/access`;
    const staff = await s.api('POST', `${A}/policies`, { name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] });
    const policies = [{ id: staff.json.result.id, precedence: 1 }];
    const oidc = await s.api('POST', `${A}/identity_providers`, { name: 'Corp SSO', type: 'oidc', config: { client_id: 'c', client_secret: 's', auth_url: 'https://sso.test/auth', token_url: 'https://sso.test/token', certs_url: 'https://sso.test/certs' } });
    assert.equal(oidc.status, 201, JSON.stringify(oidc.json));
    oidcId = oidc.json.result.id;
    for (const [name, domain] of [['Wiki', 'wiki.test'], ['CRM', 'crm.test']]) await s.api('POST', `${A}/apps`, { type: 'self_hosted', name, domain, policies });
    await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Vault', domain: 'vault.test', allowed_idps: [oidcId], policies });
  });
  after(() => s?.close());

  it('is left by a sign-in, scoped to /cdn-cgi/access on the auth domain, and enters the next application without asking', async () => {
    const jar = new CookieJar();
    const first = await devSignIn(jar, 'wiki.test', 'ada@example.com');
    const global = first.headers.getSetCookie().find((c) => c.startsWith('CF_Authorization='))!;
    assert.match(global, new RegExp(`; Path=${GLOBAL_COOKIE_PATH}; Max-Age=86400; HttpOnly; SameSite=Lax$`));
    const wikiClaims = decodeJwt(tokenIn(first));

    const crm = await loginPage(jar, 'crm.test');
    assert.equal(crm.status, 302, 'no login page: straight on to the application');
    const to = new URL(crm.headers.get('location')!);
    assert.equal(`${to.host}${to.pathname}`, 'crm.test/cdn-cgi/access/authorized');
    const crmApp = (await s.api('GET', `${A}/apps`)).json.result.find((a: { name: string }) => a.name === 'CRM');
    const claims = decodeJwt(tokenIn(crm));
    assert.deepEqual(claims.aud, [crmApp.aud]);
    assert.equal(claims.sub, wikiClaims.sub);
    assert.equal(claims.identity_nonce, wikiClaims.identity_nonce, 'the same sign-in');
    const allowed = await fetch(`${s.baseUrl}/cdn-cgi/access/authorize`, { headers: { 'x-forwarded-host': 'crm.test', cookie: `CF_Authorization=${tokenIn(crm)}` } });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get('cf-access-authenticated-user-email'), 'ada@example.com');

    // One session in the user's active sessions, holding both applications, as at Cloudflare.
    const sessions = (await s.api('GET', `${A}/users/${claims.sub}/active_sessions`)).json.result.filter((x: { metadata: { nonce: string } }) => x.metadata.nonce === claims.identity_nonce);
    assert.equal(sessions.length, 1);
    const wikiApp = (await s.api('GET', `${A}/apps`)).json.result.find((a: { name: string }) => a.name === 'Wiki');
    assert.deepEqual(Object.keys(sessions[0].metadata.apps).sort(), [wikiApp.id, crmApp.id].sort());
    assert.equal(sessions[0].name, 'Wiki', 'named after the application signed in to');
    assert.equal(sessions[0].metadata.iat, wikiClaims.iat);
    const one = await s.api('GET', `${A}/users/${claims.sub}/active_sessions/${claims.identity_nonce}`);
    assert.equal(one.json.result.iat, wikiClaims.iat, 'it began at the sign-in');

    // Revoking the CRM's tokens takes the CRM out of that session, and leaves the wiki in it.
    assert.equal((await s.api('POST', `${A}/apps/${crmApp.id}/revoke_tokens`)).status, 202);
    const after = (await s.api('GET', `${A}/users/${claims.sub}/active_sessions`)).json.result.filter((x: { metadata: { nonce: string } }) => x.metadata.nonce === claims.identity_nonce);
    assert.deepEqual(after.map((x: { metadata: { apps: object } }) => Object.keys(x.metadata.apps)), [[wikiApp.id]]);
  });

  it("refuses at the sign-in an application whose policies do not let its user in, and keeps the session for the others", async () => {
    const policy = await s.api('POST', `${A}/policies`, { name: 'Ops only', decision: 'allow', include: [{ email: { email: 'ops@example.com' } }] });
    const ops = await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Ops', domain: 'ops.test', custom_deny_message: 'Ops staff only: ask #ops.', policies: [{ id: policy.json.result.id, precedence: 1 }] });
    assert.equal(ops.status, 201, JSON.stringify(ops.json));
    try {
      const jar = new CookieJar();
      const refused = await devSignIn(jar, 'ops.test', 'ada@example.com');
      const to = new URL(refused.headers.get('location')!);
      assert.equal(`${to.origin}${to.pathname}`, `${s.baseUrl}/cdn-cgi/access/forbidden/${ops.json.result.id}`, 'no token: the auth domain refuses her');
      const page = await jar.fetch(to.toString());
      assert.equal(page.status, 403);
      assert.equal(page.headers.get('cache-control'), 'no-store');
      const html = await page.text();
      assert.match(html, /Ops staff only: ask #ops\./, "the application's custom_deny_message");
      assert.match(html, /Signed in as ada@example\.com/);
      assert.match(html, new RegExp(`href="${s.baseUrl}/cdn-cgi/access/logout"`), 'and a way to sign in as someone else');

      // The global session she got is kept: an application that lets her in opens without asking,
      // and the one that does not refuses her again without the sign-in form.
      assert.equal(new URL((await loginPage(jar, 'wiki.test')).headers.get('location')!).pathname, '/cdn-cgi/access/authorized');
      const again = await loginPage(jar, 'ops.test');
      assert.equal(again.status, 302);
      assert.equal(new URL(again.headers.get('location')!).pathname, to.pathname);

      // With a custom_deny_url the sign-in sends her there.
      const body = { type: 'self_hosted', name: 'Ops', domain: 'ops.test', custom_deny_url: 'https://help.test/no-access', policies: [{ id: policy.json.result.id, precedence: 1 }] };
      assert.equal((await s.api('PUT', `${A}/apps/${ops.json.result.id}`, body)).status, 200);
      assert.equal((await loginPage(jar, 'ops.test')).headers.get('location'), 'https://help.test/no-access');
      // Written out as a URL (never a 500 for what the API took), and only an http(s) one followed.
      for (const [setting, location] of [
        ['https://例え.jp/denied', 'https://xn--r8jz45g.jp/denied'],
        ['https://help.test/a b\r\nSet-Cookie: x=1', 'https://help.test/a%20bSet-Cookie:%20x=1'],
        ['javascript:alert(1)', `${s.baseUrl}/cdn-cgi/access/forbidden/${ops.json.result.id}`],
        ['not a url', `${s.baseUrl}/cdn-cgi/access/forbidden/${ops.json.result.id}`],
      ]) {
        assert.equal((await s.api('PUT', `${A}/apps/${ops.json.result.id}`, { ...body, custom_deny_url: setting })).status, 200);
        const answer = await loginPage(jar, 'ops.test');
        assert.equal(answer.status, 302, setting);
        assert.equal(answer.headers.get('location'), location);
      }

      const log = (await s.api('GET', `${A}/logs/access_requests?email=ada@example.com&email_exact=true&allowed=false`)).json.result;
      assert.deepEqual(log.map((e: { app_domain: string; allowed: boolean }) => [e.app_domain, e.allowed]), [['ops.test', false]], 'refused, logged once a minute');
      assert.equal((await jar.fetch(`${s.baseUrl}/cdn-cgi/access/forbidden/no-such-app`)).status, 404);
    } finally {
      await s.api('DELETE', `${A}/apps/${ops.json.result.id}`);
      await s.api('DELETE', `${A}/policies/${policy.json.result.id}`);
    }
  });

  it('opens no application by itself', async () => {
    const jar = new CookieJar();
    await devSignIn(jar, 'wiki.test', 'ada@example.com');
    const global = jar.header(s.baseUrl).match(/CF_Authorization=([^;]+)/)![1]!;
    assert.equal(decodeJwt(global).type, 'org');
    const asApp = await fetch(`${s.baseUrl}/cdn-cgi/access/authorize`, { headers: { 'x-forwarded-host': 'wiki.test', cookie: `CF_Authorization=${global}` } });
    assert.equal(asApp.status, 401);
  });

  it("answers get-identity on the auth domain, as Cloudflare's team domain does, and nowhere else", async () => {
    const jar = new CookieJar();
    await devSignIn(jar, 'wiki.test', 'ada@example.com');
    const identity = await jar.fetch(`${s.baseUrl}/cdn-cgi/access/get-identity`);
    assert.equal(identity.status, 200);
    const body = await identity.json();
    assert.deepEqual([body.email, body.account_id], ['ada@example.com', s.accountId]);
    const global = jar.header(s.baseUrl).match(/CF_Authorization=([^;]+)/)![1]!;
    const onApp = await fetch(`${s.baseUrl}/cdn-cgi/access/get-identity`, { headers: { 'x-forwarded-host': 'wiki.test', cookie: `CF_Authorization=${global}` } });
    assert.equal(onApp.status, 401, "on an application's host it is no session");
    assert.equal((await fetch(`${s.baseUrl}/cdn-cgi/access/get-identity`)).status, 401, 'no cookie, no identity');
  });

  it('enters only applications that allow the identity provider it was made through', async () => {
    const ada = (await s.api('GET', `${A}/users?email=ada@example.com`)).json.result[0];
    const partner = await s.api('POST', `${A}/identity_providers`, { name: 'Partner SSO', type: 'oidc', config: { client_id: 'p', client_secret: 's', auth_url: 'https://partner.test/auth', token_url: 'https://partner.test/token', certs_url: 'https://partner.test/certs' } });
    const through = async (idpId: string) => globalSessionToken({ issuer: s.baseUrl, userId: ada.id, email: ada.email, idp: { id: idpId, type: 'oidc' }, identityNonce: 'n', lifetimeSeconds: 600 }, await s.accessKeys!.current(s.accountId));
    const enter = async (host: string, token: string) => (await fetch(`${s.baseUrl}/cdn-cgi/access/login/${host}?redirect_url=${encodeURIComponent(`http://${host}/`)}`, { redirect: 'manual', headers: { cookie: `CF_Authorization=${token}` } })).status;
    assert.equal(await enter('vault.test', await through(oidcId)), 302, 'the provider the vault allows');
    assert.equal(await enter('vault.test', await through(partner.json.result.id)), 200, 'another provider: the login page');
    assert.equal(await enter('wiki.test', await through(partner.json.result.id)), 302, 'an application that allows every provider');
    await s.api('DELETE', `${A}/identity_providers/${partner.json.result.id}`);
    assert.equal(await enter('wiki.test', await through(partner.json.result.id)), 200, 'a provider deleted since');
  });

  it("no longer holds once the user's sessions are revoked, or the user is deleted", async () => {
    const jar = new CookieJar();
    await devSignIn(jar, 'wiki.test', 'grace@example.com');
    assert.equal((await loginPage(jar, 'crm.test')).status, 302);
    const revoked = await s.api('POST', `${A}/organizations/revoke_user`, { email: 'grace@example.com' });
    assert.equal(revoked.json.result, true);
    assert.equal((await loginPage(jar, 'crm.test')).status, 200, 'asked to sign in again');

    const again = new CookieJar();
    // Issued a second later than the revocation, so that it is after it.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await devSignIn(again, 'wiki.test', 'grace@example.com');
    assert.equal((await loginPage(again, 'crm.test')).status, 302, 'a sign-in after the revocation holds');
    const grace = (await s.api('GET', `${A}/users?email=grace@example.com`)).json.result[0];
    assert.ok((await s.api('DELETE', `${A}/users/${grace.id}`)).status < 300);
    assert.equal((await loginPage(again, 'crm.test')).status, 200, 'a deleted user signs in again');
  });

  it("lasts the organization's session_duration when it sets one", async () => {
    await s.api('PUT', `${A}/organizations`, { name: 'Acme', auth_domain: s.baseUrl, session_duration: '2h' });
    try {
      const jar = new CookieJar();
      const first = await devSignIn(jar, 'wiki.test', 'ada@example.com');
      assert.match(first.headers.getSetCookie().find((c) => c.startsWith('CF_Authorization='))!, /; Max-Age=7200;/);
    } finally {
      await s.api('PUT', `${A}/organizations`, { name: 'Acme', auth_domain: s.baseUrl, session_duration: '24h' });
    }
  });

  it('ends at sign-out: on an application, which goes on to the auth domain, or on the auth domain', async () => {
    const jar = new CookieJar();
    await devSignIn(jar, 'wiki.test', 'ada@example.com');
    const onApp = await fetch(`${s.baseUrl}/cdn-cgi/access/logout`, { redirect: 'manual', headers: { 'x-forwarded-host': 'wiki.test' } });
    assert.equal(onApp.status, 302);
    assert.equal(onApp.headers.get('location'), `${s.baseUrl}/cdn-cgi/access/logout`);
    const onAuthDomain = await jar.fetch(onApp.headers.get('location')!);
    assert.equal(onAuthDomain.status, 200);
    assert.ok(onAuthDomain.headers.getSetCookie().includes(`CF_Authorization=; Path=${GLOBAL_COOKIE_PATH}; Max-Age=0; HttpOnly; SameSite=Lax`));
    assert.equal((await loginPage(jar, 'crm.test')).status, 200, 'signed out: asked to sign in');
  });

  it('takes nothing else for one: an application token, a token of other keys, a spoiled one', async () => {
    const ada = (await s.api('GET', `${A}/users?email=ada@example.com`)).json.result[0];
    const key = await s.accessKeys!.current(s.accountId);
    const wikiApp = (await s.api('GET', `${A}/apps`)).json.result.find((a: { name: string }) => a.name === 'Wiki');
    const input = { issuer: s.baseUrl, userId: ada.id, email: ada.email, idp: { id: 'development', type: 'development' }, identityNonce: 'n', lifetimeSeconds: 600 };
    // Another key under the current key's kid: its signature must not pass for the account's.
    const { privateKey } = await generateKeyPair('RS256');
    const stranger: SigningKey = { ...key, privateKey: privateKey as unknown as SigningKey['privateKey'] };
    const good = await globalSessionToken(input, key);
    const cases: [string, string][] = [
      ['an application token', await userAppToken({ aud: wikiApp.aud, issuer: s.baseUrl, lifetimeSeconds: 600, userId: ada.id, email: ada.email }, key)],
      ['another key', await globalSessionToken(input, stranger)],
      ['another issuer', await globalSessionToken({ ...input, issuer: 'https://elsewhere.test' }, key)],
      ['a spoiled signature', `${good.slice(0, -4)}AAAA`],
    ];
    for (const [what, token] of cases) {
      const page = await fetch(`${s.baseUrl}/cdn-cgi/access/login/crm.test?redirect_url=${encodeURIComponent('http://crm.test/')}`, { redirect: 'manual', headers: { cookie: `CF_Authorization=${token}` } });
      assert.equal(page.status, 200, `${what}: the login page`);
    }
    const entered = await fetch(`${s.baseUrl}/cdn-cgi/access/login/crm.test?redirect_url=${encodeURIComponent('http://crm.test/')}`, { redirect: 'manual', headers: { cookie: `CF_Authorization=${good}` } });
    assert.equal(entered.status, 302, 'the good one enters');
    const published = await s.accessKeys!.keys(s.accountId);
    assert.equal(await verifyGlobalSession(good, published, s.baseUrl, Date.now() + 601_000), undefined, 'expired');
    assert.equal((await verifyGlobalSession(good, published, s.baseUrl))?.userId, ada.id);
    // The sign-in's custom claims ride along to the application tokens made from it; a custom claim that is no object spoils the session.
    const custom = { department: 'Engineering', groups: ['staff'] };
    assert.deepEqual((await verifyGlobalSession(await globalSessionToken({ ...input, custom }, key), published, s.baseUrl))?.custom, custom);
    assert.equal(await verifyGlobalSession(await globalSessionToken({ ...input, custom: ['not', 'an', 'object'] as unknown as Record<string, unknown> }, key), published, s.baseUrl), undefined);
  });
});
