// Fuzzing the enforcement point's endpoints and the SCIM service, on each database: forward auth,
// the endpoints on an application's host, every sign-in form and callback, and SCIM resources,
// from requests that would work with parts replaced by junk (test/support/access-fuzz.ts).
// Every answer must be below 500, SCIM's errors in RFC 7644's shape, and no redirect may go to
// a host the request did not name; afterwards the server still answers and a real session still
// opens its application. A failure names fast-check's seed; ACCESS_FUZZ_SEED=<seed> replays it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeJwt } from 'jose';
import { accessAnswerProblems, accessRequestArbitrary, describeAccessRequest, type AccessFuzzSetup, type AccessRequest } from '../../test/support/access-fuzz.js';
import { databaseKinds } from '../../test/support/databases.js';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import { selfSignedCertificate } from '../account/self-signed-certificate.js';
import { userAppToken } from './app-token.js';
import { bindingFor } from './binding-cookie.js';
import { appSessionProof } from './app-session.js';
import { browserNonce } from '../../test/support/app-session.js';
import type { Mailer } from './login/mailer.js';

/** Per database. */
const REQUESTS = 2_000;
const SEED = process.env.ACCESS_FUZZ_SEED === undefined ? undefined : Number(process.env.ACCESS_FUZZ_SEED);

/** One-time PINs go nowhere: the fuzz only needs sending them to succeed. */
const discardingMailer: Mailer = { description: 'discarded', send: async () => undefined };

/** An account with applications (one path-scoped, one wildcard), a service token, PIN, SAML and OIDC providers, SCIM on, and a signed-in user. */
async function seed(s: TestServer): Promise<AccessFuzzSetup> {
  const A = `/accounts/${s.accountId}/access`;
  const created = async (path: string, body: unknown) => {
    const answer = await s.api('POST', `${A}${path}`, body);
    assert.ok(answer.status === 200 || answer.status === 201, `${path}: ${JSON.stringify(answer.json)}`);
    return answer.json.result;
  };
  const staff = await created('/policies', { name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] });
  const token = await created('/service_tokens', { name: 'deploy bot' });
  const bots = await created('/policies', { name: 'Bots', decision: 'non_identity', include: [{ service_token: { token_id: token.id } }] });
  const wiki = await created('/apps', {
    type: 'self_hosted',
    name: 'Wiki',
    domain: 'wiki.test',
    policies: [{ id: staff.id, precedence: 1 }, { id: bots.id, precedence: 2 }],
    cors_headers: { allowed_origins: ['https://app.example.com'], allowed_methods: ['GET', 'PUT'], allow_credentials: true },
    service_auth_401_redirect: true,
    custom_non_identity_deny_url: 'https://wiki.test/bots-denied',
  });
  await created('/apps', { type: 'self_hosted', name: 'Wiki admin', domain: 'wiki.test/admin', path_cookie_attribute: true, custom_deny_url: 'https://wiki.test/denied', policies: [{ id: staff.id, precedence: 1 }] });
  const corp = await created('/apps', { type: 'self_hosted', name: 'Corp', domain: '*.corp.test', enable_binding_cookie: true, policies: [{ id: staff.id, precedence: 1 }] });
  const pin = await created('/identity_providers', { name: 'Email code', type: 'onetimepin', config: {} });
  const { certificatePem } = await selfSignedCertificate('idp.test', 30);
  const saml = await created('/identity_providers', { name: 'Partner SAML', type: 'saml', config: { issuer_url: 'https://idp.test/saml', sso_target_url: 'https://idp.test/sso', idp_public_certs: [certificatePem], email_attribute_name: 'email' } });
  const oidc = await created('/identity_providers', {
    name: 'Directory',
    type: 'oidc',
    config: { client_id: 'portcullis', client_secret: 'shh', auth_url: 'https://idp.test/authorize', token_url: 'https://idp.test/token', certs_url: 'https://idp.test/keys' },
    scim_config: { enabled: true },
  });
  const scimPath = new URL(oidc.scim_config.scim_base_url as string).pathname;
  const scimUser = await fetch(`${s.baseUrl}${scimPath}/Users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${oidc.scim_config.secret as string}`, 'content-type': 'application/scim+json' },
    body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'grace@example.com', emails: [{ value: 'grace@example.com', primary: true }] }),
  });
  assert.equal(scimUser.status, 201, await scimUser.clone().text());
  const ada = await created('/users', { email: 'ada@example.com', name: 'Ada' });
  const sessionToken = await userAppToken({ aud: wiki.aud as string, issuer: s.baseUrl, lifetimeSeconds: 3600, userId: ada.id as string, email: 'ada@example.com' }, await s.accessKeys!.current(s.accountId));
  const boundToken = await userAppToken({ aud: corp.aud as string, issuer: s.baseUrl, lifetimeSeconds: 3600, userId: ada.id as string, email: 'ada@example.com' }, await s.accessKeys!.current(s.accountId));
  return {
    baseUrl: s.baseUrl,
    appHosts: ['wiki.test', 'x.corp.test'],
    sessionToken,
    boundSession: { token: boundToken, binding: bindingFor(boundToken, await s.accessKeys!.keys(s.accountId))! },
    serviceToken: { clientId: token.client_id as string, clientSecret: token.client_secret as string },
    idps: { pin: pin.id as string, saml: saml.id as string, oidc: oidc.id as string },
    scimPath,
    scimSecret: oidc.scim_config.secret as string,
    scimUserId: ((await scimUser.json()) as { id: string }).id,
    idpHosts: ['idp.test'],
  };
}

