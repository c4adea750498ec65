// Sign-in through a real OpenID provider (oidc-provider on loopback) without a browser: the
// authorization code flow with PKCE, state and nonce end to end, the identity it records (email,
// name, groups, configured claims, amr), the policy tester deciding that identity right after,
// and the answers that must never become a session (a replayed or forged state, ID tokens for
// another audience, issuer or sign-in, expired, unsigned or wrongly signed, a missing email claim,
// a provider that refuses).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { startTestServer, type TestServer } from '../../../test/support/server.js';
import { resultsByEmail, runPolicyTest } from '../../../test/support/policy-tests.js';
import { startOidcIdp, type OidcIdp } from '../../../test/support/oidc-idp.js';
import { CookieJar } from '../../../test/support/cookie-jar.js';
import { identityFromClaims, withUserInfo } from './oidc.js';
import { OIDC_ISSUERS, oidcServer } from './oidc-issuers.js';

const APP_HOST = 'wiki.test';
const form = (fields: Record<string, string>): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });

/** Run a sign-in from the login page's provider link: where the browser lands on the application's host, or the answer that stopped it. */
async function signIn(jar: CookieJar, start: string, username: string): Promise<{ landed?: URL; response: Response }> {
  let url = start;
  let response = await jar.fetch(url);
  for (let hops = 0; hops < 20; hops++) {
    if (response.status >= 300 && response.status < 400) {
      url = new URL(response.headers.get('location')!, url).toString();
      if (new URL(url).host === APP_HOST) return { landed: new URL(url), response };
      response = await jar.fetch(url);
    } else if (new URL(url).pathname.startsWith('/interaction/') && response.status === 200 && (await response.clone().text()).includes('idp-login')) {
      response = await jar.fetch(url, form({ login: username }));
    } else {
      return { response };
    }
  }
  throw new Error('too many redirects');
}

