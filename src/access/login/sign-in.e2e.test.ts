// Real sign-ins in a real browser: Chromium opens an application behind a real nginx
// (auth_request), is sent to portcullis's login page, signs in through a real identity provider
// started on loopback (oidc-provider for OpenID Connect, a signing SAML IdP, smtp-server catching
// the one-time PIN mail), and comes back to see its email, which the upstream read from the
// verified application token. The identity the login recorded is then decided by the policy tester.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type BrowserContext } from 'playwright-core';
import { tempDir } from '../../../test/support/databases.js';
import { proxyUnavailable, startNginx, type RunningProxy } from '../../../test/support/proxies.js';
import { startUpstream, type Upstream } from '../../../test/support/protected-upstream.js';
import { startTestServer, type TestServer } from '../../../test/support/server.js';
import { resultsByEmail, runPolicyTest } from '../../../test/support/policy-tests.js';
import { startOidcIdp, type OidcIdp } from '../../../test/support/oidc-idp.js';
import { startSamlIdp, type SamlIdp } from '../../../test/support/saml-idp.js';
import { startSmtpCapture, type SmtpCapture } from '../../../test/support/smtp-capture.js';
import { smtpMailer } from './mailer.js';
import { browserUnavailable, CHROMIUM_PATH } from '../../../test/web-e2e/browser.js';

const HOST = 'intranet.test';
/** The SAML provider's host name as the browser reaches it: another site than the auth domain's, so its answer is a cross-site POST. */
const SAML_HOST = 'partner-idp.test';
const skip = proxyUnavailable('nginx') ?? browserUnavailable();
if (skip !== undefined) console.log(`# skipping browser sign-ins through identity providers: ${skip}`);

