// The requests Traefik's forwardAuth and Envoy's ext_authz (HTTP service) send, header for
// header as their documentation describes them, since neither is packaged for the test machines
// (nginx and Caddy run for real in enforcement.test.ts). Traefik: a GET to the configured address
// with X-Forwarded-Method, -Proto, -Host, -Uri and -For beside the original headers. Envoy: the
// original method, the original path appended to path_prefix, the original Host, and the headers
// allowed_headers lets through (cookie, the service-token pair).
import { requestAs } from '../../test/support/raw-http.js';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import { userAppToken } from './app-token.js';

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A raw request (fetch cannot set Host), as the proxy would send it. */
const send = (s: TestServer, method: string, path: string, headers: Record<string, string>): Promise<Answer> => requestAs(new URL(s.baseUrl).port, method, path, headers);

describe('forward auth as Traefik and Envoy ask for it', () => {
  let s: TestServer;
  let session = '';
  let clientId = '';
  let clientSecret = '';
  before(async () => {
    s = await startTestServer({ access: {} });
    const A = `/accounts/${s.accountId}/access`;
    const staff = await s.api('POST', `${A}/policies`, { name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] });
    const robots = await s.api('POST', `${A}/policies`, { name: 'Robots', decision: 'non_identity', include: [{ any_valid_service_token: {} }] });
    const app = await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Wiki', domain: 'wiki.test', policies: [{ id: staff.json.result.id, precedence: 1 }, { id: robots.json.result.id, precedence: 2 }] });
    const user = await s.api('POST', `${A}/users`, { email: 'ada@example.com', name: 'Ada' });
    session = await userAppToken({ aud: app.json.result.aud, issuer: s.baseUrl, lifetimeSeconds: 600, userId: user.json.result.id, email: 'ada@example.com' }, await s.accessKeys!.current(s.accountId));
    const token = await s.api('POST', `${A}/service_tokens`, { name: 'CI' });
    clientId = token.json.result.client_id;
    clientSecret = token.json.result.client_secret;
  });
  after(() => s?.close());

  const traefik = (original: { method: string; uri: string; cookie?: string }) =>
    send(s, 'GET', '/cdn-cgi/access/authorize?redirect=1&cookie=1', {
      host: new URL(s.baseUrl).host,
      'x-forwarded-method': original.method,
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'wiki.test',
      'x-forwarded-uri': original.uri,
      'x-forwarded-for': '192.0.2.9',
      'user-agent': 'Mozilla/5.0',
      accept: 'text/html',
      ...(original.cookie !== undefined ? { cookie: original.cookie } : {}),
    });

  it('Traefik forwardAuth: a session passes with the headers authResponseHeaders copies; a browser without one is redirected to sign in and back', async () => {
    const ok = await traefik({ method: 'POST', uri: '/edit?page=Home', cookie: `theme=dark; CF_Authorization=${session}` });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['cf-access-jwt-assertion'], session);
    assert.equal(ok.headers['cf-access-authenticated-user-email'], 'ada@example.com');
    assert.equal(ok.headers.cookie, `theme=dark; CF_Authorization=${session}`, 'the cookies for upstream, which replace the request\'s (none of them CF_Binding here)');
    const anonymous = await traefik({ method: 'GET', uri: '/edit?page=Home' });
    assert.equal(anonymous.status, 302);
    const login = new URL(String(anonymous.headers.location));
    assert.equal(login.pathname, '/cdn-cgi/access/login/wiki.test');
    assert.equal(login.searchParams.get('redirect_url'), 'https://wiki.test/edit?page=Home');
  });

  const envoy = (method: string, path: string, headers: Record<string, string> = {}) =>
    send(s, method, `/cdn-cgi/access/authorize${path}`, { host: 'wiki.test', 'x-forwarded-proto': 'https', 'x-forwarded-for': '192.0.2.9', 'content-length': '0', ...headers });

  it('Envoy ext_authz: the original method and path under path_prefix, the original Host; a session and a service token pass, anonymous gets 401 with where to sign in', async () => {
    for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD']) {
      const ok = await envoy(method, '/api/pages?draft=1', { cookie: `CF_Authorization=${session}` });
      assert.equal(ok.status, 200, method);
      assert.equal(ok.headers['cf-access-jwt-assertion'], session, method);
    }
    const robot = await envoy('POST', '/api/pages', { 'cf-access-client-id': clientId, 'cf-access-client-secret': clientSecret });
    assert.equal(robot.status, 200);
    assert.ok(String(robot.headers['cf-access-jwt-assertion']).split('.').length === 3, 'a service-token application token goes upstream');
    const anonymous = await envoy('GET', '/api/pages?draft=1');
    assert.equal(anonymous.status, 401);
    const login = new URL(String(anonymous.headers['x-access-login']));
    assert.equal(login.searchParams.get('redirect_url'), 'https://wiki.test/api/pages?draft=1', 'the original path, from after the prefix');
    assert.match(anonymous.body, /http-equiv="refresh"/, 'a browser shown the 401 page goes on to sign in');
    const root = await envoy('GET', '/');
    assert.equal(new URL(String(root.headers['x-access-login'])).searchParams.get('redirect_url'), 'https://wiki.test/');
  });
});
