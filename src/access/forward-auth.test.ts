// The forward-auth endpoint and the sign-in endpoints without a proxy: forwarded headers count
// only from trusted peers, one application's token opens no other, sign-in never redirects to a
// host that is not the application's, and the development login is off unless enabled.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { resolveConfig, ConfigError } from '../server/config.js';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import { rawClient } from '../../test/support/raw-http.js';
import { parse as parseYaml } from 'yaml';
import { userAppToken } from './app-token.js';
import { handoffProof } from './binding-cookie.js';
import { appSessionQuery, browserNonce, otherDigest, startSignIn } from '../../test/support/app-session.js';
import { traefikConfig } from './proxy-config.js';

async function withApps(s: TestServer): Promise<{ wikiAud: string; crmAud: string }> {
  const A = `/accounts/${s.accountId}/access`;
  const staff = await s.api('POST', `${A}/policies`, { name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] });
  const wiki = await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Wiki', domain: 'wiki.test', policies: [{ id: staff.json.result.id, precedence: 1 }] });
  const crm = await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'CRM', domain: 'crm.test', policies: [{ id: staff.json.result.id, precedence: 1 }] });
  await s.api('POST', `${A}/users`, { email: 'ada@example.com', name: 'Ada' });
  return { wikiAud: wiki.json.result.aud, crmAud: crm.json.result.aud };
}

const authorize = (s: TestServer, headers: Record<string, string>) => fetch(`${s.baseUrl}/cdn-cgi/access/authorize`, { redirect: 'manual', headers });

