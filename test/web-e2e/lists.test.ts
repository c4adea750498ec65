// The Gateway list editor in a browser: it shows entry values only, so a save must keep the
// descriptions entries already have, and a save the server refuses must change nothing (emptying
// a list takes a second request, made only once the first was accepted).
/// <reference lib="dom" />
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server.js';
import { browserUnavailable, launchBrowser, signIn, type Browser } from './browser.js';

const skip = browserUnavailable();

describe('the list editor in a browser', { skip }, () => {
  let s: TestServer;
  let browser: Browser;
  let page: Page | undefined;
  let listId: string;
  const items = async () => (await s.api('GET', `/accounts/${s.accountId}/gateway/lists/${listId}/items`)).json.result as { value: string; description?: string | null }[];

  before(async () => {
    s = await startTestServer();
    browser = await launchBrowser(s);
    const created = await s.api('POST', `/accounts/${s.accountId}/gateway/lists`, {
      name: 'Contractors',
      type: 'EMAIL',
      items: [
        { value: 'carol@contractor.io', description: 'Carol, contract ends 2027-03' },
        { value: 'dave@contractor.io', description: 'Dave, ticket HR-123' },
      ],
    });
    assert.equal(created.status, 200, JSON.stringify(created.json));
    listId = created.json.result.id;
  });
  after(async () => {
    await page?.close();
    await browser?.close();
    await s?.close();
  });

  it('keeps the descriptions of the entries it keeps when the list is renamed and an entry added', async () => {
    page = await browser.newPage();
    await signIn(page, s, `/lists/${listId}`);
    await page.getByLabel('Name').fill('Contractors (2027)');
    const entries = page.getByLabel('Entries (one a line)');
    await entries.fill(`${await entries.inputValue()}\nerin@contractor.io`);
    await page.getByRole('button', { name: 'Save list' }).click();
    await page.getByRole('status').filter({ hasText: 'List saved.' }).waitFor();
    const saved = Object.fromEntries((await items()).map((i) => [i.value, i.description ?? null]));
    assert.deepEqual(saved, { 'carol@contractor.io': 'Carol, contract ends 2027-03', 'dave@contractor.io': 'Dave, ticket HR-123', 'erin@contractor.io': null });
  });

  it("names a bad entry by the field's label, not the API's path", async () => {
    page = await browser.newPage();
    await signIn(page, s, '/lists/new');
    await page.getByLabel('Name').fill('Office networks');
    await page.getByLabel('Type').selectOption('IP');
    await page.getByLabel('Entries (one a line)').fill('192.0.2.0/24\nnot an address');
    await page.getByRole('button', { name: /Create list|Save list/ }).click();
    const summary = page.getByRole('alert');
    await summary.waitFor();
    const text = await summary.innerText();
    assert.match(text, /Entries \(one a line\) › #2/);
    assert.doesNotMatch(text, /Items/);
  });

  it('leaves the entries in place when a save that empties them is refused', async () => {
    page = await browser.newPage();
    await signIn(page, s, `/lists/${listId}`);
    await page.getByLabel('Entries (one a line)').fill('');
    await page.getByLabel('Name').fill('');
    await page.getByRole('button', { name: 'Save list' }).click();
    await page.locator('[data-pointer="/name"][aria-invalid="true"]').waitFor();
    assert.equal((await items()).length, 3, 'nothing removed by a refused save');
    // Fixed, the same save empties the list.
    await page.getByLabel('Name').fill('Contractors (none)');
    await page.getByRole('button', { name: 'Save list' }).click();
    await page.getByRole('status').filter({ hasText: 'List saved.' }).waitFor();
    assert.deepEqual(await items(), []);
  });
});
