// Temporary authentication: a sign-in to an application whose Allow policy has approval_required
// becomes an access request after the purpose justification. The approvers get it by mail (a real
// SMTP server here), sign in on the auth domain, and approve for a time or deny; the requester's
// waiting page then hands over a token that ends with the grant, or says no. Every approval group
// must have its approvals; an approver named by an email list counts; nobody approves their own
// request, and nobody outside the groups approves at all. Forward auth takes no session an
// approver did not grant while the policy asks.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { startTestServer, type TestServer } from '../../../test/support/server.js';
import { databaseKinds } from '../../../test/support/databases.js';
import { CookieJar } from '../../../test/support/cookie-jar.js';
import { startSmtpCapture, type SmtpCapture } from '../../../test/support/smtp-capture.js';
import type { LoginChallengeRecord } from '../../store/store.js';
import { userAppToken } from '../app-token.js';
import { smtpMailer } from './mailer.js';
import { APPROVE_PATH, REQUEST_PATH, REQUEST_SECONDS, REQUESTS_PER_HOUR, requestState } from './approval.js';

describe('temporary authentication', () => {
  let s: TestServer;
  let capture: SmtpCapture;
  let A: string;
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const post = (jar: CookieJar, url: string, fields: Record<string, string>) => jar.fetch(url, { method: 'POST', headers: form, body: new URLSearchParams(fields).toString() });

  /** Sign in to `host` and write the justification: the address of the waiting page. */
  const ask = async (jar: CookieJar, host: string, email: string, why: string): Promise<string> => {
    const signedIn = await post(jar, `${s.baseUrl}/cdn-cgi/access/login/${host}`, { email, redirect_url: `http://${host}/` });
    const question = signedIn.headers.get('location')!;
    assert.match(question, /\/cdn-cgi\/access\/justify\//, 'the justification first');
    assert.ok((await (await jar.fetch(question)).text()).includes('id="approval-note"'), 'saying an approver will decide');
    const asked = await post(jar, question, { justification: why });
    assert.equal(asked.status, 302);
    const waiting = asked.headers.get('location')!;
    assert.ok(waiting.startsWith(`${s.baseUrl}${REQUEST_PATH}/`), waiting);
    return waiting;
  };
  /** An approver's browser, signed in on the auth domain through the approval link. */
  const approver = async (link: string, email: string): Promise<CookieJar> => {
    const jar = new CookieJar();
    const first = await jar.fetch(link);
    assert.equal(first.status, 302, 'nobody signed in: to the sign-in');
    const login = new URL(first.headers.get('location')!);
    assert.equal(login.searchParams.get('redirect_url'), link);
    const signedIn = await post(jar, `${login.origin}${login.pathname}`, { email, redirect_url: link });
    assert.equal(signedIn.headers.get('location'), link, 'and straight back to the request, with no application token');
    return jar;
  };
  /** An approver's browser, signed in with a one-time PIN (the provider `pinId`) through the approval link. */
  const pinApprover = async (link: string, email: string, pinId: string): Promise<CookieJar> => {
    const jar = new CookieJar();
    const login = new URL((await jar.fetch(link)).headers.get('location')!);
    const formOf = (html: string) => ({ action: /<form method="post" action="([^"]*)">/.exec(html)![1]!.replaceAll('&amp;', '&'), fields: Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!.replaceAll('&amp;', '&')])) });
    const emailForm = formOf(await (await jar.fetch(`${login.origin}${login.pathname}/idp/${pinId}${login.search}`)).text());
    const mailedBefore = capture.to(email).length;
    const codeForm = formOf(await (await post(jar, new URL(emailForm.action, s.baseUrl).toString(), { ...emailForm.fields, email })).text());
    let code: string | undefined;
    for (let waited = 0; code === undefined && waited < 10_000; waited += 50) {
      code = capture.to(email).slice(mailedBefore).map((mail) => (mail.subject.startsWith('Your sign-in code') ? /\b(\d{6})\b/.exec(mail.text)?.[1] : undefined)).find((c) => c !== undefined);
      if (code === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(code !== undefined, `the code was mailed: ${email} may approve`);
    const signedIn = await post(jar, new URL(codeForm.action, s.baseUrl).toString(), { ...codeForm.fields, code });
    assert.equal(signedIn.headers.get('location'), link, 'back to the request, after the provider round trip');
    return jar;
  };
  const answer = (jar: CookieJar, link: string, decision: 'approve' | 'deny', duration = '3600') => post(jar, link, { decision, duration });
  const linkOf = (waiting: string): string => `${s.baseUrl}${APPROVE_PATH}/${waiting.split('/').at(-1)}`;
  const authorize = (host: string, token: string) => fetch(`${s.baseUrl}/cdn-cgi/access/authorize`, { redirect: 'manual', headers: { 'x-forwarded-host': host, 'x-forwarded-uri': '/', cookie: `CF_Authorization=${token}` } });

  before(async () => {
    capture = await startSmtpCapture();
    s = await startTestServer({ access: { devLogin: true, mailer: smtpMailer({ url: capture.url, from: 'Access <access@portcullis.test>' }) } });
    A = `/accounts/${s.accountId}/access`;
    const staff = { decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }], approval_required: true, purpose_justification_required: true, purpose_justification_prompt: 'Why?' };
    const vault = await s.api('POST', `${A}/policies`, { name: 'Vault, approved', ...staff, approval_groups: [{ approvals_needed: 1, email_addresses: ['boss@example.com', 'Deputy@Example.com'] }] });
    assert.equal(vault.status, 201, JSON.stringify(vault.json));
    await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Vault', domain: 'vault.test', policies: [{ id: vault.json.result.id, precedence: 1 }] });
    const auditors = await s.api('POST', `/accounts/${s.accountId}/gateway/lists`, { name: 'Auditors', type: 'EMAIL', items: [{ value: 'auditor@example.com' }] });
    assert.equal(auditors.status, 200, JSON.stringify(auditors.json));
    const safe = await s.api('POST', `${A}/policies`, { name: 'Safe, two keys', ...staff, approval_groups: [{ approvals_needed: 1, email_addresses: ['boss@example.com'] }, { approvals_needed: 1, email_list_uuid: auditors.json.result.id }] });
    assert.equal(safe.status, 201, JSON.stringify(safe.json));
    await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Safe', domain: 'safe.test', policies: [{ id: safe.json.result.id, precedence: 1 }] });
    const nobody = await s.api('POST', `${A}/policies`, { name: 'Nobody to ask', ...staff });
    assert.equal(nobody.status, 201, JSON.stringify(nobody.json));
    await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Attic', domain: 'attic.test', policies: [{ id: nobody.json.result.id, precedence: 1 }] });
  });
  after(async () => {
    await s?.close();
    await capture?.close();
  });

  it('mails the approvers, waits, and once one approves hands over a token that ends with the grant', async () => {
    const ada = new CookieJar();
    const waiting = await ask(ada, 'vault.test', 'ada@example.com', 'INC-9: rotating the root keys');
    const link = linkOf(waiting);
    for (const to of ['boss@example.com', 'deputy@example.com']) {
      const mail = await capture.next(to);
      assert.equal(mail.subject, 'Access request: ada@example.com for Vault');
      assert.ok(mail.text.includes('INC-9: rotating the root keys'), 'with the justification');
      assert.ok(mail.text.includes(link), 'and the page to answer on');
    }
    const pending = await ada.fetch(waiting);
    assert.equal(pending.status, 200);
    const page = await pending.text();
    assert.ok(page.includes('http-equiv="refresh"'), 'the page looks again by itself');
    assert.ok(page.includes(link), 'with the link to pass on by hand');

    const boss = await approver(link, 'boss@example.com');
    const shown = await (await boss.fetch(link)).text();
    assert.ok(shown.includes('ada@example.com') && shown.includes('INC-9: rotating the root keys'));
    assert.equal((await answer(boss, link, 'approve', '86401')).status, 400, 'more than 24 hours is no choice');
    const approved = await answer(boss, link, 'approve', '3600');
    assert.equal(approved.status, 200);
    assert.match(await approved.text(), /You approved ada@example\.com&#39;s access to Vault for 1 hour/);
    assert.equal((await answer(boss, link, 'approve')).status, 409, 'no second answer');

    const entered = await ada.fetch(waiting);
    assert.equal(entered.status, 302);
    const to = new URL(entered.headers.get('location')!);
    assert.equal(`${to.host}${to.pathname}`, 'vault.test/cdn-cgi/access/authorized');
    const token = to.searchParams.get('token')!;
    const claims = decodeJwt(token);
    assert.equal(claims.access_approved, true);
    assert.equal(claims.purpose_justified, true);
    assert.ok(claims.exp! - claims.iat! <= 3600, 'the session ends with the grant');
    assert.equal((await authorize('vault.test', token)).status, 200);
    assert.equal((await ada.fetch(waiting)).status, 404, 'handed over once');
    const log = await s.api('GET', `${A}/logs/access_requests?email=ada@example.com&email_exact=true&per_page=1`);
    assert.equal(log.json.result[0].purpose_justification_response, 'INC-9: rotating the root keys');
    assert.deepEqual(log.json.result[0].temporary_access_approvers, ['boss@example.com']);
    assert.equal(log.json.result[0].temporary_access_duration, 3600);
  });

  it('needs every approval group, an email list counts, and the shortest grant wins', async () => {
    const ada = new CookieJar();
    const waiting = await ask(ada, 'safe.test', 'ada@example.com', 'Quarterly audit');
    const link = linkOf(waiting);
    await capture.next('auditor@example.com');
    assert.equal((await answer(await approver(link, 'boss@example.com'), link, 'approve', '900')).status, 200);
    assert.equal((await ada.fetch(waiting)).status, 200, 'one group of two: still waiting');
    assert.equal((await answer(await approver(link, 'auditor@example.com'), link, 'approve', '86400')).status, 200);
    const entered = await ada.fetch(waiting);
    assert.equal(entered.status, 302);
    const claims = decodeJwt(new URL(entered.headers.get('location')!).searchParams.get('token')!);
    assert.ok(claims.exp! - claims.iat! <= 900, '15 minutes, the shorter grant');
  });

  it('lets no one outside the groups answer, nor the requester, and a denial ends the request', async () => {
    const grace = new CookieJar();
    const waiting = await ask(grace, 'vault.test', 'grace@example.com', 'Curiosity');
    const link = linkOf(waiting);
    const outsider = await approver(link, 'mallory@example.com');
    const refused = await answer(outsider, link, 'approve');
    assert.equal(refused.status, 403);
    assert.match(await refused.text(), /not an approver/);
    assert.equal((await outsider.fetch(link)).status, 403);
    assert.equal((await grace.fetch(link)).status, 403, 'her own request');
    assert.equal((await grace.fetch(waiting)).status, 200, 'still waiting');
    assert.equal((await answer(await approver(link, 'deputy@example.com'), link, 'deny')).status, 200);
    const denied = await grace.fetch(waiting);
    assert.equal(denied.status, 403);
    assert.match(await denied.text(), /An approver denied your request for access to Vault/);
    assert.equal((await new CookieJar().fetch(waiting)).status, 404, 'the waiting page is only its browser\'s');
  });

  it('takes no answer from an approver the policy no longer names, on a request made before', async () => {
    const ivan = new CookieJar();
    const waiting = await ask(ivan, 'vault.test', 'ivan@example.com', 'The ledger audit');
    const link = linkOf(waiting);
    const deputy = await approver(link, 'deputy@example.com');
    const vault = (await s.api('GET', `${A}/policies`)).json.result.find((p: { name: string }) => p.name === 'Vault, approved');
    const body = { name: vault.name, decision: 'allow', include: vault.include, approval_required: true, purpose_justification_required: true, purpose_justification_prompt: 'Why?' };
    assert.equal((await s.api('PUT', `${A}/policies/${vault.id}`, { ...body, approval_groups: [{ approvals_needed: 1, email_addresses: ['boss@example.com'] }] })).status, 200);
    try {
      const refused = await answer(deputy, link, 'approve');
      assert.equal(refused.status, 403);
      assert.match(await refused.text(), /no longer an approver of Vault/);
      assert.equal((await ivan.fetch(waiting)).status, 200, 'still waiting');
      assert.equal((await answer(await approver(link, 'boss@example.com'), link, 'approve')).status, 200, 'an approver still named answers');
      assert.equal((await ivan.fetch(waiting)).status, 302, 'and the request is granted');
    } finally {
      assert.equal((await s.api('PUT', `${A}/policies/${vault.id}`, { ...body, approval_groups: vault.approval_groups })).status, 200);
    }
  });

  it(`takes at most ${REQUESTS_PER_HOUR} access requests an hour from one user, so that a loop cannot flood the approvers' mail`, async () => {
    const jar = new CookieJar();
    for (let i = 0; i < REQUESTS_PER_HOUR; i++) await ask(jar, 'vault.test', 'heidi@example.com', `Attempt ${i}`);
    const signedIn = await post(jar, `${s.baseUrl}/cdn-cgi/access/login/vault.test`, { email: 'heidi@example.com', redirect_url: 'http://vault.test/' });
    const refused = await post(jar, signedIn.headers.get('location')!, { justification: 'Once more' });
    assert.equal(refused.status, 429);
    const mailed = () => capture.to('boss@example.com').filter((mail) => mail.subject.includes('heidi@example.com')).length;
    for (let waited = 0; mailed() < REQUESTS_PER_HOUR && waited < 5000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(mailed(), REQUESTS_PER_HOUR, 'a mail for each request taken, none for the refused one');
  });

  it('refuses when the policy names no approver, and takes no session an approver did not grant', async () => {
    const jar = new CookieJar();
    const signedIn = await post(jar, `${s.baseUrl}/cdn-cgi/access/login/attic.test`, { email: 'ada@example.com', redirect_url: 'http://attic.test/' });
    const refused = await post(jar, signedIn.headers.get('location')!, { justification: 'Boxes' });
    assert.equal(refused.status, 403);
    assert.match(await refused.text(), /names no approver/);

    const ada = (await s.api('GET', `${A}/users?email=ada@example.com`)).json.result[0];
    const vaultApp = (await s.api('GET', `${A}/apps`)).json.result.find((a: { name: string }) => a.name === 'Vault');
    const justifiedOnly = await userAppToken({ aud: vaultApp.aud, issuer: s.baseUrl, lifetimeSeconds: 600, userId: ada.id, email: ada.email, justified: true }, await s.accessKeys!.current(s.accountId));
    const asked = await authorize('vault.test', justifiedOnly);
    assert.equal(asked.status, 401, 'sent to sign in, and so to ask');
    assert.ok(asked.headers.get('x-access-login'));
  });

  it('lets an approver sign in with a one-time PIN while the account has no App Launcher, mailing codes to approvers of the request only', async () => {
    const pin = await s.api('POST', `${A}/identity_providers`, { name: 'Approver code', type: 'onetimepin', config: {} });
    assert.equal(pin.status, 201, JSON.stringify(pin.json));
    const pinId = pin.json.result.id as string;
    try {
      assert.equal((await s.api('GET', `${A}/apps`)).json.result.filter((a: { type: string }) => a.type === 'app_launcher').length, 0, 'no App Launcher');
      const hana = new CookieJar();
      const waiting = await ask(hana, 'vault.test', 'hana@example.com', 'Disk swap');
      const link = linkOf(waiting);
      // Codes asked for by addresses that cannot answer this request: the requester, a colleague,
      // a stranger, and an approver of another application's requests (Safe's email list).
      const outsiders = ['hana@example.com', 'mallory@example.com', 'eve@elsewhere.org', 'auditor@example.com'];
      const before = new Map(outsiders.map((email) => [email, capture.to(email).length]));
      for (const email of outsiders) {
        const jar = new CookieJar();
        const login = new URL((await jar.fetch(link)).headers.get('location')!);
        const start = await jar.fetch(`${login.origin}${login.pathname}/idp/${pinId}${login.search}`);
        const html = await start.text();
        assert.equal(start.status, 200, html);
        const action = /<form method="post" action="([^"]*)">/.exec(html)![1]!.replaceAll('&amp;', '&');
        const asked = await post(jar, new URL(action, s.baseUrl).toString(), { redirect_url: link, email });
        assert.equal(asked.status, 200);
        assert.match(await asked.text(), /<h1>Check your email<\/h1>/, 'the page reads the same');
      }
      // An approver's code, asked for after theirs, arrives: theirs would have come first.
      const boss = await pinApprover(link, 'boss@example.com', pinId);
      for (const email of outsiders) assert.equal(capture.to(email).length, before.get(email), `no code was mailed to ${email}`);
      assert.equal((await answer(boss, link, 'approve')).status, 200);
      assert.equal((await hana.fetch(waiting)).status, 302, 'approved: the requester goes in');
    } finally {
      await s.api('DELETE', `${A}/identity_providers/${pinId}`);
    }
  });

  it("lets an approver sign in with a one-time PIN, as the App Launcher's policies allow", async () => {
    const pin = await s.api('POST', `${A}/identity_providers`, { name: 'Email code', type: 'onetimepin', config: {} });
    assert.equal(pin.status, 201, JSON.stringify(pin.json));
    const everyone = await s.api('POST', `${A}/policies`, { name: 'Launcher users', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] });
    assert.equal((await s.api('POST', `${A}/apps`, { type: 'app_launcher', name: 'App Launcher', policies: [{ id: everyone.json.result.id, precedence: 1 }] })).status, 201);
    const link = linkOf(await ask(new CookieJar(), 'vault.test', 'ivan@example.com', 'Nightly restore'));

    const boss = await pinApprover(link, 'boss@example.com', pin.json.result.id);
    assert.equal((await answer(boss, link, 'approve')).status, 200);
  });

  it("takes answers only from the auth domain's own page, and lets no other page frame it", async () => {
    const judy = new CookieJar();
    const waiting = await ask(judy, 'vault.test', 'judy@example.com', 'Key ceremony');
    const link = linkOf(waiting);
    const boss = await approver(link, 'boss@example.com');
    const shown = await boss.fetch(link);
    assert.equal(shown.status, 200);
    assert.equal(shown.headers.get('x-frame-options'), 'DENY');
    assert.ok(shown.headers.get('content-security-policy')?.split('; ').includes("frame-ancestors 'none'"), 'never framed');
    const from = (headers: Record<string, string>) => boss.fetch(link, { method: 'POST', headers: { ...form, ...headers }, body: new URLSearchParams({ decision: 'approve', duration: '86400' }).toString() });
    // A page on a sibling subdomain is the same site (the session cookie goes along) but another origin.
    const forgeries: Record<string, string>[] = [{ origin: 'http://evil.vault.test' }, { origin: 'null' }, { 'sec-fetch-site': 'same-site', origin: 'http://evil.vault.test' }, { 'sec-fetch-site': 'cross-site' }];
    for (const headers of forgeries) {
      const forged = await from(headers);
      assert.equal(forged.status, 403, JSON.stringify(headers));
      assert.match(await forged.text(), /sent from another page/);
    }
    assert.equal((await judy.fetch(waiting)).status, 200, 'no forged answer was taken: still waiting');
    assert.equal((await from({ 'sec-fetch-site': 'same-origin', origin: new URL(s.baseUrl).origin })).status, 200, "the page's own post is");
    assert.equal((await judy.fetch(waiting)).status, 302);

    // The justification and the development login's forms alike.
    const jar = new CookieJar();
    const crossLogin = await jar.fetch(`${s.baseUrl}/cdn-cgi/access/login/vault.test`, { method: 'POST', headers: { ...form, origin: 'http://evil.vault.test' }, body: new URLSearchParams({ email: 'judy@example.com', redirect_url: 'http://vault.test/' }).toString() });
    assert.equal(crossLogin.status, 403);
    const question = (await post(jar, `${s.baseUrl}/cdn-cgi/access/login/vault.test`, { email: 'judy@example.com', redirect_url: 'http://vault.test/' })).headers.get('location')!;
    const crossJustified = await jar.fetch(question, { method: 'POST', headers: { ...form, 'sec-fetch-site': 'same-site' }, body: new URLSearchParams({ justification: 'Forged' }).toString() });
    assert.equal(crossJustified.status, 403);
    assert.equal((await post(jar, question, { justification: 'Second ceremony' })).status, 302, 'the refused post used nothing up');
  });

  it("takes an approver's session only from a provider the App Launcher allows, and only for those its policies let in", async () => {
    const launcher = (await s.api('GET', `${A}/apps`)).json.result.find((a: { type: string }) => a.type === 'app_launcher');
    const pin = (await s.api('GET', `${A}/identity_providers`)).json.result.find((p: { type: string }) => p.type === 'onetimepin');
    const everyone = launcher.policies.map((p: { id: string; precedence: number }) => ({ id: p.id, precedence: p.precedence }));
    const setLauncher = async (changes: Record<string, unknown>) => {
      const changed = await s.api('PUT', `${A}/apps/${launcher.id}`, { type: 'app_launcher', name: launcher.name, policies: everyone, ...changes });
      assert.equal(changed.status, 200, JSON.stringify(changed.json));
    };
    const link = linkOf(await ask(new CookieJar(), 'vault.test', 'karl@example.com', 'Backup check'));
    const boss = await pinApprover(link, 'boss@example.com', pin.id);
    assert.equal((await boss.fetch(link)).status, 200, 'signed in with a PIN, while the launcher allows every provider');
    const google = await s.api('POST', `${A}/identity_providers`, { name: 'Workspace', type: 'google-apps', config: { client_id: 'x', client_secret: 'y', apps_domain: 'example.com' } });
    assert.equal(google.status, 201, JSON.stringify(google.json));
    try {
      await setLauncher({ allowed_idps: [google.json.result.id] });
      const again = await boss.fetch(link);
      assert.equal(again.status, 302, 'the launcher allows only Workspace now: sign in again, through it');
      assert.match(again.headers.get('location')!, /\/cdn-cgi\/access\/login\//);
      assert.equal((await answer(boss, link, 'approve')).status, 302, 'and no answer is taken meanwhile');
      const narrow = await s.api('POST', `${A}/policies`, { name: 'Launcher: boss only', decision: 'allow', include: [{ email: { email: 'boss@example.com' } }] });
      await setLauncher({ policies: [{ id: narrow.json.result.id, precedence: 1 }] });
      const deputy = await approver(link, 'deputy@example.com');
      const refused = await answer(deputy, link, 'approve');
      assert.equal(refused.status, 403, "an approval group's member the launcher's policies leave out");
      assert.match(await refused.text(), /App Launcher&#39;s policies do not let deputy@example\.com in/);
      assert.equal((await answer(boss, link, 'approve')).status, 200);
    } finally {
      await setLauncher({});
      await s.api('DELETE', `${A}/identity_providers/${google.json.result.id}`);
    }
  });

  it('decides where a request stands from its answers', () => {
    const now = Date.parse('2031-05-01T10:00:00Z');
    const request = (groups: { approvals_needed: number }[], createdAt = now - 60_000): LoginChallengeRecord => ({ id: 'r', accountId: 'a', kind: 'access_request', email: null, ipAddress: null, body: { groups }, attempts: 0, createdAt: new Date(createdAt).toISOString(), expiresAt: now + 1e9 });
    const yes = (email: string, groups: number[], seconds = 3600, at = now - 1000) => ({ email, approved: true, seconds, at, groups });
    assert.deepEqual(requestState(request([{ approvals_needed: 2 }]), [yes('a@x', [0])], now), { state: 'pending' });
    assert.deepEqual(requestState(request([{ approvals_needed: 2 }]), [yes('a@x', [0]), yes('b@x', [0], 900)], now), { state: 'approved', until: now - 1000 + 900_000, approvers: ['a@x', 'b@x'], seconds: 900 });
    assert.deepEqual(requestState(request([{ approvals_needed: 1 }]), [yes('a@x', [0]), { email: 'b@x', approved: false, seconds: 0, at: now, groups: [0] }], now), { state: 'denied', by: 'b@x' });
    assert.deepEqual(requestState(request([{ approvals_needed: 0 }]), [], now), { state: 'pending' }, 'at least one approval, whatever the groups need');
    assert.deepEqual(requestState(request([{ approvals_needed: 1 }]), [yes('a@x', [0], 60, now - 61_000)], now), { state: 'expired' }, 'the grant is over');
    assert.deepEqual(requestState(request([{ approvals_needed: 1 }], now - REQUEST_SECONDS * 1000 - 1), [], now), { state: 'expired' }, 'nobody answered in time');
    assert.deepEqual(requestState(request([{ approvals_needed: 1 }]), [yes('a@x', [0], 10 * 86_400)], now), { state: 'approved', until: now - 1000 + 86_400_000, approvers: ['a@x'], seconds: 86_400 }, 'no grant longer than 24 hours');
  });
});

// Requests made at once (on PostgreSQL each request's count and insert are separate round trips,
// so a burst can pass the count together): still at most the hourly number taken and mailed.
for (const kind of await databaseKinds()) {
  describe(`temporary authentication's hourly limit, on ${kind.name}`, { skip: kind.skip }, () => {
    let s: TestServer;
    let capture: SmtpCapture;
    before(async () => {
      capture = await startSmtpCapture();
      s = await startTestServer({ database: await kind.create(), access: { devLogin: true, mailer: smtpMailer({ url: capture.url, from: 'Access <access@portcullis.test>' }) } });
      const A = `/accounts/${s.accountId}/access`;
      const policy = await s.api('POST', `${A}/policies`, { name: 'Vault, approved', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }], approval_required: true, purpose_justification_required: true, approval_groups: [{ approvals_needed: 1, email_addresses: ['boss@example.com'] }] });
      assert.equal(policy.status, 201, JSON.stringify(policy.json));
      assert.equal((await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Vault', domain: 'vault.test', policies: [{ id: policy.json.result.id, precedence: 1 }] })).status, 201);
    });
    after(async () => {
      await s?.close();
      await capture?.close();
    });

    it('holds against requests made at once', async () => {
      // One sign-in, then the login page again and again: each visit asks its own justification of the same session.
      const jar = new CookieJar();
      const form = { 'content-type': 'application/x-www-form-urlencoded' };
      const post = (url: string, fields: Record<string, string>) => jar.fetch(url, { method: 'POST', headers: form, body: new URLSearchParams(fields).toString() });
      const loginPage = `${s.baseUrl}/cdn-cgi/access/login/vault.test?redirect_url=${encodeURIComponent('http://vault.test/')}`;
      const questions = [(await post(`${s.baseUrl}/cdn-cgi/access/login/vault.test`, { email: 'oscar@example.com', redirect_url: 'http://vault.test/' })).headers.get('location')!];
      while (questions.length < 3 * REQUESTS_PER_HOUR) questions.push((await jar.fetch(loginPage)).headers.get('location')!);
      assert.ok(questions.every((q) => q.includes('/cdn-cgi/access/justify/')), questions.join(' '));
      const answers = await Promise.all(questions.map((question, i) => post(question, { justification: `Burst ${i}` })));
      const statuses = answers.map((a) => a.status);
      assert.ok(statuses.every((status) => status === 302 || status === 429), statuses.join(' '));
      const taken = statuses.filter((status) => status === 302).length;
      assert.ok(taken >= 1 && taken <= REQUESTS_PER_HOUR, `${taken} requests taken`);
      for (let waited = 0; capture.to('boss@example.com').length < taken && waited < 5000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(capture.to('boss@example.com').length, taken, 'a mail for each request taken, none for those refused');
    });
  });
}
