// Applications on several hosts: a sign-in sets the session on each host of an application of at
// most five domains, one redirect after another, and comes home to the page first asked for
// (docs/enforcement.md "Applications on several hosts").
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import { userAppToken } from './app-token.js';
import { handoffProof } from './binding-cookie.js';
import { nextPresetHost, presetHosts } from './preset-hosts.js';
import { appSessionQuery, startSignIn, type StartedSignIn } from '../../test/support/app-session.js';

describe('the hosts whose session a sign-in sets in advance', () => {
  it('are the exact host names of at most five destinations, once each, in order', () => {
    assert.deepEqual(presetHosts(['App.test', 'api.test/v1', 'api.test/v2', '*.files.test', 'https://docs.test/']), ['app.test', 'api.test', 'docs.test']);
    assert.deepEqual(presetHosts(['a.test', 'b.test', 'c.test', 'd.test', 'e.test', 'f.test']), [], 'more than five domains: none');
    assert.deepEqual(presetHosts(['a.test', 'A.test', 'b.test', 'c.test', 'd.test', 'e.test']), ['a.test', 'b.test', 'c.test', 'd.test', 'e.test'], 'the same destination twice counts once');
  });

  it('are visited in order after home, home left out, and the series ends', () => {
    const hosts = ['a.test', 'b.test', 'c.test'];
    assert.equal(nextPresetHost(hosts, 'b.test', 'b.test:8443'), 'a.test');
    assert.equal(nextPresetHost(hosts, 'a.test', 'b.test'), 'c.test');
    assert.equal(nextPresetHost(hosts, 'c.test', 'b.test'), undefined);
    assert.equal(nextPresetHost(hosts, 'x.test', 'b.test'), undefined, 'a host not in the list goes home');
    assert.equal(nextPresetHost(hosts, 'zeta.wild.test', 'zeta.wild.test'), 'a.test', 'home by a wildcard destination: every preset host');
  });
});

