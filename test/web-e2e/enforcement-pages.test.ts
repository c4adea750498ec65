// The dashboard's enforcement pages in headless Chromium against a real server that serves the
// enforcement point with its development login: sign-in without typing an account id, the
// organization settings and signing keys (a refused save shown where the user looks), an
// application's "Protect it" page (the snippets are what `portcullis proxy-config` prints, and
// Copy puts them on the clipboard), and the access log of real sign-ins, filtered and paged,
// with a refusal's reason.
/// <reference lib="dom" />
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { hostsOf, listenProblem, proxyConfigFile, PROXIES } from '../../src/access/proxy-config.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { scopedToken } from '../support/tokens.js';
import { browserUnavailable, launchBrowser, signIn, type Browser } from './browser.js';
import { devSignIn, seedAccount, type Fixture } from './fixture.js';
import { CookieJar } from '../support/cookie-jar.js';

const skip = browserUnavailable();

/** Whether an element is inside the window and has the keyboard focus (or where it is instead). */
const inView = (element: Element): string => {
  const box = element.getBoundingClientRect();
  return box.top >= -1 && box.bottom <= window.innerHeight + 1 && document.activeElement === element ? 'in view with focus' : `top ${box.top}, bottom ${box.bottom} of ${window.innerHeight}; focus on ${document.activeElement?.tagName}`;
};

