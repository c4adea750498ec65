// Several accounts on one enforcement point (docs/enforcement.md "Several accounts on one
// server"): two accounts with their own auth domains and applications on their own hosts, asked
// through a trusted proxy's X-Forwarded-Host as a reverse proxy asks. Each signs in on its own
// auth domain with its own keys and issuer; a token of one opens nothing of the other; the keys
// of an auth domain are its account's only; a host that is nobody's is answered 404; the most
// specific application wins across accounts and a tie is refused and logged; a new auth domain
// applies to the next request.
import { requestAs } from '../../test/support/raw-http.js';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet } from 'jose';
import { databaseKinds, type TestDatabase } from '../../test/support/databases.js';
import { logLines } from '../../test/support/log-lines.js';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import { freePort, proxyUnavailable, startNginx, type RunningProxy } from '../../test/support/proxies.js';
import { startUpstream, type Upstream } from '../../test/support/protected-upstream.js';
import { userAppToken } from './app-token.js';
import { appSessionQuery, browserNonce, nonceCookie } from '../../test/support/app-session.js';
import type { StoreReader } from '../store/store.js';

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

interface Account {
  readonly id: string;
  readonly letter: 'a' | 'b';
  authDomain: string;
  aud: string;
  /** Ada's id in this account's directory. */
  adaId: string;
}

