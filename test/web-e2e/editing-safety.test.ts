// The dashboard keeps the user's work and tells the truth about what it could not read, in
// headless Chromium against a real server: every editor asks before unsaved changes are left
// (in-app and on tab close) and stops asking once they are saved; a save with nothing changed
// sends nothing and says so (policies, groups, identity providers); a token without some read
// permissions still fills the pickers it can read, and says so only where it matters; a rate
// limited load of the pickers is tried again; a token that stops working mid-edit asks to sign
// in again over the page, keeping the edit; the access log's order is the server's.
/// <reference lib="dom" />
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Dialog, Page } from 'playwright-core';
import { PERMISSION_GROUPS, type PermissionName } from '../../src/api/auth/permissions.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { scopedToken } from '../support/tokens.js';
import { browserUnavailable, launchBrowser, signIn, type Browser } from './browser.js';
import { devSignIn, seedAccount, type Fixture } from './fixture.js';

const skip = browserUnavailable();

/**
 * Whether the page would ask before the tab closes or reloads (what the browser's own prompt
 * needs), once it has rendered the last input: asked again for up to a second until it is `expected`.
 */
async function asksBeforeUnload(p: Page, expected: boolean): Promise<boolean> {
  const asks = (): Promise<boolean> =>
    p.evaluate(() => {
      const event = new Event('beforeunload', { cancelable: true });
      dispatchEvent(event);
      return event.defaultPrevented;
    });
  for (let tries = 0; tries < 10 && (await asks()) !== expected; tries++) await p.waitForTimeout(100);
  return asks();
}