describe('OpenID Connect sign-in against a real OpenID provider', () => {
  let s: TestServer;
  let idp: OidcIdp;
  let idpId: string;
  let policyId: string;
  let start: string;
  const A = () => `/accounts/${s.accountId}/access`;
  const log = async () => (await s.api('GET', `${A()}/logs/access_requests?limit=50`)).json.result as Record<string, unknown>[];

  before(async () => {
    s = await startTestServer({ access: {} });
    idp = await startOidcIdp({ redirectUri: `${s.baseUrl}/cdn-cgi/access/callback` });
    idp.setPerson('ada', { sub: 'ada', email: 'ada@example.com', name: 'Ada Lovelace', groups: ['engineering', 'admins'], amr: ['pwd', 'mfa'], claims: { department: 'research' } });
    idp.setPerson('bob', { sub: 'bob', email: 'bob@example.com', name: 'Bob', groups: ['sales'], amr: ['pwd'], claims: { department: 'research' } });
    idp.setPerson('nomail', { sub: 'nomail', name: 'No Mail' });
    idp.setPerson('unverified', { sub: 'unverified', email: 'ceo@example.com', name: 'Claims to be the CEO', claims: { email_verified: false } });
    const created = await s.api('POST', `${A()}/identity_providers`, { name: 'Test OpenID provider', type: 'oidc', config: { ...idp.config, scopes: ['openid', 'email', 'profile', 'groups', 'department'], claims: ['department', 'groups'], email_claim_name: 'email', pkce_enabled: true } });
    assert.ok(created.status < 300, JSON.stringify(created.json));
    idpId = created.json.result.id;
    const policy = await s.api('POST', `${A()}/policies`, {
      name: 'Researchers with MFA',
      decision: 'allow',
      include: [{ oidc: { claim_name: 'department', claim_value: 'research', identity_provider_id: idpId } }],
      require: [{ auth_method: { auth_method: 'mfa' } }],
    });
    assert.ok(policy.status < 300, JSON.stringify(policy.json));
    policyId = policy.json.result.id;
    const app = await s.api('POST', `${A()}/apps`, { type: 'self_hosted', name: 'Wiki', domain: APP_HOST, allowed_idps: [idpId], policies: [{ id: policy.json.result.id, precedence: 1 }] });
    assert.ok(app.status < 300, JSON.stringify(app.json));
    start = `${s.baseUrl}/cdn-cgi/access/login/${APP_HOST}/idp/${idpId}?redirect_url=${encodeURIComponent(`http://${APP_HOST}/docs?page=2`)}`;
  });
  after(async () => {
    await idp?.close();
    await s?.close();
  });

  it('lists the provider on the login page, and goes straight to it with auto_redirect_to_identity', async () => {
    const page = await fetch(`${s.baseUrl}/cdn-cgi/access/login/${APP_HOST}?redirect_url=${encodeURIComponent(`http://${APP_HOST}/`)}`);
    assert.match(await page.text(), /Sign in with Test OpenID provider/);
    const apps = (await s.api('GET', `${A()}/apps`)).json.result as { id: string }[];
    const app = (await s.api('GET', `${A()}/apps/${apps[0]!.id}`)).json.result;
    const put = await s.api('PUT', `${A()}/apps/${app.id}`, { ...app, policies: [{ id: policyId, precedence: 1 }], auto_redirect_to_identity: true });
    assert.equal(put.status, 200, JSON.stringify(put.json));
    assert.equal(put.json.result.auto_redirect_to_identity, true);
    const redirected = await fetch(`${s.baseUrl}/cdn-cgi/access/login/${APP_HOST}?redirect_url=${encodeURIComponent(`http://${APP_HOST}/`)}`, { redirect: 'manual' });
    assert.equal(redirected.status, 302);
    assert.match(redirected.headers.get('location')!, new RegExp(`/cdn-cgi/access/login/${APP_HOST}/idp/${idpId}\\?`));
    const toProvider = await fetch(new URL(redirected.headers.get('location')!, s.baseUrl), { redirect: 'manual' });
    const authorization = new URL(toProvider.headers.get('location')!);
    assert.equal(authorization.origin, idp.issuer);
    assert.equal(authorization.searchParams.get('code_challenge_method'), 'S256', 'PKCE');
    for (const parameter of ['state', 'nonce', 'code_challenge']) assert.ok((authorization.searchParams.get(parameter) ?? '').length >= 32, parameter);
    assert.equal(authorization.searchParams.get('redirect_uri'), `${s.baseUrl}/cdn-cgi/access/callback`);
  });

  it('signs a person in, records their identity, and the policy tester decides it right after', async () => {
    const jar = new CookieJar();
    const { landed, response } = await signIn(jar, start, 'ada');
    assert.ok(landed, `signed in (stopped at ${response.status}: ${await response.text()})`);
    assert.equal(landed.pathname, '/cdn-cgi/access/authorized');
    assert.equal(landed.searchParams.get('redirect_url'), `http://${APP_HOST}/docs?page=2`, 'back to the page first asked for');
    const claims = decodeJwt(landed.searchParams.get('token')!);
    assert.equal(claims.email, 'ada@example.com');
    assert.equal(claims.iss, s.baseUrl);
    assert.deepEqual(claims.custom, { department: 'research', groups: ['engineering', 'admins'] }, "the configured claims, as Cloudflare's JWT carries them");

    const users = (await s.api('GET', `${A()}/users?email=ada@example.com`)).json.result as { id: string; name: string }[];
    assert.equal(users.length, 1);
    assert.equal(users[0]!.name, 'Ada Lovelace');
    const identity = (await s.api('GET', `${A()}/users/${users[0]!.id}/last_seen_identity`)).json.result;
    assert.equal(identity.email, 'ada@example.com');
    assert.deepEqual(identity.idp, { id: idpId, type: 'oidc' });
    assert.deepEqual(identity.amr, ['pwd', 'mfa']);
    assert.deepEqual(identity.oidc_fields, { department: 'research', groups: ['engineering', 'admins'] });
    assert.deepEqual(identity.groups.map((g: { name: string }) => g.name), ['engineering', 'admins']);

    // Bob signs in too, with a password only: the policy asks for MFA, so the sign-in refuses him
    // (as at Cloudflare), having recorded the identity the provider vouched for.
    const bob = await signIn(new CookieJar(), start, 'bob');
    assert.equal(bob.landed, undefined, 'no token for the application');
    assert.equal(bob.response.status, 403);
    assert.match(await bob.response.text(), /Signed in as bob@example\.com/);

    const policies = (await s.api('GET', `${A()}/policies`)).json.result as { id: string }[];
    const { id } = await runPolicyTest(s, s.accountId, { policies: [policies[0]!.id] });
    const statuses = Object.fromEntries([...(await resultsByEmail(s, s.accountId, id))].map(([email, row]) => [email, row.status]));
    assert.deepEqual(statuses, { 'ada@example.com': 'approved', 'bob@example.com': 'blocked' }, 'MFA from the ID token amr decides');

    const signIns = (await log()).filter((e) => e.connection === 'oidc');
    assert.deepEqual(signIns.map((e) => [e.user_email, e.allowed]).sort(), [['ada@example.com', true], ['bob@example.com', false]]);
  });

  it('refuses a replayed callback, a made-up state and a provider error, each with a clear answer and a log entry', async () => {
    const jar = new CookieJar();
    // Stop at the callback to keep its URL, then use it twice.
    let url = start;
    let response = await jar.fetch(url);
    let callback: string | undefined;
    for (let hops = 0; hops < 20 && callback === undefined; hops++) {
      if (response.status >= 300 && response.status < 400) {
        url = new URL(response.headers.get('location')!, url).toString();
        if (new URL(url).pathname === '/cdn-cgi/access/callback') callback = url;
        else response = await jar.fetch(url);
      } else response = await jar.fetch(url, form({ login: 'ada' }));
    }
    assert.ok(callback);
    const before = (await log()).length;
    // Opened in another browser (a link an attacker made of their own sign-in): it would sign
    // that browser in as the attacker, so it is refused; it does not use the sign-in up.
    const elsewhere = await fetch(callback, { redirect: 'manual' });
    assert.equal(elsewhere.status, 400);
    assert.match(await elsewhere.text(), /started in another browser/);
    const first = await jar.fetch(callback);
    assert.equal(first.status, 302);
    const replay = await jar.fetch(callback);
    assert.equal(replay.status, 400);
    assert.match(await replay.text(), /expired, was already used/);
    const forged = new URL(callback);
    forged.searchParams.set('state', 'made-up-state-value');
    assert.equal((await jar.fetch(forged.toString())).status, 400);
    const failed = (await log()).slice(0, (await log()).length - before).filter((e) => e.allowed === false);
    assert.equal(failed.length, 3, 'the three refusals are logged');

    // The provider answers with an error (the person refused consent).
    const again = await jar.fetch(start);
    const state = new URL(again.headers.get('location')!).searchParams.get('state')!;
    const refused = await jar.fetch(`${s.baseUrl}/cdn-cgi/access/callback?state=${state}&error=access_denied&error_description=${encodeURIComponent('The user declined')}`);
    assert.equal(refused.status, 401);
    assert.match(await refused.text(), /The user declined/);
  });

  it("tests the provider for the dashboard: the identity a sign-in would record, shown once, with no user and no session made", async () => {
    idp.setPerson('tess', { sub: 'tess', email: 'tess@example.com', name: 'Tess', groups: ['qa'], amr: ['pwd'], claims: { department: 'qa' } });
    const jar = new CookieJar();
    let url = `${s.baseUrl}/cdn-cgi/access/test-idp/${idpId}`;
    let response = await jar.fetch(url);
    for (let hops = 0; hops < 20 && (response.status !== 200 || new URL(url).pathname.startsWith('/interaction/')); hops++) {
      if (response.status >= 300 && response.status < 400) {
        url = new URL(response.headers.get('location')!, url).toString();
        response = await jar.fetch(url);
      } else response = await jar.fetch(url, form({ login: 'tess' }));
    }
    assert.match(new URL(url).pathname, /^\/cdn-cgi\/access\/test-idp\/result\//);
    const html = await response.text();
    assert.match(html, /Test OpenID provider works/);
    assert.match(html, /tess@example.com/);
    assert.match(html, /&quot;department&quot;: &quot;qa&quot;/);
    assert.equal(((await s.api('GET', `${A()}/users?email=tess@example.com`)).json.result as unknown[]).length, 0, 'no user was made');
    assert.equal((await fetch(url)).status, 404, 'shown once');
    assert.equal((await fetch(`${s.baseUrl}/cdn-cgi/access/test-idp/not-a-provider`)).status, 404);
  });

  it('refuses a person the provider knows without an email, and never makes a session of it', async () => {
    const { landed, response } = await signIn(new CookieJar(), start, 'nomail');
    assert.equal(landed, undefined);
    assert.equal(response.status, 401);
    assert.match(await response.text(), /no email address \(claim email\)/);
    assert.equal(((await s.api('GET', `${A()}/users?search=nomail`)).json.result as unknown[]).length, 0);
  });

  it('refuses an email address the provider says it has not verified, and never makes a session of it', async () => {
    const { landed, response } = await signIn(new CookieJar(), start, 'unverified');
    assert.equal(landed, undefined);
    assert.equal(response.status, 401);
    assert.match(await response.text(), /has not verified the email address ceo@example\.com/);
    assert.equal(((await s.api('GET', `${A()}/users?search=ceo@example.com`)).json.result as unknown[]).length, 0);
    const refused = (await log()).find((entry) => entry.user_email === 'ceo@example.com');
    assert.equal(refused?.allowed, false);
  });
});

/**
 * A provider that answers what the test tells it to: an ID token with chosen claims, signed with
 * its published key, another key, or not at all. For the answers a compliant provider never gives.
 */
async function startRogueProvider(): Promise<{ issuer: string; config: Record<string, unknown>; answer: (a: RogueAnswer) => void; close(): Promise<void> }> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const other = await generateKeyPair('RS256');
  let next: RogueAnswer = {};
  const pending = new Map<string, string>();
  const server = createServer(async (req, res) => {
    const url = new URL(req.url!, issuer);
    if (url.pathname === '/jwks') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] }));
    if (url.pathname === '/auth') {
      const code = `code-${pending.size}`;
      pending.set(code, url.searchParams.get('nonce') ?? '');
      const back = new URL(url.searchParams.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state')!);
      return void res.writeHead(302, { location: back.toString() }).end();
    }
    if (url.pathname === '/token') {
      let body = '';
      for await (const chunk of req) body += String(chunk);
      const nonce = pending.get(new URLSearchParams(body).get('code') ?? '') ?? '';
      const now = Math.floor(Date.now() / 1000);
      const claims = { iss: issuer, aud: 'rogue-client', sub: 'ada', email: 'ada@example.com', nonce, iat: now, exp: now + 300, ...next.claims };
      const idToken = next.unsigned === true
        ? `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`
        : await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).sign(next.otherKey === true ? other.privateKey : privateKey);
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: 'at', token_type: 'Bearer', expires_in: 300, id_token: idToken }));
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    config: { client_id: 'rogue-client', client_secret: 'rogue-secret', auth_url: `${issuer}/auth`, token_url: `${issuer}/token`, certs_url: `${issuer}/jwks` },
    answer: (a) => (next = a),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface RogueAnswer {
  readonly claims?: Record<string, unknown>;
  readonly unsigned?: boolean;
  readonly otherKey?: boolean;
}