describe('forward auth without a proxy', () => {
  let s: TestServer;
  let auds: { wikiAud: string; crmAud: string };
  let adaToken: string;
  /** A session of Ada's for the application with this AUD tag, issued now. */
  const adaSession = async (aud: string): Promise<string> => {
    const ada = (await s.api('GET', `/accounts/${s.accountId}/access/users?email=ada@example.com`)).json.result[0];
    return userAppToken({ aud, issuer: s.baseUrl, lifetimeSeconds: 600, userId: ada.id, email: ada.email }, await s.accessKeys!.current(s.accountId));
  };
  /** Keep a session as the application's host does: the cookies /cdn-cgi/access/authorized sets for a token (handed over with its sign-in's proof), on `https://${host}${page}`. */
  const keepSession = async (token: string, host: string, page: string): Promise<string[]> => {
    const keys = await s.accessKeys!.keys(s.accountId);
    const proof = handoffProof(token, keys)!;
    const nonce = browserNonce(true);
    const url = `${s.baseUrl}/cdn-cgi/access/authorized?token=${encodeURIComponent(token)}&redirect_url=${encodeURIComponent(`https://${host}${page}`)}&binding_proof=${proof}${appSessionQuery(token, nonce.appSession, keys)}`;
    const answer = await fetch(url, { redirect: 'manual', headers: { 'x-forwarded-host': host, 'x-forwarded-proto': 'https', cookie: nonce.cookie } });
    assert.equal(answer.status, 302);
    return answer.headers.getSetCookie();
  };
  before(async () => {
    s = await startTestServer({ access: { devLogin: true } });
    auds = await withApps(s);
    adaToken = await adaSession(auds.wikiAud);
  });
  after(() => s?.close());

  it("lets a valid session in with the token and email for upstream, and answers 401 with where to sign in otherwise (302 when asked to redirect)", async () => {
    const ok = await authorize(s, { 'x-forwarded-host': 'wiki.test', 'x-forwarded-uri': '/', cookie: `other=1; CF_Authorization=${adaToken}` });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('cf-access-jwt-assertion'), adaToken);
    assert.equal(ok.headers.get('cf-access-authenticated-user-email'), 'ada@example.com');
    const anonymous = await authorize(s, { 'x-forwarded-host': 'wiki.test', 'x-forwarded-uri': '/a?b=1', 'x-forwarded-proto': 'https' });
    assert.equal(anonymous.status, 401);
    const login = new URL(anonymous.headers.get('x-access-login')!);
    assert.equal(`${login.origin}${login.pathname}`, `${s.baseUrl}/cdn-cgi/access/login/wiki.test`, "the auth domain's login, as at Cloudflare");
    assert.equal(login.searchParams.get('redirect_url'), 'https://wiki.test/a?b=1');
    // With the browser's CF_AppSession nonce on the application's host, whose digest the login carries.
    const nonce = anonymous.headers.getSetCookie().find((c) => c.startsWith('__Host-CF_AppSession='));
    assert.ok(nonce !== undefined && nonce.includes('; Path=/;') && nonce.includes('; Secure') && nonce.includes('; HttpOnly'), String(nonce));
    assert.equal(login.searchParams.get('app_session'), createHash('sha256').update(nonce.split(';')[0]!.split('=')[1]!).digest('base64url'));
    const redirected = await fetch(`${s.baseUrl}/cdn-cgi/access/authorize?redirect=1`, { redirect: 'manual', headers: { 'x-forwarded-host': 'wiki.test', 'x-forwarded-uri': '/a?b=1', 'x-forwarded-proto': 'https', cookie: nonce.split(';')[0]! } });
    assert.equal(redirected.status, 302);
    assert.equal(redirected.headers.get('location'), anonymous.headers.get('x-access-login'), 'the nonce the browser holds is kept');
  });

  it('answers an AJAX request without a session with a bare 401, never a way to a sign-in page', async () => {
    for (const value of ['XMLHttpRequest', 'xmlhttprequest']) {
      for (const url of [`${s.baseUrl}/cdn-cgi/access/authorize`, `${s.baseUrl}/cdn-cgi/access/authorize?redirect=1`]) {
        const res = await fetch(url, { redirect: 'manual', headers: { 'x-forwarded-host': 'wiki.test', 'x-forwarded-uri': '/api/items', 'x-requested-with': value } });
        assert.equal(res.status, 401, url);
        assert.equal(res.headers.get('x-access-login'), null);
        assert.equal(res.headers.get('location'), null);
      }
    }
    const signedIn = await authorize(s, { 'x-forwarded-host': 'wiki.test', 'x-forwarded-uri': '/api/items', 'x-requested-with': 'XMLHttpRequest', cookie: `CF_Authorization=${adaToken}` });
    assert.equal(signedIn.status, 200, 'with a session, as any request');
  });

  it("ends every token of one application at revoke_tokens (through the SDK), and no other application's", async () => {
    const A = `/accounts/${s.accountId}/access`;
    const staff = (await s.api('GET', `${A}/policies`)).json.result.find((p: { name: string }) => p.name === 'Staff');
    const notes = (await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Notes', domain: 'notes.test', policies: [{ id: staff.id, precedence: 1 }] })).json.result;
    const notesToken = await adaSession(notes.aud);
    const crmToken = await adaSession(auds.crmAud);
    const open = async (host: string, token: string) => (await authorize(s, { 'x-forwarded-host': host, cookie: `CF_Authorization=${token}` })).status;
    assert.equal(await open('notes.test', notesToken), 200);
    const answer = await s.sdk().zeroTrust.access.applications.revokeTokens(notes.id, { account_id: s.accountId });
    assert.deepEqual(answer, {});
    assert.equal(await open('notes.test', notesToken), 401, 'its token issued before is no session');
    const identity = await fetch(`${s.baseUrl}/cdn-cgi/access/get-identity`, { headers: { 'x-forwarded-host': 'notes.test', cookie: `CF_Authorization=${notesToken}` } });
    assert.equal(identity.status, 401);
    assert.equal(await open('crm.test', crmToken), 200, "another application's sessions go on");
    // A token issued after the revocation (a second later: tokens count whole seconds) opens it again.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.equal(await open('notes.test', await adaSession(notes.aud)), 200);
    assert.equal((await s.api('DELETE', `${A}/apps/${notes.id}`)).status, 202);
    assert.equal((await s.api('GET', `${A}/apps/${notes.id}`)).status, 404);
    const missing = await s.api('POST', `${A}/apps/${'0'.repeat(32)}/revoke_tokens`);
    assert.equal(missing.status, 404);
    assert.equal(missing.json.success, false);
  });

  it("does not accept one application's token for another", async () => {
    const crm = await authorize(s, { 'x-forwarded-host': 'crm.test', 'x-forwarded-uri': '/', cookie: `CF_Authorization=${adaToken}` });
    assert.equal(crm.status, 401);
    const forged = await authorize(s, { 'x-forwarded-host': 'wiki.test', cookie: `CF_Authorization=${adaToken.slice(0, -3)}abc` });
    assert.equal(forged.status, 401);
  });

  it("ends a user's sessions at revoke_user, and signs with the organization's auth domain once one is named", async () => {
    const before = await authorize(s, { 'x-forwarded-host': 'wiki.test', cookie: `CF_Authorization=${adaToken}` });
    assert.equal(before.status, 200);
    const revoked = await s.api('POST', `/accounts/${s.accountId}/access/organizations/revoke_user`, { email: 'ada@example.com' });
    assert.equal(revoked.json.result, true);
    const after = await authorize(s, { 'x-forwarded-host': 'wiki.test', cookie: `CF_Authorization=${adaToken}` });
    assert.equal(after.status, 401, 'the token issued before the revocation opens nothing');

    const org = await s.api('PUT', `/accounts/${s.accountId}/access/organizations`, { name: 'Acme', auth_domain: 'access.acme.test' });
    assert.equal(org.status, 200);
    const login = await authorize(s, { 'x-forwarded-host': 'wiki.test', 'x-forwarded-uri': '/' });
    assert.ok(login.headers.get('x-access-login')!.startsWith('https://access.acme.test/cdn-cgi/access/login/'), 'sign-in is at the auth domain');
    await s.api('PUT', `/accounts/${s.accountId}/access/organizations`, { auth_domain: s.baseUrl });
  });

  it("decides on the path as Cloudflare normalizes it: no spelling of a stricter application's path falls to the host's application", async () => {
    const A = `/accounts/${s.accountId}/access`;
    const admins = await s.api('POST', `${A}/policies`, { name: 'Wiki admins', decision: 'allow', include: [{ email: { email: 'root@example.com' } }] });
    const admin = await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Wiki admin', domain: 'wiki.test/admin', policies: [{ id: admins.json.result.id, precedence: 1 }] });
    assert.equal(admin.status, 201);
    try {
      // A session of now: an earlier test ended the ones issued before it.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const token = await adaSession(auds.wikiAud);
      const asAda = (uri: string) => authorize(s, { 'x-forwarded-host': 'wiki.test', 'x-forwarded-uri': uri, cookie: `CF_Authorization=${token}` });
      assert.equal((await asAda('/page')).status, 200, "Ada's session opens the wiki");
      // Ada's token is the wiki's: under /admin it counts for nothing, however the path is spelled.
      for (const uri of ['/admin/settings', '/%61dmin/settings', '//admin/settings', '/x/../admin/settings', '/./admin/settings', '/%2e%2e/admin/settings', '/ADMIN/settings', '/x,/../admin/settings', '/,/../admin']) {
        assert.equal((await asAda(uri)).status, 401, uri);
      }
      // A comma is part of the path, not a list's end: read whole, like any other character.
      assert.equal((await asAda('/page,with,commas')).status, 200);
      // An encoded slash stays encoded, as on Cloudflare; but an application behind the proxy may
      // read it as a slash (WSGI, say): a path whose application changes with that reading is
      // refused, whichever of the two is stricter. One that stays the wiki's either way is not.
      for (const uri of ['/admin%2Fsettings', '/admin%2fsettings', '/x%2F..%2Fadmin', '/x%2F..%2F%2e%2e%2Fadmin/settings', '/admin/..%2Fpage']) {
        const refused = await asAda(uri);
        assert.equal(refused.status, 400, uri);
        assert.match(((await refused.json()) as { errors: { message: string }[] }).errors[0]!.message, /encoded slash/);
      }
      for (const uri of ['/page%2Fsub', '/docs%2F..%2Fpage', '/%2Fpage']) assert.equal((await asAda(uri)).status, 200, uri);
      // Likewise an encoded backslash (%5C), which an application on Windows (IIS, Kestrel, a
      // servlet container allowing it) reads as a slash, as Cloudflare reads a raw one.
      for (const uri of ['/admin%5Csettings', '/admin%5csettings', '/x%5C..%5Cadmin', '/x%5C..%2Fadmin/settings', '/admin/..%5Cpage']) {
        const refused = await asAda(uri);
        assert.equal(refused.status, 400, uri);
        assert.match(((await refused.json()) as { errors: { message: string }[] }).errors[0]!.message, /encoded slash/);
      }
      for (const uri of ['/page%5Csub', '/docs%5C..%5Cpage']) assert.equal((await asAda(uri)).status, 200, uri);
      // A raw '#' (which no request path carries) or a path, host or method sent twice is not
      // decided on: which reading the proxy and the application take cannot be known.
      for (const uri of ['/x#/../admin/settings', '/admin#/../x', '/page#top']) {
        const refused = await asAda(uri);
        assert.equal(refused.status, 400, uri);
        assert.match(((await refused.json()) as { errors: { message: string }[] }).errors[0]!.message, /raw '#'/);
      }
      // Two header lines of one name (fetch would join them into one line).
      const twice = (name: string, a: string, b: string) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const headers: Record<string, string | string[]> = { 'x-forwarded-host': 'wiki.test', 'x-forwarded-uri': '/page', cookie: `CF_Authorization=${token}`, [name]: [a, b] };
          request(`${s.baseUrl}/cdn-cgi/access/authorize`, { headers }, (res) => {
            let body = '';
            res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => resolve({ status: res.statusCode!, body }));
          }).on('error', reject).end();
        });
      for (const [name, a, b] of [['x-forwarded-uri', '/page', '/admin'], ['x-forwarded-host', 'wiki.test', 'other.test'], ['x-forwarded-method', 'GET', 'POST']] as const) {
        const refused = await twice(name, a, b);
        assert.equal(refused.status, 400, name);
        assert.match((JSON.parse(refused.body) as { errors: { message: string }[] }).errors[0]!.message, new RegExp(`${name} more than once`));
      }
      // A proxy that names the host but not the path (an X-Original-URL-only snippet, say) would
      // have every path decided as the endpoint's own: on a host with an application on a path, refused.
      const unnamed = await authorize(s, { 'x-forwarded-host': 'wiki.test', cookie: `CF_Authorization=${token}` });
      assert.equal(unnamed.status, 400);
      assert.match(((await unnamed.json()) as { errors: { message: string }[] }).errors[0]!.message, /X-Forwarded-Uri/);
      assert.equal((await authorize(s, { 'x-forwarded-host': 'wiki.test', 'x-original-uri': '/page', cookie: `CF_Authorization=${token}` })).status, 200, 'X-Original-URI names it');
      assert.equal((await authorize(s, { 'x-forwarded-host': 'crm.test', cookie: `CF_Authorization=${token}` })).status, 401, 'a host whose applications cover it whole is decided as before');
    } finally {
      await s.api('DELETE', `${A}/apps/${admin.json.result.id}`);
    }
  });

  it('refuses a user whom an Allow policy lets in only through Browser Isolation (which this server does not provide), saying so', async () => {
    const A = `/accounts/${s.accountId}/access`;
    await new Promise((resolve) => setTimeout(resolve, 1100)); // sessions issued after the earlier test's revocation
    for (const setting of ['isolation_required'] as const) {
      const policy = await s.api('POST', `${A}/policies`, { name: `Staff, ${setting}`, decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }], [setting]: true });
      assert.equal(policy.status, 201, JSON.stringify(policy.json));
      const app = await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: `Guarded ${setting}`, domain: `${setting.replaceAll('_', '-')}.test`, policies: [{ id: policy.json.result.id, precedence: 1 }] });
      const token = await adaSession(app.json.result.aud);
      const ask = () => authorize(s, { 'x-forwarded-host': `${setting.replaceAll('_', '-')}.test`, 'x-forwarded-uri': '/', cookie: `CF_Authorization=${token}` });
      const refused = await ask();
      assert.equal(refused.status, 403, setting);
      const page = await refused.text();
      assert.match(page, /Access to this application needs Browser Isolation first, which this server does not provide/, setting);
      assert.doesNotMatch(page, /Staff, /, "the page does not name the account's policy");
      // The same policy without the step lets Ada in.
      assert.equal((await s.api('PUT', `${A}/policies/${policy.json.result.id}`, { ...policy.json.result, [setting]: false })).status, 200);
      assert.equal((await ask()).status, 200, `${setting} off`);
    }
  });

  it("lets an application of a type that protects no host (an App Launcher, a bookmark) cover nothing, whatever domain it was sent with", async () => {
    const A = `/accounts/${s.accountId}/access`;
    const wikiToken = await adaSession(auds.wikiAud);
    const made: string[] = [];
    try {
      // More specific than the wiki's whole host: were they enforced, they would decide /admin.
      for (const [type, domain] of [['app_launcher', 'wiki.test/admin'], ['warp', 'wiki.test/admin/warp'], ['biso', 'crm.test/x']] as const) {
        const app = await s.api('POST', `${A}/apps`, { type, name: `A ${type}`, domain, policies: [{ name: 'Nobody', decision: 'deny', include: [{ everyone: {} }] }] });
        assert.equal(app.status, 201, JSON.stringify(app.json));
        made.push(app.json.result.id);
      }
      for (const path of ['/admin', '/admin/warp/x']) {
        assert.equal((await authorize(s, { 'x-forwarded-host': 'wiki.test', 'x-forwarded-uri': path, cookie: `CF_Authorization=${wikiToken}` })).status, 200, `${path} is the wiki's`);
      }
    } finally {
      for (const id of made) await s.api('DELETE', `${A}/apps/${id}`);
    }
  });

  it('scopes the session cookie to the application\'s path with path_cookie_attribute, and signs out of every session on the host', async () => {
    const A = `/accounts/${s.accountId}/access`;
    const staff = (await s.api('GET', `${A}/policies`)).json.result.find((p: { name: string }) => p.name === 'Staff');
    const reports = await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Reports', domain: 'wiki.test/reports/*', path_cookie_attribute: true, policies: [{ id: staff.id, precedence: 1 }] });
    assert.equal(reports.status, 201, JSON.stringify(reports.json));
    try {
      // wiki.test/reports/* covers what is below /reports, not /reports itself (Cloudflare's "Application paths").
      const wikiToken = await adaSession(auds.wikiAud);
      const wikiSession = (path: string) => authorize(s, { 'x-forwarded-host': 'wiki.test', 'x-forwarded-uri': path, cookie: `CF_Authorization=${wikiToken}` });
      assert.equal((await wikiSession('/reports')).status, 200, "/reports is the wiki's");
      assert.equal((await wikiSession('/reports/q3')).status, 401, "/reports/q3 is the Reports application's: the wiki's session does not open it");
      assert.equal((await wikiSession('/reports/')).status, 401, '/reports/ is below /reports');
      const keep = async (aud: string, page: string) => (await keepSession(await adaSession(aud), 'wiki.test', page)).join(', ');
      assert.match(await keep(reports.json.result.aud, '/reports/q3'), /; Path=\/reports;/, 'the application on a path keeps its session there');
      assert.match(await keep(auds.wikiAud, '/page'), /; Path=\/;/, 'without the attribute, the whole host');
      const out = await fetch(`${s.baseUrl}/cdn-cgi/access/logout`, { redirect: 'manual', headers: { 'x-forwarded-host': 'wiki.test' } });
      assert.equal(out.status, 302);
      assert.equal(out.headers.get('location'), `${s.baseUrl}/cdn-cgi/access/logout`, 'then on to end the global session on the auth domain');
      // Each path's session cookie and binding cookie (enable_binding_cookie) alike.
      assert.deepEqual(out.headers.getSetCookie().map((c) => `${c.split('=')[0]} ${/Path=([^;]+)/.exec(c)?.[1]}`).sort(), ['CF_Authorization /', 'CF_Authorization /reports', 'CF_Binding /', 'CF_Binding /reports']);
      assert.ok(out.headers.getSetCookie().every((c) => /^CF_\w+=;/.test(c) && c.includes('Max-Age=0')));
    } finally {
      await s.api('DELETE', `${A}/apps/${reports.json.result.id}`);
    }
  });

  it('binds sessions to the browser under enable_binding_cookie: the token alone, or with another binding, is no session', async () => {
    const A = `/accounts/${s.accountId}/access`;
    const staff = (await s.api('GET', `${A}/policies`)).json.result.find((p: { name: string }) => p.name === 'Staff');
    const vault = await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Vault', domain: 'vault.test', enable_binding_cookie: true, same_site_cookie_attribute: 'strict', policies: [{ id: staff.id, precedence: 1 }] });
    assert.equal(vault.status, 201, JSON.stringify(vault.json));
    const aud = vault.json.result.aud as string;
    try {
      const keep = (token: string) => keepSession(token, 'vault.test', '/secrets');
      const token = await adaSession(aud);
      const cookies = await keep(token);
      assert.equal(cookies.length, 2, cookies.join(' | '));
      assert.ok(cookies[0]!.startsWith(`CF_Authorization=${token};`));
      const binding = /^CF_Binding=([^;]+);/.exec(cookies[1]!)?.[1];
      assert.ok(binding !== undefined && binding.length >= 40, cookies[1]);
      for (const attribute of ['Path=/', 'HttpOnly', 'SameSite=Strict', 'Secure']) assert.ok(cookies[1]!.split('; ').includes(attribute), `${attribute} in ${cookies[1]}`);

      const asking = (cookie: string) => authorize(s, { 'x-forwarded-host': 'vault.test', 'x-forwarded-uri': '/secrets', cookie });
      assert.equal((await asking(`CF_Authorization=${token}; CF_Binding=${binding}`)).status, 200, 'both cookies: a session');
      assert.equal((await asking(`CF_Authorization=${token}`)).status, 401, 'the token alone: sign in');
      assert.equal((await asking(`CF_Authorization=${token}; CF_Binding=${otherDigest(binding!)}`)).status, 401, 'another binding: sign in');
      const other = await adaSession(aud);
      const otherBinding = /^CF_Binding=([^;]+);/.exec((await keep(other))[1]!)?.[1];
      assert.notEqual(otherBinding, binding, 'each token its own binding');
      assert.equal((await asking(`CF_Authorization=${other}; CF_Binding=${binding}`)).status, 401, "another session's binding: sign in");
      assert.equal((await asking(`CF_Authorization=${other}; CF_Binding=${otherBinding}`)).status, 200);

      const identity = (cookie: string) => fetch(`${s.baseUrl}/cdn-cgi/access/get-identity`, { headers: { 'x-forwarded-host': 'vault.test', cookie } });
      assert.equal((await identity(`CF_Authorization=${token}`)).status, 401, 'nor does the token alone tell who it is');
      assert.equal((await identity(`CF_Authorization=${token}; CF_Binding=${binding}`)).status, 200);

      // An application that does not bind sessions sets no binding cookie and needs none.
      const wikiToken = await adaSession(auds.wikiAud);
      assert.deepEqual((await keepSession(wikiToken, 'wiki.test', '/')).map((c) => c.split('=')[0]), ['CF_Authorization']);
      assert.equal((await authorize(s, { 'x-forwarded-host': 'wiki.test', 'x-forwarded-uri': '/', cookie: `CF_Authorization=${wikiToken}` })).status, 200);
    } finally {
      await s.api('DELETE', `${A}/apps/${vault.json.result.id}`);
    }
  });

  it('turns no token that leaked on its own into a bound session: /cdn-cgi/access/authorized takes it only with the proof its sign-in gave', async () => {
    const A = `/accounts/${s.accountId}/access`;
    const staff = (await s.api('GET', `${A}/policies`)).json.result.find((p: { name: string }) => p.name === 'Staff');
    const vault = await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Leak-proof', domain: 'leakproof.test', enable_binding_cookie: true, policies: [{ id: staff.id, precedence: 1 }] });
    assert.equal(vault.status, 201, JSON.stringify(vault.json));
    try {
      // A real sign-in (the development login) hands the token over with its proof, and the session holds.
      const started = await startSignIn(s.baseUrl, 'https://leakproof.test/secrets');
      const signIn = await fetch(`${s.baseUrl}/cdn-cgi/access/login/leakproof.test`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ email: 'ada@example.com', redirect_url: 'https://leakproof.test/secrets', app_session: started.appSession }).toString() });
      assert.equal(signIn.status, 302);
      const handoff = new URL(signIn.headers.get('location')!);
      const kept = await fetch(`${s.baseUrl}${handoff.pathname}${handoff.search}`, { redirect: 'manual', headers: { 'x-forwarded-host': 'leakproof.test', 'x-forwarded-proto': 'https', cookie: started.cookie } });
      assert.equal(kept.status, 302, await kept.text());
      const cookies = kept.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ');
      // The proof is good once: the same hand-off address again (its history, a log that kept it)
      // makes no second binding cookie, even in the browser that signed in.
      const again = await fetch(`${s.baseUrl}${handoff.pathname}${handoff.search}`, { redirect: 'manual', headers: { 'x-forwarded-host': 'leakproof.test', 'x-forwarded-proto': 'https', cookie: started.cookie } });
      assert.equal(again.status, 400, 'a proof used already');
      assert.deepEqual(again.headers.getSetCookie(), []);
      const asking = (cookie: string) => authorize(s, { 'x-forwarded-host': 'leakproof.test', 'x-forwarded-uri': '/secrets', cookie });
      const answer = await asking(cookies);
      assert.equal(answer.status, 200, cookies);
      // What the application saw (Cf-Access-Jwt-Assertion), leaked on its own, opens nothing: no
      // binding cookie is made for it without the sign-in's proof, or with another token's.
      const leaked = answer.headers.get('cf-access-jwt-assertion')!;
      for (const proof of [undefined, '', otherDigest(handoff.searchParams.get('binding_proof')!)]) {
        // (Carried by the browser that started a sign-in, so that only the binding proof is missing.)
        const url = `${s.baseUrl}/cdn-cgi/access/authorized?token=${encodeURIComponent(leaked)}&redirect_url=${encodeURIComponent('https://leakproof.test/secrets')}${proof === undefined ? '' : `&binding_proof=${encodeURIComponent(proof)}`}${appSessionQuery(leaked, started.appSession, await s.accessKeys!.keys(s.accountId))}`;
        const planted = await fetch(url, { redirect: 'manual', headers: { 'x-forwarded-host': 'leakproof.test', 'x-forwarded-proto': 'https', cookie: started.cookie } });
        assert.equal(planted.status, 400, `proof ${proof}`);
        assert.deepEqual(planted.headers.getSetCookie(), []);
      }
      const other = await adaSession(vault.json.result.aud);
      const withAnothersProof = await fetch(`${s.baseUrl}/cdn-cgi/access/authorized?token=${encodeURIComponent(other)}&redirect_url=${encodeURIComponent('https://leakproof.test/')}&binding_proof=${handoff.searchParams.get('binding_proof')}${appSessionQuery(other, started.appSession, await s.accessKeys!.keys(s.accountId))}`, { redirect: 'manual', headers: { 'x-forwarded-host': 'leakproof.test', 'x-forwarded-proto': 'https', cookie: started.cookie } });
      assert.equal(withAnothersProof.status, 400, "another token's proof");
    } finally {
      await s.api('DELETE', `${A}/apps/${vault.json.result.id}`);
    }
  });

  it('lets no cache keep a sign-in page, a token on its way or an identity: every answer but the public keys is no-store', async () => {
    const loginPage = await fetch(`${s.baseUrl}/cdn-cgi/access/login/wiki.test?redirect_url=${encodeURIComponent('https://wiki.test/')}`);
    assert.equal(loginPage.status, 200);
    const signIn = await fetch(`${s.baseUrl}/cdn-cgi/access/login/wiki.test`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ email: 'ada@example.com', redirect_url: 'https://wiki.test/' }).toString() });
    assert.equal(signIn.status, 302);
    const handoff = new URL(signIn.headers.get('location')!);
    assert.ok(handoff.searchParams.has('token'));
    const kept = await fetch(`${s.baseUrl}${handoff.pathname}${handoff.search}`, { redirect: 'manual', headers: { 'x-forwarded-host': 'wiki.test', 'x-forwarded-proto': 'https' } });
    assert.equal(kept.status, 302);
    const identity = await fetch(`${s.baseUrl}/cdn-cgi/access/get-identity`, { headers: { 'x-forwarded-host': 'wiki.test', cookie: `CF_Authorization=${handoff.searchParams.get('token')}` } });
    assert.equal(identity.status, 200);
    const refusedLink = await fetch(`${s.baseUrl}/cdn-cgi/access/authorized?token=nonsense&redirect_url=${encodeURIComponent('https://wiki.test/')}`, { redirect: 'manual', headers: { 'x-forwarded-host': 'wiki.test' } });
    assert.equal(refusedLink.status, 400);
    for (const [what, answer] of Object.entries({ loginPage, signIn, kept, identity, refusedLink })) assert.equal(answer.headers.get('cache-control'), 'no-store', what);
    assert.equal((await fetch(`${s.baseUrl}/cdn-cgi/access/certs`)).headers.get('cache-control'), 'public, max-age=60', 'the public keys may be cached');
  });

  it("gives Traefik (cookie=1) the request's cookies without CF_Binding, which its middleware puts upstream in place of the request's own", async () => {
    const A = `/accounts/${s.accountId}/access`;
    const staff = (await s.api('GET', `${A}/policies`)).json.result.find((p: { name: string }) => p.name === 'Staff');
    const vault = await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Bound', domain: 'bound.test', enable_binding_cookie: true, policies: [{ id: staff.id, precedence: 1 }] });
    assert.equal(vault.status, 201, JSON.stringify(vault.json));
    try {
      const token = await adaSession(vault.json.result.aud);
      const binding = /^CF_Binding=([^;]+);/.exec((await keepSession(token, 'bound.test', '/'))[1]!)![1]!;
      // The middleware exactly as `portcullis proxy-config --proxy traefik` writes it for this server.
      const config = parseYaml(traefikConfig(['bound.test'], { portcullis: new URL(s.baseUrl).host, upstream: '127.0.0.1:3000' })) as { http: { middlewares: Record<string, { forwardAuth: { address: string; authResponseHeaders: string[] } }> } };
      const { address, authResponseHeaders } = Object.values(config.http.middlewares)[0]!.forwardAuth;
      /** The Cookie header the upstream gets: Traefik removes each listed header from the request, then sets it from a 2xx answer that has it. */
      const upstreamCookie = async (cookie: string, extra: Record<string, string> = {}): Promise<string | null> => {
        const answer = await fetch(address, { redirect: 'manual', headers: { 'x-forwarded-host': 'bound.test', 'x-forwarded-uri': '/', 'x-forwarded-proto': 'http', 'x-forwarded-method': 'GET', cookie, ...extra } });
        assert.equal(answer.status, 200, await answer.text());
        const upstream = new Headers({ cookie, ...extra });
        for (const name of authResponseHeaders) {
          upstream.delete(name);
          const value = answer.headers.get(name);
          if (value !== null) upstream.set(name, value);
        }
        assert.equal(upstream.get('cf-access-jwt-assertion'), token);
        return upstream.get('cookie');
      };
      assert.equal(await upstreamCookie(`theme=dark; CF_Binding=${binding}; CF_Authorization=${token}; lang=en`), `theme=dark; CF_Authorization=${token}; lang=en`);
      assert.equal(await upstreamCookie(`CF_Binding=${binding};CF_Authorization=${token}`), `CF_Authorization=${token}`);
      // The token in a header and the binding its only cookie: the upstream gets no Cookie header at all.
      assert.equal(await upstreamCookie(`CF_Binding=${binding}`, { 'cf-access-token': token }), null);
      // Without cookie=1 (nginx, Caddy) the answer carries no Cookie header.
      const plain = await authorize(s, { 'x-forwarded-host': 'bound.test', 'x-forwarded-uri': '/', cookie: `a=1; CF_Binding=${binding}; CF_Authorization=${token}` });
      assert.equal(plain.status, 200);
      assert.equal(plain.headers.get('cookie'), null);
      // A refusal carries none either: Traefik shows it to the browser.
      const refused = await fetch(address, { redirect: 'manual', headers: { 'x-forwarded-host': 'bound.test', 'x-forwarded-uri': '/', cookie: `a=1; CF_Authorization=${token}` } });
      assert.equal(refused.status, 302);
      assert.equal(refused.headers.get('cookie'), null);
    } finally {
      await s.api('DELETE', `${A}/apps/${vault.json.result.id}`);
    }
  });

  it('sends a refused service token to custom_non_identity_deny_url, and answers bad service-token credentials with a bare 401 under service_auth_401_redirect', async () => {
    const A = `/accounts/${s.accountId}/access`;
    const deploy = (await s.api('POST', `${A}/service_tokens`, { name: 'deploy' })).json.result;
    const other = (await s.api('POST', `${A}/service_tokens`, { name: 'other' })).json.result;
    const bots = await s.api('POST', `${A}/policies`, { name: 'Deploy bot', decision: 'non_identity', include: [{ service_token: { token_id: deploy.id } }] });
    const api = await s.api('POST', `${A}/apps`, {
      type: 'self_hosted',
      name: 'API',
      domain: 'api.test',
      policies: [{ id: bots.json.result.id, precedence: 1 }],
      custom_deny_url: 'https://deny.example/user',
      custom_non_identity_deny_url: 'https://deny.example/bot',
      service_auth_401_redirect: true,
    });
    assert.equal(api.status, 201, JSON.stringify(api.json));
    const ask = (headers: Record<string, string>, redirect = false) => fetch(`${s.baseUrl}/cdn-cgi/access/authorize${redirect ? '?redirect=1' : ''}`, { redirect: 'manual', headers: { 'x-forwarded-host': 'api.test', ...headers } });
    const as = (token: { client_id: string; client_secret: string }) => ({ 'cf-access-client-id': token.client_id, 'cf-access-client-secret': token.client_secret });
    assert.equal((await ask(as(deploy))).status, 200, 'the token its policy names gets in');
    const refused = await ask(as(other));
    assert.equal(refused.status, 403);
    assert.equal(refused.headers.get('x-access-deny-url'), 'https://deny.example/bot', "a service token's refusal names the non-identity deny URL");
    assert.equal((await ask(as(other), true)).headers.get('location'), 'https://deny.example/bot');
    const forged = await ask({ 'cf-access-client-id': deploy.client_id, 'cf-access-client-secret': 'wrong' }, true);
    assert.equal(forged.status, 401, 'credentials that are not valid: a bare 401, no sign-in redirect');
    assert.equal(forged.headers.get('x-access-login'), null);
    const browser = await ask({}, true);
    assert.equal(browser.status, 302, 'a request without credentials is still sent to sign in');
    assert.match(browser.headers.get('location') ?? '', /\/cdn-cgi\/access\/login\/api\.test/);
  });

  it("takes a service token in the one header an application's read_service_tokens_from_header names, as a JSON object, and nothing unreadable from it", async () => {
    const A = `/accounts/${s.accountId}/access`;
    const hook = (await s.api('POST', `${A}/service_tokens`, { name: 'hook' })).json.result;
    const bots = await s.api('POST', `${A}/policies`, { name: 'Hook bot', decision: 'non_identity', include: [{ service_token: { token_id: hook.id } }] });
    const single = await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Hooks', domain: 'hooks.test', policies: [{ id: bots.json.result.id, precedence: 1 }], read_service_tokens_from_header: 'Authorization', service_auth_401_redirect: true });
    assert.equal(single.status, 201, JSON.stringify(single.json));
    const pairOnly = await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Pair only', domain: 'pair-only.test', policies: [{ id: bots.json.result.id, precedence: 1 }] });
    assert.equal(pairOnly.status, 201, JSON.stringify(pairOnly.json));
    const ask = (host: string, headers: Record<string, string>) => authorize(s, { 'x-forwarded-host': host, ...headers });
    const json = (id: unknown, secret: unknown) => JSON.stringify({ 'cf-access-client-id': id, 'cf-access-client-secret': secret });

    const ok = await ask('hooks.test', { authorization: json(hook.client_id, hook.client_secret) });
    assert.equal(ok.status, 200, 'the JSON header lets the Service Auth policy in');
    const minted = ok.headers.get('cf-access-jwt-assertion') ?? '';
    const claims = JSON.parse(Buffer.from(minted.split('.')[1] ?? '', 'base64url').toString());
    assert.equal(claims.common_name, hook.client_id, "the application token made for the service token, as for the pair of headers");
    assert.deepEqual(claims.aud, [single.json.result.aud]);

    const pair = { 'cf-access-client-id': hook.client_id, 'cf-access-client-secret': hook.client_secret };
    assert.equal((await ask('hooks.test', pair)).status, 200, 'the pair of headers still works where the single header is set');
    for (const [why, value] of [
      ['a wrong secret', json(hook.client_id, 'wrong')],
      ['malformed JSON', `{"cf-access-client-id": "${hook.client_id}", "cf-access-client-secret": "${hook.client_secret}"`],
      ['a missing secret', JSON.stringify({ 'cf-access-client-id': hook.client_id })],
      ['a missing id', JSON.stringify({ 'cf-access-client-secret': hook.client_secret })],
      ['a secret that is not a string', json(hook.client_id, 1)],
      ['an array', JSON.stringify([hook.client_id, hook.client_secret])],
      ['a JSON string', JSON.stringify(hook.client_secret)],
      ['the Bearer scheme', `Bearer ${hook.client_secret}`],
    ] as const) {
      const refused = await ask('hooks.test', { authorization: value });
      assert.equal(refused.status, 401, `${why}: no credentials, not let in`);
      assert.equal(refused.headers.get('x-access-login'), null, `${why}: a bare 401 under service_auth_401_redirect, as for the pair`);
    }
    const elsewhere = await ask('pair-only.test', { authorization: json(hook.client_id, hook.client_secret) });
    assert.equal(elsewhere.status, 401, 'an application without the setting reads no such header');
    assert.notEqual(elsewhere.headers.get('x-access-login'), null, 'it is sent to sign in, as a request without credentials');
    assert.equal((await ask('pair-only.test', pair)).status, 200);
    const other = await s.api('PUT', `${A}/apps/${single.json.result.id}`, { type: 'self_hosted', name: 'Hooks', domain: 'hooks.test', policies: [{ id: bots.json.result.id, precedence: 1 }], read_service_tokens_from_header: 'X-Hook-Auth' });
    assert.equal(other.status, 200, JSON.stringify(other.json));
    assert.equal((await ask('hooks.test', { authorization: json(hook.client_id, hook.client_secret) })).status, 401, 'only the header named now');
    assert.equal((await ask('hooks.test', { 'X-HOOK-AUTH': json(hook.client_id, hook.client_secret) })).status, 200, 'the name is case-insensitive');
  });

  it('takes the client address the trusted proxy added, not one the client put first', async () => {
    const A = `/accounts/${s.accountId}/access`;
    const office = await s.api('POST', `${A}/policies`, { name: 'Office', decision: 'bypass', include: [{ ip: { ip: '192.0.2.0/24' } }] });
    await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Intranet', domain: 'intranet.test', policies: [{ id: office.json.result.id, precedence: 1 }] });
    assert.equal((await authorize(s, { 'x-forwarded-host': 'intranet.test', 'x-forwarded-for': '192.0.2.5' })).status, 200);
    assert.equal((await authorize(s, { 'x-forwarded-host': 'intranet.test', 'x-forwarded-for': '192.0.2.5, 198.51.100.7' })).status, 401, 'the spoofed first entry is not believed');
    const malformed = await authorize(s, { 'x-forwarded-host': 'intranet.test', 'x-forwarded-for': 'not-an-ip' });
    assert.equal(malformed.status, 400, 'an address that is not one is refused, never read as the proxy\'s own');
  });

  it('takes a cookie with malformed percent escapes for no session, not for an error', async () => {
    const res = await authorize(s, { 'x-forwarded-host': 'wiki.test', cookie: 'CF_Authorization=%E0%A4%A' });
    assert.equal(res.status, 401);
  });

  it('refuses a request no application covers (deny by default)', async () => {
    const res = await authorize(s, { 'x-forwarded-host': 'nowhere.test' });
    assert.equal(res.status, 403);
  });

  it("protects an application's destinations, which supersede its self_hosted_domains as Cloudflare documents", async () => {
    const A = `/accounts/${s.accountId}/access`;
    const staff = await s.api('POST', `${A}/policies`, { name: 'Portal staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] });
    const portal = { type: 'self_hosted', name: 'Portal', domain: 'portal.test', self_hosted_domains: ['portal.test', 'legacy-portal.test'], policies: [{ id: staff.json.result.id, precedence: 1 }] };
    const created = await s.api('POST', `${A}/apps`, { ...portal, destinations: [{ type: 'public', uri: 'portal.test' }, { type: 'public', uri: 'portal-api.test/v1' }, { type: 'private', hostname: 'db.internal' }] });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const status = async (host: string, uri: string) => (await authorize(s, { 'x-forwarded-host': host, 'x-forwarded-uri': uri })).status;
    assert.equal(await status('portal-api.test', '/v1/items'), 401, 'a destination is protected: sign in first');
    assert.equal(await status('portal-api.test', '/v2'), 403, 'outside its path, no application covers it');
    assert.equal(await status('legacy-portal.test', '/'), 403, 'self_hosted_domains are ignored beside destinations');
    // Without destinations, self_hosted_domains count.
    assert.equal((await s.api('PUT', `${A}/apps/${created.json.result.id}`, portal)).status, 200);
    assert.equal(await status('legacy-portal.test', '/'), 401);
    assert.equal(await status('portal-api.test', '/v1/items'), 403);
  });

  it('never sends a browser to a host that is not the application it signs in to', async () => {
    const login = (body: Record<string, string>) =>
      fetch(`${s.baseUrl}/cdn-cgi/access/login/wiki.test`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body).toString() });
    for (const target of ['https://evil.example/', 'javascript:alert(1)', '//evil.example/', 'https://wiki.test.evil.example/', 'not a url']) {
      const res = await login({ email: 'ada@example.com', redirect_url: target });
      assert.equal(res.status, 400, target);
    }
    const started = await startSignIn(s.baseUrl, 'http://wiki.test/page');
    const good = await login({ email: 'ada@example.com', redirect_url: 'http://wiki.test/page', app_session: started.appSession });
    assert.equal(good.status, 302);
    const next = new URL(good.headers.get('location')!);
    assert.equal(next.origin + next.pathname, 'http://wiki.test/cdn-cgi/access/authorized');
    // The authorized endpoint on the application's host sends nowhere else either.
    const authorized = await fetch(`${s.baseUrl}/cdn-cgi/access/authorized?token=${next.searchParams.get('token')}&redirect_url=${encodeURIComponent('https://evil.example/')}&app_session=${next.searchParams.get('app_session')}&app_session_proof=${next.searchParams.get('app_session_proof')}`, {
      redirect: 'manual',
      headers: { 'x-forwarded-host': 'wiki.test', cookie: started.cookie },
    });
    assert.equal(authorized.status, 302);
    assert.equal(authorized.headers.get('location'), 'http://wiki.test/');
    assert.match(authorized.headers.get('set-cookie')!, /^CF_Authorization=[^;]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/);
  });

  it('under an https auth domain, hands a token only to https on the standard port or the auth domain\'s own', async () => {
    const A = `/accounts/${s.accountId}/access`;
    const loginPage = (host: string, target: string) =>
      fetch(`${s.baseUrl}/cdn-cgi/access/login/${encodeURIComponent(host)}?redirect_url=${encodeURIComponent(target)}`, { redirect: 'manual', headers: { 'x-forwarded-host': 'access.acme.test', 'x-forwarded-proto': 'https' } });
    // Under the http auth domain of a development setup, any port of the host.
    assert.equal((await fetch(`${s.baseUrl}/cdn-cgi/access/login/wiki.test%3A9999?redirect_url=${encodeURIComponent('http://wiki.test:9999/')}`)).status, 200);
    try {
      assert.equal((await s.api('PUT', `${A}/organizations`, { name: 'Acme', auth_domain: 'access.acme.test' })).status, 200);
      assert.equal((await loginPage('wiki.test', 'https://wiki.test/page')).status, 200);
      for (const [host, target] of [['wiki.test', 'http://wiki.test/page'], ['wiki.test:9999', 'https://wiki.test:9999/page'], ['wiki.test:9999', 'http://wiki.test:9999/page']]) {
        const refused = await loginPage(host!, target!);
        assert.equal(refused.status, 400, target);
        // A browser's page, not the API's JSON.
        assert.match(refused.headers.get('content-type') ?? '', /^text\/html/);
        assert.match(await refused.text(), /returns only to https on the standard port/);
      }
      // Everything behind one proxy on another port: the auth domain's port is the applications' too.
      assert.equal((await s.api('PUT', `${A}/organizations`, { auth_domain: 'access.acme.test:8443' })).status, 200);
      assert.equal((await loginPage('wiki.test:8443', 'https://wiki.test:8443/page')).status, 200);
      assert.equal((await loginPage('wiki.test:9999', 'https://wiki.test:9999/page')).status, 400);
    } finally {
      await s.api('PUT', `${A}/organizations`, { auth_domain: s.baseUrl });
    }
  });
});