describe('the enforcement pages in a browser', { skip }, () => {
  let s: TestServer;
  let fixture: Fixture;
  let browser: Browser;
  let page: Page;
  before(async () => {
    s = await startTestServer({ access: { devLogin: true } });
    fixture = await seedAccount(s);
    browser = await launchBrowser(s);
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  const openPage = async (path: string): Promise<Page> => {
    await page?.close();
    page = await browser.newPage();
    await signIn(page, s, path);
    return page;
  };
  const A = () => `/accounts/${s.accountId}/access`;

  it('signs in with only a token: the one account it reaches opens; with several, the user picks one', async () => {
    const token = await scopedToken(s.store, s.accountId, ['Access: Apps and Policies Read', 'Access: Audit Logs Read']);
    await page?.close();
    page = await browser.newPage();
    await page.goto(`${s.baseUrl}/`);
    assert.equal(await page.getByLabel('Account id').isVisible(), false, 'no account id to type');
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Dashboard' }).waitFor();
    assert.equal(await page.locator('.topbar .account code').textContent(), s.accountId);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('portcullis.account')), s.accountId);

    // The root token reaches every account: a second one makes the user choose.
    const second = await s.api('POST', '/accounts', { name: 'Staging' });
    assert.equal(second.status, 200);
    await page.close();
    page = await browser.newPage();
    await page.goto(`${s.baseUrl}/`);
    await page.getByLabel('API token').fill(s.rootToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Choose an account' }).waitFor();
    const choices = page.getByRole('list', { name: 'Accounts' }).getByRole('button');
    assert.deepEqual((await choices.allTextContents()).sort(), [`Example Corp ${s.accountId}`, `Staging ${second.json.result.id}`].sort());
    await choices.filter({ hasText: 'Staging' }).click();
    await page.getByRole('navigation', { name: 'Dashboard' }).waitFor();
    assert.equal(await page.locator('.topbar .account code').textContent(), second.json.result.id);

    // A token that reaches no account says so, and the account id can still be typed.
    const none = await scopedToken(s.store, 'f'.repeat(32), ['Access: Apps and Policies Read']);
    await page.close();
    page = await browser.newPage();
    await page.goto(`${s.baseUrl}/`);
    await page.getByLabel('API token').fill(none);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'This token reaches no account' });
    await refusal.waitFor();
    assert.equal(await refusal.evaluate((e) => e === document.activeElement), true, 'the refusal has the focus');
    assert.equal(await page.getByLabel('Account id').isVisible(), true, 'the account id field is open');
  });

  it('shows every field error the server returns for the organization, each at its field', async () => {
    const p = await openPage('/organization');
    await p.getByRole('heading', { name: 'Organization settings' }).waitFor();
    // An empty name fails the request's schema, the others the organization's own checks: both at once.
    const fields = {
      Name: ['', /./],
      'Session duration': ['forever', /"forever" is not a duration/],
      'WARP session duration': ['nope', /"nope" is not a duration/],
      'Auth domain': ['http://example.com/path', /is not a host name/],
    } as const;
    for (const [label, [value]] of Object.entries(fields)) await p.getByLabel(label, { exact: true }).fill(value);
    await p.getByRole('button', { name: 'Save organization' }).click();
    const summary = p.getByRole('alert').filter({ hasText: 'The organization was not saved: 4 problems' });
    await summary.waitFor();
    for (const [label, [, message]] of Object.entries(fields)) {
      const field = p.getByLabel(label, { exact: true });
      assert.equal(await field.getAttribute('aria-invalid'), 'true', `${label} is marked`);
      const notes = p.locator(`#${(await field.getAttribute('aria-describedby'))!.split(' ').at(-1)}`);
      assert.match((await notes.textContent()) ?? '', message, `${label} shows its error`);
      assert.match(await summary.innerText(), new RegExp(`${label}: `), `the summary names ${label}`);
    }
    // Fixing one field leaves the others' errors in place.
    await p.getByLabel('Session duration', { exact: true }).fill('12h');
    assert.equal(await p.getByLabel('WARP session duration', { exact: true }).getAttribute('aria-invalid'), 'true');
    assert.equal(await p.getByLabel('Auth domain', { exact: true }).getAttribute('aria-invalid'), 'true');
    await p.close();
  });

  it('saves the organization settings, and shows a refused value at its field with the summary in view and focused', async () => {
    const p = await openPage('/organization');
    await p.getByRole('heading', { name: 'Organization settings' }).waitFor();
    assert.equal(await p.title(), 'Organization settings · portcullis');
    const name = p.getByLabel('Name', { exact: true });
    await name.waitFor();
    assert.equal(await name.inputValue(), 'Example Corp', 'before any save, the defaults: the account name');
    assert.match((await p.getByTestId('issuer').textContent()) ?? '', new RegExp(`Users sign in at ${s.baseUrl.replace(/[.]/g, '\\.')}`));
    assert.equal(await p.getByTestId('launcher-url').textContent(), `${s.baseUrl}/cdn-cgi/access/launcher`);

    await name.fill('Acme');
    const duration = p.getByLabel('Session duration', { exact: true });
    await duration.fill('forever');
    await p.getByRole('button', { name: 'Save organization' }).click();
    const summary = p.getByRole('alert').filter({ hasText: 'The organization was not saved: 1 problem' });
    await summary.waitFor();
    assert.equal(await summary.evaluate(inView), 'in view with focus');
    assert.equal(await duration.getAttribute('aria-invalid'), 'true');
    const note = p.locator(`#${await duration.getAttribute('aria-describedby').then((ids) => ids!.split(' ').at(-1))}`);
    assert.match((await note.textContent()) ?? '', /"forever" is not a duration/);
    assert.equal((await s.api('GET', `${A()}/organizations`)).json.result.name, 'Example Corp', 'nothing was written');

    await duration.fill('12h');
    assert.equal(await duration.getAttribute('aria-invalid'), 'false', 'editing the field clears its error');
    await p.getByRole('button', { name: 'Save organization' }).click();
    await p.getByRole('status').filter({ hasText: 'Organization saved.' }).waitFor();
    const saved = (await s.api('GET', `${A()}/organizations`)).json.result;
    assert.deepEqual([saved.name, saved.session_duration, saved.auth_domain], ['Acme', '12h', s.baseUrl], 'only the changed fields were sent; the auth domain still follows the server');
    assert.equal(saved.login_design, undefined, 'no design unless one is given');

    // The sign-in page's design, which the login page then shows.
    await p.getByLabel('Header text').fill('Acme staff only');
    await p.getByLabel('Background colour').fill('#112233');
    await p.getByRole('button', { name: 'Save organization' }).click();
    await p.getByRole('status').filter({ hasText: 'Organization saved.' }).waitFor();
    assert.deepEqual((await s.api('GET', `${A()}/organizations`)).json.result.login_design, { header_text: 'Acme staff only', background_color: '#112233' });
    await p.getByLabel('Header text').fill('');
    await p.getByRole('button', { name: 'Save organization' }).click();
    // The status from the first save may still be shown: wait for the store instead.
    let design: unknown;
    for (let waited = 0; waited < 5000; waited += 50) {
      design = (await s.api('GET', `${A()}/organizations`)).json.result.login_design;
      if (JSON.stringify(design) === '{"background_color":"#112233"}') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.deepEqual(design, { background_color: '#112233' }, 'an emptied field is removed');
  });

  it('changes the key rotation interval, refuses one out of range at its field, and rotates the key now', async () => {
    const p = await openPage('/organization');
    const days = p.getByLabel('Rotation interval (days)');
    await days.waitFor();
    assert.equal(await days.inputValue(), '30');
    await days.fill('7');
    await p.getByRole('button', { name: 'Save rotation interval' }).click();
    const summary = p.getByRole('alert').filter({ hasText: 'The rotation interval was not saved: 1 problem' });
    await summary.waitFor();
    assert.equal(await summary.evaluate(inView), 'in view with focus');
    assert.equal(await days.getAttribute('aria-invalid'), 'true');
    await days.fill('60');
    await p.getByRole('button', { name: 'Save rotation interval' }).click();
    await p.getByRole('status').filter({ hasText: 'Rotation interval saved.' }).waitFor();
    assert.equal((await s.api('GET', `${A()}/keys`)).json.result.key_rotation_interval_days, 60);

    const kids = async () => ((await (await fetch(`${s.baseUrl}/cdn-cgi/access/certs`)).json()) as { keys: unknown[] }).keys.length;
    const before = await kids();
    await p.getByRole('button', { name: 'Rotate now' }).click();
    await p.getByRole('dialog').getByRole('button', { name: 'Rotate', exact: true }).click();
    await p.getByRole('status').filter({ hasText: 'A new key signs from now on.' }).waitFor();
    assert.equal(await kids(), before + 1, 'the new key is published beside the previous one');
  });

  it("shows the application's proxy configurations as proxy-config generates them, and Copy puts them on the clipboard", async () => {
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: s.baseUrl });
    const p = await openPage('/apps');
    await p.getByRole('link', { name: 'Protect it: Wiki' }).click();
    await p.getByRole('heading', { name: 'Protect Wiki' }).waitFor();
    assert.equal(await p.title(), 'Protect Wiki · portcullis');
    const app = (await s.api('GET', `${A()}/apps/${fixture.appId}`)).json.result;
    const hosts = hostsOf(app);
    assert.deepEqual(hosts, ['wiki.example.com']);
    const portcullis = new URL(s.baseUrl).host;
    const snippet = (proxy: string) => p.getByLabel(`${proxy} configuration`, { exact: true });

    for (const proxy of PROXIES) {
      const title = { nginx: 'nginx', caddy: 'Caddy', traefik: 'Traefik' }[proxy];
      assert.equal(await snippet(title).textContent(), proxyConfigFile(proxy, 'Wiki', hosts, { portcullis, upstream: '127.0.0.1:3000' }, '80'), proxy);
    }
    assert.match((await snippet('nginx').textContent()) ?? '', /server_name wiki\.example\.com;/);
    assert.match((await snippet('Caddy').textContent()) ?? '', /^wiki\.example\.com \{$/m);

    // The application's own address changes every snippet.
    await p.getByLabel('Where the application listens').fill('10.1.2.3:8080');
    await p.getByLabel('nginx listens on').fill('443 ssl');
    const nginx = proxyConfigFile('nginx', 'Wiki', hosts, { portcullis, upstream: '10.1.2.3:8080' }, '443 ssl');
    await p.waitForFunction((text) => document.querySelector('pre[data-proxy="nginx"]')?.textContent === text, nginx);

    const copy = p.getByRole('button', { name: 'Copy the nginx configuration' });
    await copy.click();
    await p.getByRole('status').filter({ hasText: 'Copied to the clipboard.' }).waitFor();
    assert.equal(await copy.getAttribute('data-copied'), 'true');
    assert.equal(await p.evaluate(() => navigator.clipboard.readText()), nginx);
    await p.getByRole('button', { name: 'Copy the Traefik configuration' }).click();
    assert.equal(await p.evaluate(() => navigator.clipboard.readText()), proxyConfigFile('traefik', 'Wiki', hosts, { portcullis, upstream: '10.1.2.3:8080' }, '443 ssl'));

    // nginx on 443 needs nothing more; on another port the page reminds the operator to start
    // portcullis with --app-port, as `proxy-config` does, or the App Launcher's tiles miss it.
    assert.equal(await p.locator('[data-app-port]').count(), 0);
    await p.getByLabel('nginx listens on').fill('127.0.0.1:8080');
    await p.locator('[data-app-port="8080"]').waitFor();
    assert.match((await p.locator('[data-app-port]').textContent()) ?? '', /--app-port 8080/);
    await p.getByLabel('nginx listens on').fill('443 ssl');
    await p.locator('[data-app-port]').waitFor({ state: 'detached' });

    // An address that is not HOST:PORT is refused at its field, and no configuration is shown.
    const upstream = p.getByLabel('Where the application listens');
    await upstream.fill('http://10.1.2.3');
    assert.equal(await upstream.getAttribute('aria-invalid'), 'true');
    assert.equal(await snippet('nginx').count(), 0);
    assert.match((await p.locator('.field-notes').first().textContent()) ?? '', /is not a HOST:PORT/);
    await upstream.fill('10.1.2.3:8080');

    // A listen that would not be one nginx directive is refused at its field in the words `proxy-config --listen` uses.
    const listen = p.getByLabel('nginx listens on');
    await listen.fill('80; include /etc/passwd');
    assert.equal(await listen.getAttribute('aria-invalid'), 'true');
    assert.equal(await snippet('nginx').count(), 0);
    assert.ok(((await p.locator('.field-notes').allTextContents()).join('\n')).includes(`${listenProblem('nginx', '80; include /etc/passwd')}.`));
    await listen.fill('80');

    // Another application on the same hostname: the page says one configuration protects both, and so does each snippet.
    const admin = await s.api('POST', `${A()}/apps`, { type: 'self_hosted', name: 'Wiki admin', domain: 'wiki.example.com/admin' });
    assert.equal(admin.status, 201);
    try {
      await p.reload();
      const banner = p.locator('[data-shared-host="wiki.example.com"]');
      await banner.waitFor();
      assert.match((await banner.textContent()) ?? '', /wiki\.example\.com is also a hostname of "Wiki admin": one configuration for it protects them all/);
      const shared = [{ host: 'wiki.example.com', apps: ['Wiki admin'] }];
      assert.equal(await snippet('Caddy').textContent(), proxyConfigFile('caddy', 'Wiki', hosts, { portcullis, upstream: '127.0.0.1:3000' }, '80', shared));
    } finally {
      assert.equal((await s.api('DELETE', `${A()}/apps/${admin.json.result.id}`)).status, 202);
    }
  });

  it('lists the access log of real sign-ins and refusals, explains an empty log, filters and pages', async () => {
    let p = await openPage('/access-log');
    await p.getByRole('heading', { name: 'Access log' }).waitFor();
    assert.equal(await p.title(), 'Access log · portcullis');
    await p.getByText('Nothing is logged yet.').waitFor();

    const crm = await s.api('POST', `${A()}/apps`, { type: 'self_hosted', name: 'CRM', domain: 'crm.example.com', policies: [{ id: fixture.employeesPolicyId, precedence: 1 }] });
    assert.equal(crm.status, 201);
    await devSignIn(s, 'ada@example.com', 'wiki.example.com');
    // The policies refuse eve at each sign-in (no token), and each refusal is logged.
    assert.equal(await devSignIn(s, 'eve@elsewhere.org', 'wiki.example.com'), null);
    assert.equal(await devSignIn(s, 'eve@elsewhere.org', 'crm.example.com'), null);
    await devSignIn(s, 'grace@example.com', 'crm.example.com');

    p = await openPage('/access-log');
    // The current page's rows (the page is reopened below).
    const rows = () => p.locator('table tbody tr');
    await rows().first().waitFor();
    const users = async () => (await rows().locator('th').allTextContents()).join(' ');
    assert.equal(await rows().count(), 4);
    assert.equal(await users(), 'grace@example.com eve@elsewhere.org eve@elsewhere.org ada@example.com', 'newest first');
    assert.match((await rows().nth(1).textContent()) ?? '', /Refused/);
    assert.match((await rows().first().textContent()) ?? '', /CRM.*crm\.example\.com.*Allowed.*login.*development/);

    const filters = p.getByRole('form', { name: 'Filter the access log' });
    const apply = (): Promise<void> => filters.getByRole('button', { name: 'Apply filters' }).click();
    /** Wait until the table lists `want` (users, in order), or fail saying what it lists. */
    const shows = async (want: string): Promise<void> => {
      await p
        .waitForFunction((expected) => Array.from(document.querySelectorAll('table tbody tr th')).map((th) => th.textContent).join(' ') === expected, want, { timeout: 5000 })
        .catch(async () => assert.fail(`the log lists "${await users()}", not "${want}"`));
    };
    await filters.getByLabel('Outcome').selectOption({ label: 'Refused' });
    await apply();
    await shows('eve@elsewhere.org eve@elsewhere.org');
    assert.equal(new URL(p.url()).search, '?allowed=false', 'the filters are in the address');

    await filters.getByLabel('Outcome').selectOption({ label: 'Any outcome' });
    await filters.getByLabel('Application').selectOption({ label: 'CRM (crm.example.com)' });
    await apply();
    await shows('grace@example.com eve@elsewhere.org');

    await filters.getByLabel('Application').selectOption({ label: 'Every application' });
    await filters.getByLabel('User email').fill('EVE@');
    await apply();
    await shows('eve@elsewhere.org eve@elsewhere.org');
    await filters.getByLabel('Exact email').check();
    await filters.getByLabel('User email').fill('eve@elsewhere');
    await apply();
    await p.getByText('No entries match these filters.').waitFor();
    assert.equal(await rows().count(), 0);

    // The filters of the address open the page filtered: the application page links to its log.
    await filters.getByRole('button', { name: 'Clear filters' }).click();
    await p.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Applications' }).click();
    await p.getByRole('link', { name: 'CRM', exact: true }).click();
    // The application page's own link (filtered by the app), waited for: the navigation's link of
    // the same name is there before the page has rendered.
    await p.locator('a[href*="app_uid="]', { hasText: 'Access log' }).click();
    await p.getByRole('heading', { name: 'Access log' }).waitFor();
    await shows('grace@example.com eve@elsewhere.org');
    assert.equal(await p.getByLabel('Application').inputValue(), crm.json.result.id);

    // More entries than a page: the pager moves through them.
    for (let i = 0; i < 24; i++) await devSignIn(s, `visitor${i}@example.com`, 'wiki.example.com');
    p = await openPage('/access-log');
    await rows().first().waitFor();
    assert.equal(await p.locator('.count').textContent(), '28 entries');
    assert.equal(await rows().count(), 25);
    const pager = p.getByRole('navigation', { name: 'Access log pages' });
    await pager.getByRole('button', { name: 'Next' }).click();
    await pager.getByText('Page 2 of 2').waitFor();
    await shows('eve@elsewhere.org eve@elsewhere.org ada@example.com');
  });

  it("shows a sign-in's purpose justification in the access log, with the prompt it answered", async () => {
    const asking = await s.api('POST', `${A()}/policies`, { name: 'Employees, with a reason', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }], purpose_justification_required: true, purpose_justification_prompt: 'Which ticket?' });
    const ledger = await s.api('POST', `${A()}/apps`, { type: 'self_hosted', name: 'Ledger', domain: 'ledger.example.com', policies: [{ id: asking.json.result.id, precedence: 1 }] });
    assert.equal(ledger.status, 201);
    const jar = new CookieJar();
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const signedIn = await jar.fetch(`${s.baseUrl}/cdn-cgi/access/login/ledger.example.com`, { method: 'POST', headers: form, body: new URLSearchParams({ email: 'ada@example.com', redirect_url: 'http://ledger.example.com/' }).toString() });
    const question = signedIn.headers.get('location')!;
    assert.match(question, /\/cdn-cgi\/access\/justify\//);
    const answered = await jar.fetch(question, { method: 'POST', headers: form, body: new URLSearchParams({ justification: 'INC-12: closing the quarter' }).toString() });
    assert.equal(answered.status, 302);

    const p = await openPage(`/access-log?app_uid=${ledger.json.result.id}`);
    const note = p.locator('table tbody tr .justification');
    await note.waitFor();
    assert.equal(await note.textContent(), 'Justification: “INC-12: closing the quarter”');
    assert.equal(await note.getAttribute('title'), 'Which ticket?');
  });

  it('shows who approved a temporary-authentication sign-in, and for how long', async () => {
    const asking = await s.api('POST', `${A()}/policies`, { name: 'Employees, approved', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }], approval_required: true, approval_groups: [{ approvals_needed: 1, email_addresses: ['boss@example.com'] }] });
    const vault = await s.api('POST', `${A()}/apps`, { type: 'self_hosted', name: 'Vault', domain: 'vault.example.com', policies: [{ id: asking.json.result.id, precedence: 1 }] });
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const post = (jar: CookieJar, url: string, fields: Record<string, string>) => jar.fetch(url, { method: 'POST', headers: form, body: new URLSearchParams(fields).toString() });
    const ada = new CookieJar();
    const question = (await post(ada, `${s.baseUrl}/cdn-cgi/access/login/vault.example.com`, { email: 'ada@example.com', redirect_url: 'http://vault.example.com/' })).headers.get('location')!;
    const waiting = (await post(ada, question, { justification: 'Key ceremony' })).headers.get('location')!;
    const link = `${s.baseUrl}/cdn-cgi/access/approve/${waiting.split('/').at(-1)}`;
    const boss = new CookieJar();
    await post(boss, `${s.baseUrl}/cdn-cgi/access/login/${new URL(s.baseUrl).host}`, { email: 'boss@example.com', redirect_url: link });
    assert.equal((await post(boss, link, { decision: 'approve', duration: '14400' })).status, 200);
    assert.equal((await ada.fetch(waiting)).status, 302, 'handed over');

    const p = await openPage(`/access-log?app_uid=${vault.json.result.id}`);
    const note = p.locator('table tbody tr .approval');
    await note.waitFor();
    assert.equal(await note.textContent(), 'Approved by boss@example.com for 4 hours');
  });

  it("shows why a sign-in was refused beyond the policies' verdict: the access log's reason", async () => {
    // The server evaluates no external endpoint (none configured), so the rule stays unknown and
    // the sign-in is refused with the reason stored in access_requests.reason.
    const partners = await s.api('POST', `${A()}/policies`, { name: 'Partners', decision: 'allow', include: [{ external_evaluation: { evaluate_url: 'https://eval.example.com/check', keys_url: 'https://eval.example.com/keys' } }] });
    const portal = await s.api('POST', `${A()}/apps`, { type: 'self_hosted', name: 'Partner portal', domain: 'partners.example.com', policies: [{ id: partners.json.result.id, precedence: 1 }] });
    assert.equal(portal.status, 201);
    assert.equal(await devSignIn(s, 'ada@example.com', 'partners.example.com'), null, 'refused');

    const p = await openPage(`/access-log?app_uid=${portal.json.result.id}`);
    const row = p.locator('table tbody tr');
    await row.first().waitFor();
    assert.equal(await row.count(), 1);
    assert.match((await row.textContent()) ?? '', /Refused/);
    assert.equal(await row.locator('.refusal-reason').textContent(), 'external evaluation: not asked, turned off on this server');

    // The whole log (other sign-ins around it) at the dashboard's usual 1280px: the table fits, Ray
    // IDs included, and the reason is a labelled line that wraps at a readable width, not a word a line.
    const all = await openPage('/access-log');
    await all.locator('table tbody tr').first().waitFor();
    assert.equal(all.viewportSize()?.width, 1280);
    const overflow = await all.locator('.table-wrap').evaluate((wrap) => wrap.scrollWidth - wrap.clientWidth);
    assert.ok(overflow <= 0, `the access log table is ${overflow}px wider than its frame`);
    const reason = all.locator('table tbody tr', { hasText: 'Partner portal' }).locator('.refusal-reason');
    assert.equal(await reason.evaluate((r) => r.parentElement?.textContent), 'Reason: external evaluation: not asked, turned off on this server');
    // The reason is inline text: one client rectangle per line it takes.
    const lines = await reason.evaluate((r) => r.getClientRects().length);
    assert.ok(lines <= 2, `the reason wraps over ${lines} lines`);
  });

  it('made no request beyond the test server', () => {
    assert.deepEqual(browser.foreignRequests, []);
  });
});
