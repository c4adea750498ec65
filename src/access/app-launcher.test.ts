// The App Launcher on the auth domain: off until an app_launcher application exists; its policies
// say who may use it; a signed-in user sees a tile for each visible application whose policies let
// them in now (and every visible bookmark); its session opens nothing else; the page escapes what
// administrators typed and uses only plain colours and web links.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import { CookieJar } from '../../test/support/cookie-jar.js';
import { LAUNCHER_PATH, tileLink } from './app-launcher.js';
import type { ResourceRecord } from '../store/store.js';

/** The tiles' names and links on a launcher page, in order. */
const tilesOf = (html: string): { name: string; href: string }[] => [...html.matchAll(/<a class="tile" href="([^"]*)">(?:<img[^>]*>)?<span>([^<]*)<\/span><\/a>/g)].map((m) => ({ href: m[1]!, name: m[2]! }));

describe('App Launcher', () => {
  let s: TestServer;
  let A: string;
  let launcherUrl: string;
  let staffId: string;
  let payrollId: string;

  /** Sign in with the development login from the launcher, as a browser would; the jar keeps the launcher's cookie. */
  /** From the landing page's button through the development login's form: the form's answer. */
  const postSignIn = async (email: string): Promise<{ jar: CookieJar; posted: Response }> => {
    const jar = new CookieJar();
    const first = await jar.fetch(launcherUrl);
    assert.equal(first.status, 200, 'nobody signed in gets the landing page');
    const signInLink = /<a id="sign-in"[^>]* href="([^"]+)"/.exec(await first.text())?.[1]?.replaceAll('&amp;', '&');
    assert.ok(signInLink !== undefined, 'with a button that starts the sign-in');
    const start = new URL(signInLink);
    assert.equal(start.origin, s.baseUrl);
    assert.equal(start.searchParams.get('redirect_url'), launcherUrl);
    // The sign-in starts on the auth domain itself, which gives the browser its CF_AppSession nonce.
    const begun = await jar.fetch(start.toString());
    assert.equal(begun.status, 302);
    const login = new URL(begun.headers.get('location')!);
    assert.equal(`${login.origin}${login.pathname}`, `${s.baseUrl}/cdn-cgi/access/login/${encodeURIComponent(new URL(s.baseUrl).host)}`);
    const form = await jar.fetch(login.toString());
    assert.equal(form.status, 200);
    const html = await form.text();
    assert.match(html, /Sign in to App Launcher/);
    const appSession = /name="app_session" value="([^"]+)"/.exec(html)?.[1];
    assert.equal(appSession, login.searchParams.get('app_session'), 'the development login form carries the nonce digests');
    const posted = await jar.fetch(login.toString(), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ email, redirect_url: launcherUrl, app_session: appSession! }).toString() });
    assert.equal(posted.status, 302);
    return { jar, posted };
  };
  const signIn = async (email: string): Promise<{ jar: CookieJar; page: Response; setCookies: string[] }> => {
    const { jar, posted } = await postSignIn(email);
    const authorized = await jar.fetch(new URL(posted.headers.get('location')!, s.baseUrl).toString());
    assert.equal(authorized.status, 302);
    assert.equal(authorized.headers.get('location'), launcherUrl);
    return { jar, page: await jar.fetch(launcherUrl), setCookies: authorized.headers.getSetCookie() };
  };

  before(async () => {
    s = await startTestServer({ access: { devLogin: true } });
    A = `/accounts/${s.accountId}/access`;
    launcherUrl = `${s.baseUrl}${LAUNCHER_PATH}`;
    const staff = await s.api('POST', `${A}/policies`, { name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] });
    const finance = await s.api('POST', `${A}/policies`, { name: 'Finance', decision: 'allow', include: [{ email: { email: 'grace@example.com' } }] });
    staffId = staff.json.result.id;
    const link = (id: string) => [{ id, precedence: 1 }];
    await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Wiki', domain: 'wiki.test/docs', logo_url: 'https://cdn.test/wiki.png', policies: link(staffId) });
    const payroll = await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Payroll', domain: 'payroll.test', logo_url: 'http://cdn.test/plain.png', policies: link(finance.json.result.id) });
    payrollId = payroll.json.result.id;
    await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Hidden', domain: 'hidden.test', app_launcher_visible: false, policies: link(staffId) });
    await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Every shop', domain: '*.shops.test', policies: link(staffId) });
    await s.api('POST', `${A}/apps`, { type: 'bookmark', name: 'Handbook', domain: 'https://handbook.example.org/start', app_launcher_visible: true });
    await s.api('POST', `${A}/apps`, { type: 'bookmark', name: 'Docs index', domain: 'wiki.test/docs/index', app_launcher_visible: false });
    await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: '<b>Tools</b>', domain: 'tools.test', policies: link(staffId) });
  });
  after(() => s?.close());

  it('is off until the account has an app_launcher application', async () => {
    const off = await fetch(launcherUrl, { redirect: 'manual' });
    assert.equal(off.status, 404);
    assert.match(await off.text(), /app_launcher/);
    const created = await s.api('POST', `${A}/apps`, { type: 'app_launcher', name: 'App Launcher', bg_color: '#123456', header_bg_color: 'red;}body{display:none', app_launcher_logo_url: 'https://cdn.test/acme.png', footer_links: [{ name: 'Help', url: 'https://help.test/' }, { name: 'Bad', url: 'javascript:alert(1)' }], policies: [{ id: staffId, precedence: 1 }] });
    assert.equal(created.status, 201, JSON.stringify(created.json));
  });

  it("shows a signed-in user the visible applications that let them in now, and every visible bookmark", async () => {
    const { jar, page, setCookies } = await signIn('ada@example.com');
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('cache-control'), 'no-store');
    const html = await page.text();
    assert.deepEqual(tilesOf(html), [
      { name: '&lt;b&gt;Tools&lt;/b&gt;', href: 'http://tools.test/' },
      { name: 'Handbook', href: 'https://handbook.example.org/start' },
      { name: 'Wiki', href: 'http://wiki.test/docs' },
    ]);
    assert.match(html, /<img src="https:\/\/cdn\.test\/wiki\.png"/, 'an https logo is shown');
    assert.doesNotMatch(html, /plain\.png/, 'a logo that is not https is not');
    assert.match(html, /<span id="user">ada@example\.com<\/span>/);
    // The launcher's session cookie is scoped to its page.
    const session = setCookies.find((c) => c.startsWith('CF_Authorization='))!;
    assert.match(session, new RegExp(`; Path=${LAUNCHER_PATH};`));

    // A policy change applies on the next visit: Ada joins Finance's policy.
    const financeRule = await s.api('GET', `${A}/apps/${payrollId}`);
    const financeId = financeRule.json.result.policies[0].id;
    const changed = await s.api('PUT', `${A}/policies/${financeId}`, { name: 'Finance', decision: 'allow', include: [{ email: { email: 'grace@example.com' } }, { email: { email: 'ada@example.com' } }] });
    assert.equal(changed.status, 200);
    const again = await jar.fetch(launcherUrl);
    assert.deepEqual(tilesOf(await again.text()).map((t) => t.name), ['&lt;b&gt;Tools&lt;/b&gt;', 'Handbook', 'Payroll', 'Wiki']);
  });

  it("uses only plain colours, https logos and web links of the launcher's settings", async () => {
    const { page } = await signIn('ada@example.com');
    const html = await page.text();
    assert.match(html, /background:#123456/);
    assert.doesNotMatch(html, /display:none/, 'a colour that is not plain is not put into the style sheet');
    assert.match(html, /<img src="https:\/\/cdn\.test\/acme\.png"/);
    assert.match(html, /<a href="https:\/\/help\.test\/">Help<\/a>/);
    assert.doesNotMatch(html, /javascript:/);
  });

  it("refuses the launcher at the sign-in to those its policies do not let in", async () => {
    const { jar, posted } = await postSignIn('mallory@evil.test');
    const to = new URL(posted.headers.get('location')!, s.baseUrl);
    assert.match(to.pathname, /^\/cdn-cgi\/access\/forbidden\//, 'no token for the launcher: the refusal page');
    const page = await jar.fetch(to.toString());
    assert.equal(page.status, 403);
    const html = await page.text();
    assert.match(html, /You don&#39;t have permission to use the App Launcher\./);
    assert.match(html, /Signed in as mallory@evil\.test/);
    assert.doesNotMatch(html, /class="tile"/);
    assert.equal((await jar.fetch(launcherUrl)).status, 302, 'the launcher still has no session of theirs: it sends them to sign in');
  });

  it("gives a session that opens no application, and signs out of it on the auth domain", async () => {
    const { jar } = await signIn('ada@example.com');
    const token = jar.header(launcherUrl).match(/CF_Authorization=([^;]+)/)![1]!;
    const wiki = await fetch(`${s.baseUrl}/cdn-cgi/access/authorize`, { headers: { 'x-forwarded-host': 'wiki.test', 'x-forwarded-uri': '/docs', cookie: `CF_Authorization=${token}` } });
    assert.equal(wiki.status, 401, "the launcher's token is not the wiki's");
    const out = await fetch(`${s.baseUrl}/cdn-cgi/access/logout`);
    assert.equal(out.status, 200);
    assert.ok(out.headers.getSetCookie().some((c) => c.startsWith('CF_Authorization=;') && c.includes(`Path=${LAUNCHER_PATH};`) && c.includes('Max-Age=0')));
  });

  it('opens no more on copies of its cookies once the sign-in is signed out of', async () => {
    const { jar, posted } = await postSignIn('ada@example.com');
    const global = posted.headers.getSetCookie().find((c) => c.startsWith('CF_Authorization='))!.split(';')[0]!;
    const authorized = await jar.fetch(new URL(posted.headers.get('location')!, s.baseUrl).toString());
    const launcher = authorized.headers.getSetCookie().find((c) => c.startsWith('CF_Authorization='))!.split(';')[0]!;
    const open = async () => fetch(launcherUrl, { redirect: 'manual', headers: { cookie: `${launcher}; ${global}` } });
    const before = await open();
    assert.equal(before.status, 200);
    assert.match(await before.text(), /<span id="user">ada@example\.com<\/span>/);
    assert.equal((await fetch(`${s.baseUrl}/cdn-cgi/access/logout`, { headers: { cookie: global } })).status, 200);
    const after = await open();
    assert.equal(after.status, 200);
    const html = await after.text();
    assert.doesNotMatch(html, /id="user"/, 'nobody signed in');
    assert.match(html, /id="sign-in"/, 'the landing page: its global session is no sign-in any more either');
  });

  it("opens without a sign-in for a user who signed in to an application (the global session)", async () => {
    const jar = new CookieJar();
    const posted = await jar.fetch(`${s.baseUrl}/cdn-cgi/access/login/wiki.test`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ email: 'ada@example.com', redirect_url: 'http://wiki.test/docs' }).toString() });
    assert.equal(posted.status, 302);
    const { response, url } = await jar.follow(launcherUrl);
    assert.equal(url, launcherUrl);
    assert.equal(response.status, 200);
    assert.match(await response.text(), /<span id="user">ada@example\.com<\/span>/);
  });

  it('shows its landing page before the sign-in, designed as landing_page_design says, unless skip_app_launcher_login_page', async () => {
    const { id } = (await s.api('GET', `${A}/apps`)).json.result.find((a: { type: string }) => a.type === 'app_launcher');
    const body = { type: 'app_launcher', name: 'App Launcher', policies: [{ id: staffId, precedence: 1 }] };
    const design = { title: 'Acme <apps>', message: 'Sign in with your Acme account.', image_url: 'https://cdn.test/welcome.png', button_color: '#0051c3', button_text_color: 'white;background:url(x)' };
    assert.equal((await s.api('PUT', `${A}/apps/${id}`, { ...body, landing_page_design: design })).status, 200);
    const html = await (await fetch(launcherUrl, { redirect: 'manual' })).text();
    assert.match(html, /<h1>Acme &lt;apps&gt;<\/h1>/);
    assert.match(html, /<p id="message">Sign in with your Acme account\.<\/p>/);
    assert.match(html, /<img id="landing-image" src="https:\/\/cdn\.test\/welcome\.png"/);
    assert.match(html, /background:#0051c3"/, 'a plain colour is used');
    assert.doesNotMatch(html, /url\(x\)/, 'anything else is not');

    assert.equal((await s.api('PUT', `${A}/apps/${id}`, { ...body, landing_page_design: design, skip_app_launcher_login_page: true })).status, 200);
    try {
      const skipped = await fetch(launcherUrl, { redirect: 'manual' });
      assert.equal(skipped.status, 302, 'straight to the sign-in');
      assert.match(skipped.headers.get('location')!, /\/cdn-cgi\/access\/sign-in\?redirect_url=/, 'by the start of the sign-in on the auth domain');
    } finally {
      assert.equal((await s.api('PUT', `${A}/apps/${id}`, body)).status, 200);
    }
  });

  it("lets a bookmark protect nothing: its domain neither covers nor out-ranks an application's path", async () => {
    const posted = await fetch(`${s.baseUrl}/cdn-cgi/access/login/wiki.test`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ email: 'ada@example.com', redirect_url: 'http://wiki.test/docs' }).toString() });
    assert.equal(posted.status, 302);
    const token = new URL(posted.headers.get('location')!).searchParams.get('token')!;
    const underBookmark = await fetch(`${s.baseUrl}/cdn-cgi/access/authorize`, { headers: { 'x-forwarded-host': 'wiki.test', 'x-forwarded-uri': '/docs/index', cookie: `CF_Authorization=${token}` } });
    assert.equal(underBookmark.status, 200, "the wiki's policies decide the bookmark's path");
  });

  it("is on the auth domain: asked for on an application's host, it sends the browser there", async () => {
    const there = await fetch(launcherUrl, { redirect: 'manual', headers: { 'x-forwarded-host': 'wiki.test' } });
    assert.equal(there.status, 302);
    assert.equal(there.headers.get('location'), launcherUrl);
  });

  it('will not take a token of another application as its session', async () => {
    const ada = (await s.api('GET', `${A}/users?email=ada@example.com`)).json.result[0];
    const apps = (await s.api('GET', `${A}/apps`)).json.result as { name: string; aud: string }[];
    const { userAppToken } = await import('./app-token.js');
    const wikiToken = await userAppToken({ aud: apps.find((a) => a.name === 'Wiki')!.aud, issuer: s.baseUrl, lifetimeSeconds: 600, userId: ada.id, email: ada.email }, await s.accessKeys!.current(s.accountId));
    const answer = await fetch(launcherUrl, { redirect: 'manual', headers: { cookie: `CF_Authorization=${wikiToken}` } });
    assert.equal(answer.status, 200);
    assert.match(await answer.text(), /<a id="sign-in"/, 'asked to sign in, on the landing page');
  });
});

