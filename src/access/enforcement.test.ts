// The enforcement point end to end, behind a real nginx (auth_request) and a real Caddy
// (forward_auth), in front of an upstream that verifies Cf-Access-Jwt-Assertion with jose's
// remote JWK set as Cloudflare tells application owners to: Chromium signs in through the
// development login and sees its email; a denied user is refused; a service token passes with
// its two headers or in the one header its application names (read_service_tokens_from_header);
// a bypass path passes with no session; a policy change denies the next
// request; a key rotation keeps earlier tokens valid; logout ends the session; a SAML sign-in's
// header_attributes reach the upstream through the generated configuration, and a client's
// forgery of those headers never does.
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type BrowserContext } from 'playwright-core';
import { tempDir } from '../../test/support/databases.js';
import { proxyUnavailable, startCaddy, startNginx, type RunningProxy } from '../../test/support/proxies.js';
import { startUpstream, type Upstream } from '../../test/support/protected-upstream.js';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import { parseAutoPostForm, startSamlIdp, type SamlIdp } from '../../test/support/saml-idp.js';
import { signInCookie } from '../../test/support/cookie-jar.js';
import { samlHeaderNamesOf } from '../schema/saml-headers.js';
import { NGINX_BINDING_STRIPS } from './proxy-config.js';
import { browserUnavailable, CHROMIUM_PATH } from '../../test/web-e2e/browser.js';

const HOST = 'app.test';