async function send(baseUrl: string, request: AccessRequest): Promise<{ status: number; headers: Headers; body: string }> {
  const url = new URL(request.path, baseUrl);
  for (const [name, value] of Object.entries(request.query)) url.searchParams.set(name, value);
  const withBody = request.body !== undefined && request.method !== 'GET' && request.method !== 'HEAD';
  const answer = await fetch(url, { method: request.method, headers: request.headers, redirect: 'manual', signal: AbortSignal.timeout(15_000), ...(withBody ? { body: request.body } : {}) });
  return { status: answer.status, headers: answer.headers, body: await answer.text() };
}

for (const kind of await databaseKinds()) {
  describe(`enforcement and SCIM fuzzing (${kind.name})`, { skip: kind.skip }, () => {
    let s: TestServer;
    let setup: AccessFuzzSetup;
    before(async () => {
      s = await startTestServer({ database: await kind.create(), access: { devLogin: true, mailer: discardingMailer }, ...(process.env.ACCESS_FUZZ_LOG !== undefined ? { logger: { level: 'error' } } : {}) });
      setup = await seed(s);
    });
    after(() => s?.close());

    it('refuses text no store can hold (U+0000) in a sign-in path, query or form with a 400, not a database error', async () => {
      const form = { 'content-type': 'application/x-www-form-urlencoded' };
      const refused: AccessRequest[] = [
        { method: 'GET', path: '/cdn-cgi/access/%00/saml-metadata', query: {}, headers: {} },
        { method: 'GET', path: '/cdn-cgi/access/test-idp/%00', query: {}, headers: {} },
        { method: 'GET', path: '/cdn-cgi/access/login/wiki.test', query: { redirect_url: 'https://wiki.test/\u0000' }, headers: {} },
        { method: 'POST', path: '/cdn-cgi/access/login/wiki.test', query: {}, headers: form, body: 'email=ada%00@example.com&redirect_url=https%3A%2F%2Fwiki.test%2F' },
        { method: 'POST', path: '/cdn-cgi/access/callback', query: {}, headers: form, body: 'SAMLResponse=PHg%2B&RelayState=%00' },
        { method: 'GET', path: '/cdn-cgi/access/callback', query: { state: '\u0000', code: 'x' }, headers: {} },
      ];
      for (const request of refused) {
        const answer = await send(s.baseUrl, request);
        assert.equal(answer.status, 400, `${describeAccessRequest(request)} → ${answer.status} ${answer.body.slice(0, 200)}`);
      }
    });

    it('answers a junk forwarded scheme or host at /cdn-cgi/access/authorized with a 400, and reads HTTPS and wss as https', async () => {
      // As the browser that started the sign-in: its nonce under either name (the scheme believed picks one), and the proof.
      const nonce = browserNonce(true);
      const proof = appSessionProof(setup.sessionToken, nonce.appSession, await s.accessKeys!.keys(s.accountId))!;
      const cookie = `${nonce.cookie}; ${nonce.cookie.replace(/^__Host-/, '')}`;
      const authorized = (headers: Record<string, string>, query: Record<string, string> = { token: setup.sessionToken, app_session: nonce.appSession, app_session_proof: proof }) =>
        send(s.baseUrl, { method: 'GET', path: '/cdn-cgi/access/authorized', query, headers: { ...headers, cookie } });
      assert.equal((await authorized({ 'x-forwarded-host': 'Bearer x y', 'x-forwarded-proto': 'https' })).status, 400, 'a host no URL can have');
      assert.equal((await authorized({ 'x-forwarded-host': 'wiki.test@evil.test' })).status, 400, 'a host with a user part');
      for (const proto of ['HTTPS', 'wss']) {
        const answer = await authorized({ 'x-forwarded-host': 'wiki.test', 'x-forwarded-proto': proto });
        assert.equal(answer.status, 302);
        assert.equal(answer.headers.get('location'), 'https://wiki.test/');
        assert.match(answer.headers.get('set-cookie') ?? '', /; Secure/i, 'the cookie of an https origin is Secure');
      }
      const junkScheme = await authorized({ 'x-forwarded-host': 'wiki.test', 'x-forwarded-proto': 'CF_Authorization=w' });
      assert.equal(junkScheme.status, 302, 'an unknown scheme is not believed: the request\'s own is used');
      assert.equal(junkScheme.headers.get('location'), 'http://wiki.test/');
    });

    it('answers a SCIM path the router refuses (a segment past 256 characters, bad escapes) as SCIM answers errors', async () => {
      for (const [path, status] of [[`${setup.scimPath}/Users/${'x'.repeat(300)}`, 414], [`${setup.scimPath}/Users/%E0%A4%A`, 400]] as const) {
        const answer = await send(s.baseUrl, { method: 'GET', path, query: {}, headers: { authorization: `Bearer ${setup.scimSecret}` } });
        assert.equal(answer.status, status);
        assert.match(answer.headers.get('content-type') ?? '', /^application\/scim\+json/);
        assert.deepEqual(accessAnswerProblems(setup, { method: 'GET', path, query: {}, headers: {} }, answer), []);
      }
    });

    it(`answers ${REQUESTS} generated requests below 500, with SCIM errors in shape and no redirect elsewhere, and keeps working`, async (t) => {
      const statuses = new Map<string, number>();
      let sent = 0;
      await fc.assert(
        fc.asyncProperty(accessRequestArbitrary(setup), async (request) => {
          const answer = await send(s.baseUrl, request);
          sent++;
          const family = request.path.startsWith('/scim/') ? 'scim' : (/^\/cdn-cgi\/access\/([a-z-]+)/.exec(request.path)?.[1] ?? 'other');
          statuses.set(`${family} ${answer.status}`, (statuses.get(`${family} ${answer.status}`) ?? 0) + 1);
          const problems = accessAnswerProblems(setup, request, answer);
          assert.deepEqual(problems, [], `${describeAccessRequest(request)}\n→ ${answer.status} ${answer.headers.get('location') ?? ''} ${answer.body.slice(0, 400)}`);
        }),
        { numRuns: REQUESTS, includeErrorInReport: true, ...(SEED !== undefined ? { seed: SEED } : {}) },
      );
      t.diagnostic(`${sent} requests: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
      assert.ok(sent >= REQUESTS);
      // The requests reached past the first checks: real sessions, sign-ins and SCIM reads went through.
      const count = (pattern: RegExp) => [...statuses].filter(([key]) => pattern.test(key)).reduce((sum, [, n]) => sum + n, 0);
      assert.ok(count(/^authorize 200$/) > 0, 'some forward-auth requests were let in');
      assert.ok(count(/^login 30\d$/) > 0, 'some sign-ins went on to a provider');
      assert.ok(count(/^sign-in 302$/) > 0, "some sign-ins started on an application's host");
      assert.ok(count(/^scim 20\d$/) > 0, 'some SCIM requests succeeded');

      assert.equal((await fetch(`${s.baseUrl}/healthz`)).status, 200);
      // A generated logout carrying a seeded session has ended its sign-in, as it should: a new
      // sign-in's tokens, made as the seeded ones were, show that the server keeps working.
      const key = await s.accessKeys!.current(s.accountId);
      const signedInAgain = (token: string) => {
        const claims = decodeJwt(token);
        return userAppToken({ aud: (claims.aud as string[])[0]!, issuer: s.baseUrl, lifetimeSeconds: 3600, userId: claims.sub!, email: String(claims.email) }, key);
      };
      const session = await fetch(`${s.baseUrl}/cdn-cgi/access/authorize`, { headers: { 'x-forwarded-host': 'wiki.test', 'x-forwarded-uri': '/', cookie: `CF_Authorization=${await signedInAgain(setup.sessionToken)}` } });
      assert.equal(session.status, 200, 'a real session still opens its application');
      const boundToken = await signedInAgain(setup.boundSession.token);
      const binding = bindingFor(boundToken, await s.accessKeys!.keys(s.accountId))!;
      const bound = (cookie: string) => fetch(`${s.baseUrl}/cdn-cgi/access/authorize`, { headers: { 'x-forwarded-host': 'x.corp.test', cookie } });
      assert.equal((await bound(`CF_Authorization=${boundToken}; CF_Binding=${binding}`)).status, 200, 'so does the bound session, with its binding cookie');
      assert.equal((await bound(`CF_Authorization=${boundToken}`)).status, 401, 'and not without it');
    });
  });
}
