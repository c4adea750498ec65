// External evaluation at the enforcement point: an application whose policy has an
// external_evaluation rule asks a real endpoint (on loopback, allowlisted) at sign-in, refuses
// those it says no to there, and lets in those it says yes to for the session, on the answer the
// token carries: forward auth calls nobody. The request is signed with the account's Access key,
// which the endpoint takes from the auth domain's /cdn-cgi/access/certs, as Cloudflare's example
// Worker does with the team domain's. Without an evaluator, or with an endpoint that fails, the
// rule is unknown and the sign-in refuses (fails closed).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt, type JSONWebKeySet } from 'jose';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import { startEvaluationEndpoint, type EvaluationEndpoint } from '../../test/support/external-endpoint.js';
import { userAppToken } from './app-token.js';
import { CookieJar } from '../../test/support/cookie-jar.js';
import { startSmtpCapture, type SmtpCapture } from '../../test/support/smtp-capture.js';
import { smtpMailer } from './login/mailer.js';

const form = { 'content-type': 'application/x-www-form-urlencoded' };

/** The development login's answer for `email` on `host`: where it sends the browser. */
async function devSignIn(s: TestServer, host: string, email: string): Promise<URL> {
  const posted = await fetch(`${s.baseUrl}/cdn-cgi/access/login/${host}`, { method: 'POST', redirect: 'manual', headers: form, body: new URLSearchParams({ email, redirect_url: `http://${host}/` }).toString() });
  assert.equal(posted.status, 302);
  return new URL(posted.headers.get('location')!);
}

const authorize = (s: TestServer, host: string, token: string) => fetch(`${s.baseUrl}/cdn-cgi/access/authorize`, { redirect: 'manual', headers: { 'x-forwarded-host': host, 'x-forwarded-uri': '/', cookie: `CF_Authorization=${token}` } });