for (const proxyName of ['nginx', 'caddy'] as const) {
  const skip = proxyUnavailable(proxyName) ?? browserUnavailable();
  if (skip !== undefined) console.log(`# skipping enforcement behind ${proxyName}: ${skip}`);

  describe(`enforcement behind ${proxyName}`, { skip }, () => {
    let s: TestServer;
    let upstream: Upstream;
    let proxy: RunningProxy;
    let context: BrowserContext;
    let profile: { path: string; remove(): void };
    let aud = '';
    let staffPolicy = '';
    let robotsPolicy = '';
    let appId = '';
    let clientId = '';
    let clientSecret = '';
    let samlIdp: SamlIdp;
    let samlIdpId = '';
    const A = () => `/accounts/${s.accountId}/access`;
    const origin = () => `http://${HOST}:${proxy.port}`;
    /** A request to the proxy by its address, with the application's Host (which fetch cannot set). */
    const viaProxy = (path: string, headers: Record<string, string | string[]> = {}) =>
      new Promise<{ status: number; location: string | undefined; setCookie: string[]; text: () => Promise<string> }>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port: proxy.port, path, headers: { host: `${HOST}:${proxy.port}`, ...headers } }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, setCookie: res.headers['set-cookie'] ?? [], text: async () => body }));
        });
        req.on('error', reject);
        req.end();
      });

    before(async () => {
      s = await startTestServer({ access: { devLogin: true } });
      const staff = await s.api('POST', `${A()}/policies`, { name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] });
      staffPolicy = staff.json.result.id;
      const robots = await s.api('POST', `${A()}/policies`, { name: 'Robots', decision: 'non_identity', include: [{ any_valid_service_token: {} }] });
      const everyone = await s.api('POST', `${A()}/policies`, { name: 'Anyone', decision: 'bypass', include: [{ everyone: {} }] });
      const app = await s.api('POST', `${A()}/apps`, { type: 'self_hosted', name: 'Wiki', domain: HOST, policies: [{ id: staffPolicy, precedence: 1 }, { id: robots.json.result.id, precedence: 2 }] });
      assert.equal(app.status, 201, JSON.stringify(app.json));
      aud = app.json.result.aud;
      appId = app.json.result.id;
      robotsPolicy = robots.json.result.id;
      const open = await s.api('POST', `${A()}/apps`, { type: 'self_hosted', name: 'Wiki public pages', domain: `${HOST}/public`, policies: [{ id: everyone.json.result.id, precedence: 1 }] });
      assert.equal(open.status, 201, JSON.stringify(open.json));
      const token = await s.api('POST', `${A()}/service_tokens`, { name: 'CI' });
      clientId = token.json.result.client_id;
      clientSecret = token.json.result.client_secret;

      samlIdp = await startSamlIdp();
      const saml = await s.api('POST', `${A()}/identity_providers`, {
        name: 'Corporate SAML',
        type: 'saml',
        config: { sso_target_url: samlIdp.ssoUrl, idp_public_certs: [samlIdp.cert], email_attribute_name: 'mail', header_attributes: [{ attribute_name: 'department', header_name: 'X-Department' }] },
      });
      assert.equal(saml.status, 201, JSON.stringify(saml.json));
      samlIdpId = saml.json.result.id;

      upstream = await startUpstream(s.baseUrl, () => aud);
      // As `portcullis proxy-config` makes it: with the headers the account's SAML providers pass.
      const headers = samlHeaderNamesOf((await s.api('GET', `${A()}/identity_providers`)).json.result);
      assert.deepEqual(headers, ['X-Department']);
      const target = { portcullis: new URL(s.baseUrl).host, upstream: `127.0.0.1:${upstream.port}`, headers };
      proxy = proxyName === 'nginx' ? await startNginx(target) : await startCaddy(HOST, target);
      profile = tempDir('portcullis-chromium-');
      context = await chromium.launchPersistentContext(profile.path, {
        executablePath: CHROMIUM_PATH,
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-quic', `--host-resolver-rules=MAP ${HOST} 127.0.0.1`],
      });
    });

    after(async () => {
      await context?.close();
      profile?.remove();
      await proxy?.stop();
      await upstream?.stop();
      await samlIdp?.stop();
      await s?.close();
    });

    it('sends a browser without a session to sign in, and back to the page it asked for, where the upstream reads its email from the verified token', async () => {
      const first = await viaProxy('/docs?page=1');
      assert.equal(first.status, 302);
      const login = new URL(first.location!);
      assert.equal(login.origin, s.baseUrl, 'the sign-in page is on the auth domain');
      assert.equal(login.searchParams.get('redirect_url'), `${origin()}/docs?page=1`);
      // The proxy passes on the nonce the sign-in's way back must find in this browser (CF_AppSession).
      assert.ok(first.setCookie.some((line) => /^CF_AppSession=[A-Za-z0-9_-]{43};/.test(line)), `the nonce cookie is set: ${JSON.stringify(first.setCookie)}`);
      assert.match(login.searchParams.get('app_session') ?? '', /^[A-Za-z0-9_-]{43}$/);

      const page = await context.newPage();
      await page.goto(`${origin()}/docs?page=1`);
      await page.fill('#email', 'ada@example.com');
      await page.click('button[type=submit]');
      await page.waitForSelector('#hello');
      assert.equal(await page.textContent('#hello'), 'hello ada@example.com');
      assert.equal(new URL(page.url()).pathname + new URL(page.url()).search, '/docs?page=1', 'back where it started');
      const cookies = await context.cookies(origin());
      const session = cookies.find((c) => c.name === 'CF_Authorization');
      assert.ok(session?.httpOnly, 'the session cookie is HttpOnly');
      assert.equal(session?.sameSite, 'Lax');
      const user = (await s.api('GET', `${A()}/users?email=ada@example.com`)).json.result[0];
      assert.equal(user.email, 'ada@example.com', 'the login created the user');
      const seen = await s.api('GET', `${A()}/users/${user.id}/last_seen_identity`);
      assert.equal(seen.json.result.email, 'ada@example.com', 'and recorded the identity the policies evaluate');
      await page.close();
      // nginx logs every request by default: the page is there, the token's hand-over is not.
      const log = proxy.accessLog();
      if (proxyName === 'nginx') {
        assert.match(log!, /"GET \/docs\?page=1 HTTP/, 'the access log is kept');
        assert.doesNotMatch(log!, /\/cdn-cgi\/access\/authorized|token=/, 'without the application token');
      } else assert.equal(log, undefined);
    });

    it("enters again on the global session once the application's own session is gone, without the sign-in form", async () => {
      const global = (await context.cookies(`${s.baseUrl}/cdn-cgi/access/login/`)).find((c) => c.name === 'CF_Authorization' && c.path === '/cdn-cgi/access');
      assert.ok(global?.httpOnly, 'the sign-in left an HttpOnly global session on the auth domain');
      await context.clearCookies({ domain: HOST });
      const page = await context.newPage();
      const seen: string[] = [];
      page.on('request', (request) => {
        if (request.isNavigationRequest()) seen.push(new URL(request.url()).pathname);
      });
      await page.goto(`${origin()}/again`);
      await page.waitForSelector('#hello');
      assert.equal(await page.textContent('#hello'), 'hello ada@example.com');
      assert.ok(seen.some((path) => path.startsWith('/cdn-cgi/access/login/')), 'it went by the login page');
      assert.equal(await page.$('#email'), null, 'and was not asked to sign in');
      await page.close();
    });

    it('asks a signed-in user for a purpose justification once the policy asks for one, then lets them in', async () => {
      const staff = { name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] };
      assert.equal((await s.api('PUT', `${A()}/policies/${staffPolicy}`, { ...staff, purpose_justification_required: true, purpose_justification_prompt: 'Which ticket?' })).status, 200);
      try {
        const page = await context.newPage();
        // Ada's session is from a sign-in that wrote none: through the sign-in again, which asks.
        await page.goto(`${origin()}/books`);
        await page.waitForSelector('#justification');
        assert.equal(await page.textContent('#prompt'), 'Which ticket?');
        assert.equal(new URL(page.url()).origin, s.baseUrl, 'asked on the auth domain');
        assert.equal(await page.$('#email'), null, 'the global session signed her in');
        await page.fill('#justification', 'INC-7: restoring the books');
        await page.click('button[type=submit]');
        await page.waitForSelector('#hello');
        assert.equal(await page.textContent('#hello'), 'hello ada@example.com');
        assert.equal(new URL(page.url()).pathname, '/books', 'back where it started');
        const log = await s.api('GET', `${A()}/logs/access_requests?email=ada@example.com&email_exact=true&per_page=1`);
        assert.equal(log.json.result[0].purpose_justification_response, 'INC-7: restoring the books');
        await page.close();
      } finally {
        assert.equal((await s.api('PUT', `${A()}/policies/${staffPolicy}`, staff)).status, 200);
      }
    });

    it("waits for an approver's consent under temporary authentication, then goes on to the application", async () => {
      const staff = { name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] };
      assert.equal((await s.api('PUT', `${A()}/policies/${staffPolicy}`, { ...staff, approval_required: true, approval_groups: [{ approvals_needed: 1, email_addresses: ['boss@example.com'] }] })).status, 200);
      try {
        const page = await context.newPage();
        await page.goto(`${origin()}/vault`);
        await page.fill('#justification', 'INC-8: the vault audit');
        await page.click('button[type=submit]');
        const link = await page.locator('#approval-link').inputValue();
        assert.equal(await page.$('#hello'), null, 'waiting, not in');

        // The approver, in a browser of their own: signs in on the auth domain and approves.
        const boss = await chromium.launchPersistentContext(tempDir('portcullis-chromium-').path, { executablePath: CHROMIUM_PATH, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
        try {
          const approving = await boss.newPage();
          await approving.goto(link);
          await approving.fill('#email', 'boss@example.com');
          await approving.click('button[type=submit]');
          assert.equal(await approving.textContent('#justification'), 'INC-8: the vault audit');
          await approving.selectOption('#duration', { label: '1 hour' });
          await approving.click('button[value=approve]');
          await approving.waitForSelector('text=You approved ada@example.com');
        } finally {
          await boss.close();
        }

        // The waiting page looks again by itself (every 10 seconds) and goes on.
        await page.waitForSelector('#hello', { timeout: 20_000 });
        assert.equal(await page.textContent('#hello'), 'hello ada@example.com');
        assert.equal(new URL(page.url()).pathname, '/vault', 'back where it started');
        await page.close();
      } finally {
        assert.equal((await s.api('PUT', `${A()}/policies/${staffPolicy}`, staff)).status, 200);
      }
    });

    it('refuses at the sign-in a user the policies do not allow, and at the proxy one they no longer allow', async () => {
      const other = await chromium.launchPersistentContext(tempDir('portcullis-chromium-').path, {
        executablePath: CHROMIUM_PATH,
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', `--host-resolver-rules=MAP ${HOST} 127.0.0.1`],
      });
      const staff = { name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] };
      try {
        const page = await other.newPage();
        await page.goto(`${origin()}/`);
        await page.fill('#email', 'eve@elsewhere.org');
        const [answer] = await Promise.all([page.waitForResponse((r) => r.url().includes('/cdn-cgi/access/forbidden/')), page.click('button[type=submit]')]);
        assert.equal(answer.status(), 403);
        assert.equal(new URL(answer.url()).origin, s.baseUrl, 'refused on the auth domain, as at Cloudflare');
        assert.match(await answer.text(), /You don&#39;t have permission to view this application\./, "with the application's deny message");
        assert.equal((await other.cookies(origin())).some((c) => c.name === 'CF_Authorization'), false, 'no session on the application host');
        assert.equal(upstream.seen.some((r) => r.email === 'eve@elsewhere.org'), false, 'nothing of hers reached the upstream');

        // Let in while the policy names her, then no longer: the proxy refuses her session.
        assert.equal((await s.api('PUT', `${A()}/policies/${staffPolicy}`, { ...staff, include: [...staff.include, { email: { email: 'eve@elsewhere.org' } }] })).status, 200);
        await page.goto(`${origin()}/`);
        await page.waitForSelector('#hello');
        assert.equal((await s.api('PUT', `${A()}/policies/${staffPolicy}`, staff)).status, 200);
        const refused = await page.goto(`${origin()}/`);
        assert.equal(refused?.status(), 403);
        assert.equal(new URL(page.url()).origin, origin(), "refused on the application's host");
        assert.match(await refused!.text(), /You don&#39;t have permission to view this application\./, "portcullis's page, with the application's deny message");

        // With a custom_deny_url the proxy sends her there instead.
        const cookie = (await other.cookies(origin())).map((c) => `${c.name}=${c.value}`).join('; ');
        const wiki = (await s.api('GET', `${A()}/apps`)).json.result.find((a: { name: string }) => a.name === 'Wiki');
        const withDenyUrl = { type: 'self_hosted', name: 'Wiki', domain: HOST, policies: wiki.policies.map((p: { id: string; precedence: number }) => ({ id: p.id, precedence: p.precedence })) };
        assert.equal((await s.api('PUT', `${A()}/apps/${wiki.id}`, { ...withDenyUrl, custom_deny_url: 'https://help.example.org/no-access' })).status, 200);
        try {
          const sent = await viaProxy('/', { cookie });
          assert.equal(sent.status, 302);
          assert.equal(sent.location, 'https://help.example.org/no-access');
        } finally {
          assert.equal((await s.api('PUT', `${A()}/apps/${wiki.id}`, withDenyUrl)).status, 200);
        }
      } finally {
        assert.equal((await s.api('PUT', `${A()}/policies/${staffPolicy}`, staff)).status, 200);
        await other.close();
      }
    });

    it('lets a service token in with its two headers (Service Auth), and nothing with a wrong secret', async () => {
      const ok = await viaProxy('/api/data', { 'cf-access-client-id': clientId, 'cf-access-client-secret': clientSecret });
      assert.equal(ok.status, 200);
      assert.match(await ok.text(), new RegExp(`hello ${clientId.replace('.', '\\.')}`));
      const wrong = await viaProxy('/api/data', { 'cf-access-client-id': clientId, 'cf-access-client-secret': 'x'.repeat(64) });
      assert.notEqual(wrong.status, 200);
    });

    it("gives the upstream the request's own Host and scheme, as an origin behind Cloudflare gets them", async () => {
      const ok = await viaProxy('/api/whoami', { 'cf-access-client-id': clientId, 'cf-access-client-secret': clientSecret });
      assert.equal(ok.status, 200);
      const seen = upstream.seen.filter((r) => r.path === '/api/whoami').at(-1);
      assert.ok(seen, 'the upstream saw the request');
      // An application that builds links or picks a virtual host reads Host; the proxy's own
      // address for its upstream would send its users to 127.0.0.1.
      assert.equal(seen.headers.host, `${HOST}:${proxy.port}`);
      assert.equal(seen.headers['x-forwarded-proto'], 'http');
    });

    it("lets a service token in through the one header the application's read_service_tokens_from_header names, which the proxy passes on", async () => {
      const wiki = { type: 'self_hosted', name: 'Wiki', domain: HOST, policies: [{ id: staffPolicy, precedence: 1 }, { id: robotsPolicy, precedence: 2 }] };
      const set = await s.api('PUT', `${A()}/apps/${appId}`, { ...wiki, read_service_tokens_from_header: 'Authorization' });
      assert.equal(set.status, 200, JSON.stringify(set.json));
      try {
        const credentials = (secret: string) => JSON.stringify({ 'cf-access-client-id': clientId, 'cf-access-client-secret': secret });
        const ok = await viaProxy('/api/data', { authorization: credentials(clientSecret) });
        assert.equal(ok.status, 200);
        assert.match(await ok.text(), new RegExp(`hello ${clientId.replace('.', '\\.')}`));
        assert.notEqual((await viaProxy('/api/data', { authorization: credentials('x'.repeat(64)) })).status, 200, 'a wrong secret lets nothing in');
      } finally {
        assert.equal((await s.api('PUT', `${A()}/apps/${appId}`, wiki)).status, 200);
      }
      assert.notEqual((await viaProxy('/api/data', { authorization: JSON.stringify({ 'cf-access-client-id': clientId, 'cf-access-client-secret': clientSecret }) })).status, 200, 'without the setting the header carries nothing');
    });

    it("passes an AJAX request's 401 to the browser instead of a redirect to sign in", async () => {
      const res = await viaProxy('/api/items', { 'x-requested-with': 'XMLHttpRequest' });
      assert.equal(res.status, 401);
      assert.equal(res.location, undefined);
      assert.equal(upstream.seen.some((r) => r.path === '/api/items'), false, 'the upstream saw nothing');
    });

    it('lets a bypass path through with no session', async () => {
      const res = await viaProxy('/public/about');
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'public page');
    });

    it("decides on the whole path the proxy forwards: a comma or a raw '#' does not hand the wiki to the bypass path", async () => {
      // The upstream may resolve "/public,/../notes" to "/notes": it is decided as the wiki's.
      for (const path of ['/public,/../notes', '/public,/x/../../notes']) {
        const res = await viaProxy(path, { 'x-requested-with': 'XMLHttpRequest' });
        assert.equal(res.status, 401, `${path}: ${await res.text()}`);
        assert.equal(upstream.seen.some((r) => r.path === path), false, `the upstream never saw ${path}`);
      }
      // A raw '#' is refused by portcullis (400, which nginx's auth_request turns into a 500); Caddy
      // forwards a path without it that is the wiki's. Never let through as a public page.
      const hash = await viaProxy('/public#/../notes');
      assert.notEqual(hash.status, 200, "a raw '#'");
      assert.doesNotMatch(await hash.text(), /public page/);
      // A path under the bypass path as written, which an application reading its encoded
      // slashes as slashes takes for a page of the wiki: refused by portcullis, never let through.
      for (const path of ['/public/..%2Fnotes', '/public/..%2f..%2fnotes']) {
        const res = await viaProxy(path, { 'x-requested-with': 'XMLHttpRequest' });
        assert.notEqual(res.status, 200, path);
        assert.doesNotMatch(await res.text(), /public page/);
        assert.equal(upstream.seen.some((r) => r.path === path), false, `the upstream never saw ${path}`);
      }
      // A comma is an ordinary character: a public page with one in its path still opens.
      assert.equal((await viaProxy('/public/a,b')).status, 200);
    });

    it('applies a policy change on the next request, keeps tokens of a rotated key valid, and ends the session at logout', async () => {
      const page = await context.newPage();
      await page.goto(`${origin()}/`);
      assert.equal(await page.textContent('#hello'), 'hello ada@example.com', 'still signed in');

      await s.accessKeys!.rotate(s.accountId);
      await page.goto(`${origin()}/after-rotation`);
      assert.equal(await page.textContent('#hello'), 'hello ada@example.com', 'a token of the previous key is still accepted');
      const certs = await (await fetch(`${s.baseUrl}/cdn-cgi/access/certs`)).json();
      assert.equal(certs.keys.length, 2, 'both keys are published');

      const changed = await s.api('PUT', `${A()}/policies/${staffPolicy}`, { name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }], exclude: [{ email: { email: 'ada@example.com' } }] });
      assert.equal(changed.status, 200);
      const refused = await page.goto(`${origin()}/`);
      assert.equal(refused?.status(), 403, 'the next request after the change is refused');
      await s.api('PUT', `${A()}/policies/${staffPolicy}`, { name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] });

      await page.goto(`${origin()}/cdn-cgi/access/logout`);
      await page.goto(`${origin()}/`);
      assert.equal(new URL(page.url()).origin, s.baseUrl, 'signed out: sent to sign in again');
      await page.close();
    });

    it("passes a SAML sign-in's header attribute upstream from portcullis's answer, and never a value the client sent", async () => {
      // Sign in through the SAML provider, from the sign-in link the proxy sends a browser to.
      const asked = await viaProxy('/reports');
      assert.equal(asked.status, 302);
      const login = new URL(asked.location!);
      login.pathname += `/idp/${samlIdpId}`;
      samlIdp.signInAs({ nameId: 'grace@example.com', attributes: { mail: 'grace@example.com', department: 'Research' } });
      const toIdp = await fetch(login, { redirect: 'manual' });
      assert.equal(toIdp.status, 302, await toIdp.text());
      const form = parseAutoPostForm(await (await fetch(toIdp.headers.get('location')!)).text());
      const answered = await fetch(form.action, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: signInCookie(toIdp) }, body: new URLSearchParams(form.fields).toString() });
      assert.equal(answered.status, 302, await answered.text());
      const token = new URL(answered.headers.get('location')!).searchParams.get('token')!;

      const signedIn = await viaProxy('/reports', { cookie: `CF_Authorization=${token}`, 'x-department': 'Forged by the client' });
      assert.equal(signedIn.status, 200, await signedIn.text());
      const seen = upstream.seen.at(-1)!;
      assert.deepEqual([seen.path, seen.email, seen.headers['x-department']], ['/reports', 'grace@example.com', 'Research']);

      // A session that has no value for it (a service token here): the client's value does not pass either.
      const robot = await viaProxy('/api/more', { 'cf-access-client-id': clientId, 'cf-access-client-secret': clientSecret, 'x-department': 'Forged by the client' });
      assert.equal(robot.status, 200);
      const robotSeen = upstream.seen.at(-1)!;
      assert.equal(robotSeen.path, '/api/more');
      assert.ok(robotSeen.headers['x-department'] === undefined || robotSeen.headers['x-department'] === '', `the upstream got ${JSON.stringify(robotSeen.headers['x-department'])}`);
    });

    it('binds a session to the browser that signed in (enable_binding_cookie), and the upstream never sees the binding cookie', async () => {
      const vault = await s.api('POST', `${A()}/apps`, { type: 'self_hosted', name: 'Wiki vault', domain: `${HOST}/vault`, enable_binding_cookie: true, policies: [{ id: staffPolicy, precedence: 1 }] });
      assert.equal(vault.status, 201, JSON.stringify(vault.json));
      // The upstream checks tokens for this application now.
      const wikiAud = aud;
      aud = vault.json.result.aud;
      try {
        const page = await context.newPage();
        await page.goto(`${origin()}/vault/keys`);
        await page.fill('#email', 'ada@example.com');
        await page.click('button[type=submit]');
        await page.waitForSelector('#hello');
        assert.equal(await page.textContent('#hello'), 'hello ada@example.com');
        await page.close();
        const cookies = await context.cookies(origin());
        const binding = cookies.find((c) => c.name === 'CF_Binding');
        const token = cookies.find((c) => c.name === 'CF_Authorization')?.value;
        assert.ok(binding?.httpOnly && token !== undefined, 'the browser keeps an HttpOnly CF_Binding beside its session');
        const seen = upstream.seen.at(-1)!;
        assert.equal(seen.path, '/vault/keys');
        assert.match(String(seen.headers.cookie), /CF_Authorization=/);
        assert.doesNotMatch(String(seen.headers.cookie), /CF_Binding/, 'the upstream did not get the binding cookie');

        assert.equal((await viaProxy('/vault/keys', { cookie: `CF_Authorization=${token}` })).status, 302, 'the token alone is sent to sign in');
        // The binding cookie among others, then first: the upstream gets every other cookie as sent.
        const among = await viaProxy('/vault/keys', { cookie: `theme=dark; CF_Binding=${binding.value}; CF_Authorization=${token}; lang=en` });
        assert.equal(among.status, 200, await among.text());
        assert.equal(upstream.seen.at(-1)!.headers.cookie, `theme=dark; CF_Authorization=${token}; lang=en`);
        const leading = await viaProxy('/vault/keys', { cookie: `CF_Binding=${binding.value}; CF_Authorization=${token}` });
        assert.equal(leading.status, 200);
        assert.equal(upstream.seen.at(-1)!.headers.cookie, `CF_Authorization=${token}`);

        // A browser holds one pair per path when the session is set on nested paths, so a request
        // under the deeper one carries several CF_Binding cookies: every one of them stays out.
        const otherPath = 'B'.repeat(43);
        const upstreamCookie = () => String(upstream.seen.at(-1)!.headers.cookie).replace(token, '<token>');
        const two = await viaProxy('/vault/keys', { cookie: `theme=dark; CF_Binding=${binding.value}; CF_Authorization=${token}; CF_Binding=${otherPath}; lang=en` });
        assert.equal(two.status, 200, await two.text());
        assert.equal(upstreamCookie(), 'theme=dark; CF_Authorization=<token>; lang=en');
        const three = await viaProxy('/vault/keys', { cookie: `CF_Binding=${binding.value}; CF_Binding=${otherPath}; CF_Authorization=${token}; CF_Binding=${otherPath}` });
        assert.equal(three.status, 200, await three.text());
        assert.equal(upstreamCookie(), 'CF_Authorization=<token>');
        // A client may split its cookies over several Cookie lines.
        const lines = await viaProxy('/vault/keys', { cookie: [`CF_Binding=${binding.value}; theme=dark`, `CF_Authorization=${token}; CF_Binding=${otherPath}`] });
        assert.equal(lines.status, 200, await lines.text());
        assert.equal(upstreamCookie(), 'theme=dark; CF_Authorization=<token>', 'as the upstream joins its lines');
        // The token in a header and the binding cookies alone (on one line or two): the upstream
        // gets no Cookie header at all, not an empty one.
        for (const cookie of [`CF_Binding=${binding.value}`, `CF_Binding=${binding.value}; CF_Binding=${otherPath};`, [`CF_Binding=${binding.value}`, `CF_Binding=${otherPath}`]]) {
          const bindingsOnly = await viaProxy('/vault/keys', { 'cf-access-token': token, cookie });
          assert.equal(bindingsOnly.status, 200, await bindingsOnly.text());
          assert.equal(upstream.seen.at(-1)!.headers.cookie, undefined, `no Cookie header for ${JSON.stringify(cookie)}`);
        }
        // A binding on one line and another cookie on the next: that cookie still goes through.
        const bindingLineFirst = await viaProxy('/vault/keys', { 'cf-access-token': token, cookie: [`CF_Binding=${binding.value}`, 'theme=dark'] });
        assert.equal(bindingLineFirst.status, 200, await bindingLineFirst.text());
        assert.equal(upstream.seen.at(-1)!.headers.cookie, 'theme=dark');
        // More than nginx takes out one by one: nginx refuses the request, Caddy takes them all.
        const many = [`CF_Binding=${binding.value}`, `CF_Authorization=${token}`, ...Array.from({ length: NGINX_BINDING_STRIPS }, (_, i) => `CF_Binding=${otherPath}; n${i}=1`)].join('; ');
        const seenBefore = upstream.seen.length;
        const manyAnswer = await viaProxy('/vault/keys', { cookie: many });
        if (proxyName === 'nginx') {
          assert.equal(manyAnswer.status, 400, await manyAnswer.text());
          assert.equal(upstream.seen.length, seenBefore, 'the upstream never saw it');
          const signOut = await viaProxy('/cdn-cgi/access/logout', { cookie: many });
          assert.ok(signOut.setCookie.some((line) => /^CF_Binding=; .*Max-Age=0/.test(line)), `such a browser can still sign out, which clears them: ${signOut.status} ${JSON.stringify(signOut.setCookie)}`);
        } else {
          assert.equal(manyAnswer.status, 200, await manyAnswer.text());
          assert.equal(upstreamCookie(), `CF_Authorization=<token>; ${Array.from({ length: NGINX_BINDING_STRIPS }, (_, i) => `n${i}=1`).join('; ')}`);
        }
      } finally {
        aud = wikiAud;
        await s.api('DELETE', `${A()}/apps/${vault.json.result.id}`);
      }
    });
  });
}
