// The users page's import in a browser: an empty import is refused at the field, not sent and
// reported as "Users imported." when nothing was.
/// <reference lib="dom" />
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server.js';
import { browserUnavailable, launchBrowser, signIn, type Browser } from './browser.js';

const skip = browserUnavailable();

describe("the users page's import in a browser", { skip }, () => {
  let s: TestServer;
  let browser: Browser;
  let page: Page | undefined;
  before(async () => {
    s = await startTestServer();
    browser = await launchBrowser(s);
  });
  after(async () => {
    await page?.close();
    await browser?.close();
    await s?.close();
  });

  it('refuses an empty import at its field, sending nothing', async () => {
    page = await browser.newPage();
    await signIn(page, s, '/users');
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    const sent: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/access/users/import')) sent.push(request.url());
    });
    const field = page.getByLabel('Users as JSON or NDJSON');
    await field.fill('  \n ');
    await page.getByRole('button', { name: 'Import users' }).click();
    await page.getByText('Nothing to import', { exact: false }).first().waitFor();
    assert.equal(await field.getAttribute('aria-invalid'), 'true', 'the field is marked');
    assert.equal(await page.getByText('Users imported.').count(), 0);
    assert.deepEqual(sent, []);
  });
});
