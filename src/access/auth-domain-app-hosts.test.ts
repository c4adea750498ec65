// One account's auth domain is never another account's application host (docs/enforcement.md
// "Several accounts on one server"). The enforcement point answers a host's sign-in pages, keys
// and global session for the account whose auth domain it is, and its forward auth and
// /cdn-cgi/access endpoints for the account holding it by an application: if both were different
// accounts, one account's sign-in pages and cookies would be served on the other's application
// origin. So the API refuses an auth domain another account's application covers (with any port:
// applications cover a host on every port), and an application covering another account's auth
// domain or the server's own address while the default account signs in there, wildcards
// included. An account's own application on its own auth domain, and a server of one account,
// are as before.
import { startSignIn } from '../../test/support/app-session.js';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import Cloudflare from 'cloudflare';
import { databaseKinds, type TestDatabase } from '../../test/support/databases.js';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import { findPermissionGroup } from '../api/auth/permissions.js';

interface Refusal {
  readonly status: number;
  readonly code: number;
  readonly pointer: string | undefined;
  readonly message: string;
}

const refusalOf = (answer: { status: number; json: any }): Refusal => ({
  status: answer.status,
  code: answer.json.errors?.[0]?.code,
  pointer: answer.json.errors?.[0]?.source?.pointer,
  message: answer.json.errors?.[0]?.message ?? JSON.stringify(answer.json),
});

