// The dashboard for keyboard and screen-reader users, and the small things a browser review
// found: a submit keeps the keyboard focus where it was, the What-if decision arrives inside a
// live region that was there before it, the tester's chart gives shares that read true, a
// user without an identity has no button whose name hides its text, a long list of problems
// is cut short, and a deleted object's page says so with a heading and a way back.
/// <reference lib="dom" />
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { importUsers, type ImportedUser } from '../support/policy-tests.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { browserUnavailable, launchBrowser, signIn, type Browser } from './browser.js';
import { seedAccount, type Fixture } from './fixture.js';

const skip = browserUnavailable();

/** Whether `element` has the keyboard focus (a disabled button would have lost it to <body>). */
const hasFocus = (element: Locator): Promise<boolean> => element.evaluate((e) => e === document.activeElement);
const focusedElement = (page: Page): Promise<string> =>
  page.evaluate(() => {
    const e = document.activeElement;
    return e === null || e === document.body ? '<body>' : `<${e.tagName.toLowerCase()}> ${e.textContent?.trim().slice(0, 60)}`;
  });

/** Press `button` from the keyboard, as a keyboard user does: focus it, then Enter. */
async function pressWithKeyboard(button: Locator): Promise<void> {
  await button.focus();
  await button.press('Enter');
}