describe('the dashboard keeps unsaved work and reads what the token allows', { skip }, () => {
  let s: TestServer;
  let fixture: Fixture;
  let browser: Browser;
  let page: Page;
  /** The confirm() questions the page asked, answered with `answer`. */
  let questions: string[] = [];
  let answer: 'accept' | 'dismiss' = 'dismiss';
  before(async () => {
    s = await startTestServer({ access: { devLogin: true } });
    fixture = await seedAccount(s);
    browser = await launchBrowser(s);
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  const A = () => `/accounts/${s.accountId}`;
  const newPage = async (): Promise<Page> => {
    await page?.close();
    page = await browser.newPage();
    questions = [];
    page.on('dialog', (dialog: Dialog) => {
      questions.push(dialog.message());
      void (answer === 'accept' ? dialog.accept() : dialog.dismiss());
    });
    return page;
  };
  const openPage = async (path: string): Promise<Page> => {
    const p = await newPage();
    await signIn(p, s, path);
    return p;
  };
  /** Sign in with `token` (not the root one) at `path`. */
  const openWithToken = async (path: string, token: string): Promise<Page> => {
    const p = await newPage();
    await p.goto(`${s.baseUrl}${path}?account=${s.accountId}`);
    await p.getByLabel('API token').fill(token);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByRole('navigation', { name: 'Dashboard' }).waitFor();
    return p;
  };
  /** The text of the option a <select> shows, once it is `expected` (the pickers load after the page). */
  const shownOption = async (p: Page, label: string, rule: number, expected: string): Promise<string> => {
    const select = p.getByRole('listitem', { name: `Include rule ${rule}`, exact: true }).getByLabel(label, { exact: true });
    await select.waitFor();
    const shown = (): Promise<string> => select.evaluate((element) => (element as HTMLSelectElement).selectedOptions[0]?.textContent ?? '');
    for (let tries = 0; tries < 100 && (await shown()) !== expected; tries++) await p.waitForTimeout(100);
    return shown();
  };
  const groupName = async (): Promise<string> => (await s.api('GET', `${A()}/access/groups/${fixture.groupId}`)).json.result.name as string;
  const sidebar = (p: Page, name: string) => p.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name, exact: true });

  it('asks before leaving every editor with unsaved changes, and not once they are saved', async () => {
    const list = (await s.api('GET', `${A()}/gateway/lists`)).json.result.find((l: { name: string }) => l.name === 'Office networks');
    const editors: { path: string; heading: RegExp; what: string; save: string; saved: string; field: string }[] = [
      { path: `/groups/${fixture.groupId}`, heading: /^Edit group/, what: 'group', save: 'Save group', saved: 'Group saved.', field: 'Name' },
      { path: `/lists/${list.id}`, heading: /^Edit list/, what: 'list', save: 'Save list', saved: 'List saved.', field: 'Name' },
      { path: `/policies/${fixture.employeesPolicyId}`, heading: /^Edit policy/, what: 'policy', save: 'Save policy', saved: 'Policy saved.', field: 'Name' },
      { path: '/organization', heading: /^Organization settings/, what: 'organization', save: 'Save organization', saved: 'Organization saved.', field: 'Name' },
      { path: '/identity-providers', heading: /^Identity providers/, what: 'identity provider', save: 'Create identity provider', saved: 'Identity provider created.', field: 'Name' },
    ];
    for (const editor of editors) {
      const p = await openPage(editor.path);
      await p.getByRole('heading', { name: editor.heading, level: 1 }).waitFor();
      const name = p.getByLabel(editor.field, { exact: true }).first();
      await name.waitFor();
      assert.equal(await asksBeforeUnload(p, false), false, `${editor.what}: nothing changed, nothing to ask`);

      await name.fill(`${(await name.inputValue()) || 'Corp OIDC'} (edited)`);
      assert.equal(await asksBeforeUnload(p, true), true, `${editor.what}: closing the tab asks`);
      answer = 'dismiss';
      await sidebar(p, 'Overview').click();
      assert.deepEqual(questions, [`The changes to this ${editor.what} are not saved. Leave without saving them?`], editor.what);
      assert.equal(new URL(p.url()).pathname, editor.path, `${editor.what}: declining keeps the page`);
      assert.match(await name.inputValue(), /\(edited\)$/, `${editor.what}: and the edit`);

      await p.getByRole('button', { name: editor.save }).click();
      await p.getByRole('status').filter({ hasText: editor.saved }).waitFor();
      assert.equal(await asksBeforeUnload(p, false), false, `${editor.what}: saved, nothing to ask`);
      questions = [];
      await sidebar(p, 'Overview').click();
      await p.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
      assert.deepEqual(questions, [], `${editor.what}: no question after the save`);
    }

    // Agreeing to leave leaves.
    const p = await openPage(`/groups/${fixture.groupId}`);
    await p.getByLabel('Name', { exact: true }).fill('Thrown away');
    answer = 'accept';
    await sidebar(p, 'Lists').click();
    await p.getByRole('heading', { name: 'Lists', level: 1 }).waitFor();
    assert.equal(questions.length, 1);
    answer = 'dismiss';
  });

  it('says there is nothing to save when a policy, group or identity provider is saved unchanged, sends nothing, and saves a real change', async () => {
    const editors: { open: string; edit?: string; heading: RegExp; what: string; save: string; saved: string; id: string }[] = [
      { open: `/policies/${fixture.employeesPolicyId}`, heading: /^Edit policy/, what: 'policy', save: 'Save policy', saved: 'Policy saved.', id: fixture.employeesPolicyId },
      { open: `/groups/${fixture.groupId}`, heading: /^Edit group/, what: 'group', save: 'Save group', saved: 'Group saved.', id: fixture.groupId },
      { open: '/identity-providers', edit: 'Edit Okta', heading: /^Edit Okta/, what: 'identity provider', save: 'Save identity provider', saved: 'Identity provider saved.', id: fixture.idpId },
    ];
    for (const editor of editors) {
      const p = await openPage(editor.open);
      if (editor.edit !== undefined) await p.getByRole('button', { name: editor.edit }).click();
      await p.getByRole('heading', { name: editor.heading }).waitFor();
      const name = p.getByLabel('Name', { exact: true });
      for (let tries = 0; tries < 50 && (await name.inputValue()) === ''; tries++) await p.waitForTimeout(100);
      const writes: string[] = [];
      p.on('request', (r) => {
        if (r.method() !== 'GET') writes.push(`${r.method()} ${new URL(r.url()).pathname}`);
      });

      await p.getByRole('button', { name: editor.save }).click();
      await p.getByRole('status').filter({ hasText: `Nothing to save: the ${editor.what} has not changed.` }).waitFor();
      assert.equal(await p.getByRole('status').filter({ hasText: 'saved.' }).count(), 0, `${editor.what}: no save is confirmed`);
      assert.deepEqual(writes, [], `${editor.what}: nothing was sent`);

      await name.fill(`${await name.inputValue()} (renamed)`);
      await p.getByRole('button', { name: editor.save }).click();
      await p.getByRole('status').filter({ hasText: editor.saved }).waitFor();
      assert.equal(writes.length, 1, `${editor.what}: one write (${writes.join(', ')})`);
      assert.match(writes[0]!, new RegExp(`^PUT /client/v4/accounts/${s.accountId}/.*/${editor.id}$`), editor.what);
    }
  });

  it("asks before the browser's Back leaves an editor with unsaved changes, and stays when told to", async () => {
    const p = await openPage('/overview');
    await p.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await sidebar(p, 'Access groups').click();
    await p.getByRole('heading', { name: 'Access groups', level: 1 }).waitFor();
    await p.locator(`main a[href="/groups/${fixture.groupId}"]`).first().click();
    await p.getByRole('heading', { name: /^Edit group/, level: 1 }).waitFor();
    const name = p.getByLabel('Name', { exact: true });
    for (let tries = 0; tries < 50 && (await name.inputValue()) === ''; tries++) await p.waitForTimeout(100);
    const groupPath = new URL(p.url()).pathname;
    await name.fill('Engineering (edited by Back)');
    // The edit has reached the page's state (a render after the keystroke) before Back is pressed.
    assert.equal(await asksBeforeUnload(p, true), true);
    answer = 'dismiss';
    questions = [];
    await p.goBack();
    for (let tries = 0; tries < 50 && (questions.length === 0 || new URL(p.url()).pathname !== groupPath); tries++) await p.waitForTimeout(100);
    assert.equal(new URL(p.url()).pathname, groupPath, `declining puts the address back (asked: ${JSON.stringify(questions)})`);
    assert.deepEqual(questions, ['The changes to this group are not saved. Leave without saving them?']);
    assert.equal(await name.inputValue(), 'Engineering (edited by Back)', 'declining keeps the page and the edit');
    answer = 'accept';
    await p.goBack();
    await p.getByRole('heading', { name: 'Access groups', level: 1 }).waitFor();
    answer = 'dismiss';
  });

  it('fills the pickers a narrower token can read and says which it cannot, only where they are used', async () => {
    const serviceToken = (await s.api('POST', `${A()}/access/service_tokens`, { name: 'CI robot' })).json.result.id as string;
    const policy = (
      await s.api('POST', `${A()}/access/policies`, {
        name: 'Engineers or the CI robot',
        decision: 'non_identity',
        include: [{ group: { id: fixture.groupId } }, { service_token: { token_id: serviceToken } }],
      })
    ).json.result.id as string;
    // Everything a policy author reads, but neither service tokens nor device posture.
    const reads: PermissionName[] = PERMISSION_GROUPS.map((g) => g.name).filter((n) => n.endsWith(' Read') && !/Service Tokens|Device Posture|API Tokens/.test(n));
    const token = await scopedToken(s.store, s.accountId, reads);
    const p = await openWithToken(`/policies/${policy}`, token);
    await p.getByRole('heading', { name: 'Edit policy: Engineers or the CI robot' }).waitFor();

    const engineering = await groupName();
    assert.equal(await shownOption(p, 'Access group', 1, engineering), engineering, 'the group that exists is named, not "not found"');
    const unreadable = `${serviceToken} (cannot be read with this token)`;
    assert.equal(await shownOption(p, 'Service token', 2, unreadable), unreadable);
    const robot = p.getByRole('listitem', { name: 'Include rule 2', exact: true }).getByLabel('Service token', { exact: true });
    const describedBy = (await robot.getAttribute('aria-describedby')) ?? '';
    const hint = p.locator(`[id="${describedBy.split(' ').find((id) => id.endsWith('-references'))}"]`);
    assert.match((await hint.textContent()) ?? '', /^Service tokens cannot be read with this token, so the choices are incomplete: .*Service Tokens Read/);
    assert.equal(await p.getByRole('alert').count(), 0, 'no page-wide alert');

    // Pages that use no service tokens say nothing about them.
    await sidebar(p, 'Access groups').click();
    await p.getByRole('heading', { name: 'Access groups', level: 1 }).waitFor();
    assert.equal(await p.getByText(/cannot be read with this token/).count(), 0);
    // What-if's request context uses the posture rules: it says so there.
    await sidebar(p, 'What-if').click();
    await p.getByText(/^Device posture rules cannot be read with this token/).waitFor();
  });

  it('loads the pickers again after a rate limit instead of keeping the failure', async () => {
    const p = await newPage();
    let refused = 0;
    await p.route(/\/access\/groups\?/, async (route) => {
      if (refused++ > 0) return route.continue();
      await route.fulfill({ status: 429, headers: { 'content-type': 'application/json', 'retry-after': '1' }, body: JSON.stringify({ success: false, errors: [{ code: 10429, message: 'Too many requests for this API token; retry in 1 s.' }], messages: [], result: null }) });
    });
    await signIn(p, s, `/groups/${fixture.groupId}`);
    // A policy that names the group: its picker first says why it lacks it, then has it.
    const policy = (await s.api('POST', `${A()}/access/policies`, { name: 'Engineers only', decision: 'allow', include: [{ group: { id: fixture.groupId } }] })).json.result.id as string;
    await p.evaluate((to) => {
      history.pushState(null, '', to);
      dispatchEvent(new Event('portcullis:navigate'));
    }, `/policies/${policy}`);
    const engineering = await groupName();
    assert.equal(await shownOption(p, 'Access group', 1, engineering), engineering, 'the group is named once the load is tried again');
    assert.equal(await p.getByText(/Access groups could not be loaded/).count(), 0, 'the failure is gone once the load succeeds');
    assert.ok(refused >= 2, `the groups were asked for again (${refused} requests)`);
  });

  it('asks to sign in again over the page when the token stops working mid-edit, keeping the edit', async () => {
    const writer = await s.api('POST', '/user/tokens', {
      name: 'expires mid-edit',
      policies: [{ effect: 'allow', permission_groups: PERMISSION_GROUPS.filter((g) => g.scope === 'account').map((g) => ({ id: g.id })), resources: { [`com.cloudflare.api.account.${s.accountId}`]: '*' } }],
    });
    assert.equal(writer.status, 200, JSON.stringify(writer.json.errors));
    const p = await openWithToken(`/groups/${fixture.groupId}`, writer.json.result.value as string);
    const name = p.getByLabel('Name', { exact: true });
    await name.fill('Engineering (renamed before the token went)');
    assert.equal((await s.api('DELETE', `/user/tokens/${writer.json.result.id as string}`)).status, 200);

    await p.getByRole('button', { name: 'Save group' }).click();
    const dialog = p.getByRole('dialog', { name: 'Sign in again to keep your changes' });
    await dialog.waitFor();
    assert.match((await dialog.getByRole('alert').first().textContent()) ?? '', /The API token stopped working: Authentication error/);
    const tokenField = dialog.getByLabel('API token');
    assert.equal(await tokenField.evaluate((input) => input === document.activeElement), true, 'focus is on the token field');
    await tokenField.fill(s.rootToken);
    await dialog.getByRole('button', { name: 'Sign in', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await name.inputValue(), 'Engineering (renamed before the token went)', 'the edit is still there');
    await p.getByRole('button', { name: 'Save group' }).click();
    await p.getByRole('status').filter({ hasText: 'Group saved.' }).waitFor();
    assert.equal((await s.api('GET', `${A()}/access/groups/${fixture.groupId}`)).json.result.name, 'Engineering (renamed before the token went)');
  });

  it('orders the access log through the server: only the time heading sorts, and it sorts every page', async () => {
    // More entries than a page (25) holds: the oldest is not on the first page of the newest first.
    for (let i = 0; i < 27; i++) await devSignIn(s, i === 0 ? 'zed@example.com' : 'ada@example.com', 'wiki.example.com');
    const all = (await s.api('GET', `${A()}/access/logs/access_requests?direction=asc&per_page=100`)).json.result as { ray_id: string }[];
    const p = await openPage('/access-log');
    await p.locator('table tbody tr').first().waitFor();
    for (const heading of ['User', 'Application', 'Outcome']) assert.equal(await p.getByRole('columnheader', { name: heading }).getByRole('button').count(), 0, `${heading} is not sortable on one page`);
    const time = p.getByRole('columnheader', { name: /^Time/ });
    assert.equal(await time.getAttribute('aria-sort'), 'descending', 'the log comes newest first');
    const [request] = await Promise.all([p.waitForRequest((r) => r.url().includes('/logs/access_requests') && r.url().includes('direction=asc')), time.getByRole('button').click()]);
    assert.ok(request);
    await p.waitForFunction((first) => document.querySelector('table tbody tr code')?.textContent === first, all[0]!.ray_id);
    assert.equal(await time.getAttribute('aria-sort'), 'ascending');
    assert.equal(new URL(p.url()).searchParams.get('direction'), 'asc');
    assert.equal(await p.getByLabel('Order').inputValue(), 'asc', 'the Order filter says the same');
  });
});
