// A service token's secret rotated (because it leaked) ends what the old secret opened: the
// application token forward auth made from it (which the client holds: the answer of
// /cdn-cgi/access/authorize on the application's host, which the proxy passes to portcullis, and
// what Cloudflare hands service-token clients as their CF_Authorization cookie) no longer opens
// the application, as the old secret does not. The new secret, and a token made from it, do.
// Unless the rotation gives the previous secret a grace period (Cloudflare's
// previous_client_secret_expires_at): then it, and the tokens made from it, keep working until
// then, and not a moment after. On SQLite and PostgreSQL.
import { before, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeEachDatabase } from '../../test/support/suite.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const HOUR = 3_600_000;
const inAnHour = () => new Date(Date.now() + HOUR).toISOString();
/** The claims of a JWT, unverified (the server checks them; the test only reads them). */
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8'));

await describeEachDatabase(
  'a rotated service token secret',
  (s) => {
    const A = () => `/accounts/${s.accountId}/access`;

    /** Forward auth about wiki.test, as a trusted proxy asks. */
    const authorize = (headers: Record<string, string>) => fetch(`${s.baseUrl}/cdn-cgi/access/authorize`, { headers: { 'x-forwarded-host': 'wiki.test', 'x-forwarded-uri': '/api', 'x-forwarded-proto': 'https', ...headers } });
    const bySecret = (clientId: string, secret: string) => authorize({ 'cf-access-client-id': clientId, 'cf-access-client-secret': secret });
    /** The application token forward auth makes from these credentials (asserting it lets them in). */
    const sessionOf = async (clientId: string, secret: string, what: string) => {
      const res = await bySecret(clientId, secret);
      assert.equal(res.status, 200, what);
      const jwt = res.headers.get('cf-access-jwt-assertion')!;
      assert.equal(jwt.split('.').length, 3, what);
      return jwt;
    };
    const bySession = (jwt: string) => authorize({ 'cf-access-token': jwt });
    const byCookie = (jwt: string) => authorize({ cookie: `CF_Authorization=${jwt}` });
    const newToken = async (name: string) => {
      const res = await s.api('POST', `${A()}/service_tokens`, { name });
      assert.equal(res.status, 201);
      return { id: res.json.result.id as string, clientId: res.json.result.client_id as string, secret: res.json.result.client_secret as string };
    };
    const rotate = async (id: string, body?: unknown) => {
      const res = await s.api('POST', `${A()}/service_tokens/${id}/rotate`, body);
      assert.equal(res.status, 200, JSON.stringify(res.json));
      return res.json.result as { client_secret: string; client_secret_version: number; previous_client_secret_expires_at?: string };
    };

    before(async () => {
      const robots = await s.api('POST', `${A()}/policies`, { name: 'Robots', decision: 'non_identity', include: [{ any_valid_service_token: {} }] });
      assert.equal((await s.api('POST', `${A()}/apps`, { type: 'self_hosted', name: 'Wiki', domain: 'wiki.test', policies: [{ id: robots.json.result.id, precedence: 1 }] })).status, 201);
    });

    it('without previous_client_secret_expires_at, the application token made with the old secret opens nothing once the secret is rotated; the new secret and its token do', async () => {
      const token = await newToken('CI');
      const oldSession = await sessionOf(token.clientId, token.secret, 'a baseline: the old secret');
      assert.equal((await bySession(oldSession)).status, 200, 'a baseline: the token opens the application');

      const rotated = await rotate(token.id);
      assert.equal(rotated.previous_client_secret_expires_at, undefined, 'no grace period to show');

      assert.notEqual((await bySecret(token.clientId, token.secret)).status, 200, 'the old secret');
      assert.notEqual((await bySession(oldSession)).status, 200, "the old secret's token as a header");
      assert.notEqual((await byCookie(oldSession)).status, 200, "the old secret's token as the cookie");

      const renewed = await sessionOf(token.clientId, rotated.client_secret, 'the new secret');
      assert.equal((await bySession(renewed)).status, 200, "the new secret's token");
    });

    it('with previous_client_secret_expires_at in the future, the old secret and its tokens keep working beside the new ones until then; moving it into the past (PUT) ends them at once', async () => {
      const token = await newToken('grace');
      const oldSession = await sessionOf(token.clientId, token.secret, 'the old secret before the rotation');
      const until = inAnHour();
      const rotated = await rotate(token.id, { previous_client_secret_expires_at: until });
      assert.equal(rotated.client_secret_version, 2);
      assert.equal(Date.parse(rotated.previous_client_secret_expires_at!), Date.parse(until), 'the answer shows when the previous secret stops');

      assert.equal((await bySecret(token.clientId, token.secret)).status, 200, 'the old secret, during the grace period');
      assert.equal((await bySession(oldSession)).status, 200, 'a token made with the old secret before the rotation');
      const graceSession = await sessionOf(token.clientId, token.secret, 'the old secret makes a token during the grace period');
      assert.equal(claimsOf(graceSession).client_secret_version, 1, "it carries the old secret's version");
      assert.ok(claimsOf(graceSession).exp <= Math.floor(Date.parse(until) / 1000), 'and expires no later than the old secret');
      assert.equal((await byCookie(graceSession)).status, 200, 'which opens the application');
      const newSession = await sessionOf(token.clientId, rotated.client_secret, 'the new secret');
      assert.equal(claimsOf(newSession).client_secret_version, 2);

      // A wrong secret is still refused, grace period or not.
      assert.notEqual((await bySecret(token.clientId, `${token.secret}x`)).status, 200, 'a wrong secret');

      // Cloudflare: the expiry can be moved after a rotation; into the past, it ends the previous secret now.
      const ended = await s.api('PUT', `${A()}/service_tokens/${token.id}`, { previous_client_secret_expires_at: new Date(Date.now() - 60_000).toISOString() });
      assert.equal(ended.status, 200);
      assert.equal(ended.json.result.previous_client_secret_expires_at, undefined, 'no previous secret left to show');
      assert.notEqual((await bySecret(token.clientId, token.secret)).status, 200, 'the old secret, its grace ended');
      assert.notEqual((await bySession(oldSession)).status, 200, 'the token made with it before the rotation');
      assert.notEqual((await byCookie(graceSession)).status, 200, 'the token made with it during the grace period');
      assert.equal((await bySession(newSession)).status, 200, "the new secret's token is unaffected");
      assert.equal((await bySecret(token.clientId, rotated.client_secret)).status, 200, 'and so is the new secret');

      // Extending a grace period that has ended does not bring the old secret back.
      assert.equal((await s.api('PUT', `${A()}/service_tokens/${token.id}`, { previous_client_secret_expires_at: inAnHour() })).status, 200);
      assert.notEqual((await bySecret(token.clientId, token.secret)).status, 200, 'the old secret stays ended');
    });

    it('disabling the token refuses both secrets, and ends the grace period for good (Cloudflare: turning a token off stops its previous secret)', async () => {
      const token = await newToken('disabled');
      const rotated = await rotate(token.id, { previous_client_secret_expires_at: inAnHour() });
      const graceSession = await sessionOf(token.clientId, token.secret, 'the old secret during its grace period');
      const off = await s.api('PUT', `${A()}/service_tokens/${token.id}`, { enabled: false });
      assert.equal(off.status, 200);
      assert.equal(off.json.result.previous_client_secret_expires_at, undefined, 'no grace period left to show');
      assert.notEqual((await bySecret(token.clientId, token.secret)).status, 200, 'the old secret of a disabled token');
      assert.notEqual((await bySecret(token.clientId, rotated.client_secret)).status, 200, 'the new secret of a disabled token');
      assert.notEqual((await bySession(graceSession)).status, 200, "the old secret's token, the token disabled");
      assert.equal((await s.api('PUT', `${A()}/service_tokens/${token.id}`, { enabled: true })).status, 200);
      assert.notEqual((await bySecret(token.clientId, token.secret)).status, 200, 'enabled again: the old secret stays ended');
      assert.notEqual((await bySession(graceSession)).status, 200, 'and so does its token');
      assert.equal((await bySecret(token.clientId, rotated.client_secret)).status, 200, 'the new secret works again');
    });

    it('a disabled token rotated with a grace period keeps no previous secret: enabled again, the secret it was disabled with stays refused', async () => {
      // The usual answer to a leak: disable the token at once, rotate, enable it again.
      const token = await newToken('leaked');
      const leakedSession = await sessionOf(token.clientId, token.secret, 'the leaked secret before the token is disabled');
      assert.equal((await s.api('PUT', `${A()}/service_tokens/${token.id}`, { enabled: false })).status, 200);
      const rotated = await rotate(token.id, { previous_client_secret_expires_at: inAnHour() });
      assert.equal(rotated.previous_client_secret_expires_at, undefined, 'a disabled token has no grace period to show');
      const on = await s.api('PUT', `${A()}/service_tokens/${token.id}`, { enabled: true });
      assert.equal(on.status, 200);
      assert.equal(on.json.result.previous_client_secret_expires_at, undefined, 'enabled again: no grace period');
      assert.notEqual((await bySecret(token.clientId, token.secret)).status, 200, 'the secret the token was disabled with');
      assert.notEqual((await bySession(leakedSession)).status, 200, 'and the token made with it');
      assert.equal((await bySecret(token.clientId, rotated.client_secret)).status, 200, 'the new secret works');
    });

    it('the old secret, and the token made from it, stop at the expiry by themselves', async () => {
      const token = await newToken('short grace');
      const until = Date.now() + 3000;
      const rotated = await rotate(token.id, { previous_client_secret_expires_at: new Date(until).toISOString() });
      const graceSession = await sessionOf(token.clientId, token.secret, 'the old secret during its three seconds');
      while (Date.now() <= until + 50) await sleep(100);
      assert.notEqual((await bySecret(token.clientId, token.secret)).status, 200, 'the old secret after its expiry');
      assert.notEqual((await bySession(graceSession)).status, 200, 'its token after the expiry');
      assert.equal((await bySecret(token.clientId, rotated.client_secret)).status, 200, 'the new secret');
      assert.equal((await s.api('GET', `${A()}/service_tokens/${token.id}`)).json.result.previous_client_secret_expires_at, undefined, 'the answers show no grace period once it is over');
    });

    it('a second rotation during a grace period ends the oldest secret: only the one before the newest is kept', async () => {
      const token = await newToken('twice');
      const first = await rotate(token.id, { previous_client_secret_expires_at: inAnHour() });
      const firstSession = await sessionOf(token.clientId, first.client_secret, 'the second secret');
      const oldestSession = await sessionOf(token.clientId, token.secret, 'the first secret, during its grace');
      const second = await rotate(token.id, { previous_client_secret_expires_at: inAnHour() });
      assert.equal(second.client_secret_version, 3);
      assert.notEqual((await bySecret(token.clientId, token.secret)).status, 200, 'the first secret');
      assert.notEqual((await bySession(oldestSession)).status, 200, "the first secret's token");
      assert.equal((await bySecret(token.clientId, first.client_secret)).status, 200, 'the second secret, now in its grace period');
      assert.equal((await bySession(firstSession)).status, 200, "the second secret's token");
      assert.equal((await bySecret(token.clientId, second.client_secret)).status, 200, 'the third secret');

      // A third rotation without the field ends the second secret at once.
      const third = await rotate(token.id);
      assert.notEqual((await bySecret(token.clientId, first.client_secret)).status, 200, 'the second secret');
      assert.notEqual((await bySecret(token.clientId, second.client_secret)).status, 200, 'the third secret, rotated without a grace period');
      assert.equal((await bySecret(token.clientId, third.client_secret)).status, 200, 'the fourth secret');
    });

    it('a past expiry stops the previous secret at once; an unreadable one is refused (400) and rotates nothing', async () => {
      const token = await newToken('past');
      const rotated = await rotate(token.id, { previous_client_secret_expires_at: '2020-01-01T00:00:00Z' });
      assert.equal(rotated.previous_client_secret_expires_at, undefined);
      assert.notEqual((await bySecret(token.clientId, token.secret)).status, 200, 'the old secret');
      assert.equal((await bySecret(token.clientId, rotated.client_secret)).status, 200, 'the new secret');

      for (const bad of ['tomorrow', '2030-13-45T00:00:00Z', '2030-06-30T23:59:60Z', 12]) {
        const res = await s.api('POST', `${A()}/service_tokens/${token.id}/rotate`, { previous_client_secret_expires_at: bad });
        assert.equal(res.status, 400, String(bad));
        assert.equal(res.json.success, false);
        assert.equal(res.json.errors[0].source?.pointer, '/previous_client_secret_expires_at');
        assert.equal(typeof res.json.errors[0].code, 'number');
      }
      assert.equal((await bySecret(token.clientId, rotated.client_secret)).status, 200, 'the secret is as it was');

      // PUT on a token never rotated: the same checks, and a good time has nothing to move.
      const never = await newToken('never rotated');
      for (const bad of ['', '2030-02-30T00:00:00Z', '2030-06-30T23:59:60Z', 12, null]) {
        const res = await s.api('PUT', `${A()}/service_tokens/${never.id}`, { previous_client_secret_expires_at: bad });
        assert.equal(res.status, 400, JSON.stringify(bad));
        assert.equal(res.json.errors[0].source?.pointer, '/previous_client_secret_expires_at', JSON.stringify(bad));
      }
      const moved = await s.api('PUT', `${A()}/service_tokens/${never.id}`, { previous_client_secret_expires_at: inAnHour() });
      assert.equal(moved.status, 200);
      assert.equal(moved.json.result.previous_client_secret_expires_at, undefined, 'no previous secret to keep');
      assert.equal((await bySecret(never.clientId, never.secret)).status, 200, 'its one secret still works');
    });

    it("never shows the previous secret's hash: not in GET, the list, a write's answer nor the audit log", async () => {
      const token = await newToken('hidden');
      const oldHash = sha256(token.secret);
      const rotated = await rotate(token.id, { previous_client_secret_expires_at: inAnHour() });
      const answers = [
        rotated,
        (await s.api('GET', `${A()}/service_tokens/${token.id}`)).json,
        (await s.api('GET', `${A()}/service_tokens`)).json,
        (await s.api('PUT', `${A()}/service_tokens/${token.id}`, { name: 'hidden 2', previous_client_secret_expires_at: inAnHour() })).json,
        (await s.api('POST', `${A()}/service_tokens/${token.id}/refresh`)).json,
        (await s.api('GET', `/accounts/${s.accountId}/audit_logs?per_page=1000`)).json,
      ];
      for (const [i, answer] of answers.entries()) {
        const text = JSON.stringify(answer);
        assert.ok(!text.includes(oldHash), `answer ${i} holds the previous hash`);
        assert.ok(!text.includes(sha256(rotated.client_secret)), `answer ${i} holds the current hash`);
        // The audit log shows the field as "[redacted]", as every secret field; the API never names it.
        if (i < answers.length - 1) assert.ok(!text.includes('previous_secret_hash'), `answer ${i} names the hidden field`);
      }
      const audit = JSON.stringify(answers.at(-1));
      assert.ok(audit.includes('previous_secret_hash\\":\\"[redacted]'), 'the audit log records that the previous secret was kept, redacted');
      assert.equal((await bySecret(token.clientId, token.secret)).status, 200, 'the previous secret still works after the rename and refresh');
    });
  },
  { access: {} },
);