describe('the dashboard for keyboard and screen-reader users', { skip }, () => {
  let s: TestServer;
  let browser: Browser;
  let fixture: Fixture;
  before(async () => {
    s = await startTestServer();
    fixture = await seedAccount(s);
    browser = await launchBrowser(s);
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  /** A fresh page signed in at `path`, closed after `use`. */
  async function onPage(path: string, use: (page: Page) => Promise<void>): Promise<void> {
    const page = await browser.newPage();
    try {
      await signIn(page, s, path);
      await use(page);
    } finally {
      await page.close();
    }
  }

  it('keeps the focus on "Save policy" through a save pressed from the keyboard', () =>
    onPage(`/policies/${fixture.employeesPolicyId}`, async (page) => {
      // A change to save: an unchanged policy is not sent, and says so without the busy button.
      await page.getByLabel('Name', { exact: true }).fill('Employees (saved from the keyboard)');
      const button = page.getByRole('button', { name: 'Save policy' });
      await pressWithKeyboard(button);
      await page.getByRole('status').filter({ hasText: 'Policy saved.' }).waitFor();
      assert.ok(await hasFocus(button), `focus on ${await focusedElement(page)}`);
    }));

  it('keeps the focus on "Run test" while the test runs and after', () =>
    onPage('/tester', async (page) => {
      await page.getByRole('checkbox', { name: /Employees/ }).check();
      const button = page.getByRole('button', { name: 'Run test' });
      await pressWithKeyboard(button);
      await page.getByRole('img', { name: /^Decisions for \d+ users/ }).waitFor();
      assert.ok(await hasFocus(button), `focus on ${await focusedElement(page)}`);
      assert.equal(await button.isEnabled(), true, 'the button works again once the test is done');
    }));

  it('keeps the focus on the import button through an import', () =>
    onPage('/users', async (page) => {
      await page.getByLabel('Users as JSON or NDJSON').fill('{"email":"keyboard@example.com","name":"Keyboard User"}');
      const button = page.getByRole('button', { name: 'Import users' });
      await pressWithKeyboard(button);
      await page.getByRole('status').filter({ hasText: 'Users imported.' }).waitFor();
      assert.ok(await hasFocus(button), `focus on ${await focusedElement(page)}`);
    }));

  it('moves the focus to a new service token\'s secret, shown once, after a create pressed from the keyboard, and reaches the page from the sidebar by keyboard', () =>
    onPage('/overview', async (page) => {
      const link = page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Service tokens' });
      await link.focus();
      await link.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Service tokens' }).waitFor();
      await page.getByLabel('Name', { exact: true }).fill('Keyboard robot');
      await pressWithKeyboard(page.getByRole('button', { name: 'Create service token' }));
      const panel = page.getByRole('region', { name: 'Service token credentials' });
      await panel.waitFor();
      assert.ok(await hasFocus(panel), `focus on ${await focusedElement(page)}`);
      // Every Copy button says what it copies.
      assert.deepEqual(await panel.getByRole('button').evaluateAll((buttons) => buttons.map((b) => b.getAttribute('aria-label'))), ['Copy the client ID', 'Copy the client secret', 'Copy the request headers']);
    }));

  it('gives the What-if decision in a live region that was on the page before it, with the focus kept', () =>
    onPage('/what-if', async (page) => {
      await page.getByLabel('User', { exact: true }).selectOption({ label: 'ada@example.com (Ada Example)' });
      await page.getByRole('checkbox', { name: /Employees/ }).check();
      // Screen readers announce changes inside a live region, not a region inserted already filled.
      const regions = await page.locator('main [aria-live]').evaluateAll((elements) => elements.map((e, i) => e.setAttribute('data-there-before', String(i))).length);
      assert.ok(regions > 0, 'a live region before the evaluation');
      const button = page.getByRole('button', { name: 'Evaluate' });
      await pressWithKeyboard(button);
      const decision = page.getByRole('heading', { name: 'Decision', level: 2 });
      await decision.waitFor();
      const region = await decision.evaluate((h) => h.closest('[aria-live]')?.getAttribute('data-there-before') ?? null);
      assert.notEqual(region, null, 'the decision is inside a live region that was there before it');
      assert.equal(await page.locator('main [aria-live="polite"]').filter({ has: decision }).count(), 1);
      assert.ok(await hasFocus(button), `focus on ${await focusedElement(page)}`);
    }));

  it('gives a user without an identity no button, and every identity button a name holding its text', async () => {
    await importUsers(s, s.accountId, [{ email: 'newcomer@example.com', name: 'Not Signed In Yet' }]);
    await onPage('/users', async (page) => {
      const newcomer = page.getByRole('row').filter({ hasText: 'newcomer@example.com' });
      await newcomer.waitFor();
      assert.match(await newcomer.innerText(), /None yet/);
      assert.equal(await newcomer.getByRole('button').count(), 0, 'nothing to show, so nothing to press');
      const buttons = page.getByRole('table').getByRole('button');
      assert.ok((await buttons.count()) > 0);
      for (const button of await buttons.all()) {
        const [text, name] = await button.evaluate((b) => [b.textContent?.trim() ?? '', b.getAttribute('aria-label') ?? b.textContent?.trim() ?? '']);
        assert.ok(name.toLowerCase().includes(text.toLowerCase()), `"${name}" holds its visible text "${text}"`);
      }
    });
  });

  it('shows the first problems of an import with a mistake on every line, and how many more there are', () =>
    onPage('/users', async (page) => {
      const lines = Array.from({ length: 500 }, (_, i) => JSON.stringify({ email: `not an email ${i}` }));
      await page.getByLabel('Users as JSON or NDJSON').fill(lines.join('\n'));
      await page.getByRole('button', { name: 'Import users' }).click();
      const summary = page.getByRole('alert').filter({ has: page.getByRole('heading', { name: /^The import was not saved: 500 problems$/ }) });
      await summary.waitFor();
      const summaryItems = await summary.getByRole('listitem').allInnerTexts();
      assert.equal(summaryItems.length, 11, summaryItems.slice(-2).join(' | '));
      assert.equal(summaryItems.at(-1), '…and 490 more.');
      const fieldNotes = await page.locator('.field-notes li').allInnerTexts();
      assert.equal(fieldNotes.length, 11);
      assert.equal(fieldNotes.at(-1), '…and 490 more.');
    }));

  for (const kind of [
    { path: '/policies', create: '/access/policies', body: { decision: 'allow', include: [{ everyone: {} }] }, what: 'The policy', back: 'Back to policies', listHeading: 'Policies' },
    { path: '/groups', create: '/access/groups', body: { include: [{ everyone: {} }] }, what: 'The group', back: 'Back to groups', listHeading: 'Access groups' },
    { path: '/service-tokens', create: '/access/service_tokens', body: {}, what: 'The service token', back: 'Back to service tokens', listHeading: 'Service tokens' },
    { path: '/custom-pages', create: '/access/custom_pages', body: { type: 'forbidden', custom_html: '<h1>Refused</h1>' }, what: 'The custom page', back: 'Back to custom pages', listHeading: 'Custom pages' },
  ]) {
    it(`opens a deleted object from ${kind.path} as a page of its own: a heading, its title and the way back`, () =>
      onPage(kind.path, async (page) => {
        const name = `Deleted before it was opened (${kind.path})`;
        const created = await s.api('POST', `/accounts/${s.accountId}${kind.create}`, { name, ...kind.body });
        assert.ok([200, 201].includes(created.status), JSON.stringify(created.json.errors));
        await page.reload();
        const link = page.getByRole('link', { name, exact: true });
        await link.waitFor();
        // A colleague deletes it while the list is on the screen.
        const deleted = await s.api('DELETE', `/accounts/${s.accountId}${kind.create}/${created.json.result.id}`);
        assert.ok(deleted.status >= 200 && deleted.status < 300, JSON.stringify(deleted.json.errors));
        await link.click();
        const heading = page.getByRole('heading', { level: 1, name: `${kind.what} could not be loaded` });
        await heading.waitFor();
        // The title follows the heading (set once the page has rendered): wait for it rather than read it at once.
        await page.waitForFunction((title) => document.title === title, `${kind.what} could not be loaded · portcullis`);
        await page.getByRole('alert').filter({ hasText: /not found/i }).waitFor();
        await page.getByRole('link', { name: kind.back }).click();
        await page.getByRole('heading', { level: 1, name: kind.listHeading }).waitFor();
      }));
  }
});

describe("the policy tester's chart", { skip }, () => {
  let s: TestServer;
  let browser: Browser;
  before(async () => {
    s = await startTestServer();
    // 1,750 users in one domain and 250 in another: shares of 87.5 % and 12.5 %.
    const users: ImportedUser[] = [];
    for (let i = 0; i < 2000; i += 1) {
      const email = i < 1750 ? `user${i}@big.example` : `user${i}@small.example`;
      users.push({ email, name: `User ${i}`, identity: { email } });
    }
    await importUsers(s, s.accountId, users);
    for (const policy of [
      { name: 'Big domain', decision: 'allow', include: [{ email_domain: { domain: 'big.example' } }] },
      { name: 'All but one', decision: 'allow', include: [{ everyone: {} }], exclude: [{ email: { email: 'user1999@small.example' } }] },
    ]) {
      const created = await s.api('POST', `/accounts/${s.accountId}/access/policies`, policy);
      assert.ok([200, 201].includes(created.status), JSON.stringify(created.json.errors));
    }
    browser = await launchBrowser(s);
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  /** The chart's bars as it reads them out, and as they are drawn. */
  async function decisions(policy: string): Promise<{ read: string; drawn: string[] }> {
    const page = await browser.newPage();
    try {
      await signIn(page, s, '/tester');
      await page.getByRole('checkbox', { name: policy }).check();
      await page.getByRole('button', { name: 'Run test' }).click();
      const chart = page.getByRole('img', { name: /^Decisions for 2,000 users/ });
      await chart.waitFor();
      return { read: (await chart.getAttribute('aria-label')) ?? '', drawn: await chart.locator('.bar-value').allTextContents() };
    } finally {
      await page.close();
    }
  }

  it('gives shares that add up to 100 %, with counts written like the rest', async () => {
    const { read, drawn } = await decisions('Big domain');
    assert.deepEqual(drawn, ['1,750 (88%)', '250 (12%)', '0 (0%)']);
    assert.equal(read, 'Decisions for 2,000 users: Approved 1,750 (88%), Blocked 250 (12%), Error 0 (0%)');
  });

  it('never gives one user in 2,000 as 0 %, nor all the others as 100 %', async () => {
    const { read, drawn } = await decisions('All but one');
    assert.deepEqual(drawn, ['1,999 (>99%)', '1 (<1%)', '0 (0%)']);
    assert.equal(read, 'Decisions for 2,000 users: Approved 1,999 (>99%), Blocked 1 (<1%), Error 0 (0%)');
  });
});
