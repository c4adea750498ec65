// CORS preflights behind a real nginx (auth_request) and a real Caddy (forward_auth), configured
// as `portcullis proxy-config` prints, in front of an upstream that records every request it
// gets: with options_preflight_bypass a preflight reaches the upstream with no identity header;
// with cors_headers the client gets the configured headers from the proxy and the upstream never
// sees the preflight; a disallowed origin gets no Access-Control-Allow-Origin; an OPTIONS that is
// no preflight and a request without a session are still sent to sign in, and a denied user is
// still refused.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { requestAs } from '../../test/support/raw-http.js';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { proxyUnavailable, startCaddy, startNginx, type RunningProxy } from '../../test/support/proxies.js';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import { userAppToken } from './app-token.js';

const HOST = 'app.test';

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
}

/** An upstream that answers everything, its own preflight answer included, and records what reached it. */
async function recordingUpstream(): Promise<{ port: number; seen: Seen[]; stop(): Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    if (req.method === 'OPTIONS') res.setHeader('access-control-allow-origin', 'https://answered-by-the-upstream.example');
    res.end('upstream');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { port: address.port, seen, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

for (const proxyName of ['nginx', 'caddy'] as const) {
  const skip = proxyUnavailable(proxyName);
  if (skip !== undefined) console.log(`# skipping CORS behind ${proxyName}: ${skip}`);

  describe(`CORS preflights behind ${proxyName}`, { skip }, () => {
    let s: TestServer;
    let upstream: Awaited<ReturnType<typeof recordingUpstream>>;
    let proxy: RunningProxy;
    let adaCors = '';
    let eveCors = '';
    const PREFLIGHT = { origin: 'https://app.example.com', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-requested-with' };

    /** A request to the proxy with the application's Host (which fetch cannot set). */
    const viaProxy = (method: string, path: string, headers: Record<string, string> = {}) => requestAs(proxy.port, method, path, { host: `${HOST}:${proxy.port}`, ...headers });
    const reached = (path: string) => upstream.seen.filter((r) => r.path === path);
    const corsHeaders = (headers: IncomingHttpHeaders) => Object.keys(headers).filter((name) => name.startsWith('access-control-')).sort();

    before(async () => {
      s = await startTestServer({ access: {} });
      const A = `/accounts/${s.accountId}/access`;
      const staff = await s.api('POST', `${A}/policies`, { name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] });
      const policies = [{ id: staff.json.result.id, precedence: 1 }];
      const apps = await Promise.all([
        s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Site', domain: HOST, policies }),
        s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Bypassed API', domain: `${HOST}/bypass`, options_preflight_bypass: true, policies }),
        s.api('POST', `${A}/apps`, {
          type: 'self_hosted',
          name: 'Answered API',
          domain: `${HOST}/cors`,
          cors_headers: { allowed_origins: ['https://app.example.com'], allowed_methods: ['GET', 'PUT'], allowed_headers: ['X-Requested-With'], allow_credentials: true, max_age: 600 },
          policies,
        }),
      ]);
      for (const app of apps) assert.equal(app.status, 201, JSON.stringify(app.json));
      const key = await s.accessKeys!.current(s.accountId);
      const aud = apps[2]!.json.result.aud;
      const ada = await s.api('POST', `${A}/users`, { email: 'ada@example.com', name: 'Ada' });
      const eve = await s.api('POST', `${A}/users`, { email: 'eve@elsewhere.org', name: 'Eve' });
      adaCors = await userAppToken({ aud, issuer: s.baseUrl, lifetimeSeconds: 600, userId: ada.json.result.id, email: 'ada@example.com' }, key);
      eveCors = await userAppToken({ aud, issuer: s.baseUrl, lifetimeSeconds: 600, userId: eve.json.result.id, email: 'eve@elsewhere.org' }, key);
      upstream = await recordingUpstream();
      const target = { portcullis: new URL(s.baseUrl).host, upstream: `127.0.0.1:${upstream.port}` };
      proxy = proxyName === 'nginx' ? await startNginx(target) : await startCaddy(HOST, target);
    });

    after(async () => {
      await proxy?.stop();
      await upstream?.stop();
      await s?.close();
    });

    it('sends a preflight to the upstream with options_preflight_bypass, with no identity header, whatever the client sent', async () => {
      const res = await viaProxy('OPTIONS', '/bypass/items', { ...PREFLIGHT, 'cf-access-jwt-assertion': 'forged', 'cf-access-authenticated-user-email': 'forged@example.com' });
      assert.equal(res.status, 200);
      assert.equal(res.headers['access-control-allow-origin'], 'https://answered-by-the-upstream.example', 'the upstream answered it');
      const [seen] = reached('/bypass/items');
      assert.equal(seen?.method, 'OPTIONS');
      assert.equal(seen.headers['access-control-request-method'], 'PUT');
      for (const header of ['cf-access-jwt-assertion', 'cf-access-authenticated-user-email']) {
        assert.ok(seen.headers[header] === undefined || seen.headers[header] === '', `${header}: ${JSON.stringify(seen.headers[header])}`);
      }
    });

    it('answers a preflight itself with cors_headers: the configured headers, a 204, and nothing reaches the upstream', async () => {
      const res = await viaProxy('OPTIONS', '/cors/items', PREFLIGHT);
      assert.equal(res.status, 204);
      assert.equal(res.headers['access-control-allow-origin'], 'https://app.example.com');
      assert.equal(res.headers['access-control-allow-credentials'], 'true');
      assert.equal(res.headers['access-control-allow-methods'], 'GET, PUT');
      assert.equal(res.headers['access-control-allow-headers'], 'X-Requested-With');
      assert.equal(res.headers['access-control-max-age'], '600');
      assert.equal(res.headers.vary, 'Origin');
      assert.equal(res.headers['x-access-preflight'], undefined, 'the marker stays between portcullis and the proxy');
      assert.equal(res.body, '');
      assert.deepEqual(reached('/cors/items'), []);
    });

    it('gives a preflight from an origin that is not allowed no Access-Control-* header, and does not send it upstream either', async () => {
      const res = await viaProxy('OPTIONS', '/cors/other', { ...PREFLIGHT, origin: 'https://evil.example' });
      assert.equal(res.status, 204);
      assert.deepEqual(corsHeaders(res.headers), []);
      assert.deepEqual(reached('/cors/other'), []);
    });

    it('still sends an OPTIONS that is no preflight, a preflight on an application without CORS settings and any request without a session to sign in', async () => {
      for (const [method, path, headers] of [
        ['OPTIONS', '/cors/plain-options', { origin: 'https://app.example.com' }],
        ['OPTIONS', '/bypass/plain-options', {}],
        ['OPTIONS', '/site-preflight', PREFLIGHT],
        ['GET', '/cors/get', { origin: 'https://app.example.com' }],
        ['GET', '/bypass/get', {}],
      ] as const) {
        const res = await viaProxy(method, path, headers);
        assert.equal(res.status, 302, `${method} ${path}`);
        assert.match(String(res.headers.location), /\/cdn-cgi\/access\/login\/app\.test/, `${method} ${path}`);
        assert.deepEqual(corsHeaders(res.headers), [], `${method} ${path}`);
        assert.deepEqual(reached(path), [], `${method} ${path}`);
      }
    });

    it('lets a signed-in cross-origin request through with its token, and still refuses a user the policies deny', async () => {
      const ok = await viaProxy('PUT', '/cors/items/1', { origin: 'https://app.example.com', cookie: `CF_Authorization=${adaCors}` });
      assert.equal(ok.status, 200);
      assert.equal(reached('/cors/items/1')[0]?.headers['cf-access-jwt-assertion'], adaCors);
      const denied = await viaProxy('GET', '/cors/denied', { origin: 'https://app.example.com', cookie: `CF_Authorization=${eveCors}` });
      assert.equal(denied.status, 403);
      assert.deepEqual(corsHeaders(denied.headers), []);
      assert.deepEqual(reached('/cors/denied'), []);
    });
  });
}
