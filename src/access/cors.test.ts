// CORS preflights at the forward-auth endpoint, asked as Traefik (GET with X-Forwarded-Method)
// and Envoy (the original method and path) ask: an application with options_preflight_bypass
// lets a preflight through as nobody, one with cors_headers has it answered (a 403 marked
// X-Access-Preflight that the generated proxy configurations turn into a 204), and everything
// else, OPTIONS requests that are no preflight included, is decided as before. Behind a real
// nginx and Caddy: cors-proxies.test.ts.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import { userAppToken } from './app-token.js';
import { preflightAnswer, preflightOf } from './cors.js';

describe('the answer to a preflight', () => {
  const ask = (origin: string, method = 'PUT', headers?: string) => preflightOf('OPTIONS', origin, method, headers)!;

  it('is a preflight only for OPTIONS with both Origin and Access-Control-Request-Method', () => {
    assert.ok(preflightOf('OPTIONS', 'https://a.example', 'PUT', undefined));
    assert.ok(preflightOf('options', 'https://a.example', 'PUT', ''));
    assert.equal(preflightOf('OPTIONS', 'https://a.example', undefined, 'x-a'), undefined);
    assert.equal(preflightOf('OPTIONS', undefined, 'PUT', undefined), undefined);
    assert.equal(preflightOf('GET', 'https://a.example', 'PUT', undefined), undefined);
  });

  it('echoes an allowed origin (case and a trailing slash aside) with the configured methods, headers, credentials and max-age', () => {
    const settings = { allowed_origins: ['https://App.example.com/'], allowed_methods: ['GET', 'PUT'], allowed_headers: ['X-Requested-With', 'Content-Type'], allow_credentials: true, max_age: 600 };
    assert.deepEqual(preflightAnswer(settings, ask('https://app.example.com', 'PUT', 'content-type')), [
      ['access-control-allow-origin', 'https://app.example.com'],
      ['vary', 'Origin'],
      ['access-control-allow-credentials', 'true'],
      ['access-control-allow-methods', 'GET, PUT'],
      ['access-control-allow-headers', 'X-Requested-With, Content-Type'],
      ['access-control-max-age', '600'],
    ]);
  });

  it('gives an origin that is not allowed no Access-Control-* header at all', () => {
    const settings = { allowed_origins: ['https://app.example.com'], allowed_methods: ['GET'], allow_credentials: true, max_age: 600 };
    assert.deepEqual(preflightAnswer(settings, ask('https://evil.example')), [['vary', 'Origin']]);
    assert.deepEqual(preflightAnswer(settings, ask('https://app.example.com.evil.example')), [['vary', 'Origin']]);
  });

  it('answers * for all origins, and the method and headers asked for with allow_all_methods and allow_all_headers; the origin itself once credentials are allowed', () => {
    const all = { allow_all_origins: true, allow_all_methods: true, allow_all_headers: true, max_age: -1 };
    assert.deepEqual(preflightAnswer(all, ask('https://any.example', 'DELETE', 'x-a, x-b')), [
      ['access-control-allow-origin', '*'],
      ['vary', 'Origin'],
      ['access-control-allow-methods', 'DELETE'],
      ['access-control-allow-headers', 'x-a, x-b'],
      ['access-control-max-age', '-1'],
    ]);
    // Browsers refuse `*` for a request with credentials.
    assert.deepEqual(preflightAnswer({ allow_all_origins: true, allow_credentials: true }, ask('https://any.example')).slice(0, 3), [
      ['access-control-allow-origin', 'https://any.example'],
      ['vary', 'Origin'],
      ['access-control-allow-credentials', 'true'],
    ]);
  });

  it('leaves out values stored before they were checked that could not be sent as headers', () => {
    const stored = { allowed_origins: ['https://a.example'], allowed_methods: ['GET', 'BAD\r\nX: 1', 7], allowed_headers: ['ok', 'not ok'], max_age: 'soon' };
    assert.deepEqual(preflightAnswer(stored, ask('https://a.example')), [
      ['access-control-allow-origin', 'https://a.example'],
      ['vary', 'Origin'],
      ['access-control-allow-methods', 'GET'],
      ['access-control-allow-headers', 'ok'],
    ]);
  });
});

