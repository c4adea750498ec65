// The dashboard end to end, in headless Chromium against a real server: sign in, build a
// policy in the rule builder, test it over an imported directory, filter and explain; field
// errors and lint warnings where they belong; compare mode; what-if; keyboard reordering of
// an application's policies; creating applications (an OIDC SaaS one's secret shown once, an rdp
// one's targets, a second App Launcher refused); 401 handling; a narrow window. No request may
// leave the server.
/// <reference lib="dom" />
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { hashSecret } from '../../src/api/auth/authenticate.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { browserUnavailable, launchBrowser, signIn, type Browser } from './browser.js';
import { seedAccount, type Fixture } from './fixture.js';
import { buildEngineersPolicy, ruleAt, runTest, setRule, showUsers } from './steps.js';

const skip = browserUnavailable();

describe('the dashboard in a browser', { skip }, () => {
  let s: TestServer;
  let fixture: Fixture;
  let browser: Browser;
  let page: Page;
  before(async () => {
    s = await startTestServer();
    fixture = await seedAccount(s);
    browser = await launchBrowser(s);
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  const openPage = async (path = '/'): Promise<Page> => {
    await page?.close();
    page = await browser.newPage();
    await signIn(page, s, path);
    return page;
  };

  it('builds a policy with three kinds of selector, saves it, tests it and explains a blocked user', async () => {
    const p = await openPage('/policies');
    await buildEngineersPolicy(p, 'Engineers in the US with MFA');
    await p.getByRole('button', { name: 'Create policy' }).click();
    await p.getByRole('status').filter({ hasText: 'Policy created.' }).waitFor();

    const saved = (await s.api('GET', `/accounts/${s.accountId}/access/policies`)).json.result.find((x: { name: string }) => x.name === 'Engineers in the US with MFA');
    assert.deepEqual(saved.include, [{ email_domain: { domain: 'example.com' } }]);
    assert.deepEqual(saved.require, [{ geo: { country_code: 'US' } }, { auth_method: { auth_method: 'mfa' } }]);
    assert.equal(new URL(p.url()).pathname, `/policies/${saved.id}`);

    await p.getByRole('link', { name: 'Policy tester' }).click();
    const chart = await runTest(p, ['Engineers in the US with MFA']);
    // 12 employees: 4 abroad, 3 without MFA (one both); 4 contractors: 6 approved of 16 (37.5 % and 62.5 %, shown adding up to 100).
    assert.match((await chart.getAttribute('aria-label')) ?? '', /^Decisions for 16 users/);
    assert.match((await chart.getAttribute('aria-label')) ?? '', /Approved 6 \(38%\), Blocked 10 \(62%\), Error 0 \(0%\)/);
    assert.equal(await p.locator('#test-progress').getAttribute('value'), '100');

    await showUsers(p, 'Blocked', 10);
    const rows = p.locator('.users-table tbody tr');
    assert.equal(await rows.count(), 10);
    const blocked = await rows.locator('th').allTextContents();
    assert.ok(blocked.includes('linus@example.com') && blocked.includes('erin@contractor.io'), blocked.join());
    assert.ok(!blocked.includes('ada@example.com'));

    const explainLabel = 'Explain the result of linus@example.com';
    const explain = p.getByRole('button', { name: explainLabel });
    await explain.click();
    const drawer = p.getByRole('dialog', { name: 'Why linus@example.com is blocked' });
    await drawer.getByText('No policy matched, so access is blocked by default.').waitFor();
    const geo = drawer.locator('[data-selector="geo"]');
    assert.match((await geo.textContent()) ?? '', /Not matched.*Country FR is not US\..*ExpectedUS.*ActualFR/s);
    assert.match((await drawer.locator('[data-selector="auth_method"]').textContent()) ?? '', /^Matched/);
    assert.match((await drawer.locator('[data-selector="email_domain"]').textContent()) ?? '', /^Matched/);
    await p.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    // Focus may move back a task after the drawer leaves the DOM (the dialog's own restoring and
    // the drawer's cleanup): wait for it a little, and say where it is if it never comes back.
    const focusReturned = await p
      .waitForFunction((label) => document.activeElement?.getAttribute('aria-label') === label, explainLabel, { timeout: 2_000 })
      .then(() => true, () => false);
    const focused = await p.evaluate(() => document.activeElement?.outerHTML.slice(0, 120) ?? 'nothing');
    assert.equal(focusReturned && (await explain.evaluate((button) => button === document.activeElement)), true, `focus returns to the button that opened the drawer (focused: ${focused})`);
  });

  it('shows a validation error next to its field, clears it when fixed, and shows lint warnings inline', async () => {
    const p = await openPage('/policies/new');
    await p.getByLabel('Name', { exact: true }).fill('Typo');
    const email = ruleAt(p, 'Include', 1).getByLabel('Email');
    await email.fill('bob@@example');
    await p.getByRole('button', { name: 'Create policy' }).click();

    const summary = p.getByRole('alert').filter({ hasText: 'The policy was not saved: 1 problem' });
    await summary.waitFor();
    assert.equal(await email.getAttribute('aria-invalid'), 'true');
    const noteId = await email.getAttribute('aria-describedby');
    assert.ok(noteId);
    const note = p.locator(`#${noteId}`);
    assert.match((await note.textContent()) ?? '', /"bob@@example" is not a valid email address/);
    assert.equal(await note.locator('[data-note-pointer]').getAttribute('data-note-pointer'), '/include/0/email/email');
    const field = email.locator('xpath=ancestor::div[contains(@class, "field")][1]');
    assert.equal(await field.locator(`#${noteId}`).count(), 1, 'the error sits in the field it concerns');
    assert.equal((await s.api('GET', `/accounts/${s.accountId}/access/policies`)).json.result.some((x: { name: string }) => x.name === 'Typo'), false);

    // Following the summary's link puts the keyboard on the field.
    await summary.getByRole('button', { name: 'Include rule 1: Email' }).click();
    assert.equal(await email.evaluate((input) => input === document.activeElement), true);

    await email.fill('bob@example.com');
    await p.waitForFunction(() => document.querySelector('[aria-invalid="true"]') === null);
    const country = await setRule(p, 'Require', 1, 'Country', { 'Country code': 'UK' });
    await p.getByRole('button', { name: 'Create policy' }).click();
    await p.getByRole('status').filter({ hasText: 'Policy created.' }).waitFor();
    const warning = country.locator('.note-warning');
    assert.match((await warning.textContent()) ?? '', /UK is not an assigned ISO 3166-1 alpha-2 country code.*Did you mean GB\?/);
  });

  it('shows a refused save and a refused delete where the user is looking, far down a long form', async () => {
    const inView = (element: Element): string => {
      const box = element.getBoundingClientRect();
      return box.top >= -1 && box.bottom <= window.innerHeight + 1 && document.activeElement === element ? 'in view with focus' : `top ${box.top}, bottom ${box.bottom} of ${window.innerHeight}; focus on ${document.activeElement?.tagName}`;
    };
    const p = await openPage('/policies/new');
    await p.getByLabel('Name', { exact: true }).fill('Office networks');
    for (let i = 1; i <= 12; i++) await setRule(p, 'Include', i, 'IP ranges', { 'IP address or CIDR range': i === 12 ? '10.0.12.0/33' : `10.0.${i}.0/24` });
    const create = p.getByRole('button', { name: 'Create policy' });
    await create.scrollIntoViewIfNeeded();
    assert.ok(await p.evaluate(() => window.scrollY > 300), 'the form is long enough to scroll');
    await create.click();
    const summary = p.getByRole('alert').filter({ hasText: 'The policy was not saved: 1 problem' });
    await summary.waitFor();
    assert.equal(await summary.evaluate(inView), 'in view with focus', 'the error summary is scrolled into view and has focus');

    // A group that a policy uses cannot be deleted: the 409 shows where the user is.
    const rules = Array.from({ length: 12 }, (_, i) => ({ email: { email: `person${i}@example.com` } }));
    const group = await s.api('POST', `/accounts/${s.accountId}/access/groups`, { name: 'Long group', include: rules });
    await s.api('POST', `/accounts/${s.accountId}/access/policies`, { name: 'Uses the long group', decision: 'allow', include: [{ group: { id: group.json.result.id } }] });
    const g = await openPage(`/groups/${group.json.result.id}`);
    await g.getByRole('heading', { name: 'Edit group: Long group' }).waitFor();
    await g.getByRole('button', { name: 'Delete group' }).click();
    await g.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
    const banner = g.getByRole('alert').filter({ hasText: 'The request failed' });
    await banner.waitFor();
    assert.match((await banner.textContent()) ?? '', /Uses the long group|in use|referenced/i);
    assert.equal(await banner.evaluate(inView), 'in view with focus', 'the refusal is scrolled into view and has focus');
  });

  it('offers the justification prompt with either step that asks for one: a purpose justification or an approval', async () => {
    const p = await openPage('/policies/new');
    const prompt = p.getByLabel('Justification prompt', { exact: true });
    await p.getByLabel('Require approval for each session').waitFor();
    assert.equal(await prompt.count(), 0, 'neither asked: no prompt');
    await p.getByLabel('Require approval for each session').check();
    await prompt.waitFor();
    await p.getByLabel('Require approval for each session').uncheck();
    await prompt.waitFor({ state: 'detached' });
    await p.getByLabel('Ask users for a purpose justification').check();
    await prompt.waitFor();
  });

  it('compares a draft with the saved policies: who gains and who loses access', async () => {
    const p = await openPage(`/policies/${fixture.employeesPolicyId}`);
    await p.getByRole('heading', { name: 'Edit policy: Employees' }).waitFor();
    await setRule(p, 'Require', 1, 'Country', { 'Country code': 'US' });
    await p.getByRole('button', { name: 'Test this draft' }).click();

    await p.getByRole('heading', { name: 'Policy tester' }).waitFor();
    assert.equal(await p.getByRole('checkbox', { name: /The draft from the rule builder: Employees/ }).isChecked(), true);
    // Opened within the policy set of Wiki, which uses Employees; this compare is of the draft alone.
    const wholeSet = p.getByRole('radio', { name: "An application's policies, all of them by precedence" });
    await p.waitForFunction(() => (document.querySelector('input[name="policy-source"]:checked')?.parentElement?.textContent ?? '').includes("application's policies"));
    assert.equal(await wholeSet.isChecked(), true);
    await p.getByRole('radio', { name: 'Policies I choose' }).check();
    await p.getByRole('checkbox', { name: /Compare with the saved versions/ }).check();
    await p.getByRole('button', { name: 'Run test' }).click();
    const changes = p.getByRole('img', { name: /^Compared with the saved policies: 4 users change/ });
    await changes.waitFor();
    assert.match((await changes.getAttribute('aria-label')) ?? '', /Gain access 0 .*Lose access 4 /);
    await showUsers(p, 'Lose access', 4);
    const losing = (await p.locator('.users-table tbody th').allTextContents()).sort();
    assert.deepEqual(losing, ['alan@example.com', 'barbara@example.com', 'katherine@example.com', 'linus@example.com']);
    // The drawer of a user who loses access says what made the difference, as the CLI's diff does.
    await p.getByRole('button', { name: 'Explain the result of alan@example.com' }).click();
    const drawer = p.getByRole('dialog', { name: /Why alan@example.com is/ });
    const differences = drawer.getByRole('list', { name: 'What made the difference' });
    await differences.waitFor();
    assert.match((await differences.textContent()) ?? '', /Employees.*matched → not matched.*require rule Country: added — Country \w+ is not US\./s);
    assert.match((await drawer.locator('.explanation-summary').first().textContent()) ?? '', /^Blocked: /);
    await p.keyboard.press('Escape');
    // The saved policy is unchanged until the draft is saved.
    const saved = await s.api('GET', `/accounts/${s.accountId}/access/policies/${fixture.employeesPolicyId}`);
    assert.deepEqual(saved.json.result.require, []);
  });

  it('sorts the policies table by a column heading, both ways', async () => {
    const p = await openPage('/policies');
    const names = async (): Promise<string[]> => p.locator('table tbody th').allTextContents();
    await p.locator('table tbody th').first().waitFor();
    const byName = (await names()).slice().sort((a, b) => a.localeCompare(b, undefined, { numeric: true, sensitivity: 'base' }));
    const heading = p.getByRole('columnheader', { name: /^Name/ });
    await heading.getByRole('button').click();
    assert.deepEqual(await names(), byName);
    assert.equal(await heading.getAttribute('aria-sort'), 'ascending');
    await heading.getByRole('button').click();
    assert.deepEqual(await names(), byName.slice().reverse());
    assert.equal(await heading.getAttribute('aria-sort'), 'descending');
  });

  it('opens on an overview: counts, the latest policy tests and the latest changes', async () => {
    const p = await openPage('/');
    await p.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    assert.equal(new URL(p.url()).pathname, '/overview');
    const policies = (await s.api('GET', `/accounts/${s.accountId}/access/policies?per_page=1`)).json.result_info.total_count as number;
    const counts = p.getByRole('region', { name: 'What the account holds' });
    await counts.getByRole('link', { name: `${policies.toLocaleString('en-US')} Reusable policies` }).waitFor();
    const tests = p.locator('section[aria-labelledby="recent-tests"] li');
    await tests.first().waitFor();
    assert.match((await tests.first().textContent()) ?? '', /complete: .* of [\d,]+ users/);
    const changes = p.locator('section[aria-labelledby="recent-changes"] li');
    await changes.first().waitFor();
    assert.match((await changes.first().textContent()) ?? '', / by the root token$/);
    await counts.getByRole('link', { name: /Access groups$/ }).click();
    await p.getByRole('heading', { name: 'Access groups', level: 1 }).waitFor();
  });

  it('answers what-if questions with a changed context', async () => {
    const p = await openPage('/what-if');
    await p.getByLabel('Search users').fill('barbara');
    const user = p.getByLabel('User', { exact: true });
    await user.locator('option', { hasText: 'barbara@example.com' }).waitFor({ state: 'attached' });
    await user.selectOption({ label: 'barbara@example.com (Barbara Example)' });
    await p.getByRole('checkbox', { name: /Block high-risk logins/ }).check();
    await p.getByRole('checkbox', { name: /^Employees/ }).check();
    await p.getByRole('button', { name: 'Evaluate' }).click();
    const result = p.locator('.what-if-result');
    await result.getByText('Deciding policy: Block high-risk logins').waitFor();
    assert.match((await result.locator('.verdict').textContent()) ?? '', /Access blocked/);

    await p.getByLabel('User risk score').selectOption('low');
    await p.getByRole('button', { name: 'Evaluate' }).click();
    await result.getByText('Deciding policy: Employees').waitFor();
    assert.match((await result.locator('.verdict').textContent()) ?? '', /Access granted/);
    assert.match((await result.locator('[data-selector="user_risk_score"]').textContent()) ?? '', /Not matched/);
  });

  it("reorders an application's policies from the keyboard and saves the precedence", async () => {
    const p = await openPage(`/apps/${fixture.appId}`);
    const handle = p.getByRole('button', { name: 'Employees, position 2 of 2' });
    await handle.focus();
    await p.keyboard.press('Alt+ArrowUp');
    await p.getByRole('button', { name: 'Employees, position 1 of 2' }).waitFor();
    assert.equal(await p.getByRole('button', { name: 'Employees, position 1 of 2' }).evaluate((b) => b === document.activeElement), true);
    // Leaving with the new order unsaved asks first; declining keeps the page and the order.
    const asked: string[] = [];
    p.once('dialog', (dialog) => {
      asked.push(dialog.message());
      void dialog.dismiss();
    });
    await p.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Policies' }).click();
    assert.match(asked[0] ?? '', /not saved/);
    assert.equal(new URL(p.url()).pathname, `/apps/${fixture.appId}`);
    await p.getByRole('button', { name: 'Employees, position 1 of 2' }).waitFor();
    await p.getByRole('button', { name: 'Save application' }).click();
    await p.getByRole('status').filter({ hasText: 'Order saved.' }).waitFor();
    const app = await s.api('GET', `/accounts/${s.accountId}/access/apps/${fixture.appId}`);
    assert.deepEqual(
      app.json.result.policies.map((x: { id: string; precedence: number }) => [x.id, x.precedence]),
      [
        [fixture.employeesPolicyId, 1],
        [fixture.contractorsPolicyId, 2],
      ],
    );
  });

  it("edits an application's settings (its fields and the rest as JSON), refusing JSON that is not an object", async () => {
    const before = (await s.api('GET', `/accounts/${s.accountId}/access/apps/${fixture.appId}`)).json.result;
    const p = await openPage(`/apps/${fixture.appId}`);
    await p.getByLabel('Session duration').fill('8h');
    const other = p.getByLabel('Other settings (JSON)');
    await other.fill('[1, 2]');
    await p.getByRole('button', { name: 'Save application' }).click();
    await p.getByRole('alert').filter({ hasText: 'Other settings must be a JSON object' }).waitFor();
    const settings = JSON.parse(JSON.stringify({ ...before, custom_deny_message: 'Ask the wiki team.' })) as Record<string, unknown>;
    for (const shown of ['id', 'aud', 'created_at', 'updated_at', 'policies', 'type', 'name', 'domain', 'session_duration']) delete settings[shown];
    await other.fill(JSON.stringify(settings, null, 2));
    await p.getByRole('button', { name: 'Save application' }).click();
    await p.getByRole('status').filter({ hasText: 'Application saved.' }).waitFor();
    const after = (await s.api('GET', `/accounts/${s.accountId}/access/apps/${fixture.appId}`)).json.result;
    assert.deepEqual([after.session_duration, after.custom_deny_message, after.domain, after.name], ['8h', 'Ask the wiki team.', before.domain, before.name]);
    assert.deepEqual(after.policies.map((x: { id: string }) => x.id), before.policies.map((x: { id: string }) => x.id), 'the policies and their order kept');
    // A value the API refuses is shown at its field.
    await p.getByLabel('Session duration').fill('forever');
    await p.getByRole('button', { name: 'Save application' }).click();
    await p.locator('[data-pointer="/session_duration"][aria-invalid="true"]').waitFor();
    assert.equal((await s.api('GET', `/accounts/${s.accountId}/access/apps/${fixture.appId}`)).json.result.session_duration, '8h', 'nothing saved');
  });

  it('offers "Protect it" only for the types that protect a host, and Session duration only where a session has one', async () => {
    const A = `/accounts/${s.accountId}/access/apps`;
    const bookmark = await s.api('POST', A, { type: 'bookmark', name: 'Handbook', domain: 'handbook.example.com', session_duration: '2h' });
    const saas = await s.api('POST', A, { type: 'saas', name: 'Timesheets' });
    const mcp = await s.api('POST', A, { type: 'mcp', name: 'Tools', domain: 'tools.example.com' });
    assert.deepEqual([bookmark.status, saas.status, mcp.status], [201, 201, 201]);
    const p = await openPage('/apps');
    await p.getByRole('link', { name: 'Handbook', exact: true }).waitFor();
    const protectLinks = (await p.getByRole('link', { name: /^Protect it: / }).evaluateAll((links) => links.map((a) => a.getAttribute('aria-label')))).sort();
    assert.ok(protectLinks.includes('Protect it: Wiki') && protectLinks.includes('Protect it: Tools'), `self_hosted and mcp protect hosts: ${protectLinks.join(', ')}`);
    assert.ok(!protectLinks.includes('Protect it: Handbook') && !protectLinks.includes('Protect it: Timesheets'), `a bookmark and a SaaS application protect none: ${protectLinks.join(', ')}`);

    // A bookmark's page: neither the link nor the field; a session_duration it was given anyway stays in the JSON, kept by a save.
    await p.getByRole('link', { name: 'Handbook', exact: true }).click();
    await p.getByRole('heading', { name: 'Application: Handbook' }).waitFor();
    assert.equal(await p.getByRole('link', { name: /Protect it/ }).count(), 0);
    assert.equal(await p.getByLabel('Session duration').count(), 0);
    assert.equal(JSON.parse(await p.getByLabel('Other settings (JSON)').inputValue()).session_duration, '2h');
    await p.getByLabel('Name', { exact: true }).fill('Employee handbook');
    await p.getByRole('button', { name: 'Save application' }).click();
    await p.getByRole('status').filter({ hasText: 'Application saved.' }).waitFor();
    assert.equal((await s.api('GET', `${A}/${bookmark.json.result.id}`)).json.result.session_duration, '2h');

    for (const [id, name] of [[saas.json.result.id, 'Timesheets'], [mcp.json.result.id, 'Tools']] as const) {
      await p.goto(`${s.baseUrl}/apps/${id}`);
      await p.getByRole('heading', { name: `Application: ${name}` }).waitFor();
      const hosts = name === 'Tools';
      assert.equal(await p.getByRole('link', { name: 'Protect it: proxy configuration' }).count(), hosts ? 1 : 0, `${name}: Protect it`);
      assert.equal(await p.getByLabel('Session duration').count(), hosts ? 1 : 0, `${name}: Session duration`);
    }
  });

  it('says there is nothing to save when an application is saved unchanged, and sends nothing', async () => {
    const p = await openPage(`/apps/${fixture.appId}`);
    await p.getByRole('heading', { name: 'Application: Wiki' }).waitFor();
    const writes: string[] = [];
    p.on('request', (r) => {
      if (r.method() !== 'GET') writes.push(`${r.method()} ${new URL(r.url()).pathname}`);
    });
    await p.getByRole('button', { name: 'Save application' }).click();
    await p.getByRole('status').filter({ hasText: 'Nothing to save' }).waitFor();
    assert.equal(await p.getByRole('status').filter({ hasText: 'saved.' }).count(), 0, 'no save is confirmed');
    assert.deepEqual(writes, []);
  });

  it("ends every session of an application from its page, after asking", async () => {
    const p = await openPage(`/apps/${fixture.appId}`);
    await p.getByRole('button', { name: 'End all sessions' }).click();
    const dialog = p.getByRole('dialog', { name: 'End every session of this application?' });
    await dialog.waitFor();
    const [answer] = await Promise.all([p.waitForResponse((r) => r.url().endsWith(`/apps/${fixture.appId}/revoke_tokens`)), dialog.getByRole('button', { name: 'End sessions' }).click()]);
    assert.equal(answer.request().method(), 'POST');
    assert.equal(answer.status(), 202);
    await p.getByRole('status').filter({ hasText: 'Sessions ended' }).waitFor();
  });

  it('creates an OIDC SaaS application and shows the client secret the server made, once, saying so', async () => {
    const p = await openPage('/apps');
    const form = p.locator('form.editor');
    await form.getByLabel('Name', { exact: true }).fill('Expenses');
    await form.getByLabel('Type').selectOption('saas');
    assert.equal(await form.getByLabel('Sign-in protocol').inputValue(), 'oidc', 'OIDC unless the user picks otherwise');
    await form.getByLabel('Redirect URLs').fill('https://expenses.example.com/oauth/callback\n\nhttps://expenses.example.com/alt\n');
    await form.getByRole('button', { name: 'Create application' }).click();

    const panel = p.getByRole('region', { name: 'OIDC client credentials' });
    await panel.waitFor();
    assert.match((await panel.textContent()) ?? '', /The client secret is shown only now\./);
    assert.equal(await panel.evaluate((e) => e === document.activeElement), true, 'the panel has the focus');
    const [clientId, secret] = [await panel.getByTestId('client-id').textContent(), await panel.getByTestId('client-secret').textContent()];
    assert.match(secret ?? '', /^[0-9a-f]{64}$/);

    const apps = (await s.api('GET', `/accounts/${s.accountId}/access/apps?name=Expenses&exact=true`)).json.result;
    assert.equal(apps.length, 1);
    const [app] = apps;
    assert.deepEqual(app.saas_app, { auth_type: 'oidc', redirect_uris: ['https://expenses.example.com/oauth/callback', 'https://expenses.example.com/alt'], client_id: clientId });
    // What was shown is the secret the server keeps (its hash in the record, as service tokens'), not a made-up one.
    assert.equal((await s.store.read.getResource(s.accountId, 'app', app.id))?.secretHash, hashSecret(secret!));

    // The application's page has the client id, not the secret; saving it keeps both.
    await panel.getByRole('link', { name: 'Open Expenses' }).click();
    await p.getByRole('heading', { name: 'Application: Expenses' }).waitFor();
    assert.equal(await p.getByTestId('client-id').textContent(), clientId);
    assert.ok(!(await p.content()).includes(secret!), 'the secret is not on the page');
    await p.getByLabel('Name', { exact: true }).fill('Expense reports');
    await p.getByRole('button', { name: 'Save application' }).click();
    await p.getByRole('status').filter({ hasText: 'Application saved.' }).waitFor();
    assert.equal((await s.store.read.getResource(s.accountId, 'app', app.id))?.secretHash, hashSecret(secret!), 'the credentials kept');
    assert.equal((await s.api('GET', `/accounts/${s.accountId}/access/apps/${app.id}`)).json.result.saas_app.client_id, clientId);
  });

  it('shows the client secret once when a save makes an existing SaaS application OIDC, and keeps it out of the JSON field', async () => {
    const made = await s.api('POST', `/accounts/${s.accountId}/access/apps`, { type: 'saas', name: 'Payroll' });
    assert.equal(made.status, 201);
    const p = await openPage(`/apps/${made.json.result.id}`);
    const other = p.getByLabel('Other settings (JSON)');
    const settings = JSON.parse(await other.inputValue()) as Record<string, unknown>;
    await other.fill(JSON.stringify({ ...settings, saas_app: { auth_type: 'oidc', redirect_uris: ['https://payroll.example.com/cb'] } }));
    await p.getByRole('button', { name: 'Save application' }).click();
    const panel = p.getByRole('region', { name: 'OIDC client credentials' });
    await panel.waitFor();
    const secret = (await panel.getByTestId('client-secret').textContent())!;
    assert.equal((await s.store.read.getResource(s.accountId, 'app', made.json.result.id))?.secretHash, hashSecret(secret));
    assert.ok(!(await other.inputValue()).includes(secret), 'the secret is not put in the form');
  });

  it('creates an rdp application with the target port and protocol the API requires, refusing a port that is not one at its field', async () => {
    const p = await openPage('/apps');
    const form = p.locator('form.editor');
    await form.getByLabel('Name', { exact: true }).fill('Remote desktop');
    await form.getByLabel('Type').selectOption('rdp');
    await form.getByLabel('Domain').fill('rdp.example.com');
    const port = form.getByLabel('Target port');
    assert.deepEqual([await port.inputValue(), await form.getByLabel('Target protocol').inputValue()], ['3389', 'RDP'], "RDP's usual port");
    await port.fill('desk');
    await form.getByRole('button', { name: 'Create application' }).click();
    await p.locator('[data-pointer="/target_criteria/0/port"][aria-invalid="true"]').waitFor();
    await port.fill('3390');
    await form.getByRole('button', { name: 'Create application' }).click();
    await p.getByRole('heading', { name: 'Application: Remote desktop' }).waitFor();
    const app = (await s.api('GET', `/accounts/${s.accountId}/access/apps/${new URL(p.url()).pathname.split('/').at(-1)}`)).json.result;
    assert.deepEqual([app.type, app.domain, app.target_criteria], ['rdp', 'rdp.example.com', [{ port: 3390, protocol: 'RDP' }]]);
  });

  it("refuses a second App Launcher with the API's own message and a link to the one there is", async () => {
    const p = await openPage('/apps');
    await p.getByRole('link', { name: 'Wiki', exact: true }).waitFor();
    // Made after the page listed the applications: the link is found in the list read again.
    const first = await s.api('POST', `/accounts/${s.accountId}/access/apps`, { type: 'app_launcher', name: 'Launcher' });
    assert.equal(first.status, 201);
    const form = p.locator('form.editor');
    await form.getByLabel('Name', { exact: true }).fill('Another launcher');
    await form.getByLabel('Type').selectOption('app_launcher');
    await form.getByRole('button', { name: 'Create application' }).click();
    const refusal = p.getByRole('alert').filter({ hasText: 'The request failed' });
    await refusal.waitFor();
    const message = `This account already has an App Launcher application (${first.json.result.id}); an account has one.`;
    assert.match((await refusal.textContent()) ?? '', new RegExp(message.replace(/[().]/g, '\\$&')));
    assert.equal(new URL(p.url()).pathname, '/apps', 'still on the form');
    assert.equal((await s.api('GET', `/accounts/${s.accountId}/access/apps?name=Another launcher`)).json.result.length, 0);

    // The refusal names the existing launcher: the dashboard links to its page, where it is changed.
    await refusal.getByRole('link', { name: 'Open the existing App Launcher' }).click();
    await p.getByRole('heading', { name: 'Application: Launcher' }).waitFor();
    assert.equal(new URL(p.url()).pathname, `/apps/${first.json.result.id}`);
    // The launcher protects no host but has a session of its own.
    assert.equal(await p.getByRole('link', { name: /Protect it/ }).count(), 0);
    assert.equal(await p.getByLabel('Session duration').count(), 1);
  });

  it("links to the existing App Launcher whatever the refusal's message says: the dashboard finds it among the applications", async () => {
    const A = `/accounts/${s.accountId}/access/apps`;
    const launcher = ((await s.api('GET', `${A}?per_page=1000`)).json.result as { id: string; type: string }[]).find((a) => a.type === 'app_launcher') ?? (await s.api('POST', A, { type: 'app_launcher', name: 'Launcher' })).json.result;
    const p = await openPage('/apps');
    // The refusal as Cloudflare words it, naming no id: the message is for people, not for parsing.
    await p.route(/\/client\/v4\/accounts\/[^/]+\/access\/apps$/, async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      const response = await route.fetch();
      const body = (await response.json()) as { errors: { code: number; message: string }[] };
      await route.fulfill({ response, json: { ...body, errors: body.errors.map((e) => ({ ...e, message: 'An account can have only one App Launcher.' })) } });
    });
    const form = p.locator('form.editor');
    await form.getByLabel('Name', { exact: true }).fill('Yet another launcher');
    await form.getByLabel('Type').selectOption('app_launcher');
    await form.getByRole('button', { name: 'Create application' }).click();
    const refusal = p.getByRole('alert').filter({ hasText: 'An account can have only one App Launcher.' });
    await refusal.waitFor();
    await refusal.getByRole('link', { name: 'Open the existing App Launcher' }).click();
    await p.getByRole('heading', { name: /^Application: / }).waitFor();
    assert.equal(new URL(p.url()).pathname, `/apps/${launcher.id}`);

    // Another type's refusal is not taken for the launcher's.
    await p.goto(`${s.baseUrl}/apps`);
    await p.route(/\/client\/v4\/accounts\/[^/]+\/access\/apps$/, async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      await route.fulfill({ status: 409, json: { success: false, errors: [{ code: 1202, message: 'Already exists.' }], messages: [], result: null } });
    });
    await form.getByLabel('Name', { exact: true }).fill('A wiki again');
    await form.getByRole('button', { name: 'Create application' }).click();
    await p.getByRole('alert').filter({ hasText: 'Already exists.' }).waitFor();
    assert.equal(await p.getByRole('link', { name: 'Open the existing App Launcher' }).count(), 0);
  });

  it('goes back to the sign-in form with the reason when the token stops working', async () => {
    const p = await openPage('/policies');
    await p.evaluate(() => sessionStorage.setItem('portcullis.token', 'not-a-valid-token'));
    await p.reload();
    await p.getByRole('heading', { name: 'Sign in to portcullis' }).waitFor();
    assert.match((await p.getByRole('alert').textContent()) ?? '', /Signed out: Authentication error/);
    assert.equal(await p.getByLabel('Account id').inputValue(), s.accountId);
  });

  it('fits a narrow window', async () => {
    page = await browser.newPage({ width: 400, height: 800 });
    await signIn(page, s, '/tester');
    await page.getByRole('heading', { name: 'Policy tester' }).waitFor();
    for (const path of ['/overview', '/policies', '/policies/new', '/tester', '/organization', '/access-log', `/apps/${fixture.appId}/protect`]) {
      await page.getByRole('navigation', { name: 'Dashboard' }).waitFor();
      await page.evaluate((to) => {
        history.pushState(null, '', to);
        dispatchEvent(new Event('portcullis:navigate'));
      }, path);
      await page.locator('h1').first().waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${path} overflows a 400px window by ${overflow}px`);
    }
  });

  it('keeps the tester usable on a 390px phone: status and explain in view, counts formatted, titles that say where you are', async () => {
    page = await browser.newPage({ width: 390, height: 800 });
    await signIn(page, s, '/tester');
    await page.getByRole('heading', { name: 'Policy tester' }).waitFor();
    assert.equal(await page.title(), 'Policy tester · portcullis');
    await runTest(page, ['Employees']);
    await page.getByLabel('Show', { exact: true }).selectOption({ label: 'All users' });
    const firstRow = page.locator('.users-table tbody tr').first();
    await firstRow.waitFor();
    for (const cell of [firstRow.locator('.badge').first(), firstRow.getByRole('button', { name: /^Explain the result of / })]) {
      const box = await cell.boundingBox();
      assert.ok(box !== null && box.x >= 0 && box.x + box.width <= 390, `a ${JSON.stringify(box)} cell sits inside the 390px window`);
    }
    assert.match((await page.locator('.live-counts').textContent()) ?? '', /^\d[\d,]* approved · \d[\d,]* blocked · \d[\d,]* errors of \d[\d,]* users$/);
  });

  it("tests a draft within its application's whole policy set: a Block draft made a no-op lets the contractors in", async () => {
    const A = `/accounts/${s.accountId}/access`;
    const block = await s.api('POST', `${A}/policies`, { name: 'Block contractors', decision: 'deny', include: [{ email_domain: { domain: 'contractor.io' } }] });
    const everyone = await s.api('POST', `${A}/policies`, { name: 'Allow everyone', decision: 'allow', include: [{ everyone: {} }] });
    // The Block first: with the Allow first it could never decide anything.
    const portal = await s.api('POST', `${A}/apps`, { name: 'Partner portal', type: 'self_hosted', domain: 'partners.example.com', policies: [{ id: block.json.result.id, precedence: 1 }, { id: everyone.json.result.id, precedence: 2 }] });
    assert.equal(portal.status, 201, JSON.stringify(portal.json));

    const p = await openPage(`/policies/${block.json.result.id}`);
    await p.getByRole('heading', { name: 'Edit policy: Block contractors' }).waitFor();
    await setRule(p, 'Include', 1, 'Email domain', { Domain: 'nobody.invalid' });
    await p.getByRole('button', { name: 'Test this draft' }).click();
    await p.getByRole('heading', { name: 'Policy tester' }).waitFor();

    // The application that uses the policy is chosen, its set shown by precedence with the draft in place.
    const wholeSet = p.getByRole('radio', { name: "An application's policies, all of them by precedence" });
    await wholeSet.waitFor();
    await p.waitForFunction(() => (document.querySelector('input[name="policy-source"]:checked')?.parentElement?.textContent ?? '').includes("application's policies"));
    const application = p.getByLabel('Application', { exact: true });
    assert.equal(await application.inputValue(), portal.json.result.id);
    assert.equal(((await application.locator('option:checked').textContent()) ?? '').trim(), 'Partner portal (uses this policy)');
    const set = p.getByRole('list', { name: 'Policies of Partner portal' }).getByRole('listitem');
    assert.deepEqual((await set.allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim()), ['#1 Block contractors Block replaced by the draft', '#2 Allow everyone Allow']);

    await p.getByRole('checkbox', { name: /Compare with the saved versions of the application's policies/ }).check();
    await p.getByRole('button', { name: 'Run test' }).click();
    const decisions = p.getByRole('img', { name: /^Decisions for 16 users/ });
    await decisions.waitFor();
    assert.match((await decisions.getAttribute('aria-label')) ?? '', /Approved 16 \(100%\), Blocked 0 /, 'the draft set lets everyone in');
    const changes = p.getByRole('img', { name: /^Compared with the saved policies: 4 users change/ });
    await changes.waitFor();
    assert.match((await changes.getAttribute('aria-label')) ?? '', /Gain access 4 .*Lose access 0 /);
    await showUsers(p, 'Gain access', 4);
    assert.deepEqual((await p.locator('.users-table tbody th').allTextContents()).sort(), ['erin@contractor.io', 'felix@contractor.io', 'greta@contractor.io', 'hugo@contractor.io']);
    // Approved with the draft, blocked by the saved set.
    assert.deepEqual(await p.locator('.users-table tbody tr td:nth-of-type(2) .badge').evaluateAll((b) => b.map((x) => x.className)), Array(4).fill('badge badge-approved'));
    assert.deepEqual(await p.locator('.users-table tbody tr td:nth-of-type(3) .badge').evaluateAll((b) => b.map((x) => x.className)), Array(4).fill('badge badge-blocked'));

    // The same draft compared alone changes nobody: without the Allow after it, the Block decides nothing.
    await p.getByRole('radio', { name: 'Policies I choose' }).check();
    await p.getByRole('checkbox', { name: /Compare with the saved versions/ }).check();
    await p.getByRole('button', { name: 'Run test' }).click();
    const alone = p.getByRole('img', { name: /^Compared with the saved policies: 0 users change/ });
    await alone.waitFor();
    assert.match((await p.getByRole('img', { name: /^Decisions for 16 users/ }).getAttribute('aria-label')) ?? '', /Approved 0 .*Blocked 16 /);

    // A new policy goes into the chosen application's set at the precedence given: after the
    // Allow it decides nothing, first it blocks Ada.
    const n = await openPage('/policies/new');
    await n.getByLabel('Name', { exact: true }).fill('Block Ada');
    await n.getByRole('radio', { name: /^Block/ }).check();
    await setRule(n, 'Include', 1, 'Email', { Email: 'ada@example.com' });
    await n.getByRole('button', { name: 'Test this draft' }).click();
    await n.getByRole('heading', { name: 'Policy tester' }).waitFor();
    await n.getByRole('radio', { name: "An application's policies, all of them by precedence" }).check();
    await n.getByLabel('Application', { exact: true }).selectOption({ label: 'Partner portal' });
    const precedence = n.getByLabel("The draft's precedence in this application");
    assert.equal(await precedence.inputValue(), '3', 'last by default');
    await n.getByRole('checkbox', { name: /Compare with the saved versions of the application's policies/ }).check();
    const compareAt = async (at: string, changed: number): Promise<void> => {
      await precedence.fill(at);
      await n.getByRole('button', { name: 'Run test' }).click();
      await n.getByRole('img', { name: new RegExp(`^Compared with the saved policies: ${changed} users change`) }).waitFor();
    };
    await compareAt('3', 0);
    await compareAt('1', 1);
    await showUsers(n, 'Lose access', 1);
    assert.deepEqual(await n.locator('.users-table tbody th').allTextContents(), ['ada@example.com']);
  });

  it('made no request beyond the test server', () => {
    assert.deepEqual(browser.foreignRequests, []);
  });
});
