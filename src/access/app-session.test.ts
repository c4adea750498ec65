// Login CSRF through /cdn-cgi/access/authorized (docs/enforcement.md "Sign-in from the
// application's host"): the address a sign-in ends on signs in only the browser that started it on
// the application's host, which holds its CF_AppSession nonce there; anyone else's browser opening
// it (an attacker's own sign-in, handed to a victim) gets no session.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import { browserNonce, otherDigest, startSignIn, type StartedSignIn } from '../../test/support/app-session.js';

describe('the application-session nonce of a sign-in (CF_AppSession)', () => {
  let s: TestServer;
  const A = () => `/accounts/${s.accountId}/access`;
  before(async () => {
    s = await startTestServer({ access: { devLogin: true } });
    const staff = await s.api('POST', `${A()}/policies`, { name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] });
    const policies = [{ id: staff.json.result.id, precedence: 1 }];
    assert.equal((await s.api('POST', `${A()}/apps`, { type: 'self_hosted', name: 'Wiki', domain: 'wiki.test', policies })).status, 201);
    const suite = await s.api('POST', `${A()}/apps`, { type: 'self_hosted', name: 'Suite', domain: 'suite.test', destinations: [{ type: 'public', uri: 'suite.test' }, { type: 'public', uri: 'api.suite.test' }], policies });
    assert.equal(suite.status, 201, JSON.stringify(suite.json));
  });
  after(() => s?.close());

  /** The development login of `email` for a sign-in `started` to `target`: the /authorized address it ends on. */
  const devLogin = async (email: string, target: string, started?: StartedSignIn): Promise<URL> => {
    const host = new URL(target).host;
    const form = { email, redirect_url: target, ...(started !== undefined ? { app_session: started.appSession } : {}) };
    const posted = await fetch(`${s.baseUrl}/cdn-cgi/access/login/${host}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
    assert.equal(posted.status, 302, await posted.text());
    const to = new URL(posted.headers.get('location')!);
    assert.equal(to.pathname, '/cdn-cgi/access/authorized');
    return to;
  };
  /** Opens an /authorized address as a browser holding `cookie` on its host does (through the proxy). */
  const open = (url: URL, cookie?: string) =>
    fetch(`${s.baseUrl}${url.pathname}${url.search}`, { redirect: 'manual', headers: { 'x-forwarded-host': url.host, 'x-forwarded-proto': url.protocol.slice(0, -1), ...(cookie !== undefined ? { cookie } : {}) } });
  const sessionSet = (answer: Response): boolean => answer.headers.getSetCookie().some((c) => c.startsWith('CF_Authorization='));

  it("starts on the application's host: a nonce cookie there, its digest on the way to the login", async () => {
    const started = await startSignIn(s.baseUrl, 'https://wiki.test/page?x=1');
    assert.match(started.cookie, /^__Host-CF_AppSession=[A-Za-z0-9_-]{43}$/, 'a __Host- cookie under https');
    assert.equal(`${started.login.origin}${started.login.pathname}`, `${s.baseUrl}/cdn-cgi/access/login/wiki.test`);
    assert.equal(started.login.searchParams.get('redirect_url'), 'https://wiki.test/page?x=1');
    assert.match(started.appSession, /^[A-Za-z0-9_-]{43}\.h$/, 'its digest, marked as gathered at the sign-in start');
    assert.ok(!started.login.toString().includes(started.cookie.split('=')[1]!), 'the digest travels, never the nonce');
    const answer = await fetch(`${s.baseUrl}/cdn-cgi/access/sign-in?redirect_url=${encodeURIComponent('https://wiki.test/')}`, { redirect: 'manual', headers: { 'x-forwarded-host': 'wiki.test', 'x-forwarded-proto': 'https' } });
    assert.match(answer.headers.getSetCookie()[0]!, /^__Host-CF_AppSession=[^;]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax; Secure$/);
    // Over plain http, a plain cookie that only portcullis's paths receive.
    const plain = await startSignIn(s.baseUrl, 'http://wiki.test/');
    assert.match(plain.cookie, /^CF_AppSession=/);
    // The same browser keeps its nonce (sign-ins in several tabs all finish).
    assert.equal((await startSignIn(s.baseUrl, 'https://wiki.test/other', started.cookie)).appSession, started.appSession);
    // Only for an application's page: no sign-in starts for a host nothing covers.
    const nowhere = await fetch(`${s.baseUrl}/cdn-cgi/access/sign-in?redirect_url=${encodeURIComponent('https://nowhere.test/')}`, { redirect: 'manual', headers: { 'x-forwarded-host': 'nowhere.test', 'x-forwarded-proto': 'https' } });
    assert.equal(nowhere.status, 400);
  });

  it('keeps the token only in the browser that started the sign-in; the address opened in another browser signs nobody in', async () => {
    const attacker = await startSignIn(s.baseUrl, 'https://wiki.test/');
    const handoff = await devLogin('mallory@example.com', 'https://wiki.test/', attacker);
    // The victim's browser: no nonce, or a nonce of its own sign-in.
    const victim = browserNonce(true);
    for (const cookie of [undefined, victim.cookie, `__Host-CF_AppSession=${'A'.repeat(43)}`]) {
      const answer = await open(handoff, cookie);
      assert.equal(answer.status, 400, `cookie ${cookie}`);
      assert.match(await answer.text(), /started in another browser/);
      assert.equal(sessionSet(answer), false);
    }
    // The nonce planted beside the victim's own (a cookie for the parent domain): two are none.
    const planted = await open(handoff, `${attacker.cookie}; ${victim.cookie}`);
    assert.equal(planted.status, 400);
    assert.equal(sessionSet(planted), false);
    // The browser that started it keeps it.
    const kept = await open(handoff, attacker.cookie);
    assert.equal(kept.status, 302, await kept.text());
    assert.equal(kept.headers.get('location'), 'https://wiki.test/');
    assert.ok(sessionSet(kept));
  });

  it("starts on forward auth's answer as at Cloudflare (its nonce set there), and starts again at the application's host for a browser that kept none", async () => {
    const asked = await fetch(`${s.baseUrl}/cdn-cgi/access/authorize`, { redirect: 'manual', headers: { 'x-forwarded-host': 'wiki.test', 'x-forwarded-uri': '/page', 'x-forwarded-proto': 'https' } });
    assert.equal(asked.status, 401);
    const login = new URL(asked.headers.get('x-access-login')!);
    assert.equal(`${login.origin}${login.pathname}`, `${s.baseUrl}/cdn-cgi/access/login/wiki.test`);
    const cookie = asked.headers.getSetCookie()[0]!.split(';')[0]!;
    assert.match(cookie, /^__Host-CF_AppSession=/);
    const handoff = await devLogin('ada@example.com', 'https://wiki.test/page', { cookies: new Map(), cookie, appSession: login.searchParams.get('app_session')!, login });
    const kept = await open(handoff, cookie);
    assert.equal(kept.status, 302, await kept.text());
    assert.ok(sessionSet(kept), 'the browser that was sent to sign in keeps its session');
    // A browser holding no nonce (its proxy dropped the answer's Set-Cookie, or it is someone
    // else's) is sent to start again on the application's host, and gets no session.
    const again = await open(handoff);
    assert.equal(again.status, 302);
    assert.equal(again.headers.get('location'), `https://wiki.test/cdn-cgi/access/sign-in?redirect_url=${encodeURIComponent('https://wiki.test/page')}`);
    assert.equal(sessionSet(again), false);
    // So is one holding another nonce: the restart signs it in only as whoever signs in in it.
    const other = await open(handoff, browserNonce(true).cookie);
    assert.equal(other.status, 302);
    assert.equal(other.headers.get('location'), `https://wiki.test/cdn-cgi/access/sign-in?redirect_url=${encodeURIComponent('https://wiki.test/page')}`);
    assert.equal(sessionSet(other), false);
  });

  it('finishes sign-ins started in two tabs at once: the tab whose nonce the browser no longer holds goes round once more, on the nonce it holds', async () => {
    // Both tabs are sent to sign in before either nonce is kept: each answer sets a fresh nonce,
    // and the browser keeps the last one set.
    const sendToSignIn = async (): Promise<{ cookie: string; login: URL }> => {
      const asked = await fetch(`${s.baseUrl}/cdn-cgi/access/authorize`, { redirect: 'manual', headers: { 'x-forwarded-host': 'wiki.test', 'x-forwarded-uri': '/page', 'x-forwarded-proto': 'https' } });
      assert.equal(asked.status, 401);
      return { cookie: asked.headers.getSetCookie()[0]!.split(';')[0]!, login: new URL(asked.headers.get('x-access-login')!) };
    };
    const first = await sendToSignIn();
    const second = await sendToSignIn();
    assert.notEqual(first.cookie, second.cookie);
    const held = second.cookie;
    const firstHandoff = await devLogin('ada@example.com', 'https://wiki.test/page', { cookies: new Map(), cookie: first.cookie, appSession: first.login.searchParams.get('app_session')!, login: first.login });
    const secondHandoff = await devLogin('ada@example.com', 'https://wiki.test/page', { cookies: new Map(), cookie: second.cookie, appSession: second.login.searchParams.get('app_session')!, login: second.login });
    // The first tab's address, opened in the browser that now holds the second nonce: no session
    // from it, but a sign-in started again at the application's host.
    const restarted = await open(firstHandoff, held);
    assert.equal(restarted.status, 302);
    assert.equal(sessionSet(restarted), false);
    const start = new URL(restarted.headers.get('location')!);
    assert.equal(start.pathname, '/cdn-cgi/access/sign-in');
    const again = await startSignIn(s.baseUrl, start.searchParams.get('redirect_url')!, held);
    assert.equal(again.cookie, held, 'the sign-in reuses the nonce the browser holds');
    const handoff = await devLogin('ada@example.com', 'https://wiki.test/page', again);
    const kept = await open(handoff, held);
    assert.equal(kept.status, 302, await kept.text());
    assert.ok(sessionSet(kept));
    // The second tab finishes as it is.
    assert.ok(sessionSet(await open(secondHandoff, held)));
    // A restarted sign-in whose nonce the browser still does not hold is not restarted again.
    const stillOther = await open(handoff, browserNonce(true).cookie);
    assert.equal(stillOther.status, 400);
    assert.equal(sessionSet(stillOther), false);
  });

  it('refuses a proof tampered with, or one for other digests or another token', async () => {
    const started = await startSignIn(s.baseUrl, 'https://wiki.test/');
    const handoff = await devLogin('ada@example.com', 'https://wiki.test/', started);
    const other = await devLogin('ada@example.com', 'https://wiki.test/', started);
    const victim = browserNonce(true);
    const variants: Record<string, (url: URL) => void> = {
      'proof altered': (url) => url.searchParams.set('app_session_proof', otherDigest(url.searchParams.get('app_session_proof')!)),
      'proof empty': (url) => url.searchParams.set('app_session_proof', ''),
      "another token's proof": (url) => url.searchParams.set('app_session_proof', other.searchParams.get('app_session_proof')!),
      'digests added to': (url) => url.searchParams.set('app_session', `${url.searchParams.get('app_session')}.${victim.appSession}`),
      'digests replaced': (url) => url.searchParams.set('app_session', victim.appSession),
      'digests malformed': (url) => url.searchParams.set('app_session', 'x'),
    };
    for (const [what, change] of Object.entries(variants)) {
      const url = new URL(handoff);
      change(url);
      // A sign-in still marked as started on the host is refused; one whose mark went with the
      // change is started again there, which can only sign the browser in as itself.
      const marked = url.searchParams.get('app_session')!.endsWith('.h');
      for (const cookie of [started.cookie, victim.cookie]) {
        const answer = await open(url, cookie);
        assert.equal(answer.status, marked ? 400 : 302, what);
        if (!marked) assert.equal(new URL(answer.headers.get('location')!).pathname, '/cdn-cgi/access/sign-in', what);
        assert.equal(sessionSet(answer), false, what);
      }
    }
  });

  it('sends a token that comes without a proof (a login opened without passing the application) back to start a sign-in on the host, setting nothing', async () => {
    const cold = await devLogin('mallory@example.com', 'https://wiki.test/page');
    assert.equal(cold.searchParams.get('app_session_proof'), null);
    const answer = await open(cold);
    assert.equal(answer.status, 302);
    assert.equal(answer.headers.get('location'), `https://wiki.test/cdn-cgi/access/sign-in?redirect_url=${encodeURIComponent('https://wiki.test/page')}`);
    assert.deepEqual(answer.headers.getSetCookie(), []);
    // An attacker's address stripped of its proof does the same: the victim signs in as themself, if at all.
    const attacker = await startSignIn(s.baseUrl, 'https://wiki.test/');
    const stripped = await devLogin('mallory@example.com', 'https://wiki.test/', attacker);
    stripped.searchParams.delete('app_session_proof');
    const restarted = await open(stripped, browserNonce(true).cookie);
    assert.equal(restarted.status, 302);
    assert.equal(sessionSet(restarted), false);
  });

  it('carries the nonces through the global session and the login page to the address the sign-in ends on', async () => {
    const started = await startSignIn(s.baseUrl, 'https://wiki.test/');
    const first = await devLogin('ada@example.com', 'https://wiki.test/', started);
    // The development login's answer left the global session on the auth domain.
    const global = (await fetch(`${s.baseUrl}/cdn-cgi/access/login/wiki.test`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ email: 'ada@example.com', redirect_url: 'https://wiki.test/', app_session: started.appSession }).toString() }))
      .headers.getSetCookie()
      .find((c) => c.startsWith('CF_Authorization='))!
      .split(';')[0]!;
    assert.ok((await open(first, started.cookie)).status === 302);
    const again = await startSignIn(s.baseUrl, 'https://wiki.test/again', started.cookie);
    const shortcut = await fetch(again.login, { redirect: 'manual', headers: { cookie: global } });
    assert.equal(shortcut.status, 302, 'straight back on the global session');
    const handoff = new URL(shortcut.headers.get('location')!);
    assert.equal(handoff.searchParams.get('app_session'), again.appSession);
    assert.equal((await open(handoff, browserNonce(true).cookie)).status, 400, 'in another browser: nothing');
    const kept = await open(handoff, again.cookie);
    assert.equal(kept.status, 302);
    assert.ok(sessionSet(kept));
    // Without a global session, the login page's choices carry the digests on.
    const page = await (await fetch(again.login)).text();
    assert.match(page, new RegExp(`name="app_session" value="${again.appSession}"`));
  });

  it("sets a nonce on each preset host before the login, so that no host of the chain takes another browser's token", async () => {
    const attacker = await startSignIn(s.baseUrl, 'https://suite.test/');
    assert.deepEqual([...attacker.cookies.keys()], ['suite.test', 'api.suite.test']);
    assert.equal(attacker.appSession.split('.').length, 3, "one digest per host, and the sign-in start's mark");
    const handoff = await devLogin('mallory@example.com', 'https://suite.test/', attacker);
    const first = await open(handoff, attacker.cookies.get('suite.test'));
    assert.equal(first.status, 302);
    const next = new URL(first.headers.get('location')!);
    assert.equal(`${next.host}${next.pathname}`, 'api.suite.test/cdn-cgi/access/authorized');
    // The second host's address, handed to someone else: refused there too.
    const stolen = await open(next, browserNonce(true).cookie);
    assert.equal(stolen.status, 400);
    assert.equal(sessionSet(stolen), false);
    const own = await open(next, attacker.cookies.get('api.suite.test'));
    assert.equal(own.status, 302);
    assert.equal(own.headers.get('location'), 'https://suite.test/');
    assert.ok(sessionSet(own));
    // A sign-in starting on its home host takes no digests a link brought along (another browser's).
    const planted = await fetch(`${s.baseUrl}/cdn-cgi/access/sign-in?redirect_url=${encodeURIComponent('https://suite.test/')}&app_session=${attacker.appSession.split('.')[0]}`, { redirect: 'manual', headers: { 'x-forwarded-host': 'suite.test', 'x-forwarded-proto': 'https' } });
    assert.equal(new URL(planted.headers.get('location')!).searchParams.get('app_session')!.split('.').length, 1);
    // A preset step only for a host of the application home is on.
    const stray = await fetch(`${s.baseUrl}/cdn-cgi/access/sign-in?redirect_url=${encodeURIComponent('https://suite.test/')}`, { redirect: 'manual', headers: { 'x-forwarded-host': 'wiki.test', 'x-forwarded-proto': 'https' } });
    assert.equal(stray.status, 400);
  });
});
