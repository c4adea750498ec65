// Signing out ends the sign-in on the server, not only in the browser (docs/enforcement.md
// "Sessions and tokens"): cookies copied before the logout (a shared computer, a proxy's log)
// open nothing afterwards, at forward auth, get-identity and the login pages entering on the
// global session, on every instance on the database. Only that sign-in ends: the user's other
// sign-ins, and service tokens, keep working; a cookie that does not verify ends nothing. Two
// server instances on one database (SQLite file, PostgreSQL), signed in and out through the first
// and replayed on both, with the auth domain they share (the organization's).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt, generateKeyPair } from 'jose';
import { databaseKinds, type TestDatabase } from '../../test/support/databases.js';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import type { SigningKey } from '../account/signing-keys.js';
import { userAppToken } from './app-token.js';
import { globalSessionToken } from './global-session.js';

const AUTH_DOMAIN = 'auth.test';
const ISSUER = `http://${AUTH_DOMAIN}`;

/** What one sign-in left in the browser: the wiki's token and the global session, as cookie values. */
interface SignIn {
  readonly app: string;
  readonly global: string;
  readonly nonce: string;
  readonly userId: string;
}

for (const kind of await databaseKinds()) {
  describe(`logout ends the sign-in on the server (${kind.name}, two instances)`, { skip: kind.skip }, () => {
    let db: TestDatabase;
    let one: TestServer;
    let two: TestServer;
    let ci: { clientId: string; clientSecret: string };
    const A = () => `/accounts/${one.accountId}/access`;
    const both = () => [one, two] as const;

    /** The development login on `server` for the wiki, as a browser posts it on the auth domain. */
    const signIn = async (server: TestServer, email: string): Promise<SignIn> => {
      const posted = await fetch(`${server.baseUrl}/cdn-cgi/access/login/wiki.test`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-host': AUTH_DOMAIN },
        body: new URLSearchParams({ email, redirect_url: 'http://wiki.test/' }).toString(),
      });
      assert.equal(posted.status, 302);
      const app = new URL(posted.headers.get('location')!).searchParams.get('token')!;
      const global = posted.headers.getSetCookie().find((c) => c.startsWith('CF_Authorization='))!.split(';')[0]!.slice('CF_Authorization='.length);
      const claims = decodeJwt(app);
      assert.equal(decodeJwt(global).identity_nonce, claims.identity_nonce, 'one sign-in, one nonce');
      return { app, global, nonce: String(claims.identity_nonce), userId: String(claims.sub) };
    };
    const authorize = async (server: TestServer, host: string, token: string): Promise<number> =>
      (await fetch(`${server.baseUrl}/cdn-cgi/access/authorize`, { redirect: 'manual', headers: { 'x-forwarded-host': host, 'x-forwarded-uri': '/', cookie: `CF_Authorization=${token}` } })).status;
    const identity = async (server: TestServer, host: string, token: string): Promise<number> =>
      (await fetch(`${server.baseUrl}/cdn-cgi/access/get-identity`, { headers: { 'x-forwarded-host': host, cookie: `CF_Authorization=${token}` } })).status;
    /** Whether the global session enters the CRM from its login page (302 to the CRM) or gets the page (200). */
    const entersCrm = async (server: TestServer, global: string): Promise<boolean> => {
      const page = await fetch(`${server.baseUrl}/cdn-cgi/access/login/crm.test?redirect_url=${encodeURIComponent('http://crm.test/')}`, { redirect: 'manual', headers: { 'x-forwarded-host': AUTH_DOMAIN, cookie: `CF_Authorization=${global}` } });
      if (page.status === 200) return false;
      assert.equal(page.status, 302);
      assert.equal(new URL(page.headers.get('location')!).pathname, '/cdn-cgi/access/authorized');
      return true;
    };
    const logout = (server: TestServer, host: string, token: string) => fetch(`${server.baseUrl}/cdn-cgi/access/logout`, { redirect: 'manual', headers: { 'x-forwarded-host': host, cookie: `CF_Authorization=${token}` } });
    /** Every way the sign-in's copied cookies are used, on both instances: true where they still open something. */
    const replay = async (signedIn: SignIn): Promise<Record<string, boolean>> => {
      const out: Record<string, boolean> = {};
      for (const [i, server] of both().entries()) {
        out[`forward auth ${i}`] = (await authorize(server, 'wiki.test', signedIn.app)) === 200;
        out[`get-identity on the app ${i}`] = (await identity(server, 'wiki.test', signedIn.app)) === 200;
        out[`get-identity on the auth domain ${i}`] = (await identity(server, AUTH_DOMAIN, signedIn.global)) === 200;
        out[`global session enters another app ${i}`] = await entersCrm(server, signedIn.global);
      }
      return out;
    };
    const everywhere = (value: boolean) => Object.fromEntries(['0', '1'].flatMap((i) => ['forward auth', 'get-identity on the app', 'get-identity on the auth domain', 'global session enters another app'].map((what) => [`${what} ${i}`, value])));
    const activeNonces = async (userId: string): Promise<string[]> => {
      const answer = await one.api('GET', `${A()}/users/${userId}/active_sessions`);
      assert.equal(answer.status, 200, JSON.stringify(answer.json));
      return answer.json.result.map((s: { metadata: { nonce: string } }) => s.metadata.nonce);
    };

    before(async () => {
      db = await kind.create();
      one = await startTestServer({ database: db, keepDatabase: true, access: { devLogin: true } });
      two = await startTestServer({ database: db, keepDatabase: true, access: { devLogin: true, accountId: one.accountId } });
      assert.equal((await one.api('PUT', `${A()}/organizations`, { name: 'Acme', auth_domain: ISSUER })).status < 300, true);
      const staff = await one.api('POST', `${A()}/policies`, { name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] });
      const policies = [{ id: staff.json.result.id, precedence: 1 }];
      for (const [name, domain] of [['Wiki', 'wiki.test'], ['CRM', 'crm.test']]) assert.equal((await one.api('POST', `${A()}/apps`, { type: 'self_hosted', name, domain, policies })).status, 201);
      const token = (await one.api('POST', `${A()}/service_tokens`, { name: 'deploy' })).json.result;
      ci = { clientId: token.client_id, clientSecret: token.client_secret };
      const robots = await one.api('POST', `${A()}/policies`, { name: 'Deploy bot', decision: 'non_identity', include: [{ service_token: { token_id: token.id } }] });
      assert.equal((await one.api('POST', `${A()}/apps`, { type: 'self_hosted', name: 'CI', domain: 'ci.test', policies: [{ id: robots.json.result.id, precedence: 1 }] })).status, 201);
    });
    after(async () => {
      await two?.close();
      await one?.close();
      await db?.drop();
    });

    it("on an application's host with only its cookie: that sign-in's copied cookies open nothing anywhere afterwards", async () => {
      const copied = await signIn(one, 'ada@example.com');
      const elsewhere = await signIn(one, 'ada@example.com');
      // Decided once on each instance before the logout, so that what they keep in memory is the live session.
      assert.deepEqual(await replay(copied), everywhere(true), 'the session works before the logout');
      assert.deepEqual((await activeNonces(copied.userId)).filter((n) => n === copied.nonce || n === elsewhere.nonce).sort(), [copied.nonce, elsewhere.nonce].sort());

      const out = await logout(one, 'wiki.test', copied.app);
      assert.equal(out.status, 302);
      assert.equal(out.headers.get('location'), `${ISSUER}/cdn-cgi/access/logout`);
      assert.ok(out.headers.getSetCookie().some((c) => c.startsWith('CF_Authorization=; Path=/; Max-Age=0')), 'and the cookie is cleared');

      assert.deepEqual(await replay(copied), everywhere(false), 'every token of the sign-in, the global session too, is refused on both instances');
      assert.equal(new URL((await fetch(`${two.baseUrl}/cdn-cgi/access/authorize?redirect=1`, { redirect: 'manual', headers: { 'x-forwarded-host': 'wiki.test', 'x-forwarded-uri': '/', cookie: `CF_Authorization=${copied.app}` } })).headers.get('location')!).pathname, '/cdn-cgi/access/login/wiki.test', 'sent to sign in');
      assert.deepEqual(await replay(elsewhere), everywhere(true), "the user's other sign-in (another device) is not signed out");
      const active = await activeNonces(copied.userId);
      assert.ok(!active.includes(copied.nonce), 'the ended sign-in is no active session');
      assert.ok(active.includes(elsewhere.nonce), 'the other one is');

      // Kept until the sign-in's longest token would have expired, and once however often it is ended.
      const again = await logout(two, 'wiki.test', copied.app);
      assert.equal(again.status, 302, 'logging out again is harmless');
      const ended = (await one.store.read.endedSignIns(one.accountId, Date.now())).filter((e) => e.nonce === copied.nonce);
      assert.equal(ended.length, 1);
      assert.equal(ended[0]!.userId, copied.userId);
      assert.ok(ended[0]!.expiresAt >= Number(decodeJwt(copied.app).exp) * 1000 && ended[0]!.expiresAt >= Number(decodeJwt(copied.global).exp) * 1000, 'kept as long as any of its tokens lasts');
    });

    it('on the auth domain with the global session: every application token of that sign-in stops working', async () => {
      const copied = await signIn(one, 'grace@example.com');
      assert.deepEqual(await replay(copied), everywhere(true));
      const out = await logout(one, AUTH_DOMAIN, copied.global);
      assert.equal(out.status, 200);
      assert.ok(out.headers.getSetCookie().some((c) => c.startsWith('CF_Authorization=; Path=/cdn-cgi/access; Max-Age=0')), 'and the global cookie is cleared');
      assert.deepEqual(await replay(copied), everywhere(false));
      assert.ok(!(await activeNonces(copied.userId)).includes(copied.nonce));
    });

    it('ends nothing for a cookie that does not verify: forged, expired, or of another sign-in only in its nonce', async () => {
      const live = await signIn(one, 'alan@example.com');
      const key = await one.accessKeys!.current(one.accountId);
      const wiki = (await one.api('GET', `${A()}/apps`)).json.result.find((a: { name: string }) => a.name === 'Wiki');
      const input = { aud: wiki.aud, issuer: ISSUER, lifetimeSeconds: 600, userId: live.userId, email: 'alan@example.com', identityNonce: live.nonce };
      // Another key under the account's kid: its signature must not pass for the account's.
      const { privateKey } = await generateKeyPair('RS256');
      const stranger: SigningKey = { ...key, privateKey: privateKey as unknown as SigningKey['privateKey'] };
      const spoilers: [string, string, string][] = [
        ['a token of another key', 'wiki.test', await userAppToken(input, stranger)],
        ['an expired token', 'wiki.test', await userAppToken(input, key, Date.now() - 3600_000)],
        ['a token of another issuer', 'wiki.test', await userAppToken({ ...input, issuer: 'http://elsewhere.test' }, key)],
        ['a spoiled signature', 'wiki.test', `${live.app.slice(0, -4)}AAAA`],
        ['a global session of another key', AUTH_DOMAIN, await globalSessionToken({ issuer: ISSUER, userId: live.userId, email: 'alan@example.com', idp: { id: 'development', type: 'development' }, identityNonce: live.nonce, lifetimeSeconds: 600 }, stranger)],
        ['an expired global session', AUTH_DOMAIN, await globalSessionToken({ issuer: ISSUER, userId: live.userId, email: 'alan@example.com', idp: { id: 'development', type: 'development' }, identityNonce: live.nonce, lifetimeSeconds: 60 }, key, Date.now() - 3600_000)],
      ];
      for (const [what, host, token] of spoilers) {
        const out = await logout(one, host, token);
        assert.ok(out.status === 200 || out.status === 302, `${what}: ${out.status}`);
        assert.ok(out.headers.getSetCookie().some((c) => c.startsWith('CF_Authorization=;')), `${what}: its cookie is cleared`);
      }
      assert.deepEqual(await replay(live), everywhere(true), 'the sign-in whose nonce they carried goes on');
      assert.ok((await activeNonces(live.userId)).includes(live.nonce));
    });

    it("leaves service tokens alone: a service token's own token logged out with still opens its application", async () => {
      const credentials = { 'x-forwarded-host': 'ci.test', 'x-forwarded-uri': '/', 'cf-access-client-id': ci.clientId, 'cf-access-client-secret': ci.clientSecret };
      const first = await fetch(`${one.baseUrl}/cdn-cgi/access/authorize`, { headers: credentials });
      assert.equal(first.status, 200);
      const jwt = first.headers.get('cf-access-jwt-assertion')!;
      assert.equal(await authorize(one, 'ci.test', jwt), 200);
      assert.equal((await logout(one, 'ci.test', jwt)).status, 302);
      for (const server of both()) {
        assert.equal(await authorize(server, 'ci.test', jwt), 200, 'its token');
        assert.equal((await fetch(`${server.baseUrl}/cdn-cgi/access/authorize`, { headers: credentials })).status, 200, 'its credentials');
      }
    });
  });
}
