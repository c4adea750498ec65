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
import { logLines } from '../../test/support/log-lines.js';

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
  const { lines: log, stream: logStream } = logLines<{ level: number; msg: string; account?: string; evaluateUrl?: string; reason?: string; failedSince?: number }>();
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
    s = await startTestServer({ accountExternal: { allowlist: ['127.0.0.1'] }, access: { devLogin: true, mailer: smtpMailer({ url: capture.url, from: 'Access <access@portcullis.test>' }) }, logger: { level: 'warn', stream: logStream } });
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
    const claim = decodeJwt(token).external_evaluation as Record<string, unknown>;
    assert.deepEqual(Object.values(claim), [true], 'its answer travels with the session');
    const [digest] = Object.keys(claim);
    assert.match(digest!, /^[\w-]{22}$/, 'under a digest of the endpoint');
    assert.ok(!token.includes('127.0.0.1') && !JSON.stringify(decodeJwt(token)).includes('evaluate'), 'the token shows nothing of its URLs');
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
    const said = (success: unknown) => userAppToken({ aud, issuer: s.baseUrl, lifetimeSeconds: 600, userId: users[0].id, email: users[0].email, external: { [digest!]: success as boolean } }, key);
    assert.equal((await authorize(s, 'partners.test', await said(false))).status, 403);
    assert.equal((await authorize(s, 'partners.test', await said(null))).status, 403, 'asked without an answer: refused, not sent round again');
    const unreadable = await authorize(s, 'partners.test', await said('yes'));
    assert.equal(unreadable.status, 401, 'an unreadable answer is none: signed in again, which asks');
    const before2 = await userAppToken({ aud, issuer: s.baseUrl, lifetimeSeconds: 600, userId: users[0].id, email: users[0].email }, key);
    const again = await authorize(s, 'partners.test', before2);
    assert.equal(again.status, 401, 'a session from before the rule signs in again, which asks');
    assert.ok(again.headers.get('x-access-login'));
  });

  it("reuses a session's answers for a minute, and sends a session back to sign in when the policy names another endpoint", async () => {
    const second = await startEvaluationEndpoint(async () => (await fetch(`${s.baseUrl}/cdn-cgi/access/certs`)).json() as Promise<JSONWebKeySet>, '@partner.example');
    try {
      const { policyId } = await partnerApp(s, 'hub.test');
      const jar = new CookieJar();
      const before = endpoint.answered();
      const posted = await jar.fetch(`${s.baseUrl}/cdn-cgi/access/login/hub.test`, { method: 'POST', headers: form, body: new URLSearchParams({ email: 'lee@partner.example', redirect_url: 'http://hub.test/' }).toString() });
      const token = new URL(posted.headers.get('location')!).searchParams.get('token')!;
      const loginPage = () => jar.fetch(`${s.baseUrl}/cdn-cgi/access/login/hub.test?redirect_url=${encodeURIComponent('http://hub.test/')}`);
      for (let i = 0; i < 3; i++) assert.equal(new URL((await loginPage()).headers.get('location')!).pathname, '/cdn-cgi/access/authorized');
      assert.equal(endpoint.answered(), before + 1, 'entering again on the global session within a minute asks nobody');

      // The policy now names another endpoint: the session's answer is not for it, so it signs in
      // again (a 401 with the sign-in address, not a 403), and that sign-in asks the new endpoint.
      assert.equal((await s.api('PUT', `/accounts/${s.accountId}/access/policies/${policyId}`, partners(second))).status, 200);
      const stale = await authorize(s, 'hub.test', token);
      assert.equal(stale.status, 401);
      assert.ok(stale.headers.get('x-access-login'));
      const entered = new URL((await loginPage()).headers.get('location')!);
      assert.equal(entered.pathname, '/cdn-cgi/access/authorized');
      assert.equal(second.answered(), 1, 'the new endpoint was asked');
      assert.equal((await authorize(s, 'hub.test', entered.searchParams.get('token')!)).status, 200);
    } finally {
      await second.close();
    }
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
    // Nothing listens on port 9 of loopback: the call fails, and the rule is unknown. (The path and
    // query stand for a secret an endpoint URL may carry.)
    const broken = { ...endpoint, evaluateUrl: 'http://127.0.0.1:9/evaluate/s3cret-path?key=s3cret-key', keysUrl: 'http://127.0.0.1:9/keys' };
    const A = `/accounts/${s.accountId}/access`;
    const policy = await s.api('POST', `${A}/policies`, partners(broken));
    const app = await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Broken portal', domain: 'broken.test', policies: [{ id: policy.json.result.id, precedence: 1 }] });
    assert.equal(app.status, 201, JSON.stringify(app.json));
    assert.match((await devSignIn(s, 'broken.test', 'pat@partner.example')).pathname, /^\/cdn-cgi\/access\/forbidden\//);
    // The access log's refusal says why: the endpoint's origin and the evaluator's code, nothing of
    // its path, query or the error's message, and no token.
    const refusals = async (on: TestServer, appId: string) => {
      const read = await on.api('GET', `/accounts/${on.accountId}/access/logs/access_requests?allowed=false&app_uid=${appId}`);
      assert.equal(read.status, 200, JSON.stringify(read.json));
      return read.json.result as Array<{ user_email: string; allowed: boolean; reason?: string }>;
    };
    const [refused] = await refusals(s, app.json.result.id);
    assert.equal(refused?.user_email, 'pat@partner.example');
    assert.equal(refused?.reason, 'external evaluation at http://127.0.0.1:9: network');
    // The server's log has the whole reason, once a minute per endpoint.
    const failed = () => log.filter((line) => line.evaluateUrl === broken.evaluateUrl);
    assert.equal(failed().length, 1, JSON.stringify(log));
    assert.equal(failed()[0]!.level, 40);
    assert.equal(failed()[0]!.account, s.accountId);
    assert.match(failed()[0]!.reason!, /^network: .*ECONNREFUSED/);
    assert.match((await devSignIn(s, 'broken.test', 'kim@partner.example')).pathname, /^\/cdn-cgi\/access\/forbidden\//);
    assert.equal(failed().length, 1, 'a second failure within the minute is counted, not logged');

    const { appId: offApp } = await partnerApp(off, 'partners.test');
    const asked = endpoint.answered();
    assert.match((await devSignIn(off, 'partners.test', 'pat@partner.example')).pathname, /^\/cdn-cgi\/access\/forbidden\//, 'external evaluation off: the rule is unknown');
    assert.equal(endpoint.answered(), asked, 'and nobody was asked');
    assert.deepEqual((await refusals(off, offApp)).map((e) => e.reason), ['external evaluation: not asked, turned off on this server']);
  });
});