describe('CORS preflights at the forward-auth endpoint', () => {
  let s: TestServer;
  let adaBypass = '';
  let adaCors = '';
  let corsAppId = '';
  const CORS = { allowed_origins: ['https://app.example.com'], allowed_methods: ['GET', 'PUT'], allowed_headers: ['X-Requested-With'], allow_credentials: true, max_age: 600 };

  before(async () => {
    s = await startTestServer({ access: {} });
    const A = `/accounts/${s.accountId}/access`;
    const staff = await s.api('POST', `${A}/policies`, { name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] });
    const policies = [{ id: staff.json.result.id, precedence: 1 }];
    const bypass = await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Bypass', domain: 'bypass.test', options_preflight_bypass: true, policies });
    const cors = await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Answered', domain: 'cors.test', cors_headers: CORS, policies });
    const plain = await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Plain', domain: 'plain.test', policies });
    for (const app of [bypass, cors, plain]) assert.equal(app.status, 201, JSON.stringify(app.json));
    corsAppId = cors.json.result.id;
    const ada = await s.api('POST', `${A}/users`, { email: 'ada@example.com', name: 'Ada' });
    const key = await s.accessKeys!.current(s.accountId);
    const token = (aud: string) => userAppToken({ aud, issuer: s.baseUrl, lifetimeSeconds: 600, userId: ada.json.result.id, email: 'ada@example.com' }, key);
    adaBypass = await token(bypass.json.result.aud);
    adaCors = await token(cors.json.result.aud);
  });
  after(() => s?.close());

  /** As Traefik, Caddy and nginx ask: a GET with the original request in X-Forwarded-* and its own headers. */
  const asked = (host: string, method: string, headers: Record<string, string> = {}) =>
    fetch(`${s.baseUrl}/cdn-cgi/access/authorize?redirect=1`, { redirect: 'manual', headers: { 'x-forwarded-host': host, 'x-forwarded-uri': '/api/items', 'x-forwarded-proto': 'https', 'x-forwarded-method': method, ...headers } });
  const PREFLIGHT = { origin: 'https://app.example.com', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-requested-with' };
  const corsHeaders = (res: Response) => {
    const found: [string, string][] = [];
    res.headers.forEach((value, name) => name.startsWith('access-control-') && found.push([name, value]));
    return found.sort();
  };

  it('lets a preflight through to the origin with options_preflight_bypass, as nobody even when it carries a session', async () => {
    const res = await asked('bypass.test', 'OPTIONS', PREFLIGHT);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cf-access-jwt-assertion'), '');
    assert.equal(res.headers.get('cf-access-authenticated-user-email'), '');
    const withSession = await asked('bypass.test', 'OPTIONS', { ...PREFLIGHT, cookie: `CF_Authorization=${adaBypass}` });
    assert.equal(withSession.status, 200);
    assert.equal(withSession.headers.get('cf-access-jwt-assertion'), '', 'no token of anyone goes upstream with a preflight');
    assert.equal(withSession.headers.get('cf-access-authenticated-user-email'), '');
  });

  it('decides as before an OPTIONS that is no preflight, and any other request, on an application with options_preflight_bypass', async () => {
    for (const [method, headers] of [
      ['OPTIONS', { origin: 'https://app.example.com' }],
      ['OPTIONS', { 'access-control-request-method': 'PUT' }],
      ['GET', PREFLIGHT],
      ['POST', { origin: 'https://app.example.com' }],
    ] as const) {
      const res = await asked('bypass.test', method, headers);
      assert.equal(res.status, 302, `${method} ${JSON.stringify(headers)}`);
      assert.match(res.headers.get('location')!, /\/cdn-cgi\/access\/login\/bypass\.test/);
    }
    const signedIn = await asked('bypass.test', 'OPTIONS', { cookie: `CF_Authorization=${adaBypass}` });
    assert.equal(signedIn.status, 200);
    assert.equal(signedIn.headers.get('cf-access-jwt-assertion'), adaBypass, 'a signed-in OPTIONS that is no preflight passes as that user');
  });

  it('answers a preflight itself with cors_headers: a 403 marked X-Access-Preflight with the configured headers, for the proxy to turn into a 204', async () => {
    const res = await asked('cors.test', 'OPTIONS', PREFLIGHT);
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('x-access-preflight'), 'answered');
    assert.equal(res.headers.get('cf-access-jwt-assertion'), null);
    assert.equal(await res.text(), '');
    assert.deepEqual(corsHeaders(res), [
      ['access-control-allow-credentials', 'true'],
      ['access-control-allow-headers', 'X-Requested-With'],
      ['access-control-allow-methods', 'GET, PUT'],
      ['access-control-allow-origin', 'https://app.example.com'],
      ['access-control-max-age', '600'],
    ]);
    assert.equal(res.headers.get('vary'), 'Origin');

    const stranger = await asked('cors.test', 'OPTIONS', { ...PREFLIGHT, origin: 'https://evil.example' });
    assert.equal(stranger.status, 403);
    assert.equal(stranger.headers.get('x-access-preflight'), 'answered', 'answered too, never sent to the origin');
    assert.deepEqual(corsHeaders(stranger), [], 'but with no Access-Control-* header');
  });

  it('answers a preflight Envoy asks about (the original method and path) the same way', async () => {
    // Raw: fetch cannot set Host.
    const envoy = await new Promise<IncomingMessage>((resolve, reject) => {
      const url = new URL(s.baseUrl);
      const req = httpRequest({ host: url.hostname, port: url.port, method: 'OPTIONS', path: '/cdn-cgi/access/authorize/api/items', headers: { host: 'cors.test', ...PREFLIGHT } }, (res) => res.resume().on('end', () => resolve(res)));
      req.on('error', reject);
      req.end();
    });
    assert.equal(envoy.statusCode, 403);
    assert.equal(envoy.headers['x-access-preflight'], 'answered');
    assert.equal(envoy.headers['access-control-allow-origin'], 'https://app.example.com');
  });

  it('decides as before anything but a preflight on an application with cors_headers: simple cross-origin requests need the session and get no CORS headers', async () => {
    const notPreflight = await asked('cors.test', 'OPTIONS', { origin: 'https://app.example.com' });
    assert.equal(notPreflight.status, 302);
    assert.equal(notPreflight.headers.get('x-access-preflight'), null);
    const anonymous = await asked('cors.test', 'GET', { origin: 'https://app.example.com' });
    assert.equal(anonymous.status, 302);
    assert.deepEqual(corsHeaders(anonymous), []);
    const signedIn = await asked('cors.test', 'PUT', { origin: 'https://app.example.com', cookie: `CF_Authorization=${adaCors}` });
    assert.equal(signedIn.status, 200);
    assert.equal(signedIn.headers.get('cf-access-jwt-assertion'), adaCors);
    assert.deepEqual(corsHeaders(signedIn), [], 'the origin sets its own CORS headers on the response, as behind Cloudflare');
  });

  it('decides a preflight as any request on an application with neither setting, and follows a change of the settings from the next request on', async () => {
    const plain = await asked('plain.test', 'OPTIONS', PREFLIGHT);
    assert.equal(plain.status, 302);
    assert.equal(plain.headers.get('x-access-preflight'), null);

    const A = `/accounts/${s.accountId}/access`;
    const changed = await s.api('PUT', `${A}/apps/${corsAppId}`, { type: 'self_hosted', name: 'Answered', domain: 'cors.test', cors_headers: { ...CORS, allowed_origins: ['https://other.example.com'] } });
    assert.equal(changed.status, 200, JSON.stringify(changed.json));
    const moved = await asked('cors.test', 'OPTIONS', PREFLIGHT);
    assert.equal(moved.headers.get('access-control-allow-origin'), null);
    const removed = await s.api('PUT', `${A}/apps/${corsAppId}`, { type: 'self_hosted', name: 'Answered', domain: 'cors.test' });
    assert.equal(removed.status, 200);
    const refused = await asked('cors.test', 'OPTIONS', PREFLIGHT);
    assert.equal(refused.status, 302, 'without cors_headers the preflight needs a session again');
    await s.api('PUT', `${A}/apps/${corsAppId}`, { type: 'self_hosted', name: 'Answered', domain: 'cors.test', cors_headers: CORS });
  });

  it('does not take X-Forwarded-Method from a peer that is not a trusted proxy', async () => {
    const untrusted = await startTestServer({ access: { trustedProxies: ['192.0.2.1/32'] } });
    try {
      const A = `/accounts/${untrusted.accountId}/access`;
      await untrusted.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Bypass', domain: '127.0.0.1', options_preflight_bypass: true });
      const forged = await fetch(`${untrusted.baseUrl}/cdn-cgi/access/authorize`, { redirect: 'manual', headers: { 'x-forwarded-method': 'OPTIONS', ...PREFLIGHT } });
      assert.notEqual(forged.status, 200, 'a GET claiming to be a preflight is decided as the GET it is');
      const real = await fetch(`${untrusted.baseUrl}/cdn-cgi/access/authorize`, { method: 'OPTIONS', redirect: 'manual', headers: PREFLIGHT });
      assert.equal(real.status, 200, 'the peer’s own preflight passes');
    } finally {
      await untrusted.close();
    }
  });
});