describe('App Launcher tile links', () => {
  const app = (body: Record<string, unknown>): ResourceRecord => ({ accountId: 'a', kind: 'app', id: 'x', parentId: null, name: 'x', body, secretHash: null, createdAt: '', updatedAt: '', version: 1 });
  it("open the application's domain with the launcher's scheme unless it names one, and nothing for a wildcard or another scheme", () => {
    assert.equal(tileLink(app({ domain: 'wiki.test/docs' }), 'https'), 'https://wiki.test/docs');
    assert.equal(tileLink(app({ self_hosted_domains: ['a.test', 'b.test'] }), 'http'), 'http://a.test/');
    assert.equal(tileLink(app({ domain: 'https://x.test/' }), 'http'), 'https://x.test/');
    assert.equal(tileLink(app({ domain: '*.x.test' }), 'https'), undefined);
    assert.equal(tileLink(app({ domain: 'ftp://x.test/' }), 'https'), undefined);
    assert.equal(tileLink(app({}), 'https'), undefined);
  });
  it("add the applications' port the server was given to a domain that names no scheme, and leave a full address as it is", () => {
    assert.equal(tileLink(app({ domain: 'wiki.test/docs' }), 'http', 8080), 'http://wiki.test:8080/docs');
    assert.equal(tileLink(app({ self_hosted_domains: ['a.test'] }), 'https', 8443), 'https://a.test:8443/');
    // The scheme's own port is no port in a URL.
    assert.equal(tileLink(app({ domain: 'wiki.test' }), 'https', 443), 'https://wiki.test/');
    assert.equal(tileLink(app({ domain: 'https://x.test/start' }), 'http', 8080), 'https://x.test/start');
    assert.equal(tileLink(app({ domain: '*.x.test' }), 'http', 8080), undefined);
  });
});

