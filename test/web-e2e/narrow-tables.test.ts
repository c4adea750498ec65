// The tables with an Actions column on a 375px phone: the table scrolls inside its frame, and
// nothing of it (such as the column's visually hidden heading, positioned absolutely) may widen
// the page, which would make the whole page scroll sideways. Nor may a very long unbroken name,
// on any list or detail page: it wraps.
/// <reference lib="dom" />
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server.js';
import { browserUnavailable, launchBrowser, signIn, type Browser } from './browser.js';

const skip = browserUnavailable();

describe('tables with actions in a narrow window', { skip }, () => {
  let s: TestServer;
  let browser: Browser;
  let page: Page | undefined;

  before(async () => {
    s = await startTestServer();
    browser = await launchBrowser(s);
    for (const [path, body] of [
      ['/access/apps', { name: 'Internal wiki', type: 'self_hosted', domain: 'wiki.internal.example.com' }],
      ['/access/identity_providers', { name: 'Okta', type: 'okta', config: { okta_account: 'https://example.okta.com', client_id: 'portcullis' } }],
    ] as const) {
      const res = await s.api('POST', `/accounts/${s.accountId}${path}`, body);
      assert.ok(res.status === 200 || res.status === 201, JSON.stringify(res.json));
    }
  });
  after(async () => {
    await page?.close();
    await browser?.close();
    await s?.close();
  });

  describe('with 200-character unbroken names', () => {
    const LONG = `Unbroken${'x'.repeat(192)}`;
    const ids: Record<string, string> = {};
    before(async () => {
      for (const [kind, path, body] of [
        ['policy', '/access/policies', { name: LONG, decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] }],
        ['group', '/access/groups', { name: LONG, include: [{ email_domain: { domain: 'example.com' } }] }],
        ['list', '/gateway/lists', { name: LONG, type: 'EMAIL', items: [{ value: `${'y'.repeat(60)}@example.com` }] }],
        ['app', '/access/apps', { name: LONG, type: 'self_hosted', domain: `${'z'.repeat(60)}.example.com` }],
        ['idp', '/access/identity_providers', { name: LONG, type: 'onetimepin', config: {} }],
        ['token', '/access/service_tokens', { name: LONG }],
        ['customPage', '/access/custom_pages', { name: LONG, type: 'identity_denied', custom_html: `<p>${'v'.repeat(200)}</p>` }],
      ] as const) {
        const res = await s.api('POST', `/accounts/${s.accountId}${path}`, body);
        assert.ok(res.status === 200 || res.status === 201, JSON.stringify(res.json));
        ids[kind] = res.json.result.id;
      }
      const imported = await s.api('POST', `/accounts/${s.accountId}/access/users/import`, { users: [{ email: `${'w'.repeat(60)}@example.com`, name: LONG }] });
      assert.ok(imported.status < 300, JSON.stringify(imported.json));
    });

    const pages = (): (readonly [string, RegExp])[] => [
      ['/overview', /^Overview/],
      ['/policies', /^Policies/],
      [`/policies/${ids.policy}`, /^Edit policy/],
      ['/groups', /^Access groups/],
      [`/groups/${ids.group}`, /^Edit/],
      ['/lists', /^Lists/],
      [`/lists/${ids.list}`, /^Edit list/],
      ['/apps', /^Applications/],
      [`/apps/${ids.app}`, /Unbroken/],
      ['/identity-providers', /^Identity providers/],
      ['/service-tokens', /^Service tokens/],
      [`/service-tokens/${ids.token}`, /Unbroken/],
      ['/custom-pages', /^Custom pages/],
      [`/custom-pages/${ids.customPage}`, /Unbroken/],
      ['/users', /^Users/],
    ];
    it('keeps every list and detail page within a 375px window', async () => {
      await page?.close();
      page = await browser.newPage({ width: 375, height: 740 });
      await signIn(page, s, '/overview');
      const wide: string[] = [];
      for (const [path, heading] of pages()) {
        await page.goto(`${s.baseUrl}${path}`);
        await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
        // The long name is shown (in a table, a heading or a field) before the width is measured.
        await page.getByText(/Unbroken/).or(page.locator('input, textarea').and(page.locator('[value^="Unbroken"]'))).first().waitFor({ state: 'attached' });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        // The name wraps within the window, in a table too (whose frame may scroll for its other columns).
        const framed = await page.evaluate(() =>
          Array.from(document.querySelectorAll('main *'))
            .filter((e) => Array.from(e.childNodes).some((n) => n.nodeType === Node.TEXT_NODE && (n.textContent ?? '').includes('Unbroken')))
            .filter((e) => e.getBoundingClientRect().width > document.documentElement.clientWidth)
            .map((e) => `<${e.tagName.toLowerCase()} class="${e.className}">`)
            .join(', '),
        );
        if (overflow > 0 || framed !== '') wide.push(`${path}: page +${overflow}px; wider than the window: ${framed}`);
      }
      assert.deepEqual(wide, []);
    });
  });

  for (const [path, heading, row] of [
    ['/apps', 'Applications', 'Internal wiki'],
    ['/identity-providers', 'Identity providers', 'Okta'],
  ] as const) {
    it(`keeps ${path} within a 375px window`, async () => {
      await page?.close();
      page = await browser.newPage({ width: 375, height: 740 });
      await signIn(page, s, path);
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      await page.getByRole('table', { name: heading }).getByRole('row').filter({ hasText: row }).waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${path} overflows a 375px window by ${overflow}px`);
    });
  }
});
