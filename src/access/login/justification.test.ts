// Purpose justification: a sign-in to an application whose Allow policy asks for one shows the
// policy's prompt before the application's token is handed over; the answer goes to the access
// log with the sign-in; forward auth takes only a session whose sign-in wrote one, and sends any
// other (one from before the policy asked) back through the sign-in. The page belongs to the
// browser that signed in, and is answered once.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { startTestServer, type TestServer } from '../../../test/support/server.js';
import { CookieJar } from '../../../test/support/cookie-jar.js';
import { userAppToken } from '../app-token.js';
import { DEFAULT_JUSTIFICATION_PROMPT, JUSTIFY_PATH, MAX_JUSTIFICATION } from './justification.js';

describe('purpose justification', () => {
  let s: TestServer;
  let A: string;
  let ledger: { id: string; aud: string };
  let staffReason: { id: string };
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const PROMPT = 'Which <b>ticket</b> is this for?';

  /** The development login for `host` from a jar: where it sends the browser. */
  const devSignIn = async (jar: CookieJar, host: string, email: string): Promise<URL> => {
    const posted = await jar.fetch(`${s.baseUrl}/cdn-cgi/access/login/${host}`, { method: 'POST', headers: form, body: new URLSearchParams({ email, redirect_url: `http://${host}/books` }).toString() });
    assert.equal(posted.status, 302);
    return new URL(posted.headers.get('location')!);
  };
  const answer = (jar: CookieJar, page: URL, justification: string): Promise<Response> =>
    jar.fetch(page.toString(), { method: 'POST', headers: form, body: new URLSearchParams({ justification }).toString() });
  const authorize = (host: string, token: string, redirect = false) =>
    fetch(`${s.baseUrl}/cdn-cgi/access/authorize${redirect ? '?redirect=1' : ''}`, { redirect: 'manual', headers: { 'x-forwarded-host': host, 'x-forwarded-uri': '/books', cookie: `CF_Authorization=${token}` } });
  const tokenIn = (location: string): string => new URL(location).searchParams.get('token')!;

  before(async () => {
    s = await startTestServer({ access: { devLogin: true } });
    A = `/accounts/${s.accountId}/access`;
    const reason = await s.api('POST', `${A}/policies`, { name: 'Staff, with a reason', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }], purpose_justification_required: true, purpose_justification_prompt: PROMPT });
    assert.equal(reason.status, 201, JSON.stringify(reason.json));
    staffReason = reason.json.result;
    const staff = await s.api('POST', `${A}/policies`, { name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] });
    const app = await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Ledger', domain: 'ledger.test', policies: [{ id: staffReason.id, precedence: 1 }] });
    ledger = app.json.result;
    await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Wiki', domain: 'wiki.test', policies: [{ id: staff.json.result.id, precedence: 1 }] });
  });
  after(() => s?.close());

  it("asks for the policy's prompt before the token, logs the answer, and the session it makes opens the application", async () => {
    const jar = new CookieJar();
    const page = await devSignIn(jar, 'ledger.test', 'ada@example.com');
    assert.equal(`${page.origin}${page.pathname.replace(/[^/]+$/, '')}`, `${s.baseUrl}${JUSTIFY_PATH}/`, 'the justification page, not the application');

    const shown = await jar.fetch(page.toString());
    assert.equal(shown.status, 200);
    assert.equal(shown.headers.get('cache-control'), 'no-store');
    const html = await shown.text();
    assert.ok(html.includes('Which &lt;b&gt;ticket&lt;/b&gt; is this for?'), 'the prompt, escaped');
    assert.ok(html.includes(`maxlength="${MAX_JUSTIFICATION}"`));
    assert.ok(!html.includes('approval-note'), 'no approver to wait for');

    for (const [written, error] of [['   ', 'Write why you need access.'], ['x'.repeat(MAX_JUSTIFICATION + 1), `Write at most ${MAX_JUSTIFICATION} characters.`]] as const) {
      const refused = await answer(jar, page, written);
      assert.equal(refused.status, 400);
      assert.ok((await refused.text()).includes(error), error);
    }

    const entered = await answer(jar, page, '  INC-4711: the month-end close  ');
    assert.equal(entered.status, 302);
    const to = new URL(entered.headers.get('location')!);
    assert.equal(`${to.host}${to.pathname}`, 'ledger.test/cdn-cgi/access/authorized');
    assert.equal(to.searchParams.get('redirect_url'), 'http://ledger.test/books', 'back to the page asked for');
    const token = tokenIn(to.toString());
    assert.equal(decodeJwt(token).purpose_justified, true);
    const allowed = await authorize('ledger.test', token);
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get('cf-access-authenticated-user-email'), 'ada@example.com');

    assert.equal((await answer(jar, page, 'again')).status, 404, 'answered once');
    const log = await s.api('GET', `${A}/logs/access_requests?app_uid=${ledger.id}&email=ada@example.com&email_exact=true`);
    assert.equal(log.json.result.length, 1, 'one sign-in, logged when the token was made');
    assert.equal(log.json.result[0].allowed, true);
    assert.equal(log.json.result[0].purpose_justification_prompt, PROMPT);
    assert.equal(log.json.result[0].purpose_justification_response, 'INC-4711: the month-end close');
  });

  it('belongs to the browser that signed in: without its global session, or with another user\'s, the page is not there', async () => {
    const jar = new CookieJar();
    const page = await devSignIn(jar, 'ledger.test', 'ada@example.com');
    assert.equal((await fetch(page)).status, 404, 'no cookie');
    const other = new CookieJar();
    await devSignIn(other, 'wiki.test', 'bob@example.com');
    assert.equal((await other.fetch(page.toString())).status, 404, "another user's session");
    assert.equal((await answer(other, page, 'I am Ada')).status, 404);
    assert.equal((await answer(jar, page, 'mine')).status, 302, 'still there for its own browser');
    assert.equal((await jar.fetch(`${s.baseUrl}${JUSTIFY_PATH}/${'x'.repeat(32)}`)).status, 404, 'an address never given');
  });

  it("is gone once the user's sessions are revoked", async () => {
    const jar = new CookieJar();
    const page = await devSignIn(jar, 'ledger.test', 'judy@example.com');
    assert.equal((await jar.fetch(page.toString())).status, 200);
    assert.equal((await s.api('POST', `${A}/organizations/revoke_user`, { email: 'judy@example.com' })).json.result, true);
    assert.equal((await jar.fetch(page.toString())).status, 404);
    assert.equal((await answer(jar, page, 'Still me')).status, 404, 'and makes no token');
  });

  it('is gone once its sign-in is signed out of, for a copy of the global session too', async () => {
    const jar = new CookieJar();
    const page = await devSignIn(jar, 'ledger.test', 'ken@example.com');
    const copy = new CookieJar();
    copy.keep(s.baseUrl, new Response(null, { headers: { 'set-cookie': jar.header(s.baseUrl) } }));
    assert.equal((await copy.fetch(page.toString())).status, 200, 'the copy opens the page before the logout');
    assert.equal((await jar.fetch(`${s.baseUrl}/cdn-cgi/access/logout`)).status, 200);
    assert.equal((await copy.fetch(page.toString())).status, 404);
    assert.equal((await answer(copy, page, 'Still me')).status, 404, 'and makes no token');
  });

  it('asks again when the global session enters the application, and not for an application that does not ask', async () => {
    const jar = new CookieJar();
    const wiki = await devSignIn(jar, 'wiki.test', 'grace@example.com');
    assert.equal(`${wiki.host}${wiki.pathname}`, 'wiki.test/cdn-cgi/access/authorized', 'the wiki asks for nothing');
    const login = await jar.fetch(`${s.baseUrl}/cdn-cgi/access/login/ledger.test?redirect_url=${encodeURIComponent('http://ledger.test/books')}`);
    assert.equal(login.status, 302);
    const page = new URL(login.headers.get('location')!);
    assert.ok(page.pathname.startsWith(`${JUSTIFY_PATH}/`), 'the global session enters, through the justification');
    const entered = await answer(jar, page, 'Audit preparation');
    assert.equal((await authorize('ledger.test', tokenIn(entered.headers.get('location')!))).status, 200);
  });

  it('sends a session made without a justification back through the sign-in, which asks for one', async () => {
    const ada = (await s.api('GET', `${A}/users?email=ada@example.com`)).json.result[0];
    const before = await userAppToken({ aud: ledger.aud, issuer: s.baseUrl, lifetimeSeconds: 600, userId: ada.id, email: ada.email }, await s.accessKeys!.current(s.accountId));
    const asked = await authorize('ledger.test', before);
    assert.equal(asked.status, 401);
    assert.match(asked.headers.get('x-access-login')!, /\/cdn-cgi\/access\/login\/ledger\.test\?/);
    const redirected = await authorize('ledger.test', before, true);
    assert.equal(redirected.status, 302);

    // The same session opens the application once its policy no longer asks.
    const id = staffReason.id;
    const body = { name: 'Staff, with a reason', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] };
    assert.equal((await s.api('PUT', `${A}/policies/${id}`, { ...body, purpose_justification_required: false })).status, 200);
    try {
      assert.equal((await authorize('ledger.test', before)).status, 200);
      const jar = new CookieJar();
      const straight = await devSignIn(jar, 'ledger.test', 'ada@example.com');
      assert.equal(straight.host, 'ledger.test', 'and its sign-in no longer asks');
    } finally {
      assert.equal((await s.api('PUT', `${A}/policies/${id}`, { ...body, purpose_justification_required: true, purpose_justification_prompt: '' })).status, 200);
    }
    const jar = new CookieJar();
    const page = await devSignIn(jar, 'ledger.test', 'ada@example.com');
    assert.ok((await (await jar.fetch(page.toString())).text()).includes(DEFAULT_JUSTIFICATION_PROMPT), 'an empty prompt shows the default');
    assert.equal((await s.api('PUT', `${A}/policies/${id}`, { ...body, purpose_justification_required: true, purpose_justification_prompt: PROMPT })).status, 200);
  });

  it('does not ask a user whom no policy lets in: they are refused at the sign-in', async () => {
    const jar = new CookieJar();
    const to = await devSignIn(jar, 'ledger.test', 'mallory@elsewhere.test');
    assert.equal(`${to.origin}${to.pathname.replace(/[^/]+$/, '')}`, `${s.baseUrl}/cdn-cgi/access/forbidden/`, 'the refusal page, not the justification page');
    assert.equal((await jar.fetch(to.toString())).status, 403);
  });
});
