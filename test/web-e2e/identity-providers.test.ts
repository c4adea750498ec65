// The dashboard's identity-provider page in headless Chromium against a real server: an OpenID
// Connect provider typed into its form (not JSON), listed, reopened with its fields filled and
// its secret not shown; a SAML provider with certificates one per line; an error the API refuses
// shown at its field; and the Test button, followed against a real OpenID provider, showing the
// identity the sign-in produced (docs/identity-providers.md "In the dashboard").
/// <reference lib="dom" />
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { selfSignedCertificate } from '../../src/account/self-signed-certificate.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { startOidcIdp, type OidcIdp } from '../support/oidc-idp.js';
import { browserUnavailable, launchBrowser, signIn, type Browser } from './browser.js';

const skip = browserUnavailable();

/** A certificate as identity providers show it: the base64 body on one line. */
const bare = (pem: string): string => pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');

describe('the identity-provider page in a browser', { skip }, () => {
  let s: TestServer;
  let oidc: OidcIdp;
  let browser: Browser;
  let page: Page;
  before(async () => {
    s = await startTestServer({ access: {} });
    oidc = await startOidcIdp({ redirectUri: `${s.baseUrl}/cdn-cgi/access/callback` });
    oidc.setPerson('tess', { sub: 'tess', email: 'tess@example.com', name: 'Tess', groups: ['qa'], amr: ['pwd'] });
    browser = await launchBrowser(s);
    page = await browser.newPage();
    await signIn(page, s, '/identity-providers');
    await page.getByRole('heading', { name: 'Add an identity provider' }).waitFor();
  });
  after(async () => {
    await browser?.close();
    await oidc?.close();
    await s?.close();
  });
  const A = () => `/accounts/${s.accountId}/access`;
  const field = (label: string) => page.getByLabel(label, { exact: true });
  const stored = async (name: string): Promise<Record<string, unknown>> => {
    const all = (await s.api('GET', `${A()}/identity_providers`)).json.result as { id: string; name: string }[];
    const found = all.find((idp) => idp.name === name);
    assert.ok(found !== undefined, `${name} is stored`);
    return found as unknown as Record<string, unknown>;
  };

  it('creates an OpenID Connect provider from typed fields, lists it, and reopens it filled in without its secret', async () => {
    await field('Type').selectOption('oidc');
    // What the provider must be told: the callback on the auth domain.
    assert.match((await page.getByRole('region', { name: 'Setting up the identity provider' }).textContent()) ?? '', /Redirect URI.*\/cdn-cgi\/access\/callback/);
    await field('Name').fill('Test OpenID provider');
    const config = oidc.config as Record<string, string>;
    await field('Client ID').fill(config.client_id!);
    await field('Client secret').fill(config.client_secret!);
    assert.equal(await field('Client secret').getAttribute('type'), 'password');
    await field('Authorization URL').fill(config.auth_url!);
    // A human label, with the API's name for the field in its description.
    const described = await field('Authorization URL').evaluate((e) => (e.getAttribute('aria-describedby') ?? '').split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' '));
    assert.match(described, /API name: auth_url\./);
    await field('Token URL').fill(config.token_url!);
    await field('Signing keys URL (JWKS)').fill(config.certs_url!);
    await field('Scopes').fill('openid\nemail\nprofile\ngroups');
    await field('Extra claims to read').fill('groups');
    assert.equal(await field('Use PKCE').isChecked(), true, 'PKCE is on unless turned off, as the server treats it');
    await page.getByRole('button', { name: 'Create identity provider' }).click();
    await page.getByRole('status').filter({ hasText: 'Identity provider created.' }).waitFor();

    const idp = await stored('Test OpenID provider');
    assert.equal(idp.type, 'oidc');
    assert.deepEqual(idp.config, { client_id: config.client_id, auth_url: config.auth_url, token_url: config.token_url, certs_url: config.certs_url, scopes: ['openid', 'email', 'profile', 'groups'], claims: ['groups'] });
    const row = page.getByRole('row').filter({ hasText: 'Test OpenID provider' });
    await row.waitFor();
    assert.equal(await row.getByRole('link', { name: 'Test Test OpenID provider' }).getAttribute('href'), `${s.baseUrl}/cdn-cgi/access/test-idp/${String(idp.id)}`);

    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Edit Test OpenID provider' }).click();
    await page.getByRole('heading', { name: 'Edit Test OpenID provider' }).waitFor();
    assert.equal(await field('Client ID').inputValue(), config.client_id);
    assert.equal(await field('Authorization URL').inputValue(), config.auth_url);
    assert.equal(await field('Scopes').inputValue(), 'openid\nemail\nprofile\ngroups');
    assert.equal(await field('Client secret').inputValue(), '', 'the secret is never shown');
    assert.ok(!(await page.content()).includes(config.client_secret!), 'the secret is nowhere on the page');

    // Saving again with the secret left empty keeps it: the Test sign-in below needs it.
    await field('Email claim').fill('email');
    await page.getByRole('button', { name: 'Save identity provider' }).click();
    await page.getByRole('status').filter({ hasText: 'Identity provider saved.' }).waitFor();
    assert.equal(((await stored('Test OpenID provider')).config as Record<string, unknown>).email_claim_name, 'email');
  });

  it('the Test button signs in with the provider in a new tab and shows the identity it produced', async () => {
    const idp = await stored('Test OpenID provider');
    const link = page.getByRole('region', { name: 'Setting up the identity provider' }).getByRole('link', { name: 'Test' });
    assert.equal(await link.getAttribute('href'), `${s.baseUrl}/cdn-cgi/access/test-idp/${String(idp.id)}`);
    assert.equal(await link.getAttribute('target'), '_blank');
    const [tab] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
    await tab.locator('#idp-login').fill('tess');
    await tab.locator('#idp-submit').click();
    await tab.waitForURL(/\/cdn-cgi\/access\/test-idp\/result\//);
    const text = (await tab.textContent('body')) ?? '';
    assert.match(text, /tess@example\.com/);
    assert.match(text, /Test OpenID provider/);
    await tab.close();
  });

  it('creates a SAML provider with its certificates one per line, and shows its SP metadata URL', async () => {
    await page.getByRole('button', { name: 'Cancel' }).click();
    const [first, second] = await Promise.all([selfSignedCertificate('idp one', 30), selfSignedCertificate('idp two', 30)]);
    await field('Type').selectOption('saml');
    await field('Name').fill('Test SAML');
    await field('Single sign-on URL').fill('https://idp.example.com/sso');
    // One bare base64 certificate a line, and a PEM one spanning several.
    await field('Certificates').fill(`${bare(first.certificatePem)}\n${second.certificatePem.trim()}`);
    await field('Extra attributes to read').fill('department\n\ngroups\n');
    await page.getByRole('button', { name: 'Create identity provider' }).click();
    await page.getByRole('status').filter({ hasText: 'Identity provider created.' }).waitFor();
    const idp = await stored('Test SAML');
    const config = idp.config as Record<string, unknown>;
    assert.deepEqual(config.idp_public_certs, [bare(first.certificatePem), second.certificatePem.trim()]);
    assert.deepEqual(config.attributes, ['department', 'groups']);
    const setup = (await page.getByRole('region', { name: 'Setting up the identity provider' }).textContent()) ?? '';
    assert.match(setup, new RegExp(`/cdn-cgi/access/${String(idp.id)}/saml-metadata`));
    assert.match(setup, /Entity id and ACS URL.*\/cdn-cgi\/access\/callback/);
  });

  it('shows the error the API refuses a value with at its field, the summary in focus', async () => {
    await page.getByRole('button', { name: 'Edit Test SAML' }).click();
    await page.getByRole('heading', { name: 'Edit Test SAML' }).waitFor();
    // A header attribute with a key SAML's schema does not have.
    await field('Attributes sent as headers').fill('[{"attribute_name": "department", "header": "X-Department"}]');
    await page.getByRole('button', { name: 'Save identity provider' }).click();
    const summary = page.getByRole('alert', { name: /The identity provider was not saved/ });
    await summary.waitFor();
    assert.equal(await summary.evaluate((el) => el === document.activeElement), true, 'the summary has the focus');
    const notes = page.locator('#field-config-header-attributes-notes');
    await notes.waitFor();
    assert.match((await notes.textContent()) ?? '', /header/);
    assert.equal(await field('Attributes sent as headers').getAttribute('aria-invalid'), 'true');
    assert.equal(((await stored('Test SAML')).config as Record<string, unknown>).header_attributes, undefined, 'nothing was saved');

    // Fixed, it saves.
    await field('Attributes sent as headers').fill('[{"attribute_name": "department", "header_name": "X-Department"}]');
    await page.getByRole('button', { name: 'Save identity provider' }).click();
    await page.getByRole('status').filter({ hasText: 'Identity provider saved.' }).waitFor();
    assert.deepEqual(((await stored('Test SAML')).config as Record<string, unknown>).header_attributes, [{ attribute_name: 'department', header_name: 'X-Department' }]);
  });

  it('says which types are stored but not used for sign-in, and offers them no Test', async () => {
    const created = await s.api('POST', `${A()}/identity_providers`, { name: 'GitHub', type: 'github', config: { client_id: 'gh' } });
    assert.equal(created.status, 201);
    await page.close();
    page = await browser.newPage();
    await signIn(page, s, '/identity-providers');
    const row = page.getByRole('row').filter({ hasText: 'GitHub' });
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /stored, not used for sign-in/);
    assert.equal(await row.getByRole('link', { name: /^Test/ }).count(), 0);
    assert.equal(browser.foreignRequests.filter((url) => !url.startsWith(oidc.issuer)).length, 0, 'the dashboard itself reaches nothing outside the server');
  });
});