describe('the access-request log, sessions and failed logins', () => {
  let s: TestServer;
  /** Keep a session as the application's host does: the cookies /cdn-cgi/access/authorized sets for a token (handed over with its sign-in's proof), on `https://${host}${page}`. */
  const keepSession = async (token: string, host: string, page: string): Promise<string[]> => {
    const keys = await s.accessKeys!.keys(s.accountId);
    const proof = handoffProof(token, keys)!;
    const nonce = browserNonce(true);
    const url = `${s.baseUrl}/cdn-cgi/access/authorized?token=${encodeURIComponent(token)}&redirect_url=${encodeURIComponent(`https://${host}${page}`)}&binding_proof=${proof}${appSessionQuery(token, nonce.appSession, keys)}`;
    const answer = await fetch(url, { redirect: 'manual', headers: { 'x-forwarded-host': host, 'x-forwarded-proto': 'https', cookie: nonce.cookie } });
    assert.equal(answer.status, 302);
    return answer.headers.getSetCookie();
  };
  let auds: { wikiAud: string; crmAud: string };
  before(async () => {
    s = await startTestServer({ access: { devLogin: true } });
    auds = await withApps(s);
  });
  after(() => s?.close());

  it("records sign-ins as sessions until revoked, and refusals as failed logins, at most once a minute", async () => {
    const A = `/accounts/${s.accountId}/access`;
    const signIn = async (email: string): Promise<URL> => {
      const res = await fetch(`${s.baseUrl}/cdn-cgi/access/login/wiki.test`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ email, redirect_url: 'http://wiki.test/' }).toString() });
      assert.equal(res.status, 302);
      return new URL(res.headers.get('location')!);
    };
    assert.ok((await signIn('ada@example.com')).searchParams.get('token'));
    for (let i = 0; i < 3; i++) {
      const refused = await signIn('eve@elsewhere.org');
      assert.match(refused.pathname, /^\/cdn-cgi\/access\/forbidden\//, 'refused at the sign-in');
      assert.equal(refused.searchParams.get('token'), null, 'with no token');
    }
    const users = (await s.api('GET', `${A}/users?per_page=50`)).json.result as { id: string; email: string }[];
    const ada = users.find((u) => u.email === 'ada@example.com')!;
    const eve = users.find((u) => u.email === 'eve@elsewhere.org')!;

    const sessions = await s.api('GET', `${A}/users/${ada.id}/active_sessions`);
    assert.equal(sessions.json.result.length, 1);
    const nonce = sessions.json.result[0].metadata.nonce;
    assert.equal(sessions.json.result[0].name, 'Wiki');
    const one = await s.api('GET', `${A}/users/${ada.id}/active_sessions/${nonce}`);
    assert.equal(one.status, 200);
    assert.deepEqual([one.json.result.email, one.json.result.isActive], ['ada@example.com', true]);

    // A session of hers from elsewhere (made here, as one issued before a policy change would be): refused as well.
    const eveToken = await userAppToken({ aud: auds.wikiAud, issuer: s.baseUrl, lifetimeSeconds: 600, userId: eve.id, email: eve.email }, await s.accessKeys!.current(s.accountId));
    for (let i = 0; i < 3; i++) assert.equal((await authorize(s, { 'x-forwarded-host': 'wiki.test', cookie: `CF_Authorization=${eveToken}` })).status, 403);
    const failed = await s.api('GET', `${A}/users/${eve.id}/failed_logins`);
    assert.equal(failed.json.result.length, 1, 'three refused sign-ins and three refused requests within a minute are logged once');
    assert.equal(failed.json.result[0].metadata.user_email, 'eve@elsewhere.org');

    const log = await s.api('GET', `${A}/logs/access_requests?direction=asc`);
    assert.deepEqual(log.json.result.map((e: { user_email: string; allowed: boolean }) => [e.user_email, e.allowed]), [['ada@example.com', true], ['eve@elsewhere.org', false]]);
    for (const entry of log.json.result) assert.deepEqual([entry.app_domain, entry.connection], ['wiki.test', 'development']);
    assert.equal((await s.api('GET', `${A}/logs/access_requests?since=2999-01-01T00:00:00Z`)).json.result.length, 0);
    assert.equal((await s.api('GET', `${A}/logs/access_requests?until=yesterday`)).status, 400);

    await s.api('POST', `${A}/organizations/revoke_user`, { email: 'ada@example.com' });
    assert.equal((await s.api('GET', `${A}/users/${ada.id}/active_sessions`)).json.result.length, 0, 'revoked sessions are not active');
    assert.equal((await s.api('GET', `${A}/users/${ada.id}/active_sessions/${nonce}`)).status, 404);
  });
});