describe('external evaluation at sign-in', () => {
  let endpoint: EvaluationEndpoint;
  let capture: SmtpCapture;
  let s: TestServer;
  let off: TestServer;
  const partners = (e: EvaluationEndpoint) => ({ name: 'Partners', decision: 'allow', include: [{ external_evaluation: { evaluate_url: e.evaluateUrl, keys_url: e.keysUrl } }] });
  /** An application on `host` behind the Partners policy, on server `on`. */
  const partnerApp = async (on: TestServer, host: string): Promise<{ appId: string; aud: string; policyId: string }> => {
    const A = `/accounts/${on.accountId}/access`;
    const policy = await on.api('POST', `${A}/policies`, partners(endpoint));
    assert.equal(policy.status, 201, JSON.stringify(policy.json));
    const app = await on.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Partner portal', domain: host, policies: [{ id: policy.json.result.id, precedence: 1 }] });
    assert.equal(app.status, 201, JSON.stringify(app.json));
    return { appId: app.json.result.id, aud: app.json.result.aud, policyId: policy.json.result.id };
  };

  before(async () => {
    // The endpoint trusts only the keys the auth domain publishes.
    endpoint = await startEvaluationEndpoint(async () => (await fetch(`${s.baseUrl}/cdn-cgi/access/certs`)).json() as Promise<JSONWebKeySet>, '@partner.example');
    capture = await startSmtpCapture();
    s = await startTestServer({ accountExternal: { allowlist: ['127.0.0.1'] }, access: { devLogin: true, mailer: smtpMailer({ url: capture.url, from: 'Access <access@portcullis.test>' }) } });
    off = await startTestServer({ access: { devLogin: true } });
  });
  after(async () => {
    await s?.close();
    await off?.close();
    await endpoint?.close();
    await capture?.close();
  });

  it('asks the endpoint at sign-in and lets the session in on its answer, without asking again per request', async () => {
    const { aud } = await partnerApp(s, 'partners.test');
    const before = endpoint.answered();
    const signedIn = await devSignIn(s, 'partners.test', 'pat@partner.example');
    assert.equal(signedIn.pathname, '/cdn-cgi/access/authorized', 'the endpoint said yes');
    assert.equal(endpoint.answered(), before + 1, 'asked once, at the sign-in');
    const token = signedIn.searchParams.get('token')!;
    assert.deepEqual(decodeJwt(token).external_evaluation, [{ evaluate_url: endpoint.evaluateUrl, keys_url: endpoint.keysUrl, success: true }], 'its answer travels with the session');
    for (let i = 0; i < 3; i++) assert.equal((await authorize(s, 'partners.test', token)).status, 200);
    assert.equal(endpoint.answered(), before + 1, 'forward auth calls nobody');

    // The API's what-if asks as the sign-in does, with the account's key; so after a rotation.
    const whatIf = async () => (await s.api('POST', `/accounts/${s.accountId}/access/evaluate`, { policies: [partners(endpoint)], email: 'pat@partner.example' })).json.result;
    assert.deepEqual([(await whatIf()).status, (await whatIf()).unknown], ['approved', false]);
    assert.equal((await s.api('POST', `/accounts/${s.accountId}/access/keys/rotate`)).status, 200);
    assert.equal((await whatIf()).status, 'approved', 'signed with the new key, which the certs publish');

    const refused = await devSignIn(s, 'partners.test', 'eve@elsewhere.example');
    assert.match(refused.pathname, /^\/cdn-cgi\/access\/forbidden\//, 'the endpoint said no: refused at the sign-in');

    // A token whose answer was not a yes, or that carries none for this endpoint, lets no one in.
    const users = (await s.api('GET', `/accounts/${s.accountId}/access/users?email=pat@partner.example`)).json.result;
    const key = await s.accessKeys!.current(s.accountId);
    const said = (success: unknown) => userAppToken({ aud, issuer: s.baseUrl, lifetimeSeconds: 600, userId: users[0].id, email: users[0].email, external: [{ evaluate_url: endpoint.evaluateUrl, keys_url: endpoint.keysUrl, success: success as boolean }] }, key);
    assert.equal((await authorize(s, 'partners.test', await said(false))).status, 403);
    assert.equal((await authorize(s, 'partners.test', await said('yes'))).status, 403, 'an unreadable answer is none (fails closed)');
    const before2 = await userAppToken({ aud, issuer: s.baseUrl, lifetimeSeconds: 600, userId: users[0].id, email: users[0].email }, key);
    const again = await authorize(s, 'partners.test', before2);
    assert.equal(again.status, 401, 'a session from before the rule signs in again, which asks');
    assert.ok(again.headers.get('x-access-login'));
  });

  it('mails a one-time PIN to an address only the endpoint can decide, and signs it in on its answer', async () => {
    const A = `/accounts/${s.accountId}/access`;
    const pin = await s.api('POST', `${A}/identity_providers`, { name: 'Email code', type: 'onetimepin', config: {} });
    assert.equal(pin.status, 201, JSON.stringify(pin.json));
    const policy = await s.api('POST', `${A}/policies`, partners(endpoint));
    const app = await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Partner desk', domain: 'desk.test', allowed_idps: [pin.json.result.id], policies: [{ id: policy.json.result.id, precedence: 1 }] });
    assert.equal(app.status, 201, JSON.stringify(app.json));
    const jar = new CookieJar();
    const formOf = (html: string) => ({ action: /<form method="post" action="([^"]*)">/.exec(html)![1]!.replaceAll('&amp;', '&'), fields: Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!.replaceAll('&amp;', '&')])) });
    const post = (url: string, fields: Record<string, string>) => jar.fetch(new URL(url, s.baseUrl).toString(), { method: 'POST', headers: form, body: new URLSearchParams(fields).toString() });
    const emailForm = formOf(await (await jar.fetch(`${s.baseUrl}/cdn-cgi/access/login/desk.test/idp/${pin.json.result.id}?redirect_url=${encodeURIComponent('http://desk.test/')}`)).text());
    const codeForm = formOf(await (await post(emailForm.action, { ...emailForm.fields, email: 'kim@partner.example' })).text());
    const mail = await capture.next('kim@partner.example');
    const code = /\b(\d{6})\b/.exec(mail.text)?.[1];
    assert.ok(code, 'a code was mailed: the policies may let the address in once the endpoint is asked');
    const signedIn = await post(codeForm.action, { ...codeForm.fields, code });
    assert.equal(signedIn.status, 302);
    const to = new URL(signedIn.headers.get('location')!);
    assert.equal(`${to.host}${to.pathname}`, 'desk.test/cdn-cgi/access/authorized', 'the endpoint said yes');
    assert.equal(decodeJwt(to.searchParams.get('token')!).email, 'kim@partner.example');
  });

  it('refuses at the sign-in when the endpoint cannot answer, or when the server does not call out', async () => {
    // Nothing listens on port 9 of loopback: the call fails, and the rule is unknown.
    const broken = { ...endpoint, evaluateUrl: 'http://127.0.0.1:9/evaluate', keysUrl: 'http://127.0.0.1:9/keys' };
    const A = `/accounts/${s.accountId}/access`;
    const policy = await s.api('POST', `${A}/policies`, partners(broken));
    const app = await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Broken portal', domain: 'broken.test', policies: [{ id: policy.json.result.id, precedence: 1 }] });
    assert.equal(app.status, 201, JSON.stringify(app.json));
    assert.match((await devSignIn(s, 'broken.test', 'pat@partner.example')).pathname, /^\/cdn-cgi\/access\/forbidden\//);

    await partnerApp(off, 'partners.test');
    const asked = endpoint.answered();
    assert.match((await devSignIn(off, 'partners.test', 'pat@partner.example')).pathname, /^\/cdn-cgi\/access\/forbidden\//, 'external evaluation off: the rule is unknown');
    assert.equal(endpoint.answered(), asked, 'and nobody was asked');
  });
});