for (const kind of await databaseKinds()) {
  describe(`several accounts on one enforcement point (${kind.name})`, { skip: kind.skip }, () => {
    let db: TestDatabase;
    let s: TestServer;
    const { lines: log, stream: logStream } = logLines<{ level: number; msg: string; accounts?: string[]; host?: string; holder?: string; ignored?: string[] }>();
    const accounts: Record<'a' | 'b', Account> = {} as Record<'a' | 'b', Account>;
    const other = (account: Account): Account => accounts[account.letter === 'a' ? 'b' : 'a'];
    const appHost = (account: Account): string => `app-${account.letter}.test`;

    /** A request as a trusted proxy forwards it: to portcullis, about `host`. */
    async function send(host: string | undefined, path: string, options: { cookie?: string; rawCookie?: string; form?: Record<string, string> } = {}): Promise<Answer> {
      const res = await fetch(`${s.baseUrl}${path}`, {
        method: options.form === undefined ? 'GET' : 'POST',
        redirect: 'manual',
        headers: {
          ...(host !== undefined ? { 'x-forwarded-host': host, 'x-forwarded-proto': 'https' } : {}),
          ...(options.cookie !== undefined ? { cookie: `CF_Authorization=${options.cookie}` } : {}),
          ...(options.rawCookie !== undefined ? { cookie: options.rawCookie } : {}),
          ...(options.form !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        ...(options.form !== undefined ? { body: new URLSearchParams(options.form).toString() } : {}),
      });
      return { status: res.status, headers: res.headers, text: await res.text() };
    }
    /** Forward auth, asked as nginx asks: the original host and path in X-Forwarded-Host and -Uri. */
    async function authorize(host: string, path = '/', cookie?: string): Promise<Answer> {
      const res = await fetch(`${s.baseUrl}/cdn-cgi/access/authorize`, {
        redirect: 'manual',
        headers: { 'x-forwarded-host': host, 'x-forwarded-uri': path, 'x-forwarded-proto': 'https', ...(cookie !== undefined ? { cookie: `CF_Authorization=${cookie}` } : {}) },
      });
      return { status: res.status, headers: res.headers, text: await res.text() };
    }
    const certs = async (host: string): Promise<JSONWebKeySet & { public_certs: { kid: string }[] }> => {
      const answer = await send(host, '/cdn-cgi/access/certs');
      assert.equal(answer.status, 200, answer.text);
      return JSON.parse(answer.text);
    };

    /** The sign-in a browser refused on `host` starts with forward auth's answer: the nonce cookie it sets there, and the login address it sends the browser to. */
    async function startAt(host: string, path = '/'): Promise<{ cookie: string; login: URL }> {
      const refused = await authorize(host, path);
      assert.equal(refused.status, 401, `${host}${path}`);
      const cookie = nonceCookie(new Response(null, { headers: refused.headers }));
      assert.match(cookie, /^__Host-CF_AppSession=/, "the nonce is set on the application's host");
      return { cookie, login: new URL(refused.headers.get('x-access-login')!) };
    }
    /** Where each token's sign-in handed it over: its /authorized address and the browser's nonce there. */
    const handoffs = new Map<string, { path: string; cookie: string }>();
    /** Signs Ada in to the account's application through its auth domain's development login; the token. */
    async function signIn(account: Account): Promise<string> {
      const { cookie, login } = await startAt(appHost(account));
      assert.equal(login.origin, `https://${account.authDomain}`, 'sent to sign in on its own auth domain');
      const page = await send(account.authDomain, login.pathname + login.search);
      assert.equal(page.status, 200, page.text);
      assert.match(page.text, new RegExp(`Sign in to App ${account.letter.toUpperCase()}`));
      const done = await send(account.authDomain, login.pathname, { form: { email: 'ada@example.com', redirect_url: `https://${appHost(account)}/`, app_session: login.searchParams.get('app_session')! } });
      assert.equal(done.status, 302, done.text);
      const back = new URL(done.headers.get('location')!);
      assert.equal(back.host, appHost(account));
      assert.equal(back.pathname, '/cdn-cgi/access/authorized');
      const token = back.searchParams.get('token')!;
      handoffs.set(token, { path: back.pathname + back.search, cookie });
      return token;
    }

    before(async () => {
      db = await kind.create();
      s = await startTestServer({ database: db, access: { devLogin: true }, logger: { level: 'warn', stream: logStream } });
      for (const letter of ['a', 'b'] as const) {
        const created = await s.api('POST', '/accounts', { name: `Account ${letter.toUpperCase()}` });
        assert.equal(created.status, 200, JSON.stringify(created.json));
        const id = created.json.result.id as string;
        const A = `/accounts/${id}/access`;
        const authDomain = `login-${letter}.test`;
        const org = await s.api('POST', `${A}/organizations`, { name: `Org ${letter}`, auth_domain: authDomain });
        assert.equal(org.status, 201, JSON.stringify(org.json));
        const staff = await s.api('POST', `${A}/policies`, { name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] });
        const policies = [{ id: staff.json.result.id, precedence: 1 }];
        const app = await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: `App ${letter.toUpperCase()}`, domain: `app-${letter}.test`, policies });
        assert.equal(app.status, 201, JSON.stringify(app.json));
        // Both accounts have an application on shared.test and on wide.test (b's on wide.test/admin): a's, older, hold both hosts.
        await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Shared', domain: 'shared.test', policies });
        await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Wide', domain: letter === 'a' ? 'wide.test' : 'wide.test/admin', policies });
        const ada = await s.api('POST', `${A}/users`, { email: 'ada@example.com', name: 'Ada' });
        accounts[letter] = { id, letter, authDomain, aud: app.json.result.aud, adaId: ada.json.result.id };
      }
    });
    after(async () => {
      await s?.close();
      await db?.drop();
    });

    it('signs in to each account on its own auth domain, with a token of its own issuer and keys, and reads the identity back', async () => {
      for (const account of [accounts.a, accounts.b]) {
        const token = await signIn(account);
        const claims = decodeJwt(token);
        assert.equal(claims.iss, `https://${account.authDomain}`);
        assert.deepEqual(claims.aud, [account.aud]);
        // Verifiable with the keys its own auth domain publishes, not with the other's.
        await jwtVerify(token, createLocalJWKSet(await certs(account.authDomain)), { issuer: `https://${account.authDomain}`, audience: account.aud });
        await assert.rejects(jwtVerify(token, createLocalJWKSet(await certs(other(account).authDomain))));

        const handoff = handoffs.get(token)!;
        const kept = await send(appHost(account), handoff.path, { rawCookie: handoff.cookie });
        assert.equal(kept.status, 302, kept.text);
        assert.match(kept.headers.get('set-cookie') ?? '', new RegExp(`^CF_Authorization=${token.replace(/[.]/g, '\\.')};`));
        const allowed = await authorize(appHost(account), '/', token);
        assert.equal(allowed.status, 200);
        assert.equal(allowed.headers.get('cf-access-authenticated-user-email'), 'ada@example.com');
        const identity = await send(appHost(account), '/cdn-cgi/access/get-identity', { cookie: token });
        assert.equal(identity.status, 200, identity.text);
        const body = JSON.parse(identity.text);
        assert.deepEqual([body.email, body.account_id, body.user_uuid], ['ada@example.com', account.id, account.adaId]);
        const out = await send(appHost(account), '/cdn-cgi/access/logout');
        assert.equal(out.status, 302);
        assert.equal(out.headers.get('location'), `https://${account.authDomain}/cdn-cgi/access/logout`, "then on to the account's own auth domain");
        assert.match(out.headers.get('set-cookie') ?? '', /^CF_Authorization=; .*Max-Age=0/);
      }
    });

    it("refuses one account's token for the other's application, whatever it claims", async () => {
      const a = accounts.a;
      const b = accounts.b;
      const tokenOfA = await signIn(a);
      const replayed = await authorize(appHost(b), '/', tokenOfA);
      assert.equal(replayed.status, 401, 'sent to sign in, not let in');
      assert.equal((await startAt(appHost(b))).login.host, b.authDomain);
      const kept = await send(appHost(b), `/cdn-cgi/access/authorized?token=${encodeURIComponent(tokenOfA)}&redirect_url=${encodeURIComponent(`https://${appHost(b)}/`)}`);
      assert.equal(kept.status, 400);
      assert.equal(kept.headers.get('set-cookie'), null);
      assert.equal((await send(appHost(b), '/cdn-cgi/access/get-identity', { cookie: tokenOfA })).status, 401);

      // Tokens made to pass for b's: b's aud, issuer and user, signed with a's key; or with b's key and a's issuer.
      const forgedKey = await userAppToken({ aud: b.aud, issuer: `https://${b.authDomain}`, lifetimeSeconds: 600, userId: b.adaId, email: 'ada@example.com' }, await s.accessKeys!.current(a.id));
      const forgedIssuer = await userAppToken({ aud: b.aud, issuer: `https://${a.authDomain}`, lifetimeSeconds: 600, userId: b.adaId, email: 'ada@example.com' }, await s.accessKeys!.current(b.id));
      const genuine = await userAppToken({ aud: b.aud, issuer: `https://${b.authDomain}`, lifetimeSeconds: 600, userId: b.adaId, email: 'ada@example.com' }, await s.accessKeys!.current(b.id));
      for (const forged of [forgedKey, forgedIssuer]) {
        assert.equal((await authorize(appHost(b), '/', forged)).status, 401);
        assert.equal((await send(appHost(b), '/cdn-cgi/access/get-identity', { cookie: forged })).status, 401);
      }
      assert.equal((await authorize(appHost(b), '/', genuine)).status, 200, 'the same token made with b\'s own key and issuer passes');
    });

    it("serves an auth domain's own keys only, the default account's on the server's own address, and 404 on a host that is nobody's", async () => {
      const kids = async (accountId: string) => (await s.accessKeys!.keys(accountId)).map((k) => k.kid).sort();
      for (const account of [accounts.a, accounts.b]) {
        const served = await certs(account.authDomain);
        assert.deepEqual(served.keys.map((k) => k.kid).sort(), await kids(account.id));
        assert.deepEqual(served.public_certs.map((c) => c.kid).sort(), await kids(account.id));
      }
      const [ofA, ofB] = [await kids(accounts.a.id), await kids(accounts.b.id)];
      assert.ok(ofA.every((kid) => !ofB.includes(kid)), 'the accounts share no key');
      // No forwarded host: the server's own address, the default account's auth domain while its organization names none.
      const own = await send(undefined, '/cdn-cgi/access/certs');
      assert.equal(own.status, 200);
      assert.deepEqual((JSON.parse(own.text) as JSONWebKeySet).keys.map((k) => k.kid).sort(), await kids(s.accountId));

      for (const path of ['/cdn-cgi/access/certs', '/cdn-cgi/access/get-identity', '/cdn-cgi/access/logout']) {
        const answer = await send('nowhere.test', path);
        assert.equal(answer.status, 404, path);
        assert.match(JSON.parse(answer.text).err, /No account on this server has its auth domain or an Access application at nowhere\.test/);
      }
      // On an application's host, certs says where the keys are: its account's auth domain.
      const onAppHost = await send(appHost(accounts.a), '/cdn-cgi/access/certs');
      assert.equal(onAppHost.status, 404);
      assert.equal(JSON.parse(onAppHost.text).err, `Signing keys are published on the auth domain, not on an application's host: https://${accounts.a.authDomain}/cdn-cgi/access/certs`);
      const login = await send('nowhere.test', `/cdn-cgi/access/login/${appHost(accounts.a)}?redirect_url=${encodeURIComponent(`https://${appHost(accounts.a)}/`)}`);
      assert.equal(login.status, 404);
      assert.match(login.text, /No account on this server has its auth domain at nowhere\.test/);
      // An auth domain signs in to its own account's applications only.
      const elsewhere = await send(accounts.b.authDomain, `/cdn-cgi/access/login/${appHost(accounts.a)}?redirect_url=${encodeURIComponent(`https://${appHost(accounts.a)}/`)}`);
      assert.equal(elsewhere.status, 404);
      assert.match(elsewhere.text, /No Access application covers app-a\.test/);
    });

    it("lets the account that holds a host decide all of it: another account's application there, even on a more specific path, is ignored and logged; a host held since the same instant is refused", async () => {
      const loginHost = async (host: string, path: string) => (await startAt(host, path)).login.host;
      // Account a's applications on wide.test and shared.test are older than b's (made first).
      assert.equal(await loginHost('wide.test', '/'), accounts.a.authDomain);
      assert.equal(await loginHost('wide.test', '/admin/users'), accounts.a.authDomain, "b's wide.test/admin takes no path of a's host");
      assert.equal(await loginHost('shared.test', '/page'), accounts.a.authDomain);
      const passedOver = () => log.filter((entry) => entry.msg.startsWith('applications of other accounts on a host an account holds are ignored') && entry.host === 'wide.test');
      assert.equal(passedOver().length, 1, 'logged');
      assert.equal(passedOver()[0]!.holder, accounts.a.id);
      assert.deepEqual(passedOver()[0]!.ignored, [accounts.b.id]);
      assert.equal(passedOver()[0]!.level, 40);
      // Logged once a minute per host, not on every request.
      for (let i = 0; i < 3; i++) await authorize('wide.test', '/admin');
      assert.equal(passedOver().length, 1);

      // Applications of both accounts on one host made at the same instant: neither holds it.
      const at = new Date().toISOString();
      for (const account of [accounts.a, accounts.b]) {
        await s.store.transaction(account.id, (tx) =>
          tx.insertResource({ accountId: account.id, kind: 'app', id: randomUUID(), parentId: null, name: 'Tied', body: { name: 'Tied', type: 'self_hosted', domain: 'tied.test', aud: randomBytes(32).toString('hex') }, secretHash: null, createdAt: at }, []),
        );
      }
      const tie = await authorize('tied.test', '/page');
      assert.equal(tie.status, 403);
      assert.match(tie.text, /Applications of several accounts cover tied\.test\/page/);
      const logged = log.find((entry) => entry.msg.startsWith('applications of several accounts cover this request') && entry.host === 'tied.test');
      assert.ok(logged !== undefined, 'the tie is logged');
      assert.equal(logged.level, 50);
      assert.deepEqual([...logged.accounts!].sort(), [accounts.a.id, accounts.b.id].sort());
      // A host no account covers gets the configured default: deny.
      assert.equal((await authorize('uncovered.test', '/')).status, 403);
    });

    it("sets no session in advance on a host another account holds: an application naming it does not take it", async () => {
      const { a, b } = accounts;
      const policy = await s.api('POST', `/accounts/${a.id}/access/policies`, { name: 'Held', decision: 'allow', include: [{ everyone: {} }] });
      const held = await s.api('POST', `/accounts/${a.id}/access/apps`, { type: 'self_hosted', name: 'Held', domain: 'held-a.test', policies: [{ id: policy.json.result.id, precedence: 1 }] });
      assert.equal(held.status, 201, JSON.stringify(held.json));
      // b's application, made later, names b's own host and the host a holds.
      const bPolicy = await s.api('POST', `/accounts/${b.id}/access/policies`, { name: 'Pair', decision: 'allow', include: [{ everyone: {} }] });
      const pair = await s.api('POST', `/accounts/${b.id}/access/apps`, { type: 'self_hosted', name: 'Pair', domain: 'pair-b.test', destinations: [{ type: 'public', uri: 'pair-b.test' }, { type: 'public', uri: 'held-a.test' }], policies: [{ id: bPolicy.json.result.id, precedence: 1 }] });
      assert.equal(pair.status, 201, JSON.stringify(pair.json));
      const token = await userAppToken({ aud: pair.json.result.aud, issuer: `https://${b.authDomain}`, lifetimeSeconds: 600, userId: b.adaId, email: 'ada@example.com' }, await s.accessKeys!.current(b.id));
      const nonce = browserNonce(true);
      const proofs = appSessionQuery(token, nonce.appSession, await s.accessKeys!.keys(b.id));
      const authorized = (host: string, home: string) => send(host, `/cdn-cgi/access/authorized?token=${encodeURIComponent(token)}&redirect_url=${encodeURIComponent(home)}${proofs}`, { rawCookie: nonce.cookie });
      // A sign-in to b's application on its own host goes straight home: a's host is not b's to set.
      const signedIn = await authorized('pair-b.test', 'https://pair-b.test/page');
      assert.equal(signedIn.status, 302, signedIn.text);
      assert.equal(signedIn.headers.get('location'), 'https://pair-b.test/page');
      // A link made with b's token for a's host sets nothing there (it would replace the session of a's users).
      const crafted = await authorized('held-a.test', 'https://pair-b.test/page');
      assert.equal(crafted.status, 400, crafted.text);
      assert.deepEqual(crafted.headers.getSetCookie(), []);
      // Forward auth sends a browser refused on b's host straight to b's login, its nonce set there:
      // the only other host b's application names is a's, where its sign-in sets nothing, so
      // there is no series of hosts to take nonces on first.
      const { login } = await startAt('pair-b.test', '/page');
      assert.equal(login.origin, `https://${b.authDomain}`);
      assert.equal(login.pathname, '/cdn-cgi/access/login/pair-b.test');
    });

    it('answers repeated decisions for either account from memory (SQLite) or with one read of the accounts each (PostgreSQL)', async () => {
      const tokens = [await signIn(accounts.a), await signIn(accounts.b)];
      for (const [i, account] of [accounts.a, accounts.b].entries()) assert.equal((await authorize(appHost(account), '/', tokens[i])).status, 200);
      const read = s.store.read as { accountVersions: StoreReader['accountVersions'] };
      const accountVersions = read.accountVersions;
      let reads = 0;
      read.accountVersions = () => {
        reads++;
        return accountVersions();
      };
      try {
        for (let round = 0; round < 3; round++) {
          for (const [i, account] of [accounts.a, accounts.b].entries()) assert.equal((await authorize(appHost(account), '/', tokens[i])).status, 200);
        }
      } finally {
        read.accountVersions = accountVersions;
      }
      assert.equal(reads, kind.name === 'sqlite' ? 0 : 6);
    });

    it("applies a change of an account's auth domain to the next request", async () => {
      const a = accounts.a;
      const before = (await certs(a.authDomain)).keys.map((k) => k.kid);
      const moved = await s.api('PUT', `/accounts/${a.id}/access/organizations`, { name: 'Org a', auth_domain: 'sso-a.test' });
      assert.equal(moved.status, 200, JSON.stringify(moved.json));
      assert.equal((await send(a.authDomain, '/cdn-cgi/access/certs')).status, 404, 'the old auth domain is nobody\'s now');
      assert.deepEqual((await certs('sso-a.test')).keys.map((k) => k.kid), before);
      assert.equal((await startAt(appHost(a))).login.host, 'sso-a.test');
      a.authDomain = 'sso-a.test';
      const token = await signIn(a);
      assert.equal(decodeJwt(token).iss, 'https://sso-a.test');
      assert.equal((await authorize(appHost(a), '/', token)).status, 200);
    });
  });
}

const nginxMissing = proxyUnavailable('nginx');
if (nginxMissing !== undefined) console.log(`# skipping several accounts behind nginx: ${nginxMissing}`);

// Behind real nginx, one in front of each account's application, each also serving that
// account's auth domain (its own address, http://127.0.0.1:<port>, in a server block of its own):
// the application verifies its token with the keys its account's auth domain publishes through
// nginx, as Cloudflare tells application owners to.
describe('several accounts behind nginx', { skip: nginxMissing }, () => {
  interface Site {
    readonly accountId: string;
    readonly host: string;
    readonly authDomain: string;
    readonly port: number;
    readonly proxy: RunningProxy;
    readonly upstream: Upstream;
  }
  let s: TestServer;
  const sites: Site[] = [];

  /** A request to the site's nginx with the given Host (which fetch cannot set). */
  const viaNginx = (site: Site, host: string, path: string, headers: Record<string, string> = {}) => requestAs(site.port, 'GET', path, { host, ...headers });

  /** Sent to sign in by the site's nginx: to the login on its own auth domain, with the nonce cookie portcullis set on the application's host (which nginx passes on). */
  async function startThroughNginx(site: Site, cookie?: string): Promise<{ nonce: string; login: URL }> {
    const appHost = `${site.host}:${site.port}`;
    const first = await viaNginx(site, appHost, '/', cookie === undefined ? {} : { cookie });
    assert.equal(first.status, 302, first.body);
    const nonce = /(CF_AppSession=[^;]+)/.exec(String(first.headers['set-cookie']))![1]!;
    const login = new URL(String(first.headers.location));
    assert.equal(login.origin, site.authDomain, 'sent to its own auth domain');
    return { nonce, login };
  }

  /** Signs Ada in to the site's application through nginx: its login page on its auth domain, then back; the cookie's token. */
  async function signIn(site: Site): Promise<string> {
    const appHost = `${site.host}:${site.port}`;
    const { nonce, login } = await startThroughNginx(site);
    const page = await fetch(login);
    assert.equal(page.status, 200);
    assert.match(await page.text(), new RegExp(`Sign in to App ${site.host[4]}`));
    const done = await fetch(login.origin + login.pathname, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ email: 'ada@example.com', redirect_url: `http://${appHost}/`, app_session: login.searchParams.get('app_session')! }).toString() });
    assert.equal(done.status, 302, await done.text());
    const back = new URL(done.headers.get('location')!);
    assert.equal(back.host, appHost);
    const kept = await viaNginx(site, appHost, back.pathname + back.search, { cookie: nonce });
    assert.equal(kept.status, 302, kept.body);
    const cookie = String(kept.headers['set-cookie']).match(/CF_Authorization=([^;]+)/)![1]!;
    assert.equal(decodeJwt(cookie).iss, site.authDomain);
    return cookie;
  }

  before(async () => {
    s = await startTestServer({ access: { devLogin: true } });
    for (const letter of ['a', 'b']) {
      const id = (await s.api('POST', '/accounts', { name: `Account ${letter}` })).json.result.id as string;
      const A = `/accounts/${id}/access`;
      const port = await freePort();
      const authDomain = `http://127.0.0.1:${port}`;
      assert.equal((await s.api('POST', `${A}/organizations`, { name: `Org ${letter}`, auth_domain: authDomain })).status, 201);
      const staff = await s.api('POST', `${A}/policies`, { name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] });
      const app = await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: `App ${letter}`, domain: `app-${letter}.test`, policies: [{ id: staff.json.result.id, precedence: 1 }] });
      const aud = app.json.result.aud as string;
      const upstream = await startUpstream(authDomain, () => aud);
      const proxy = await startNginx({ portcullis: new URL(s.baseUrl).host, upstream: `127.0.0.1:${upstream.port}` }, port, { serverName: `app-${letter}.test`, authDomain: '127.0.0.1' });
      sites.push({ accountId: id, host: `app-${letter}.test`, authDomain, port, proxy, upstream });
    }
  });
  after(async () => {
    for (const site of sites) {
      await site.proxy.stop();
      await site.upstream.stop();
    }
    await s?.close();
  });

  it("signs in to each account's application, which verifies the token with its own auth domain's keys; the other's token is refused", async () => {
    const tokens: string[] = [];
    for (const site of sites) {
      const token = await signIn(site);
      tokens.push(token);
      const page = await viaNginx(site, `${site.host}:${site.port}`, '/', { cookie: `CF_Authorization=${token}` });
      assert.equal(page.status, 200, page.body);
      assert.match(page.body, /hello ada@example\.com/);
      const identity = await viaNginx(site, `${site.host}:${site.port}`, '/cdn-cgi/access/get-identity', { cookie: `CF_Authorization=${token}` });
      assert.equal(JSON.parse(identity.body).account_id, site.accountId);
    }
    const [a, b] = sites as [Site, Site];
    // a's token on b's application: sent to sign in at b's auth domain.
    await startThroughNginx(b, `CF_Authorization=${tokens[0]}`);
    assert.equal(b.upstream.seen.filter((seen) => seen.email !== undefined).length, 1, "only b's own sign-in reached b's application");
    assert.equal(a.upstream.seen.length, 1);
  });
});
