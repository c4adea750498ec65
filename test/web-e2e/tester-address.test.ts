// A policy test's results have an address: the tester puts the test in the page's URL, so a
// reload, Back and Forward, and a link from the overview's recent tests show the same results.
/// <reference lib="dom" />
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server.js';
import { browserUnavailable, launchBrowser, signIn, type Browser } from './browser.js';
import { seedAccount, type Fixture } from './fixture.js';
import { runTest } from './steps.js';

const skip = browserUnavailable();

describe("the policy tester's results in the address bar", { skip }, () => {
  let s: TestServer;
  let f: Fixture;
  let browser: Browser;
  let page: Page | undefined;
  before(async () => {
    s = await startTestServer();
    f = await seedAccount(s);
    browser = await launchBrowser(s);
  });
  after(async () => {
    await page?.close();
    await browser?.close();
    await s?.close();
  });

  const chart = (p: Page) => p.getByRole('img', { name: /^Decisions for \d+ users/ });

  it('shows the same test after a reload, Back and Forward, and from the overview', async () => {
    page = await browser.newPage();
    await signIn(page, s, '/tester');
    await page.getByRole('checkbox', { name: /Employees/ }).check();
    await page.getByRole('checkbox', { name: /^Compare with the saved versions/ }).check();
    await runTest(page, []);
    const testId = new URL(page.url()).searchParams.get('test');
    assert.ok(testId !== null && testId !== '', `the URL names the test: ${page.url()}`);

    await page.reload();
    await chart(page).waitFor();
    // The picker starts afresh after a reload, so the results say which policies were tested,
    // from what the server kept for the test.
    const tested = page.getByRole('region', { name: 'Tested policies' });
    await tested.getByRole('listitem').filter({ hasText: 'Employees' }).first().waitFor();
    assert.equal(await tested.getByRole('link', { name: 'Employees' }).first().getAttribute('href'), `/policies/${f.employeesPolicyId}`);
    assert.match(await tested.innerText(), /Compared with the saved versions/);
    assert.match(await tested.innerText(), /Started/);
    // Still a comparison: its filters are there.
    await page.getByLabel('Show', { exact: true }).locator('option', { hasText: 'Lose access' }).waitFor({ state: 'attached' });

    await page.goBack();
    await page.getByRole('button', { name: 'Run test' }).waitFor();
    await page.waitForURL((url) => !url.searchParams.has('test'));
    assert.equal(await chart(page).count(), 0, 'Back leaves the test');
    await page.goForward();
    await chart(page).waitFor();

    await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('region', { name: 'Recent policy tests' }).getByRole('link').first().click();
    await chart(page).waitFor();
    assert.equal(new URL(page.url()).searchParams.get('test'), testId);
  });
});