describe('forward auth letting through what no application covers (PORTCULLIS_NO_APPLICATION=allow)', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ access: { noApplication: 'allow' } });
    await withApps(s);
  });
  after(() => s?.close());

  it("decides on the application's host whatever follows its colon: a proxy reads any port there, empty or not digits", async () => {
    // Caddy (Go's net.SplitHostPort) serves the wiki's site for these Host headers and forwards
    // them as they came: read as another host, they were no application's, so let through unasked.
    for (const host of ['wiki.test:', 'wiki.test:+443', 'wiki.test:x', 'WIKI.test.:', 'wiki.test:443']) {
      const res = await authorize(s, { 'x-forwarded-host': host, 'x-forwarded-uri': '/' });
      assert.equal(res.status, 401, `${host}: the wiki's sign-in, not the upstream`);
    }
    assert.equal((await authorize(s, { 'x-forwarded-host': 'elsewhere.test', 'x-forwarded-uri': '/' })).status, 200, 'a host no application covers is let through, as configured');
  });
});

describe('forward auth with untrusted peers', () => {
  let s: TestServer;
  before(async () => {
    // Only 10.9.9.9 may forward: this test's own requests come from 127.0.0.1.
    s = await startTestServer({ access: { trustedProxies: ['10.9.9.9'] } });
    await withApps(s);
  });
  after(() => s?.close());

  it('refuses a peer that is not a trusted proxy asking about another request, whatever its Host', async () => {
    // A proxy missing from PORTCULLIS_TRUSTED_PROXIES: nginx asks with portcullis's address as its
    // Host, Caddy's forward_auth with the original Host and its own uri. Decided on themselves, the
    // second would be about /cdn-cgi/access/authorize on the application's host, which a bypass on
    // the whole host lets through, whatever path (an application of its own) was asked about.
    const A = `/accounts/${s.accountId}/access`;
    const everyone = await s.api('POST', `${A}/policies`, { name: 'Everyone', decision: 'bypass', include: [{ everyone: {} }] });
    assert.equal((await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Docs', domain: 'docs.test', policies: [{ id: everyone.json.result.id, precedence: 1 }] })).status, 201);
    assert.equal((await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Docs admin', domain: 'docs.test/admin' })).status, 201);
    const raw = rawClient(s.baseUrl);
    try {
      for (const headers of <Record<string, string>[]>[
        { host: 'docs.test', 'x-forwarded-uri': '/admin/', 'x-forwarded-method': 'GET', 'x-forwarded-host': 'docs.test' },
        { host: 'docs.test', 'x-original-uri': '/admin/' },
        { host: 'docs.test', 'x-forwarded-method': 'GET' },
        { host: 'docs.test', 'x-forwarded-host': 'docs.test' },
        { 'x-forwarded-host': 'wiki.test', 'x-forwarded-uri': '/' },
      ]) {
        const answer = await raw.send({ method: 'GET', path: '/cdn-cgi/access/authorize?redirect=1', headers, body: undefined });
        assert.equal(answer.status, 400, `${JSON.stringify(headers)}: ${answer.body.toString()}`);
        assert.match(answer.body.toString(), /PORTCULLIS_TRUSTED_PROXIES/);
      }
      // Without such headers the request is about itself, as Envoy's check request is (its Host, its path after the prefix).
      assert.equal((await raw.send({ method: 'GET', path: '/cdn-cgi/access/authorize/', headers: { host: 'docs.test' }, body: undefined })).status, 200);
      assert.equal((await raw.send({ method: 'GET', path: '/cdn-cgi/access/authorize/admin/', headers: { host: 'docs.test' }, body: undefined })).status, 401);
    } finally {
      raw.close();
    }
  });

  it('serves no development login unless enabled: the login page offers no form, a posted one is not found', async () => {
    const page = await fetch(`${s.baseUrl}/cdn-cgi/access/login/wiki.test`);
    const html = await page.text();
    assert.equal(page.status, 200);
    assert.doesNotMatch(html, /Development login|name="email"/);
    assert.match(html, /No identity provider is set up/);
    const posted = await fetch(`${s.baseUrl}/cdn-cgi/access/login/wiki.test`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=a%40b.test&redirect_url=http%3A%2F%2Fwiki.test%2F' });
    assert.equal(posted.status, 404);
  });
});

it('refuses the development login on an address other machines can reach, unless forced', () => {
  assert.throws(() => resolveConfig({ devLogin: true, host: '0.0.0.0' }, {}), (err: unknown) => err instanceof ConfigError && /refused on 0\.0\.0\.0/.test(err.message));
  assert.equal(resolveConfig({ devLogin: true, host: '0.0.0.0', devLoginAnywhere: true }, {}).devLogin, true);
  assert.equal(resolveConfig({ devLogin: true }, {}).devLogin, true);
  assert.equal(resolveConfig({}, {}).devLogin, false);
  assert.throws(() => resolveConfig({}, { PORTCULLIS_TRUSTED_PROXIES: '10.0.0.1/33' }), /not an IP address or CIDR range/);
  assert.throws(() => resolveConfig({ authDomain: 'ftp://x' }, {}), /http\(s\) URL/);
});