describe("OpenID Connect sign-in with a provider that gives the scopes' claims at UserInfo only", () => {
  it('reads the email, groups and configured claims there, and the policies decide on them', async () => {
    const s = await startTestServer({ access: {} });
    // oidc-provider's default: ID tokens carry sub and the like; email, groups, department only at
    // UserInfo, which discovery (issuer_url) names.
    const idp = await startOidcIdp({ redirectUri: `${s.baseUrl}/cdn-cgi/access/callback`, claimsInIdToken: false });
    try {
      idp.setPerson('ada', { sub: 'ada', email: 'ada@example.com', name: 'Ada Lovelace', groups: ['engineering'], amr: ['pwd', 'mfa'], claims: { department: 'research' } });
      const A = `/accounts/${s.accountId}/access`;
      const created = await s.api('POST', `${A}/identity_providers`, { name: 'UserInfo provider', type: 'oidc', config: { client_id: idp.clientId, client_secret: idp.clientSecret, issuer_url: idp.issuer, scopes: ['openid', 'email', 'profile', 'groups', 'department'], claims: ['department'] } });
      assert.ok(created.status < 300, JSON.stringify(created.json));
      const idpId = created.json.result.id as string;
      const policy = await s.api('POST', `${A}/policies`, { name: 'Research', decision: 'allow', include: [{ oidc: { claim_name: 'department', claim_value: 'research', identity_provider_id: idpId } }] });
      const app = await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Wiki', domain: APP_HOST, allowed_idps: [idpId], policies: [{ id: policy.json.result.id, precedence: 1 }] });
      assert.ok(app.status < 300, JSON.stringify(app.json));
      const { landed, response } = await signIn(new CookieJar(), `${s.baseUrl}/cdn-cgi/access/login/${APP_HOST}/idp/${idpId}?redirect_url=${encodeURIComponent(`http://${APP_HOST}/`)}`, 'ada');
      assert.ok(landed, `signed in (stopped at ${response.status}: ${await response.text()})`);
      assert.equal(decodeJwt(landed.searchParams.get('token')!).email, 'ada@example.com');
      const users = (await s.api('GET', `${A}/users?email=ada@example.com`)).json.result as { id: string }[];
      const identity = (await s.api('GET', `${A}/users/${users[0]!.id}/last_seen_identity`)).json.result;
      assert.deepEqual(identity.oidc_fields, { department: 'research' });
      assert.deepEqual(identity.groups.map((g: { name: string }) => g.name), ['engineering']);
    } finally {
      await idp.close();
      await s.close();
    }
  });
  it('says, when the email is missing, that a provider set up by its endpoints names no UserInfo endpoint and issuer_url would', async () => {
    const s = await startTestServer({ access: {} });
    // The same provider configured by auth_url, token_url and certs_url (the example's way): no
    // discovery, so no UserInfo endpoint, and its ID tokens carry no email.
    const idp = await startOidcIdp({ redirectUri: `${s.baseUrl}/cdn-cgi/access/callback`, claimsInIdToken: false });
    try {
      idp.setPerson('ada', { sub: 'ada', email: 'ada@example.com', name: 'Ada Lovelace' });
      const A = `/accounts/${s.accountId}/access`;
      const created = await s.api('POST', `${A}/identity_providers`, { name: 'Endpoints provider', type: 'oidc', config: { ...idp.config, issuer_url: idp.issuer } });
      assert.ok(created.status < 300, JSON.stringify(created.json));
      const policy = await s.api('POST', `${A}/policies`, { name: 'Everyone', decision: 'allow', include: [{ everyone: {} }] });
      await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Wiki', domain: APP_HOST, policies: [{ id: policy.json.result.id, precedence: 1 }] });
      const { landed, response } = await signIn(new CookieJar(), `${s.baseUrl}/cdn-cgi/access/login/${APP_HOST}/idp/${created.json.result.id}?redirect_url=${encodeURIComponent(`http://${APP_HOST}/`)}`, 'ada');
      assert.equal(landed, undefined, 'no session');
      assert.equal(response.status, 401);
      const html = await response.text();
      assert.match(html, /no email address \(claim email\)/);
      assert.match(html, /no UserInfo endpoint/);
      assert.match(html, /issuer_url without auth_url, token_url and certs_url/);
    } finally {
      await idp.close();
      await s.close();
    }
  });
});

describe('OpenID Connect sign-in refuses ID tokens that must not make a session', () => {
  let s: TestServer;
  let rogue: Awaited<ReturnType<typeof startRogueProvider>>;
  let start: string;
  const A = () => `/accounts/${s.accountId}/access`;
  before(async () => {
    s = await startTestServer({ access: {} });
    rogue = await startRogueProvider();
    const idp = await s.api('POST', `${A()}/identity_providers`, { name: 'Rogue', type: 'oidc', config: rogue.config });
    const policy = await s.api('POST', `${A()}/policies`, { name: 'Everyone', decision: 'allow', include: [{ everyone: {} }] });
    await s.api('POST', `${A()}/apps`, { type: 'self_hosted', name: 'Wiki', domain: APP_HOST, policies: [{ id: policy.json.result.id, precedence: 1 }] });
    start = `${s.baseUrl}/cdn-cgi/access/login/${APP_HOST}/idp/${idp.json.result.id}?redirect_url=${encodeURIComponent(`http://${APP_HOST}/`)}`;
  });
  after(async () => {
    await rogue?.close();
    await s?.close();
  });

  const cases: [string, RogueAnswer][] = [
    ['an ID token for another audience', { claims: { aud: 'another-client' } }],
    ['an ID token from another issuer', { claims: { iss: 'https://evil.example' } }],
    ['an ID token for another sign-in (nonce)', { claims: { nonce: 'not-the-one-sent' } }],
    ['an expired ID token', { claims: { iat: 1_000_000, exp: 1_000_300 } }],
    ['an unsigned ID token (alg none)', { unsigned: true }],
    ['an ID token signed with a key the provider does not publish', { otherKey: true }],
  ];
  for (const [name, answer] of cases) {
    it(`refuses ${name} with a clear answer and a log entry`, async () => {
      rogue.answer(answer);
      const before = ((await s.api('GET', `${A()}/logs/access_requests?limit=100`)).json.result as unknown[]).length;
      const { landed, response } = await signIn(new CookieJar(), start, 'ada');
      assert.equal(landed, undefined, 'no session');
      assert.equal(response.status, 401);
      assert.match(await response.text(), /could not be verified/);
      const entries = (await s.api('GET', `${A()}/logs/access_requests?limit=100`)).json.result as Record<string, unknown>[];
      assert.equal(entries.length, before + 1);
      assert.equal(entries[0]!.allowed, false);
      assert.equal(entries[0]!.user_email ?? null, null);
    });
  }

  it('accepts the same provider when its ID token is right (the cases above differ in one thing each)', async () => {
    rogue.answer({});
    const { landed } = await signIn(new CookieJar(), start, 'ada');
    assert.ok(landed);
  });
});

describe('OpenID Connect identity provider types', () => {
  it('map their Cloudflare config fields to issuers', () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['okta', { client_id: 'c', okta_account: 'dev-123.okta.com' }, 'https://dev-123.okta.com'],
      ['okta', { client_id: 'c', okta_account: 'https://dev-123.okta.com/', authorization_server_id: 'aus1' }, 'https://dev-123.okta.com/oauth2/aus1'],
      ['azureAD', { client_id: 'c', directory_id: 'f00d' }, 'https://login.microsoftonline.com/f00d/v2.0'],
      ['google', { client_id: 'c' }, 'https://accounts.google.com'],
      ['google-apps', { client_id: 'c', apps_domain: 'example.com' }, 'https://accounts.google.com'],
      ['onelogin', { client_id: 'c', onelogin_account: 'acme.onelogin.com' }, 'https://acme.onelogin.com/oidc/2'],
      ['pingone', { client_id: 'c', ping_env_id: 'env-1' }, 'https://auth.pingone.com/env-1/as'],
      ['centrify', { client_id: 'c', centrify_account: 'https://acme.my.centrify.com', centrify_app_id: 'app1' }, 'https://acme.my.centrify.com/app1'],
      ['oidc', { client_id: 'c', issuer_url: 'https://kc.example.com/realms/acme/' }, 'https://kc.example.com/realms/acme'],
      ['oidc', { client_id: 'c', auth_url: 'https://idp.example.com/authorize', token_url: 'https://idp.example.com/token', certs_url: 'https://idp.example.com/keys' }, 'https://idp.example.com'],
    ];
    for (const [type, config, issuer] of cases) assert.deepEqual((oidcServer(type, config) as { issuer: string }).issuer, issuer, `${type} ${JSON.stringify(config)}`);
    assert.deepEqual(Object.keys(OIDC_ISSUERS).sort(), ['azureAD', 'centrify', 'google', 'google-apps', 'oidc', 'okta', 'onelogin', 'pingone']);
    assert.match((oidcServer('okta', { client_id: 'c' }) as { error: string }).error, /lacks okta_account/);
    assert.match((oidcServer('oidc', { client_id: 'c', auth_url: 'https://x/a' }) as { error: string }).error, /lacks token_url, certs_url/);
    assert.match((oidcServer('github', {}) as { error: string }).error, /do not sign in with OpenID Connect/);
  });

  it('read groups, configured claims, Azure authentication contexts and the Google Workspace domain from the ID token', () => {
    const idp = (type: string, config: Record<string, unknown>) => ({ id: 'idp-1', body: { type, name: 'X', config } }) as never;
    const azure = identityFromClaims(idp('azureAD', { conditional_access_enabled: true, claims: ['tid'] }), { email: 'a@x.com', groups: ['g1', { name: 'g2' }], acrs: ['c1', 'c2'], amr: ['pwd', 'mfa'], tid: 't' });
    assert.deepEqual(azure, { email: 'a@x.com', groups: ['g1', 'g2'], idp: { id: 'idp-1', type: 'azureAD' }, amr: ['pwd', 'mfa'], auth_contexts: ['c1', 'c2'], oidc_fields: { tid: 't' } });
    assert.deepEqual(identityFromClaims(idp('google-apps', { apps_domain: 'acme.com' }), { email: 'a@gmail.com', hd: undefined }), { error: 'the account is not in the Google Workspace domain acme.com' });
    assert.equal((identityFromClaims(idp('google-apps', { apps_domain: 'acme.com' }), { email: 'a@acme.com', hd: 'acme.com' }) as { email: string }).email, 'a@acme.com');
    assert.deepEqual(identityFromClaims(idp('oidc', { email_claim_name: 'upn' }), { email: 'x@y.z' }), { error: 'the identity provider sent no email address (claim upn)' });
    assert.equal((identityFromClaims(idp('oidc', { email_claim_name: 'upn' }), { upn: 'x@y.z' }) as { email: string }).email, 'x@y.z');
    // email_verified speaks of the email claim: false (or "false") refuses it, true or absent does not, and another claim is not its business.
    for (const unverified of [false, 'false']) assert.deepEqual(identityFromClaims(idp('oidc', {}), { email: 'x@y.z', email_verified: unverified }), { error: 'the identity provider has not verified the email address x@y.z' });
    for (const verified of [true, 'true', undefined]) assert.equal((identityFromClaims(idp('oidc', {}), { email: 'x@y.z', email_verified: verified }) as { email: string }).email, 'x@y.z');
    assert.equal((identityFromClaims(idp('oidc', { email_claim_name: 'upn' }), { upn: 'x@y.z', email_verified: false }) as { email: string }).email, 'x@y.z');
  });

  it("take UserInfo's claims where the ID token lacks them, the email together with what UserInfo says of its verification", () => {
    // The ID token's own claims win.
    assert.deepEqual(withUserInfo({ sub: 's', email: 'a@x.com', name: 'A' }, { sub: 's', email: 'b@x.com', name: 'B', groups: ['g'] }), { sub: 's', email: 'a@x.com', name: 'A', groups: ['g'] });
    // An email from UserInfo is judged by UserInfo's email_verified, not by one the ID token says of no address.
    const unverified = withUserInfo({ sub: 's', email_verified: true }, { sub: 's', email: 'b@x.com', email_verified: false });
    assert.equal(unverified.email_verified, false);
    assert.ok('error' in identityFromClaims({ id: 'idp-1', body: { type: 'oidc', name: 'X', config: {} } } as never, unverified));
    // UserInfo silent on it: the ID token's word stands (false stays a refusal).
    assert.equal(withUserInfo({ sub: 's', email_verified: false }, { sub: 's', email: 'b@x.com' }).email_verified, false);
    assert.equal(withUserInfo({ sub: 's' }, { sub: 's', email: 'b@x.com', email_verified: true }).email_verified, true);
  });
});
