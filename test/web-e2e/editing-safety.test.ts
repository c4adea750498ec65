// The dashboard keeps the user's work and tells the truth about what it could not read, in
// headless Chromium against a real server: every editor asks before unsaved changes are left
// (in-app and on tab close) and stops asking once they are saved; a token without some read
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
});
