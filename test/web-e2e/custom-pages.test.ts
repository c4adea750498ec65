// The custom pages page in a browser, against a server that serves the enforcement point: a page
// made in the dashboard (a field the API refuses marked first) is listed with its type, an
// application chooses it by name on its own page (the select offering only pages of that type),
// the API then names it in the application's custom_pages and a refused service token is shown
// its HTML (forward auth, as the proxy asks); a delete while the application uses it shows the
// server's reason, and the list counts the application; back to "Default", the page is deleted.
/// <reference lib="dom" />
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server.js';
import { browserUnavailable, launchBrowser, signIn, type Browser } from './browser.js';

const skip = browserUnavailable();
const FORBIDDEN_HTML = '<!doctype html><html><body><h1>Machines stay out</h1></body></html>';

describe('the custom pages page in a browser', { skip }, () => {
  let s: TestServer;
  let browser: Browser;
  let page: Page | undefined;
  let appId: string;
  let token: { client_id: string; client_secret: string };
  const A = () => `/accounts/${s.accountId}/access`;
  /** Forward auth about api.test with the token, as the trusted proxy asks. */
  const authorize = () =>
    fetch(`${s.baseUrl}/cdn-cgi/access/authorize`, {
      redirect: 'manual',
      headers: { 'x-forwarded-host': 'api.test', 'x-forwarded-uri': '/', 'x-forwarded-proto': 'https', 'cf-access-client-id': token.client_id, 'cf-access-client-secret': token.client_secret },
    });

  before(async () => {
    s = await startTestServer({ access: {} });
    browser = await launchBrowser(s);
    // A policy no service token satisfies: the token is refused, by non-identity rules.
    const outsiders = await s.api('POST', `${A()}/policies`, { name: 'Outsiders only', decision: 'allow', include: [{ email_domain: { domain: 'other.org' } }] });
    assert.ok([200, 201].includes(outsiders.status), JSON.stringify(outsiders.json.errors));
    const app = await s.api('POST', `${A()}/apps`, { type: 'self_hosted', name: 'API', domain: 'api.test', policies: [{ id: outsiders.json.result.id, precedence: 1 }] });
    assert.equal(app.status, 201, JSON.stringify(app.json.errors));
    appId = app.json.result.id;
    const made = await s.api('POST', `${A()}/service_tokens`, { name: 'deploy' });
    assert.equal(made.status, 201, JSON.stringify(made.json.errors));
    token = made.json.result;
    // A page of the other type, which the forbidden select must not offer.
    const other = await s.api('POST', `${A()}/custom_pages`, { name: 'Ask IT', type: 'identity_denied', custom_html: '<p>Ask IT</p>' });
    assert.equal(other.status, 201, JSON.stringify(other.json.errors));
  });
  after(async () => {
    await page?.close();
    await browser?.close();
    await s?.close();
  });

  it('creates a page from the sidebar, chooses it on an application, shows it to a refused token, and shows why it cannot be deleted while chosen', async () => {
    page = await browser.newPage();
    const p = page;
    await signIn(p, s, '/overview');
    assert.notEqual((await authorize()).status, 200, 'a baseline: the policies refuse the token');
    await p.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Custom pages' }).click();
    await p.getByRole('heading', { level: 1, name: 'Custom pages' }).waitFor();
    await p.getByRole('row').filter({ hasText: 'Ask IT' }).waitFor();
    await p.getByRole('link', { name: 'New custom page' }).click();
    await p.getByRole('heading', { level: 1, name: 'New custom page' }).waitFor();
    await p.getByLabel('Name', { exact: true }).fill('Machines stay out');
    await p.getByLabel('Type').selectOption({ label: 'Forbidden' });
    // Whitespace only: the server refuses it at its field.
    await p.getByLabel('HTML').fill('  ');
    await p.getByRole('button', { name: 'Create custom page' }).click();
    await p.locator('[data-pointer="/custom_html"][aria-invalid="true"]').waitFor();
    assert.match(await p.locator('.field-notes').innerText(), /needs its HTML/);
    assert.equal((await s.api('GET', `${A()}/custom_pages`)).json.result.length, 1, 'nothing made by a refused create');

    await p.getByLabel('HTML').fill(FORBIDDEN_HTML);
    await p.getByRole('button', { name: 'Create custom page' }).click();
    await p.getByRole('status').filter({ hasText: 'Custom page created.' }).waitFor();
    const listed = (await s.api('GET', `${A()}/custom_pages`)).json.result as { id: string; name: string; type: string }[];
    const made = listed.find((l) => l.name === 'Machines stay out');
    assert.equal(made?.type, 'forbidden');
    assert.equal((await s.api('GET', `${A()}/custom_pages/${made.id}`)).json.result.custom_html, FORBIDDEN_HTML, 'the HTML as typed');

    await p.getByRole('link', { name: 'Back to custom pages' }).click();
    const row = p.getByRole('row').filter({ hasText: 'Machines stay out' });
    await row.waitFor();
    assert.deepEqual(await row.locator('td').allInnerTexts(), ['Forbidden', 'No applications']);

    await p.goto(`${s.baseUrl}/apps/${appId}`);
    await p.getByRole('heading', { level: 1, name: 'Application: API' }).waitFor();
    const forbidden = p.getByLabel('Forbidden page');
    await forbidden.locator('option', { hasText: 'Machines stay out' }).waitFor({ state: 'attached' });
    assert.deepEqual(await forbidden.locator('option').allInnerTexts(), ['Default', 'Machines stay out'], 'only forbidden pages');
    assert.deepEqual(await p.getByLabel('Identity denied page').locator('option').allInnerTexts(), ['Default', 'Ask IT']);
    await forbidden.selectOption({ label: 'Machines stay out' });
    await p.getByRole('button', { name: 'Save application' }).click();
    await p.getByRole('status').filter({ hasText: 'Application saved.' }).waitFor();
    assert.deepEqual((await s.api('GET', `${A()}/apps/${appId}`)).json.result.custom_pages, [made.id], 'the application names the page');
    const refused = await authorize();
    assert.equal(refused.status, 403);
    assert.equal(await refused.text(), FORBIDDEN_HTML, 'the refused token is shown the page');

    await p.goto(`${s.baseUrl}/custom-pages`);
    await p.getByRole('row').filter({ hasText: 'Machines stay out' }).getByText('1 application').waitFor();
    await p.getByRole('link', { name: 'Machines stay out' }).click();
    await p.getByRole('heading', { level: 1, name: 'Edit custom page: Machines stay out' }).waitFor();
    assert.equal(await p.getByLabel('HTML').inputValue(), FORBIDDEN_HTML, 'the HTML is loaded for editing');
    await p.getByRole('button', { name: 'Delete custom page' }).click();
    await p.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
    const alert = p.getByRole('alert').filter({ hasText: 'API' });
    await alert.waitFor();
    const refusal = await s.api('DELETE', `${A()}/custom_pages/${made.id}`);
    assert.equal(refusal.status, 409);
    assert.ok((await alert.innerText()).includes(refusal.json.errors[0].message), `${await alert.innerText()} holds the 409's message`);

    // Back to the default: the application names no page, and the page can go.
    await p.goto(`${s.baseUrl}/apps/${appId}`);
    await forbidden.locator('option', { hasText: 'Machines stay out' }).waitFor({ state: 'attached' });
    assert.equal(await forbidden.inputValue(), made.id, 'the saved choice is shown');
    await forbidden.selectOption({ label: 'Default' });
    await p.getByRole('button', { name: 'Save application' }).click();
    await p.getByRole('status').filter({ hasText: 'Application saved.' }).waitFor();
    assert.deepEqual((await s.api('GET', `${A()}/apps/${appId}`)).json.result.custom_pages ?? [], []);
    await p.goto(`${s.baseUrl}/custom-pages/${made.id}`);
    await p.getByRole('button', { name: 'Delete custom page' }).click();
    await p.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
    await p.getByRole('heading', { level: 1, name: 'Custom pages' }).waitFor();
    assert.equal((await s.api('GET', `${A()}/custom_pages/${made.id}`)).status, 404);
  });

  it('works from the keyboard: the sidebar link, the new page link, the type and the create, with the focus kept on the button', async () => {
    await page?.close();
    page = await browser.newPage();
    const p = page;
    await signIn(p, s, '/overview');
    const press = async (target: ReturnType<Page['getByRole']>): Promise<void> => {
      await target.focus();
      await target.press('Enter');
    };
    await press(p.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Custom pages' }));
    await p.getByRole('heading', { level: 1, name: 'Custom pages' }).waitFor();
    await press(p.getByRole('link', { name: 'New custom page' }));
    await p.getByRole('heading', { level: 1, name: 'New custom page' }).waitFor();
    await p.getByLabel('Name', { exact: true }).fill('Keyboard page');
    // A select moves to its next option with the arrow key: Identity denied, then Forbidden.
    await p.getByLabel('Type').focus();
    await p.keyboard.press('ArrowDown');
    assert.equal(await p.getByLabel('Type').inputValue(), 'forbidden');
    await p.getByLabel('HTML').fill('<p>Typed</p>');
    const create = p.getByRole('button', { name: 'Create custom page' });
    await press(create);
    await p.getByRole('status').filter({ hasText: 'Custom page created.' }).waitFor();
    // The same button, which now saves the page it made.
    assert.equal(await p.evaluate(() => document.activeElement?.textContent?.trim()), 'Save custom page', 'the focus stays on the submit button');
    const listed = (await s.api('GET', `${A()}/custom_pages`)).json.result as { name: string; type: string }[];
    assert.equal(listed.find((l) => l.name === 'Keyboard page')?.type, 'forbidden');
  });
});
