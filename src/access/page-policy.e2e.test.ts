// The enforcement point's pages under their Content-Security-Policy in Chromium: they still work
// (styles apply, the organization's https logo shows, a form posts, the repost page submits
// itself) and a script that got into a page's text would not run (docs/enforcement.md "Forms and
// frames"). The real sign-ins through each provider, the SAML repost among them, run under the
// same policy in login/sign-in.e2e.test.ts.
/// <reference lib="dom" />
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import { browserUnavailable, launchBrowser, type Browser } from '../../test/web-e2e/browser.js';
import { repostPage } from './pages.js';

const skip = browserUnavailable();
const APP = 'wiki.test';
/** A 1×1 PNG, as the organization's logo server would send it. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

declare global {
  interface Window {
    violations?: string[];
    injected?: boolean;
  }
}

describe('the enforcement pages under their Content-Security-Policy, in Chromium', { skip }, () => {
  let s: TestServer;
  let browser: Browser;
  let page: Page;
  const loginPath = `/cdn-cgi/access/login/${APP}?redirect_url=${encodeURIComponent(`http://${APP}/`)}`;

  before(async () => {
    s = await startTestServer({ access: { devLogin: true } });
    const A = `/accounts/${s.accountId}/access`;
    const staff = await s.api('POST', `${A}/policies`, { name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] });
    assert.equal((await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Wiki', domain: APP, policies: [{ id: staff.json.result.id, precedence: 1 }] })).status, 201);
    assert.equal((await s.api('PUT', `${A}/organizations`, { name: 'Acme', login_design: { logo_path: 'https://logos.example/acme.png' } })).status, 200);
    browser = await launchBrowser(s);
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  /** A fresh page that records every CSP violation the document reports. */
  async function freshPage(): Promise<Page> {
    await page?.close();
    page = await browser.newPage();
    // An init script is the browser's own (not the page's), so the policy does not stop it.
    await page.addInitScript(() => {
      window.violations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.violations!.push(e.effectiveDirective));
    });
    return page;
  }

  it("sends a strict policy with every page, and the login page still works: styles, the https logo and the development login's form", async () => {
    const p = await freshPage();
    // The organization's logo host, answered here (the test reaches nothing outside).
    await p.route('https://logos.example/**', (route) => route.fulfill({ status: 200, contentType: 'image/png', body: PNG }));
    const shown = await p.goto(`${s.baseUrl}${loginPath}`);
    const policy = shown!.headers()['content-security-policy'] ?? '';
    assert.match(policy, /(^|; )default-src 'none'(;|$)/);
    assert.match(policy, /(^|; )script-src 'sha256-[A-Za-z0-9+/=]+'(;|$)/, 'no script but one by its hash');
    for (const directive of ["base-uri 'none'", "object-src 'none'", "frame-ancestors 'none'", "style-src 'unsafe-inline'"]) assert.ok(policy.split('; ').includes(directive), `${directive} in ${policy}`);

    const button = p.getByRole('button', { name: 'Sign in' });
    assert.equal(await button.evaluate((b) => getComputedStyle(b).backgroundColor), 'rgb(243, 128, 32)', 'the <style> applies');
    await p.waitForFunction(() => (document.querySelector<HTMLImageElement>('#login-logo')?.naturalWidth ?? 0) > 0);

    assert.deepEqual(await p.evaluate(() => window.violations), [], 'nothing the page needs is refused');

    await p.fill('#email', 'ada@example.com');
    const [posted] = await Promise.all([p.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.startsWith('/cdn-cgi/access/login/')), button.click()]);
    assert.equal(posted.status(), 302, 'the form posted and signed in');
  });

  it("shows the App Launcher's landing page and, after the development login's form, the launcher itself, with nothing refused", async () => {
    const A = `/accounts/${s.accountId}/access`;
    const staff = (await s.api('GET', `${A}/policies`)).json.result.find((p: { name: string }) => p.name === 'Staff');
    const design = { title: 'Acme apps', image_url: 'https://logos.example/welcome.png', button_color: '#0051c3' };
    assert.equal((await s.api('POST', `${A}/apps`, { type: 'app_launcher', name: 'App Launcher', landing_page_design: design, app_launcher_logo_url: 'https://logos.example/acme.png', policies: [{ id: staff.id, precedence: 1 }] })).status, 201);
    await browser.context.clearCookies(); // nobody signed in (the first test's global session gone)
    const p = await freshPage();
    await p.route('https://logos.example/**', (route) => route.fulfill({ status: 200, contentType: 'image/png', body: PNG }));
    await p.goto(`${s.baseUrl}/cdn-cgi/access/launcher`);
    await p.waitForFunction(() => (document.querySelector<HTMLImageElement>('#landing-image')?.naturalWidth ?? 0) > 0);
    assert.equal(await p.locator('#sign-in').evaluate((a) => getComputedStyle(a).backgroundColor), 'rgb(0, 81, 195)', 'the inline style applies');
    await p.click('#sign-in');
    await p.fill('#email', 'ada@example.com');
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.locator('#user').waitFor();
    assert.equal(await p.textContent('#user'), 'ada@example.com');
    await p.waitForFunction(() => (document.querySelector<HTMLImageElement>('header img')?.naturalWidth ?? 0) > 0);
    assert.deepEqual(await p.evaluate(() => window.violations), [], 'nothing the launcher needs is refused');
  });

  it('runs the repost page\'s own script under the policy, and no script injected into a page\'s text', async () => {
    const p = await freshPage();
    // Two of the server's own pages, their bodies changed on the way with the headers kept: the
    // repost page in place of the signed-out page, and a script put into the signed-out message.
    await p.route(`${s.baseUrl}/cdn-cgi/access/logout?as=repost`, async (route) => {
      const real = await route.fetch();
      await route.fulfill({ response: real, body: repostPage('/cdn-cgi/access/logout?reposted=1', { field: 'value' }) });
    });
    await p.route(`${s.baseUrl}/cdn-cgi/access/logout?as=injected`, async (route) => {
      const real = await route.fetch();
      const body = (await real.text()).replace('You are signed out.', 'You are signed out.<script>window.injected = true</script><img src="x" onerror="window.injected = true">');
      assert.match(body, /<script>window\.injected/);
      await route.fulfill({ response: real, body });
    });

    const [reposted] = await Promise.all([p.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/cdn-cgi/access/logout?reposted=1')), p.goto(`${s.baseUrl}/cdn-cgi/access/logout?as=repost`)]);
    assert.equal(reposted.postData(), 'field=value', 'the repost page submitted itself');

    await p.goto(`${s.baseUrl}/cdn-cgi/access/logout?as=injected`);
    // Loaded (the image's error came first): had either script run, it would have by now.
    assert.equal(await p.evaluate(() => window.injected), undefined, 'neither the inline script nor the handler ran');
    assert.equal(await p.innerText('#message'), 'You are signed out.', 'the page shows');
    await p.waitForFunction(() => (window.violations ?? []).filter((v) => v.startsWith('script-src')).length >= 2);
  });
});