describe('a sign-in to an application on several hosts', () => {
  let s: TestServer;
  const A = () => `/accounts/${s.accountId}/access`;
  let adaId = '';
  before(async () => {
    s = await startTestServer({ access: { devLogin: true } });
    adaId = (await s.api('POST', `${A()}/users`, { email: 'ada@example.com', name: 'Ada' })).json.result.id;
  });
  after(() => s?.close());

  const appWith = async (name: string, destinations: string[], extra: Record<string, unknown> = {}) => {
    const policy = await s.api('POST', `${A()}/policies`, { name: `${name} staff`, decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] });
    const created = await s.api('POST', `${A()}/apps`, { type: 'self_hosted', name, domain: destinations[0], destinations: destinations.map((uri) => ({ type: 'public', uri })), policies: [{ id: policy.json.result.id, precedence: 1 }], ...extra });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    return created.json.result as { id: string; aud: string };
  };
  const tokenFor = async (aud: string) => userAppToken({ aud, issuer: s.baseUrl, lifetimeSeconds: 600, userId: adaId, email: 'ada@example.com' }, await s.accessKeys!.current(s.accountId));

  /**
   * Follows /cdn-cgi/access/authorized from host to host as a browser would (the proxy of each
   * passing it on), with the nonce each host gave it when its sign-in `started`, collecting each host's cookies.
   */
  const follow = async (start: string, started: StartedSignIn) => {
    const visited: { host: string; cookies: string[] }[] = [];
    let next = new URL(start);
    for (let step = 0; step < 10 && next.pathname === '/cdn-cgi/access/authorized'; step++) {
      const answer = await fetch(`${s.baseUrl}${next.pathname}${next.search}`, { redirect: 'manual', headers: { 'x-forwarded-host': next.host, 'x-forwarded-proto': next.protocol.slice(0, -1), cookie: started.cookies.get(next.host) ?? '' } });
      assert.equal(answer.status, 302, `${next.host}: ${await answer.text()}`);
      visited.push({ host: next.host, cookies: answer.headers.getSetCookie() });
      next = new URL(answer.headers.get('location')!);
    }
    return { visited, home: next.toString() };
  };
  /** The /authorized address a sign-in `started` in this browser ends on (appSessionQuery), with the binding proof when given. */
  const authorizedAt = async (host: string, token: string, home: string, started: StartedSignIn, proof?: string) =>
    `https://${host}/cdn-cgi/access/authorized?token=${encodeURIComponent(token)}&redirect_url=${encodeURIComponent(home)}${proof === undefined ? '' : `&binding_proof=${proof}`}${appSessionQuery(token, started.appSession, await s.accessKeys!.keys(s.accountId))}`;

  it('sets the session on each of its hosts, then comes home', async () => {
    const app = await appWith('Suite', ['suite.test', 'api.suite.test/v1', '*.cdn.suite.test', 'files.suite.test']);
    const token = await tokenFor(app.aud);
    const started = await startSignIn(s.baseUrl, 'https://api.suite.test/v1/me?x=1');
    assert.deepEqual([...started.cookies.keys()], ['api.suite.test', 'suite.test', 'files.suite.test'], 'the sign-in starts by every preset host, in the same order');
    const { visited, home } = await follow(await authorizedAt('api.suite.test', token, 'https://api.suite.test/v1/me?x=1', started), started);
    assert.deepEqual(visited.map((v) => v.host), ['api.suite.test', 'suite.test', 'files.suite.test'], 'home first, then the others in order; the wildcard host is left out');
    assert.equal(home, 'https://api.suite.test/v1/me?x=1');
    for (const { host, cookies } of visited) assert.match(cookies.join('\n'), new RegExp(`^CF_Authorization=${token.replace(/[.]/g, '\\.')}; Path=/; Max-Age=\\d+; HttpOnly; SameSite=Lax; Secure$`), host);
    // Each host's session then opens that host.
    for (const host of ['suite.test', 'files.suite.test']) {
      const ok = await fetch(`${s.baseUrl}/cdn-cgi/access/authorize`, { headers: { 'x-forwarded-host': host, 'x-forwarded-uri': '/', cookie: `CF_Authorization=${token}` } });
      assert.equal(ok.status, 200, host);
    }
  });

  it('keeps the port of home, binds each host\'s session and scopes it to the host\'s path when asked', async () => {
    const app = await appWith('Scoped', ['scoped.test/app', 'reports.scoped-other.test/r/*'], { path_cookie_attribute: true, enable_binding_cookie: true });
    const token = await tokenFor(app.aud);
    // An application that binds sessions takes a token only with its sign-in's proof, carried from host to host.
    const proof = handoffProof(token, await s.accessKeys!.keys(s.accountId))!;
    const started = await startSignIn(s.baseUrl, 'https://scoped.test:8443/app/x');
    const start = new URL(await authorizedAt('scoped.test:8443', token, 'https://scoped.test:8443/app/x', started));
    const unproven = await fetch(`${s.baseUrl}${start.pathname}${start.search}`, { redirect: 'manual', headers: { 'x-forwarded-host': start.host, 'x-forwarded-proto': 'https', cookie: started.cookie } });
    assert.equal(unproven.status, 400, 'the token alone');
    const { visited, home } = await follow(await authorizedAt('scoped.test:8443', token, 'https://scoped.test:8443/app/x', started, proof), started);
    assert.deepEqual(visited.map((v) => v.host), ['scoped.test:8443', 'reports.scoped-other.test:8443']);
    assert.equal(home, 'https://scoped.test:8443/app/x');
    const second = visited[1]!.cookies;
    assert.equal(second.length, 2);
    assert.match(second[0]!, /^CF_Authorization=[^;]+; Path=\/r; /);
    assert.match(second[1]!, /^CF_Binding=[^;]+; Path=\/r; Max-Age=\d+; HttpOnly; /);
  });

  it('sets nothing in advance for more than five domains, and goes straight home', async () => {
    const hosts = ['one', 'two', 'three', 'four', 'five', 'six'].map((n) => `${n}.many.test`);
    const app = await appWith('Many', hosts);
    const started = await startSignIn(s.baseUrl, 'https://two.many.test/');
    assert.deepEqual([...started.cookies.keys()], ['two.many.test']);
    const { visited, home } = await follow(await authorizedAt('two.many.test', await tokenFor(app.aud), 'https://two.many.test/', started), started);
    assert.deepEqual(visited.map((v) => v.host), ['two.many.test']);
    assert.equal(home, 'https://two.many.test/');
  });

  it('takes a step only for a host of the token\'s application, home on another of its hosts, on the same scheme', async () => {
    const suite = await appWith('Pair', ['pair.test', 'pair-api.test']);
    const other = await appWith('Elsewhere', ['elsewhere.test']);
    const token = await tokenFor(suite.aud);
    const started = await startSignIn(s.baseUrl, 'https://pair.test/page');
    const keys = await s.accessKeys!.keys(s.accountId);
    const step = (host: string, home: string, proto = 'https', withToken = token) =>
      fetch(`${s.baseUrl}/cdn-cgi/access/authorized?token=${encodeURIComponent(withToken)}&redirect_url=${encodeURIComponent(home)}${appSessionQuery(withToken, started.appSession, keys)}`, { redirect: 'manual', headers: { 'x-forwarded-host': host, 'x-forwarded-proto': proto, cookie: started.cookies.get(host) ?? '' } });
    const ok = await step('pair-api.test', 'https://pair.test/page');
    assert.equal(ok.status, 302);
    assert.equal(ok.headers.get('location'), 'https://pair.test/page');
    // Home not on the application: not a step; as any sign-in link, it goes to this host's root.
    const away = await step('pair-api.test', 'https://evil.test/');
    assert.equal(away.headers.get('location'), 'https://pair.test/cdn-cgi/access/authorized?token=' + encodeURIComponent(token) + '&redirect_url=' + encodeURIComponent('https://pair-api.test/') + appSessionQuery(token, started.appSession, keys));
    // Home over plain http from an https host: refused as a step, and this host's root instead.
    const downgraded = await step('pair-api.test', 'http://pair.test/');
    assert.equal(new URL(downgraded.headers.get('location')!).host, 'pair.test');
    assert.equal(new URL(new URL(downgraded.headers.get('location')!).searchParams.get('redirect_url')!).protocol, 'https:');
    // Another application's host: that application's token is needed.
    const foreign = await step('elsewhere.test', 'https://pair.test/');
    assert.equal(foreign.status, 400);
    // A token whose signature does not hold is no step either: refused, nothing set.
    const forged = await step('pair-api.test', 'https://pair.test/', 'https', `${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`);
    assert.equal(forged.status, 400);
    assert.deepEqual(forged.headers.getSetCookie(), []);
    assert.ok(other.aud !== suite.aud);
  });
});