for (const kind of await databaseKinds()) {
  describe(`an account's auth domain and another account's application hosts never meet (${kind.name})`, { skip: kind.skip }, () => {
    let db: TestDatabase;
    let s: TestServer;
    let a = '';
    let b = '';
    let bToken = '';
    let bApi: Cloudflare;
    /** B's existing application (on a host of its own). */
    let bApp = '';

    /** A request about `host`, as a trusted proxy forwards it. */
    const send = async (host: string, path: string): Promise<{ status: number; text: string }> => {
      const res = await fetch(`${s.baseUrl}${path}`, { redirect: 'manual', headers: { 'x-forwarded-host': host, 'x-forwarded-proto': 'https' } });
      return { status: res.status, text: await res.text() };
    };
    /** Forward auth for `host`, as nginx asks it. */
    const authorize = async (host: string): Promise<{ status: number; login: string | null }> => {
      const res = await fetch(`${s.baseUrl}/cdn-cgi/access/authorize`, { redirect: 'manual', headers: { 'x-forwarded-host': host, 'x-forwarded-uri': '/', 'x-forwarded-proto': 'https' } });
      await res.text();
      // The sign-in starts on the application's host, which sends the browser on to the login.
      const start = res.headers.get('x-access-login');
      const login = start === null ? null : (await startSignIn(s.baseUrl, new URL(start).searchParams.get('redirect_url')!)).login.toString();
      return { status: res.status, login };
    };
    const asB = (method: string, path: string, body: unknown) => s.api(method, `/accounts/${b}/access/${path}`, body, { authorization: `Bearer ${bToken}` });
    const bOrganization = async (): Promise<unknown> => (await asB('GET', 'organizations', undefined)).json.result.auth_domain;

    before(async () => {
      db = await kind.create();
      s = await startTestServer({ database: db, access: { devLogin: true } });
      a = (await s.api('POST', '/accounts', { name: 'Account A' })).json.result.id;
      b = (await s.api('POST', '/accounts', { name: 'Account B' })).json.result.id;
      const A = `/accounts/${a}/access`;
      assert.equal((await s.api('POST', `${A}/organizations`, { name: 'Org A', auth_domain: 'login.a.test' })).status, 201);
      const staff = await s.api('POST', `${A}/policies`, { name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] });
      const policies = [{ id: staff.json.result.id, precedence: 1 }];
      for (const app of [
        { type: 'self_hosted', name: 'App A', domain: 'app.a.test' },
        { type: 'self_hosted', name: 'Wild A', domain: '*.wild-a.test' },
        { type: 'self_hosted', name: 'Listed A', domain: 'listed.a.test', self_hosted_domains: ['listed.a.test', 'listed-2.a.test/docs'] },
        { type: 'self_hosted', name: 'Routed A', domain: 'routed.a.test', destinations: [{ type: 'public', uri: 'routed-2.a.test/api' }] },
        // Types that protect no host: their domain is a link (bookmark) or the auth domain (App Launcher).
        { type: 'bookmark', name: 'Bookmark A', domain: 'bookmark.a.test' },
      ]) {
        const created = await s.api('POST', `${A}/apps`, { ...app, policies });
        assert.equal(created.status, 201, JSON.stringify(created.json));
      }
      // B's administrator: a token for account B only, for its organization and its applications.
      const token = await s.api('POST', '/user/tokens', {
        name: 'B admin',
        policies: [
          {
            effect: 'allow',
            permission_groups: ['Access: Organizations, Identity Providers, and Groups Write', 'Access: Apps and Policies Write'].map((name) => ({ id: findPermissionGroup(name)!.id })),
            resources: { [`com.cloudflare.api.account.${b}`]: '*' },
          },
        ],
      });
      assert.equal(token.status, 200, JSON.stringify(token.json));
      bToken = token.json.result.value;
      bApi = s.sdk(bToken);
      const mine = await asB('POST', 'apps', { type: 'self_hosted', name: 'App B', domain: 'app.b.test' });
      assert.equal(mine.status, 201, JSON.stringify(mine.json));
      bApp = mine.json.result.id;
    });
    after(async () => {
      await s?.close();
      await db?.drop();
    });

    it("refuses B an auth domain on a host A's application covers, whatever the port, case, trailing dot or field naming it", async () => {
      assert.equal((await authorize('app.a.test')).status, 401, "a baseline: A's application holds app.a.test");
      for (const [authDomain, host] of [
        ['app.a.test', 'app.a.test'],
        ['https://APP.a.test.', 'app.a.test'],
        ['https://app.a.test:8443', 'app.a.test'],
        ['http://app.a.test:8080', 'app.a.test'],
        ['x.wild-a.test', 'x.wild-a.test'],
        ['listed-2.a.test', 'listed-2.a.test'],
        ['routed-2.a.test', 'routed-2.a.test'],
        ['routed.a.test', 'routed.a.test'],
      ] as const) {
        for (const method of ['POST', 'PUT']) {
          const refused = refusalOf(await asB(method, 'organizations', { name: 'Org B', auth_domain: authDomain }));
          assert.deepEqual([refused.status, refused.code, refused.pointer], [400, 1353, '/auth_domain'], `${method} ${authDomain}: ${refused.message}`);
          assert.ok(refused.message.includes(host), `the colliding host is named: ${refused.message}`);
          assert.match(refused.message, /another account's application/);
        }
      }
      // Through the official SDK, as B's administrator would.
      await assert.rejects(bApi.zeroTrust.organizations.update({ account_id: b, auth_domain: 'app.a.test' }), (err: unknown) => err instanceof Cloudflare.BadRequestError && err.status === 400 && /app\.a\.test/.test(err.message));
      assert.equal(await bOrganization(), s.baseUrl, 'nothing of the refused writes was kept');
      // A's application host still answers as A's: no sign-in page of B there.
      const login = await authorize('app.a.test');
      assert.equal(new URL(login.login!).host, 'login.a.test');
      assert.equal((await send('app.a.test', '/cdn-cgi/access/login/app.b.test')).status, 404);
    });

    it('lets B name hosts no application of A covers: beside a wildcard, or where A has only a bookmark', async () => {
      for (const authDomain of ['wild-a.test', 'two.levels.wild-a.test', 'bookmark.a.test', 'app.a.test.example']) {
        const written = await asB('PUT', 'organizations', { name: 'Org B', auth_domain: authDomain });
        assert.equal(written.status, 200, `${authDomain}: ${JSON.stringify(written.json)}`);
      }
      assert.equal((await send('bookmark.a.test', '/cdn-cgi/access/certs')).status, 404, 'moved on: the last one named is B\'s');
      assert.equal((await send('app.a.test.example', '/cdn-cgi/access/certs')).status, 200);
      assert.equal((await asB('PUT', 'organizations', { name: 'Org B', auth_domain: 'login.b.test' })).status, 200);
    });

    it("refuses B an application on A's auth domain, in any field naming a destination, a wildcard covering it included", async () => {
      for (const [body, pointer] of [
        [{ domain: 'login.a.test' }, '/domain'],
        [{ domain: 'LOGIN.A.test/cdn-cgi/access' }, '/domain'],
        [{ domain: 'https://login.a.test/' }, '/domain'],
        [{ domain: '*.a.test' }, '/domain'],
        [{ domain: 'login*.a.test/admin' }, '/domain'],
        [{ domain: 'own.b.test', self_hosted_domains: ['own.b.test', 'login.a.test'] }, '/self_hosted_domains/1'],
        [{ domain: 'own.b.test', destinations: [{ type: 'public', uri: 'own.b.test' }, { type: 'public', uri: '*.a.test/x' }] }, '/destinations/1/uri'],
      ] as const) {
        for (const [method, path] of [['POST', 'apps'], ['PUT', `apps/${bApp}`]] as const) {
          const refused = refusalOf(await asB(method, path, { type: 'self_hosted', name: 'Phish', ...body }));
          assert.deepEqual([refused.status, refused.code, refused.pointer], [400, 1353, pointer], `${method} ${JSON.stringify(body)}: ${refused.message}`);
          assert.match(refused.message, /login\.a\.test/, 'names the auth domain host it covers');
        }
      }
      await assert.rejects(bApi.zeroTrust.access.applications.create({ account_id: b, type: 'self_hosted', name: 'Phish', domain: 'login.a.test' } as never), (err: unknown) => err instanceof Cloudflare.BadRequestError && /login\.a\.test/.test(err.message));
      const apps = (await asB('GET', 'apps', undefined)).json.result as { domain: string }[];
      assert.deepEqual(apps.map((app) => app.domain), ['app.b.test'], 'nothing of the refused writes was kept');
      // A still signs in on its auth domain; no application of B holds it.
      assert.equal((await authorize('login.a.test')).status, 403, 'no application covers the auth domain: the default (deny)');
      const certs = await send('login.a.test', '/cdn-cgi/access/certs');
      assert.equal(certs.status, 200, certs.text);
      assert.equal(JSON.parse(certs.text).public_cert.kid, (await s.accessKeys!.current(a)).kid);
    });

    it("refuses B an application on the server's own address while the default account signs in there, whatever its port", async () => {
      const own = new URL(s.baseUrl).hostname;
      for (const domain of [own, `${own}/admin`, '127.0.0.*']) {
        const refused = refusalOf(await asB('POST', 'apps', { type: 'self_hosted', name: 'Phish', domain }));
        assert.deepEqual([refused.status, refused.code, refused.pointer], [400, 1353, '/domain'], `${domain}: ${refused.message}`);
        assert.ok(refused.message.includes(own), refused.message);
        assert.match(refused.message, /this server's own address/);
      }
    });

    it('lets B protect hosts beside an auth domain, and types that protect no host name one', async () => {
      for (const body of [
        { type: 'self_hosted', name: 'Beside', domain: 'a.test' },
        { type: 'self_hosted', name: 'Deeper', domain: '*.login.a.test' },
        { type: 'bookmark', name: 'Link to A', domain: 'login.a.test' },
      ]) {
        const created = await asB('POST', 'apps', body);
        assert.equal(created.status, 201, `${JSON.stringify(body)}: ${JSON.stringify(created.json)}`);
      }
    });

    it('once B protects a host, A cannot move its auth domain onto it (first come, as with auth domains)', async () => {
      const refused = refusalOf(await s.api('PUT', `/accounts/${a}/access/organizations`, { auth_domain: 'app.b.test' }));
      assert.deepEqual([refused.status, refused.code, refused.pointer], [400, 1353, '/auth_domain'], refused.message);
      assert.equal((await send('login.a.test', '/cdn-cgi/access/certs')).status, 200, 'A stays where it was');
    });

    it("lets one account's auth domain share a hostname with another's on another port: the enforcement point tells them apart by the port", async () => {
      assert.equal((await asB('PUT', 'organizations', { name: 'Org B', auth_domain: 'https://login.a.test:8443' })).status, 200);
      const kidOn = async (host: string): Promise<string> => {
        const certs = await send(host, '/cdn-cgi/access/certs');
        assert.equal(certs.status, 200, `${host}: ${certs.text}`);
        return JSON.parse(certs.text).public_cert.kid;
      };
      assert.equal(await kidOn('login.a.test'), (await s.accessKeys!.current(a)).kid);
      assert.equal(await kidOn('login.a.test:8443'), (await s.accessKeys!.current(b)).kid);
      assert.equal((await asB('PUT', 'organizations', { name: 'Org B', auth_domain: 'login.b.test' })).status, 200);
    });

    it("leaves an account's own applications on its own auth domain alone, and the default account's on the server's address", async () => {
      const A = `/accounts/${a}/access`;
      assert.equal((await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Own', domain: 'login.a.test/internal' })).status, 201);
      const refused = refusalOf(await asB('PUT', 'organizations', { name: 'Org B', auth_domain: 'https://login.a.test:8443' }));
      assert.deepEqual([refused.status, refused.pointer], [400, '/auth_domain'], "now A's application covers login.a.test, on every port: " + refused.message);
      assert.equal((await s.api('PUT', `${A}/organizations`, { auth_domain: 'app.a.test' })).status, 200, 'A may sign in on a host its own application covers');
      assert.equal((await s.api('PUT', `${A}/organizations`, { auth_domain: 'login.a.test' })).status, 200);
      const own = new URL(s.baseUrl).hostname;
      assert.equal((await s.api('POST', `/accounts/${s.accountId}/access/apps`, { type: 'self_hosted', name: 'Local', domain: own })).status, 201);
    });


    it('lets B edit an application from before this check without refusing what the edit leaves as it was', async () => {
      // As a database written before the check holds it: B's application on A's auth domain.
      const id = randomUUID();
      await s.store.transaction(b, (tx) => tx.insertResource({ accountId: b, kind: 'app', id, parentId: null, name: 'Old', body: { type: 'self_hosted', name: 'Old', domain: 'login.a.test/old', aud: 'old-aud', policies: [] }, secretHash: null, createdAt: new Date().toISOString() }, []));
      const renamed = await asB('PUT', `apps/${id}`, { type: 'self_hosted', name: 'Old, renamed', domain: 'LOGIN.a.test/old' });
      assert.equal(renamed.status, 200, JSON.stringify(renamed.json));
      const widened = refusalOf(await asB('PUT', `apps/${id}`, { type: 'self_hosted', name: 'Old', domain: 'login.a.test/old', self_hosted_domains: ['login.a.test/old', '*.a.test'] }));
      assert.deepEqual([widened.status, widened.pointer], [400, '/self_hosted_domains/1'], widened.message);
      assert.equal((await asB('DELETE', `apps/${id}`, undefined)).status, 202);
    });
  });
}

describe('a server of one account', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ access: { devLogin: true } });
  });
  after(() => s?.close());

  it('protects its own auth domain host and signs in on a host its own application covers, as before', async () => {
    const A = `/accounts/${s.accountId}/access`;
    const own = new URL(s.baseUrl).hostname;
    for (const domain of [own, 'access.acme.test/internal', '*.acme.test']) {
      const created = await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: domain, domain });
      assert.equal(created.status, 201, `${domain}: ${JSON.stringify(created.json)}`);
    }
    assert.equal((await s.api('PUT', `${A}/organizations`, { name: 'Acme', auth_domain: 'access.acme.test' })).status, 200);
    assert.equal((await s.api('PUT', `${A}/organizations`, { auth_domain: 'team.acme.test' })).status, 200);
  });
});
