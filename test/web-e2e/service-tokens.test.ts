// The service tokens page in a browser, against a server that serves the enforcement point: a
// token created in the page shows its client secret once, with the two header lines, and that
// secret opens an application whose policy accepts service tokens (forward auth, as the proxy
// asks); a reload shows it no more. A rotation with a grace period shows the new secret once and
// keeps the old one working until the time the API then shows; a field the API refuses is marked;
// a delete refused because a policy names the token shows the server's reason; disabling and
// refreshing reach the server.
/// <reference lib="dom" />
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server.js';
import { browserUnavailable, launchBrowser, signIn, type Browser } from './browser.js';

const skip = browserUnavailable();
const DAY = 86_400_000;

describe('the service tokens page in a browser', { skip }, () => {
  let s: TestServer;
  let browser: Browser;
  let page: Page | undefined;
  const A = () => `/accounts/${s.accountId}/access`;
  /** Forward auth about wiki.test with these credentials, as the trusted proxy asks: the status. */
  const authorize = async (clientId: string, clientSecret: string): Promise<number> =>
    (
      await fetch(`${s.baseUrl}/cdn-cgi/access/authorize`, {
        redirect: 'manual',
        headers: { 'x-forwarded-host': 'wiki.test', 'x-forwarded-uri': '/api', 'x-forwarded-proto': 'https', 'cf-access-client-id': clientId, 'cf-access-client-secret': clientSecret },
      })
    ).status;
  const getToken = async (id: string) => {
    const res = await s.api('GET', `${A()}/service_tokens/${id}`);
    assert.equal(res.status, 200, JSON.stringify(res.json.errors));
    return res.json.result as { id: string; name: string; client_id: string; enabled?: boolean; expires_at?: string; client_secret_version?: number; previous_client_secret_expires_at?: string };
  };
  const apiToken = async (name: string, duration?: string) => {
    const res = await s.api('POST', `${A()}/service_tokens`, { name, ...(duration !== undefined ? { duration } : {}) });
    assert.equal(res.status, 201, JSON.stringify(res.json.errors));
    return res.json.result as { id: string; client_id: string; client_secret: string; expires_at?: string };
  };
  const openPage = async (path: string): Promise<Page> => {
    await page?.close();
    page = await browser.newPage();
    await signIn(page, s, path);
    return page;
  };
  /** The secret panel's values: what a user copies. */
  const shownCredentials = async (p: Page) => {
    const panel = p.getByRole('region', { name: 'Service token credentials' });
    await panel.waitFor();
    return {
      clientId: (await panel.getByTestId('client-id').textContent()) ?? '',
      clientSecret: (await panel.getByTestId('client-secret').textContent()) ?? '',
      headers: (await panel.getByTestId('token-headers').textContent()) ?? '',
      text: await panel.innerText(),
    };
  };

  before(async () => {
    s = await startTestServer({ access: {} });
    browser = await launchBrowser(s);
    const robots = await s.api('POST', `${A()}/policies`, { name: 'Robots', decision: 'non_identity', include: [{ any_valid_service_token: {} }] });
    assert.ok([200, 201].includes(robots.status), JSON.stringify(robots.json.errors));
    const wiki = await s.api('POST', `${A()}/apps`, { type: 'self_hosted', name: 'Wiki', domain: 'wiki.test', policies: [{ id: robots.json.result.id, precedence: 1 }] });
    assert.equal(wiki.status, 201, JSON.stringify(wiki.json.errors));
  });
  after(async () => {
    await page?.close();
    await browser?.close();
    await s?.close();
  });

  it('creates a token from the sidebar, marks a duration the API refuses, and shows the secret once with the header lines; the secret opens the application, and a reload shows it no more', async () => {
    const p = await openPage('/overview');
    await p.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Service tokens' }).click();
    await p.getByRole('heading', { level: 1, name: 'Service tokens' }).waitFor();
    await p.getByText('No service tokens yet.').waitFor();

    await p.getByLabel('Name', { exact: true }).fill('CI deploys');
    await p.getByLabel('Duration').fill('a year');
    await p.getByRole('button', { name: 'Create service token' }).click();
    await p.locator('[data-pointer="/duration"][aria-invalid="true"]').waitFor();
    assert.match(await p.locator('.field-notes').innerText(), /"a year" is not a duration/);
    assert.equal((await s.api('GET', `${A()}/service_tokens`)).json.result.length, 0, 'nothing made by a refused create');

    await p.getByLabel('Duration').fill('720h');
    await p.getByRole('button', { name: 'Create service token' }).click();
    const shown = await shownCredentials(p);
    assert.match(shown.text, /The client secret is shown only now\./);
    assert.match(shown.clientId, /^[0-9a-f]{32}\.access$/);
    assert.match(shown.clientSecret, /^cfast_[A-Za-z0-9]{40}[0-9a-f]{8}$/);
    assert.equal(shown.headers, `CF-Access-Client-Id: ${shown.clientId}\nCF-Access-Client-Secret: ${shown.clientSecret}`);
    // The panel is where the user looks: in view with the keyboard focus.
    assert.equal(await p.getByRole('region', { name: 'Service token credentials' }).evaluate((e) => e === document.activeElement), true, 'the panel has the focus');

    const listed = (await s.api('GET', `${A()}/service_tokens`)).json.result as { id: string; client_id: string; duration: string }[];
    assert.equal(listed.length, 1);
    assert.equal(listed[0]!.client_id, shown.clientId);
    assert.equal(listed[0]!.duration, '720h');
    assert.equal(await authorize(shown.clientId, shown.clientSecret), 200, 'the secret shown opens the application');
    // Another secret: its last character changed (to a 0 one time in sixteen would change nothing).
    const other = `${shown.clientSecret.slice(0, -1)}${shown.clientSecret.endsWith('0') ? '1' : '0'}`;
    assert.notEqual(await authorize(shown.clientId, other), 200, 'a baseline: another secret does not');

    const row = p.getByRole('row').filter({ hasText: 'CI deploys' });
    await row.waitFor();
    const cells = await row.locator('td').allInnerTexts();
    assert.equal(cells[0], shown.clientId);
    assert.match(cells[1]!, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
    assert.deepEqual(cells.slice(2), ['Yes', '1']);

    await p.reload();
    await p.getByRole('row').filter({ hasText: 'CI deploys' }).waitFor();
    assert.equal(await p.getByRole('region', { name: 'Service token credentials' }).count(), 0);
    assert.ok(!(await p.content()).includes(shown.clientSecret), 'the secret is nowhere in the page after a reload');
    await p.getByRole('link', { name: 'CI deploys' }).click();
    await p.getByRole('heading', { level: 1, name: 'Service token: CI deploys' }).waitFor();
    assert.equal(await p.getByTestId('token-client-id').textContent(), shown.clientId);
    assert.ok(!(await p.content()).includes(shown.clientSecret), "nor on the token's page");
  });

  it('rotates with a grace period: the new secret is shown once and works, the old one works until the time the API shows', async () => {
    const token = await apiToken('Backups');
    const p = await openPage(`/service-tokens/${token.id}`);
    await p.getByRole('heading', { level: 1, name: 'Service token: Backups' }).waitFor();
    await p.getByRole('button', { name: 'Rotate secret' }).click();
    const dialog = p.getByRole('dialog', { name: 'Rotate the secret of Backups?' });
    await dialog.getByLabel('Keep the previous secret working for').selectOption({ label: '7 days' });
    const asked = Date.now();
    await dialog.getByRole('button', { name: 'Rotate secret' }).click();
    const shown = await shownCredentials(p);
    const answered = Date.now();
    assert.equal(shown.clientId, token.client_id);
    assert.notEqual(shown.clientSecret, token.client_secret);
    assert.equal(shown.headers, `CF-Access-Client-Id: ${token.client_id}\nCF-Access-Client-Secret: ${shown.clientSecret}`);

    const rotated = await getToken(token.id);
    assert.equal(rotated.client_secret_version, 2);
    const until = Date.parse(rotated.previous_client_secret_expires_at ?? '');
    assert.ok(until >= asked + 7 * DAY - 1000 && until <= answered + 7 * DAY, `previous_client_secret_expires_at ${rotated.previous_client_secret_expires_at} is seven days after the rotation`);
    assert.equal(await authorize(token.client_id, shown.clientSecret), 200, 'the new secret');
    assert.equal(await authorize(token.client_id, token.client_secret), 200, 'the old secret, during its grace period');
    assert.match(await p.getByTestId('token-previous-secret').innerText(), new RegExp(`Works until ${rotated.previous_client_secret_expires_at!.slice(0, 16).replace('T', ' ')} UTC`));

    // Without a grace period the secret just replaced stops at once.
    await p.getByRole('button', { name: 'Rotate secret' }).click();
    await p.getByRole('dialog').getByRole('button', { name: 'Rotate secret' }).click();
    await p.getByRole('status').filter({ hasText: 'Secret rotated: the previous secret no longer works.' }).waitFor();
    const again = await shownCredentials(p);
    assert.notEqual(again.clientSecret, shown.clientSecret);
    assert.equal((await getToken(token.id)).previous_client_secret_expires_at, undefined);
    assert.notEqual(await authorize(token.client_id, shown.clientSecret), 200, 'the secret replaced without a grace period');
    assert.equal(await authorize(token.client_id, again.clientSecret), 200);

    await p.reload();
    await p.getByRole('heading', { level: 1, name: 'Service token: Backups' }).waitFor();
    assert.equal(await p.getByRole('region', { name: 'Service token credentials' }).count(), 0);
    assert.ok(!(await p.content()).includes(again.clientSecret), 'the secret is gone after a reload');
  });

  it("shows the server's reason when a policy's rule names the token, and deletes it once nothing does", async () => {
    const token = await apiToken('Monitoring');
    const policy = await s.api('POST', `${A()}/policies`, { name: 'Monitoring robot', decision: 'non_identity', include: [{ service_token: { token_id: token.id } }] });
    assert.ok([200, 201].includes(policy.status), JSON.stringify(policy.json.errors));
    const p = await openPage(`/service-tokens/${token.id}`);
    await p.getByRole('button', { name: 'Delete service token' }).click();
    await p.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
    const alert = p.getByRole('alert').filter({ hasText: 'is still in use by' });
    await alert.waitFor();
    const refusal = await s.api('DELETE', `${A()}/service_tokens/${token.id}`);
    assert.equal(refusal.status, 409);
    assert.ok((await alert.innerText()).includes(refusal.json.errors[0].message), `${await alert.innerText()} holds the 409's message`);
    assert.match(await alert.innerText(), /Monitoring robot/);
    assert.equal((await getToken(token.id)).name, 'Monitoring', 'still there');

    const policyDeleted = await s.api('DELETE', `${A()}/policies/${policy.json.result.id}`);
    assert.ok(policyDeleted.status >= 200 && policyDeleted.status < 300, JSON.stringify(policyDeleted.json.errors));
    await p.getByRole('button', { name: 'Delete service token' }).click();
    await p.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
    await p.getByRole('heading', { level: 1, name: 'Service tokens' }).waitFor();
    assert.equal((await s.api('GET', `${A()}/service_tokens/${token.id}`)).status, 404);
  });

  it('disables a token (its secret stops working), enables it again, and refreshes it', async () => {
    const token = await apiToken('Reports', '1h');
    const p = await openPage(`/service-tokens/${token.id}`);
    await p.getByLabel('Enabled').uncheck();
    await p.getByRole('button', { name: 'Save service token' }).click();
    await p.getByRole('status').filter({ hasText: 'Service token saved.' }).waitFor();
    assert.equal((await getToken(token.id)).enabled, false);
    assert.notEqual(await authorize(token.client_id, token.client_secret), 200, 'a disabled token');

    await p.getByLabel('Enabled').check();
    await p.getByRole('button', { name: 'Save service token' }).click();
    await p.getByRole('status').filter({ hasText: 'Service token saved.' }).waitFor();
    assert.equal((await getToken(token.id)).enabled, true);
    assert.equal(await authorize(token.client_id, token.client_secret), 200, 'enabled again');

    const before = Date.parse(token.expires_at!);
    await p.getByRole('button', { name: 'Refresh', exact: true }).click();
    await p.getByRole('dialog', { name: 'Refresh Reports?' }).getByRole('button', { name: 'Refresh', exact: true }).click();
    await p.getByRole('status').filter({ hasText: 'Service token refreshed.' }).waitFor();
    const refreshed = await getToken(token.id);
    assert.ok(Date.parse(refreshed.expires_at!) >= before, 'the expiry moved forward, not back');
    assert.equal(await p.getByTestId('token-expires').innerText(), `${refreshed.expires_at!.slice(0, 16).replace('T', ' ')} UTC`, 'the page shows the new expiry');
  });

  it('says what the rotation of a disabled token did: a grace period asked for is not kept, so the previous secret no longer works', async () => {
    const token = await apiToken('Leaked');
    assert.equal((await s.api('PUT', `${A()}/service_tokens/${token.id}`, { enabled: false })).status, 200);
    const p = await openPage(`/service-tokens/${token.id}`);
    await p.getByRole('heading', { level: 1, name: 'Service token: Leaked' }).waitFor();
    await p.getByRole('button', { name: 'Rotate secret' }).click();
    const dialog = p.getByRole('dialog', { name: 'Rotate the secret of Leaked?' });
    await dialog.getByLabel('Keep the previous secret working for').selectOption({ label: '7 days' });
    await dialog.getByRole('button', { name: 'Rotate secret' }).click();
    await shownCredentials(p);
    assert.equal((await getToken(token.id)).previous_client_secret_expires_at, undefined, 'the server kept no previous secret');
    await p.getByRole('status').filter({ hasText: 'Secret rotated: the previous secret no longer works.' }).waitFor();
    assert.equal(await p.getByTestId('token-previous-secret').count(), 0);
  });

  it('pages the list as the API does', async () => {
    for (let i = 0; i < 26; i++) await apiToken(`Batch ${String(i).padStart(2, '0')}`);
    const total = (await s.api('GET', `${A()}/service_tokens?per_page=1`)).json.result_info.total_count as number;
    const p = await openPage('/service-tokens');
    await p.getByRole('row').nth(1).waitFor();
    assert.equal(await p.locator('tbody tr').count(), 25);
    assert.equal(await p.locator('.count').innerText(), `${total} service tokens`);
    await p.getByRole('navigation', { name: 'Service token pages' }).getByRole('button', { name: 'Next' }).click();
    await p.getByText(`Page 2 of ${Math.ceil(total / 25)}`).waitFor();
    // The pager says page 2 as soon as it is asked for; the rows follow with the API's answer.
    await p.waitForFunction((rows) => document.querySelectorAll('tbody tr').length === rows, total - 25);
  });
});