describe('sign-in through identity providers in Chromium, behind nginx', { skip }, () => {
  let s: TestServer;
  let upstream: Upstream;
  let proxy: RunningProxy;
  let oidc: OidcIdp;
  let saml: SamlIdp;
  let smtp: SmtpCapture;
  let oidcId = '';
  let samlId = '';
  const policyIds: string[] = [];
  let aud = '';
  const contexts: { context: BrowserContext; remove(): void }[] = [];
  const A = () => `/accounts/${s.accountId}/access`;
  const origin = () => `http://${HOST}:${proxy.port}`;

  async function browser(): Promise<BrowserContext> {
    const profile = tempDir('portcullis-chromium-');
    const context = await chromium.launchPersistentContext(profile.path, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-quic', `--host-resolver-rules=MAP ${HOST} 127.0.0.1, MAP ${SAML_HOST} 127.0.0.1`],
    });
    contexts.push({ context, remove: profile.remove });
    return context;
  }

  async function decided(email: string): Promise<string> {
    const { id } = await runPolicyTest(s, s.accountId, { policies: policyIds });
    return (await resultsByEmail(s, s.accountId, id)).get(email)?.status ?? 'absent';
  }

  before(async () => {
    smtp = await startSmtpCapture();
    s = await startTestServer({ access: { mailer: smtpMailer({ url: smtp.url, from: 'Access <access@portcullis.test>' }) } });
    oidc = await startOidcIdp({ redirectUri: `${s.baseUrl}/cdn-cgi/access/callback` });
    oidc.setPerson('grace', { sub: 'grace', email: 'grace@example.com', name: 'Grace Hopper', groups: ['navy'], amr: ['pwd', 'mfa'], claims: { department: 'research' } });
    oidc.setPerson('mallory', { sub: 'mallory', email: 'mallory@example.com', name: 'Mallory', groups: [], amr: ['pwd'], claims: { department: 'sales' } });
    const idp = await s.api('POST', `${A()}/identity_providers`, { name: 'Corporate SSO', type: 'oidc', config: { ...oidc.config, scopes: ['openid', 'email', 'profile', 'groups', 'department'], claims: ['department'] } });
    assert.equal(idp.status, 201, JSON.stringify(idp.json));
    oidcId = idp.json.result.id;
    saml = await startSamlIdp();
    const samlIdp = await s.api('POST', `${A()}/identity_providers`, { name: 'Partner SAML', type: 'saml', config: { issuer_url: saml.entityId, sso_target_url: saml.ssoUrl.replace('127.0.0.1', SAML_HOST), idp_public_certs: [saml.cert], email_attribute_name: 'email', attributes: ['department'] } });
    assert.equal(samlIdp.status, 201, JSON.stringify(samlIdp.json));
    samlId = samlIdp.json.result.id;
    const pin = await s.api('POST', `${A()}/identity_providers`, { name: 'Email code', type: 'onetimepin', config: {} });
    assert.equal(pin.status, 201, JSON.stringify(pin.json));
    const policies = [
      { name: 'Research', decision: 'allow', include: [{ oidc: { claim_name: 'department', claim_value: 'research', identity_provider_id: oidcId } }], require: [{ auth_method: { auth_method: 'mfa' } }] },
      { name: 'Partner research', decision: 'allow', include: [{ saml: { attribute_name: 'department', attribute_value: 'research', identity_provider_id: samlId } }] },
      { name: 'Contractor', decision: 'allow', include: [{ email: { email: 'pat@example.com' } }] },
    ];
    for (const body of policies) policyIds.push((await s.api('POST', `${A()}/policies`, body)).json.result.id);
    const app = await s.api('POST', `${A()}/apps`, { type: 'self_hosted', name: 'Intranet', domain: HOST, policies: policyIds.map((id, i) => ({ id, precedence: i + 1 })) });
    assert.equal(app.status, 201, JSON.stringify(app.json));
    aud = app.json.result.aud;
    upstream = await startUpstream(s.baseUrl, () => aud);
    proxy = await startNginx({ portcullis: new URL(s.baseUrl).host, upstream: `127.0.0.1:${upstream.port}` }, undefined, { serverName: HOST });
  });

  after(async () => {
    for (const { context, remove } of contexts) {
      await context.close();
      remove();
    }
    await proxy?.stop();
    await upstream?.stop();
    await oidc?.close();
    await saml?.stop();
    await s?.close();
    await smtp?.close();
  });

  it('OpenID Connect: signs in at the provider, sees its email upstream, and the tester decides the recorded identity', async () => {
    const page = await (await browser()).newPage();
    await page.goto(`${origin()}/handbook?section=2`);
    assert.equal(new URL(page.url()).origin, s.baseUrl, 'sent to the login page on the auth domain');
    await page.click('text=Sign in with Corporate SSO');
    await page.waitForSelector('#idp-login');
    assert.equal(new URL(page.url()).origin, oidc.issuer, 'at the identity provider');
    await page.fill('#idp-login', 'grace');
    await page.click('#idp-submit');
    await page.waitForSelector('#hello');
    assert.equal(await page.textContent('#hello'), 'hello grace@example.com');
    assert.equal(new URL(page.url()).pathname + new URL(page.url()).search, '/handbook?section=2');

    const user = (await s.api('GET', `${A()}/users?email=grace@example.com`)).json.result[0];
    const identity = (await s.api('GET', `${A()}/users/${user.id}/last_seen_identity`)).json.result;
    assert.deepEqual(identity.idp, { id: oidcId, type: 'oidc' });
    assert.deepEqual(identity.amr, ['pwd', 'mfa']);
    assert.deepEqual(identity.oidc_fields, { department: 'research' });
    assert.deepEqual(identity.groups.map((g: { name: string }) => g.name), ['navy']);
    assert.equal(await decided('grace@example.com'), 'approved');
  });

  it('OpenID Connect: a person the policies refuse signs in and gets the deny page; the tester agrees', async () => {
    const page = await (await browser()).newPage();
    await page.goto(`${origin()}/`);
    await page.click('text=Sign in with Corporate SSO');
    await page.fill('#idp-login', 'mallory');
    const [answer] = await Promise.all([page.waitForResponse((r) => r.url().includes('/cdn-cgi/access/forbidden/')), page.click('#idp-submit')]);
    assert.equal(answer.status(), 403, 'refused at the sign-in, on the auth domain');
    assert.match(await answer.text(), /Signed in as mallory@example\.com/);
    assert.equal(upstream.seen.some((r) => r.email === 'mallory@example.com'), false);
    assert.equal(await decided('mallory@example.com'), 'blocked');
  });

  it('SAML 2.0: the provider posts a signed assertion back through the browser; the recorded attributes decide', async () => {
    saml.signInAs({ nameId: 'sam@example.com', attributes: { email: 'sam@example.com', department: 'research', groups: ['ops'] } });
    const page = await (await browser()).newPage();
    const answers: number[] = [];
    page.on('response', (r) => {
      if (r.request().method() === 'POST' && new URL(r.url()).pathname === '/cdn-cgi/access/callback') answers.push(r.status());
    });
    await page.goto(`${origin()}/reports`);
    await page.click('text=Sign in with Partner SAML');
    await page.waitForSelector('#hello');
    assert.equal(await page.textContent('#hello'), 'hello sam@example.com');
    assert.equal(new URL(page.url()).pathname, '/reports');
    assert.equal(saml.requests.length, 1, 'the provider received one AuthnRequest');
    // Posted from the provider's site, the answer came without the sign-in cookie (SameSite=Lax):
    // the auth domain had the browser post it again from its own page, which brought the cookie.
    assert.deepEqual(answers, [200, 302]);

    const user = (await s.api('GET', `${A()}/users?email=sam@example.com`)).json.result[0];
    const identity = (await s.api('GET', `${A()}/users/${user.id}/last_seen_identity`)).json.result;
    assert.deepEqual(identity.idp, { id: samlId, type: 'saml' });
    assert.deepEqual(identity.saml_attributes, { department: 'research' });
    assert.equal(await decided('sam@example.com'), 'approved');
  });

  it('one-time PIN: the code mailed through SMTP signs the browser in once', async () => {
    const page = await (await browser()).newPage();
    await page.goto(`${origin()}/timesheets`);
    await page.click('text=Sign in with Email code');
    await page.fill('#email', 'pat@example.com');
    await page.click('button[type=submit]');
    const mail = await smtp.next('pat@example.com');
    const code = /\b(\d{6})\b/.exec(mail.text)?.[1];
    assert.ok(code, `a six-digit code in: ${mail.text}`);
    await page.fill('#code', code);
    await page.click('button[type=submit]');
    await page.waitForSelector('#hello');
    assert.equal(await page.textContent('#hello'), 'hello pat@example.com');
    assert.equal(new URL(page.url()).pathname, '/timesheets');

    const user = (await s.api('GET', `${A()}/users?email=pat@example.com`)).json.result[0];
    const identity = (await s.api('GET', `${A()}/users/${user.id}/last_seen_identity`)).json.result;
    assert.equal(identity.idp.type, 'onetimepin');
    assert.equal(await decided('pat@example.com'), 'approved');
  });
});
