// How long an application token lasts, as Cloudflare's session management says: the session
// duration of the policy that let the user (or service token) in when it sets one, else the
// application's. Checked on the tokens a sign-in, a global session and a service token get.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import { CookieJar } from '../../test/support/cookie-jar.js';

describe('session duration of an application token', () => {
  let s: TestServer;
  let service: { client_id: string; client_secret: string };
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const lifetime = (token: string): number => {
    const claims = decodeJwt(token);
    return claims.exp! - claims.iat!;
  };
  /** The application token of a development sign-in, and the global session cookie it left. */
  const signIn = async (jar: CookieJar, host: string, email: string): Promise<string> => (await signInWithCookie(jar, host, email)).token;
  const signInWithCookie = async (jar: CookieJar, host: string, email: string): Promise<{ token: string; global: string }> => {
    const res = await jar.fetch(`${s.baseUrl}/cdn-cgi/access/login/${host}`, { method: 'POST', headers: form, body: new URLSearchParams({ email, redirect_url: `http://${host}/` }).toString() });
    assert.equal(res.status, 302);
    return { token: new URL(res.headers.get('location')!).searchParams.get('token')!, global: res.headers.getSetCookie().find((c) => c.startsWith('CF_Authorization='))! };
  };

  before(async () => {
    s = await startTestServer({ access: { devLogin: true } });
    const A = `/accounts/${s.accountId}/access`;
    const create = async (body: object): Promise<string> => {
      const res = await s.api('POST', `${A}/policies`, body);
      assert.equal(res.status, 201, JSON.stringify(res.json));
      return res.json.result.id;
    };
    const contractors = await create({ name: 'Contractors', decision: 'allow', include: [{ email_domain: { domain: 'contractors.test' } }], session_duration: '30m' });
    const staff = await create({ name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] });
    const robots = await create({ name: 'Robots', decision: 'non_identity', include: [{ any_valid_service_token: {} }], session_duration: '5m' });
    const policies = [contractors, staff, robots].map((id, i) => ({ id, precedence: i + 1 }));
    assert.equal((await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Wiki', domain: 'wiki.test', session_duration: '6h', policies })).status, 201);
    assert.equal((await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'CRM', domain: 'crm.test', session_duration: '2h', policies })).status, 201);
    service = (await s.api('POST', `${A}/service_tokens`, { name: 'CI' })).json.result;
  });
  after(() => s?.close());

  it("is the application's when the policy that lets the user in sets none", async () => {
    assert.equal(lifetime(await signIn(new CookieJar(), 'wiki.test', 'ada@example.com')), 6 * 3600);
  });

  it("is the policy's when it sets one, at a sign-in and when the global session enters the next application", async () => {
    const jar = new CookieJar();
    const first = await signInWithCookie(jar, 'wiki.test', 'bob@contractors.test');
    assert.equal(lifetime(first.token), 30 * 60);
    assert.match(first.global, /; Max-Age=1800;/, 'the global session defaults to the application token\'s length');
    const next = await jar.fetch(`${s.baseUrl}/cdn-cgi/access/login/crm.test?redirect_url=${encodeURIComponent('http://crm.test/')}`);
    assert.equal(next.status, 302);
    assert.equal(lifetime(new URL(next.headers.get('location')!).searchParams.get('token')!), 30 * 60, 'not the CRM\'s 2 hours');
  });

  it("is the Service Auth policy's for a service token's token", async () => {
    const res = await fetch(`${s.baseUrl}/cdn-cgi/access/authorize`, { headers: { 'x-forwarded-host': 'wiki.test', 'x-forwarded-uri': '/', 'cf-access-client-id': service.client_id, 'cf-access-client-secret': service.client_secret } });
    assert.equal(res.status, 200);
    assert.equal(lifetime(res.headers.get('cf-access-jwt-assertion')!), 5 * 60);
  });
});

describe("session duration of an application that sets none", () => {
  let s: TestServer;
  after(() => s?.close());

  it("is the organization's for a user's and a service token's token alike", async () => {
    s = await startTestServer({ access: { devLogin: true } });
    const A = `/accounts/${s.accountId}/access`;
    assert.equal((await s.api('PUT', `${A}/organizations`, { auth_domain: s.baseUrl, session_duration: '3h' })).status, 200);
    const staff = (await s.api('POST', `${A}/policies`, { name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] })).json.result.id;
    const robots = (await s.api('POST', `${A}/policies`, { name: 'Robots', decision: 'non_identity', include: [{ any_valid_service_token: {} }] })).json.result.id;
    assert.equal((await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Wiki', domain: 'wiki.test', policies: [{ id: staff, precedence: 1 }, { id: robots, precedence: 2 }] })).status, 201);
    const service = (await s.api('POST', `${A}/service_tokens`, { name: 'CI' })).json.result;
    const lifetime = (token: string): number => {
      const claims = decodeJwt(token);
      return claims.exp! - claims.iat!;
    };

    const login = await new CookieJar().fetch(`${s.baseUrl}/cdn-cgi/access/login/wiki.test`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ email: 'ada@example.com', redirect_url: 'http://wiki.test/' }).toString() });
    assert.equal(login.status, 302);
    assert.equal(lifetime(new URL(login.headers.get('location')!).searchParams.get('token')!), 3 * 3600);

    const res = await fetch(`${s.baseUrl}/cdn-cgi/access/authorize`, { headers: { 'x-forwarded-host': 'wiki.test', 'x-forwarded-uri': '/', 'cf-access-client-id': service.client_id, 'cf-access-client-secret': service.client_secret } });
    assert.equal(res.status, 200);
    assert.equal(lifetime(res.headers.get('cf-access-jwt-assertion')!), 3 * 3600, "the organization's, not 24 hours");
  });
});
