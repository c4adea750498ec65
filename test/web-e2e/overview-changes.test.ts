// The overview's recent changes name what changed: the object's kind and name (from the object
// or from the change log), a link to its page where it has one, and the id only for an object
// since deleted whose name the log does not give.
/// <reference lib="dom" />
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server.js';
import { browserUnavailable, launchBrowser, signIn, type Browser } from './browser.js';
import { seedAccount, type Fixture } from './fixture.js';

const skip = browserUnavailable();

describe("the overview's recent changes", { skip }, () => {
  let s: TestServer;
  let f: Fixture;
  let browser: Browser;
  let page: Page | undefined;
  let listId: string;
  let groupId: string;
  before(async () => {
    s = await startTestServer();
    f = await seedAccount(s);
    browser = await launchBrowser(s);
    const account = `/accounts/${s.accountId}`;
    // The newest changes: a list created and items added to it (the log of which holds no
    // name), a policy renamed, a group created then deleted.
    listId = (await s.api('POST', `${account}/gateway/lists`, { name: 'Partner networks', type: 'IP', items: [{ value: '198.18.0.0/24' }] })).json.result.id;
    assert.ok((await s.api('PATCH', `${account}/gateway/lists/${listId}`, { append: [{ value: '198.18.1.0/24' }] })).status < 300);
    const employees = (await s.api('GET', `${account}/access/policies/${f.employeesPolicyId}`)).json.result;
    assert.ok((await s.api('PUT', `${account}/access/policies/${f.employeesPolicyId}`, { name: 'All employees', decision: employees.decision, include: employees.include })).status < 300);
    groupId = (await s.api('POST', `${account}/access/groups`, { name: 'Temporary staff', include: [{ email_domain: { domain: 'temp.example' } }] })).json.result.id;
    assert.ok((await s.api('DELETE', `${account}/access/groups/${groupId}`)).status < 300);
  });
  after(async () => {
    await page?.close();
    await browser?.close();
    await s?.close();
  });

  it('names each object and its kind, links to its page, and says which were deleted', async () => {
    page = await browser.newPage();
    await signIn(page, s, '/overview');
    const changes = page.getByRole('region', { name: 'Recent changes' });
    const items = changes.getByRole('listitem');
    await items.first().waitFor();

    const texts = await items.allInnerTexts();
    const line = (pattern: RegExp) => assert.ok(texts.some((t) => pattern.test(t)), `a change reads ${pattern}: ${texts.join(' | ')}`);
    line(/add items list Partner networks by/);
    line(/update policy All employees by/);
    line(/delete access group Temporary staff \(deleted\) by/);
    line(/create access group Temporary staff \(deleted\) by/);
    for (const text of texts) assert.doesNotMatch(text, /[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}/i, `no bare id: ${text}`);

    const listLinks = changes.getByRole('link', { name: 'Partner networks' });
    assert.ok((await listLinks.count()) >= 2);
    assert.equal(await listLinks.first().getAttribute('href'), `/lists/${listId}`);
    assert.equal(await changes.getByRole('link', { name: 'All employees' }).getAttribute('href'), `/policies/${f.employeesPolicyId}`);
    assert.equal(await changes.getByRole('link', { name: /Temporary staff/ }).count(), 0, 'a deleted object has no page to link to');

    await changes.getByRole('link', { name: 'All employees' }).click();
    await page.getByRole('heading', { name: /All employees/, level: 1 }).waitFor();
  });
});