describe("App Launcher behind a proxy on another port (the server's appPort)", () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ access: { appPort: 8080 } });
    const A = `/accounts/${s.accountId}/access`;
    // Bypass from loopback on both, so the page shows its tiles to a request without a session.
    const open = await s.api('POST', `${A}/policies`, { name: 'Loopback', decision: 'bypass', include: [{ ip: { ip: '127.0.0.0/8' } }] });
    const link = [{ id: open.json.result.id, precedence: 1 }];
    await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Wiki', domain: 'wiki.test', policies: link });
    await s.api('POST', `${A}/apps`, { type: 'bookmark', name: 'Handbook', domain: 'https://handbook.example.org/start' });
    // A bookmark is no application of the proxy's (Access does not protect it): its host keeps the scheme's port.
    await s.api('POST', `${A}/apps`, { type: 'bookmark', name: 'News', domain: 'news.example.org/today' });
    const launcher = await s.api('POST', `${A}/apps`, { type: 'app_launcher', name: 'App Launcher', policies: link });
    assert.equal(launcher.status, 201, JSON.stringify(launcher.json));
  });
  after(() => s?.close());

  it("opens an application's tile on that port, where the proxy listens, and a bookmark's address as given, without that port", async () => {
    const page = await fetch(`${s.baseUrl}${LAUNCHER_PATH}`, { redirect: 'manual' });
    assert.equal(page.status, 200);
    assert.deepEqual(tilesOf(await page.text()), [
      { name: 'Handbook', href: 'https://handbook.example.org/start' },
      { name: 'News', href: 'http://news.example.org/today' },
      { name: 'Wiki', href: 'http://wiki.test:8080/' },
    ]);
  });
});
