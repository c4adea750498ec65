// The tables with an Actions column on a 375px phone: the table scrolls inside its frame, and
// nothing of it (such as the column's visually hidden heading, positioned absolutely) may widen
// the page, which would make the whole page scroll sideways.
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
