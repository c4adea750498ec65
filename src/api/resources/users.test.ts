// Zero Trust users and their last seen identities through the official SDK and raw HTTP, on
// SQLite and PostgreSQL. The import has its own suite (user-import.api.test.ts).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import Cloudflare from 'cloudflare';
import { randomAccountId } from '../../../test/support/server.js';
import { describeEachDatabase } from '../../../test/support/suite.js';
import { scopedToken } from '../../../test/support/tokens.js';

const UNKNOWN_ID = '6f1c3a5e-0000-4000-8000-000000000000';

await describeEachDatabase('Zero Trust users API', (s) => {

  it('creates, reads, renames, lists and deletes through the SDK', async () => {
    const account = randomAccountId();
    const created = await s.cf.zeroTrust.access.users.create({ account_id: account, email: 'Ada@Example.com', name: 'Ada Lovelace' });
    assert.match(created.id!, /^[0-9a-f-]{36}$/);
    assert.equal(created.uid, created.id);
    assert.equal(created.seat_uid, created.id);
    assert.equal(created.email, 'Ada@Example.com');
    assert.equal(created.name, 'Ada Lovelace');
    assert.equal(created.access_seat, false);
    assert.equal(created.gateway_seat, false);
    assert.equal(created.active_device_count, 0);
    // Cloudflare types it as a date-time, never null: absent until the first identity.
    assert.equal('last_successful_login' in created, false);
    assert.ok(Date.parse(created.created_at!) > 0);

    const got = await s.cf.zeroTrust.access.users.get(created.id!, { account_id: account });
    assert.deepEqual(got, created);

    const renamed = await s.cf.zeroTrust.access.users.update(created.id!, { account_id: account, email: 'ada@example.COM', name: 'Ada King' });
    assert.equal(renamed.name, 'Ada King');
    assert.equal(renamed.email, 'Ada@Example.com', 'the stored spelling stays');
    assert.equal(renamed.created_at, created.created_at);
    assert.ok(renamed.updated_at! >= created.updated_at!);

    const nameless = await s.cf.zeroTrust.access.users.create({ account_id: account, email: 'grace@example.com' });
    assert.equal(nameless.name, '');

    const deleted = await s.api('DELETE', `/accounts/${account}/access/users/${created.id}`);
    assert.equal(deleted.status, 202);
    assert.equal(deleted.json.result, null);
    await assert.rejects(s.cf.zeroTrust.access.users.get(created.id!, { account_id: account }), Cloudflare.NotFoundError);
    assert.equal(await s.cf.zeroTrust.access.users.delete(nameless.id!, { account_id: account }), null);
  });

  it('auto-paginates over several pages and filters by email, name and search', async () => {
    const account = randomAccountId();
    const emails = Array.from({ length: 7 }, (_, i) => `user${i}@${i % 2 === 0 ? 'even' : 'odd'}.example`);
    for (const [i, email] of emails.entries()) await s.cf.zeroTrust.access.users.create({ account_id: account, email, name: `User ${i % 3}` });
    const seen: string[] = [];
    for await (const u of s.cf.zeroTrust.access.users.list({ account_id: account, per_page: 3 })) seen.push(u.email!);
    assert.deepEqual(seen, emails);

    const base = `/accounts/${account}/access/users`;
    const first = await s.api('GET', base);
    assert.deepEqual(first.json.result_info, { page: 1, per_page: 25, count: 7, total_count: 7, total_pages: 1 });
    const past = await s.api('GET', `${base}?page=5&per_page=2`);
    assert.equal(past.status, 200);
    assert.deepEqual(past.json.result, []);
    const tooBig = await s.api('GET', `${base}?per_page=1001`);
    assert.equal(tooBig.status, 400);
    assert.equal(tooBig.json.errors[0].code, 1351);

    const byEmail = await s.cf.zeroTrust.access.users.list({ account_id: account, email: 'USER3@ODD.example' });
    assert.deepEqual(byEmail.result.map((u) => u.email), ['user3@odd.example']);
    const byName = await s.cf.zeroTrust.access.users.list({ account_id: account, name: 'User 1' });
    assert.deepEqual(byName.result.map((u) => u.email), ['user1@odd.example', 'user4@even.example']);
    const searched = await s.cf.zeroTrust.access.users.list({ account_id: account, search: 'EVEN', per_page: 10 });
    assert.deepEqual(searched.result.map((u) => u.email), ['user0@even.example', 'user2@even.example', 'user4@even.example', 'user6@even.example']);
  });

  it('refuses a second user with the same email in any case (409), and invalid emails (400)', async () => {
    const account = randomAccountId();
    const first = await s.cf.zeroTrust.access.users.create({ account_id: account, email: 'dup@example.com' });
    await assert.rejects(s.cf.zeroTrust.access.users.create({ account_id: account, email: 'DUP@example.com' }), Cloudflare.ConflictError);
    const res = await s.api('POST', `/accounts/${account}/access/users`, { email: 'Dup@Example.com' });
    assert.equal(res.status, 409);
    assert.equal(res.json.errors[0].code, 1202);
    assert.equal(res.headers.get('x-should-retry'), 'false');
    assert.match(res.json.errors[0].message, new RegExp(first.id!));

    const nickname = await s.api('POST', `/accounts/${account}/access/users`, { email: 'nick@example.com', nickname: 'x' });
    assert.equal(nickname.status, 201, 'an unknown top-level field is set aside, not refused');
    assert.deepEqual(nickname.json.messages.map((m: any) => [m.code, m.source.pointer]), [[1450, '/nickname']]);
    assert.equal(nickname.json.result.nickname, undefined);
    const badEmail = await s.api('POST', `/accounts/${account}/access/users`, { email: 'not-an-email' });
    assert.deepEqual(badEmail.json.errors.map((e: any) => [e.code, e.source.pointer]), [[1311, '/email']]);
    await assert.rejects(s.cf.zeroTrust.access.users.create({ account_id: account, email: '' }), Cloudflare.BadRequestError);
  });

  it('requires the unchanged email and a name on update', async () => {
    const account = randomAccountId();
    const user = await s.cf.zeroTrust.access.users.create({ account_id: account, email: 'fixed@example.com', name: 'Fixed' });
    const changed = await s.api('PUT', `/accounts/${account}/access/users/${user.id}`, { email: 'other@example.com', name: 'New' });
    assert.equal(changed.status, 400);
    assert.deepEqual(changed.json.errors.map((e: any) => [e.code, e.source.pointer]), [[1354, '/email']]);
    assert.match(changed.json.errors[0].message, /"fixed@example.com"/);
    const missing = await s.api('PUT', `/accounts/${account}/access/users/${user.id}`, { email: 'fixed@example.com' });
    assert.deepEqual(missing.json.errors.map((e: any) => [e.code, e.source.pointer]), [[1301, '/name']]);
    assert.equal((await s.cf.zeroTrust.access.users.get(user.id!, { account_id: account })).name, 'Fixed');
  });

  it('sets and reads the last seen identity, filling in the email and keeping unknown fields', async () => {
    const account = randomAccountId();
    const user = await s.cf.zeroTrust.access.users.create({ account_id: account, email: 'ida@example.com', name: 'Ida' });
    const path = `/accounts/${account}/access/users/${user.id}/last_seen_identity`;

    const none = await s.api('GET', path);
    assert.equal(none.status, 404);
    assert.equal(none.json.errors[0].code, 1104);
    assert.match(none.json.errors[0].message, /has no last seen identity/);
    await assert.rejects(s.cf.zeroTrust.access.users.lastSeenIdentity.get(user.id!, { account_id: account }), Cloudflare.NotFoundError);

    const identity = {
      name: 'Ida',
      idp: { id: 'idp-1', type: 'okta' },
      groups: [{ name: 'engineering' }],
      geo: { country: 'DE' },
      ip: '2001:db8::7',
      amr: ['pwd', 'mfa'],
      devicePosture: { 'rule-1': { success: true, check: { exists: true } } },
      is_warp: false,
      custom_claim: { anything: [1, 2] },
    };
    const set = await s.api('PUT', path, identity);
    assert.equal(set.status, 200);
    assert.deepEqual(set.json.result, { ...identity, email: 'ida@example.com' });

    const read = await s.cf.zeroTrust.access.users.lastSeenIdentity.get(user.id!, { account_id: account });
    assert.deepEqual(read, { ...identity, email: 'ida@example.com' });
    const after = await s.cf.zeroTrust.access.users.get(user.id!, { account_id: account });
    assert.equal(after.access_seat, true);
    assert.ok(Date.parse(after.last_successful_login!) > 0);
  });

  it('validates identities: typed fields, the IP, and an email that must be the user\'s', async () => {
    const account = randomAccountId();
    const user = await s.cf.zeroTrust.access.users.create({ account_id: account, email: 'ivo@example.com' });
    const path = `/accounts/${account}/access/users/${user.id}/last_seen_identity`;
    const typed = await s.api('PUT', path, { groups: 'engineering', amr: [1], service_token_status: 'yes' });
    assert.equal(typed.status, 400);
    assert.deepEqual(typed.json.errors.map((e: any) => [e.code, e.source.pointer]).sort(), [
      [1300, '/amr/0'],
      [1300, '/groups'],
      [1300, '/service_token_status'],
    ]);
    const semantic = await s.api('PUT', path, { ip: '10.0.0.300', email: 'someone@else.org' });
    assert.deepEqual(semantic.json.errors.map((e: any) => [e.code, e.source.pointer]), [
      [1356, '/ip'],
      [1359, '/email'],
    ]);
    const badEmail = await s.api('PUT', path, { email: 'nope' });
    assert.deepEqual(badEmail.json.errors.map((e: any) => [e.code, e.source.pointer]), [[1311, '/email']]);
    const otherCase = await s.api('PUT', path, { email: 'IVO@example.com', ip: '192.0.2.1' });
    assert.equal(otherCase.status, 200);
    assert.equal(otherCase.json.result.email, 'IVO@example.com');
    const unknown = await s.api('PUT', `/accounts/${account}/access/users/${UNKNOWN_ID}/last_seen_identity`, {});
    assert.equal(unknown.status, 404);
    assert.match(unknown.json.errors[0].message, /Zero Trust user/);
  });

  it('answers 404 in the envelope for unknown users', async () => {
    const base = `/accounts/${randomAccountId()}/access/users/${UNKNOWN_ID}`;
    for (const [method, path, body] of [['GET', ''], ['PUT', '', { email: 'a@b.co', name: 'x' }], ['DELETE', ''], ['GET', '/last_seen_identity']] as const) {
      const res = await s.api(method, base + path, body);
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal(res.json.errors[0].code, 1102);
    }
  });

  it('lets readers read and only seat writers write', async () => {
    const account = randomAccountId();
    const user = await s.cf.zeroTrust.access.users.create({ account_id: account, email: 'p@example.com' });
    const auditor = s.sdk(await scopedToken(s.store, account, ['Access: Audit Logs Read']));
    assert.equal((await auditor.zeroTrust.access.users.get(user.id!, { account_id: account })).email, 'p@example.com');
    await assert.rejects(auditor.zeroTrust.access.users.create({ account_id: account, email: 'q@example.com' }), Cloudflare.PermissionDeniedError);
    const writer = s.sdk(await scopedToken(s.store, account, ['Zero Trust: Seats Write']));
    assert.equal((await writer.zeroTrust.access.users.create({ account_id: account, email: 'q@example.com' })).email, 'q@example.com');
    const listsOnly = s.sdk(await scopedToken(s.store, account, ['Zero Trust Write']));
    await assert.rejects(listsOnly.zeroTrust.access.users.list({ account_id: account }), Cloudflare.PermissionDeniedError);
    assert.deepEqual((await listsOnly.zeroTrust.gateway.lists.list({ account_id: account })).result, []);
  });

  it('reads users with their identities in bulk, by cursor, in creation order (extension)', async () => {
    const account = randomAccountId();
    const lines = Array.from({ length: 7 }, (_, i) => JSON.stringify({ email: `u${i}@example.com`, name: `U${i}`, ...(i % 2 === 0 ? { identity: { geo: { country: 'DE' } } } : {}) }));
    const imported = await s.api('POST', `/accounts/${account}/access/users/import`, lines.join('\n'), { 'content-type': 'application/x-ndjson' });
    assert.equal(imported.status, 200);
    const path = `/accounts/${account}/access/users/identities`;
    // As a SCIM directory pushes a user: an identity, no login yet.
    await s.store.transaction(account, (tx) => tx.insertUser({ accountId: account, id: 'pushed', email: 'pushed@example.com', name: 'Pushed', identity: { email: 'pushed@example.com' }, signedIn: false }));
    const seen: { email: string; identity: { geo?: { country: string } } | null; last_successful_login: string | null }[] = [];
    let cursor: string | null | undefined;
    let pages = 0;
    do {
      const page = await s.api('GET', `${path}?limit=3${cursor !== undefined ? `&cursor=${cursor}` : ''}`);
      assert.equal(page.status, 200);
      if (cursor === undefined) assert.equal(page.json.result.total_count, 8);
      else assert.equal(page.json.result.total_count, undefined, 'the total is counted on the first page only');
      seen.push(...page.json.result.users);
      cursor = page.json.result.next_cursor;
      pages++;
    } while (cursor !== null);
    assert.equal(pages, 3);
    assert.deepEqual(seen.map((u) => u.email), [...lines.map((_, i) => `u${i}@example.com`), 'pushed@example.com']);
    assert.deepEqual(seen[0].identity?.geo, { country: 'DE' });
    assert.equal(seen[1].identity, null);
    // The login time, so that a client can tell a user an import would give its first one (a dry run's updated).
    assert.match(String(seen[0].last_successful_login), /^\d{4}-\d\d-\d\dT/);
    assert.equal(seen[1].last_successful_login, null);
    assert.deepEqual([seen[7].identity, seen[7].last_successful_login], [{ email: 'pushed@example.com' }, null]);

    for (const bad of ['cursor=abc', 'cursor=-1', 'limit=0', 'limit=10001']) {
      const refused = await s.api('GET', `${path}?${bad}`);
      assert.equal(refused.status, 400, bad);
    }
    const listsOnly = await scopedToken(s.store, account, ['Zero Trust Write']);
    assert.equal((await s.api('GET', path, undefined, { authorization: `Bearer ${listsOnly}` })).status, 403, 'identities need the permission that reads users');
  });
});
