// Reusable policies through the official SDK and raw HTTP, on SQLite and PostgreSQL.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import Cloudflare from 'cloudflare';
import { randomAccountId } from '../../../test/support/server.js';
import { describeEachDatabase } from '../../../test/support/suite.js';

await describeEachDatabase('reusable policies API', (s) => {
  const account = randomAccountId();
  const base = `/accounts/${account}/access/policies`;

  it('creates, reads, replaces, lists and deletes through the SDK', async () => {
    const created = await s.cf.zeroTrust.access.policies.create({
      account_id: account,
      name: 'Engineers',
      decision: 'allow',
      include: [{ email_domain: { domain: 'example.com' } }],
      require: [{ geo: { country_code: 'US' } }],
      session_duration: '12h',
    });
    assert.match(created.id!, /^[0-9a-f-]{36}$/);
    assert.equal(created.reusable, true);
    assert.equal(created.app_count, 0);
    assert.equal(created.session_duration, '12h');
    assert.equal(created.approval_required, false);
    assert.deepEqual(created.include, [{ email_domain: { domain: 'example.com' } }]);
    assert.deepEqual(created.exclude, []);
    assert.ok(Date.parse(created.created_at!) > 0);

    const got = await s.cf.zeroTrust.access.policies.get(created.id!, { account_id: account });
    assert.deepEqual(got, created);

    const updated = await s.cf.zeroTrust.access.policies.update(created.id!, {
      account_id: account,
      name: 'Engineers (MFA)',
      decision: 'allow',
      include: [{ email_domain: { domain: 'example.com' } }],
      require: [{ auth_method: { auth_method: 'mfa' } }],
    });
    assert.equal(updated.name, 'Engineers (MFA)');
    assert.deepEqual(updated.require, [{ auth_method: { auth_method: 'mfa' } }]);
    assert.equal(updated.session_duration, '24h', 'a full replace: the old session_duration is gone');
    assert.equal(updated.created_at, created.created_at);
    assert.ok(updated.updated_at! >= created.updated_at!);

    await s.cf.zeroTrust.access.policies.delete(created.id!, { account_id: account });
    await assert.rejects(s.cf.zeroTrust.access.policies.get(created.id!, { account_id: account }), Cloudflare.NotFoundError);
  });

  it('auto-paginates over several pages and answers past the last page with an empty page', async () => {
    const acct = randomAccountId();
    const names: string[] = [];
    for (let i = 0; i < 7; i++) {
      names.push(`P${i}`);
      await s.cf.zeroTrust.access.policies.create({ account_id: acct, name: `P${i}`, decision: 'deny', include: [{ ip: { ip: `10.0.${i}.0/24` } }] });
    }
    const seen: string[] = [];
    for await (const p of s.cf.zeroTrust.access.policies.list({ account_id: acct, per_page: 3 })) seen.push(p.name!);
    assert.deepEqual(seen, names);
    const past = await s.api('GET', `/accounts/${acct}/access/policies?page=4&per_page=3`);
    assert.equal(past.status, 200);
    assert.deepEqual(past.json.result, []);
    assert.deepEqual(past.json.result_info, { page: 4, per_page: 3, count: 0, total_count: 7, total_pages: 3 });
    const searched = await s.api('GET', `/accounts/${acct}/access/policies?search=p3`);
    assert.deepEqual(searched.json.result.map((p: any) => p.name), ['P3'], 'the search extension');
    const first = await s.api('GET', `/accounts/${acct}/access/policies`);
    assert.equal(first.json.result_info.per_page, 100, 'per_page defaults to 100 as Cloudflare documents');
    assert.equal(first.json.result_info.page, 1);
  });

  it('refuses invalid policies with every issue, its code and its pointer', async () => {
    const res = await s.api('POST', base, {
      name: '',
      decision: 'permit',
      include: [{ email: { email: 'not an email' } }, { ip: { ip: '10.0.0.0/33' } }],
      session_duration: 'forever',
    });
    assert.equal(res.status, 400);
    assert.equal(res.json.success, false);
    assert.equal(res.json.result, null);
    assert.equal(res.headers.get('x-should-retry'), 'false');
    assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
    const byPointer = Object.fromEntries(res.json.errors.map((e: any) => [e.source.pointer, e.code]));
    assert.deepEqual(byPointer, {
      '/name': 1304,
      '/decision': 1303,
      '/include/0/email/email': 1311,
      '/include/1/ip/ip': 1313,
      '/session_duration': 1318,
    });
    for (const e of res.json.errors) assert.ok(e.message.length > 10, e.message);
    await assert.rejects(
      s.cf.zeroTrust.access.policies.create({ account_id: account, name: 'x', decision: 'allow', include: [] }),
      (err: unknown) => err instanceof Cloudflare.BadRequestError && /include/.test(err.message),
    );
  });

  it('saves a second policy or group of the same name, as Cloudflare does, with a note that import, export and sync match by name', async () => {
    const own = `/accounts/${randomAccountId()}`;
    const rule = { include: [{ email_domain: { domain: 'example.com' } }] };
    const first = await s.api('POST', `${own}/access/policies`, { name: 'Staff', decision: 'allow', ...rule });
    assert.equal(first.status, 201);
    assert.deepEqual(first.json.messages, []);
    const second = await s.api('POST', `${own}/access/policies`, { name: 'Staff', decision: 'allow', ...rule });
    assert.equal(second.status, 201, 'saved all the same');
    assert.deepEqual(
      second.json.messages.map((m: any) => [m.code, m.source.pointer]),
      [[1452, '/name']],
    );
    assert.match(second.json.messages[0].message, new RegExp(`reusable policy ${first.json.result.id} has the name "Staff" too: .*import.*sync`));
    // Renaming it away clears the note; replacing the first without renaming keeps it.
    const renamed = await s.api('PUT', `${own}/access/policies/${second.json.result.id}`, { name: 'Contractors', decision: 'allow', ...rule });
    assert.deepEqual(renamed.json.messages, []);
    const back = await s.api('PUT', `${own}/access/policies/${first.json.result.id}`, { name: 'Contractors', decision: 'allow', ...rule });
    assert.deepEqual(back.json.messages.map((m: any) => m.code), [1452]);

    const group = await s.api('POST', `${own}/access/groups`, { name: 'Admins', ...rule });
    assert.deepEqual(group.json.messages, []);
    const twin = await s.api('POST', `${own}/access/groups`, { name: 'Admins', ...rule });
    assert.equal(twin.status, 201);
    assert.match(twin.json.messages.map((m: any) => `${m.code} ${m.message}`).join(), /^1452 Saved, but Access group [0-9a-f-]{36} has the name "Admins" too/);
    const other = await s.api('PUT', `${own}/access/groups/${twin.json.result.id}`, { name: 'Auditors', ...rule });
    assert.deepEqual(other.json.messages, []);
  });

  it('refuses identity selectors in bypass policies and linked_app_token outside non_identity/bypass', async () => {
    const bypass = await s.api('POST', base, { name: 'b', decision: 'bypass', include: [{ email: { email: 'a@example.com' } }] });
    assert.equal(bypass.status, 400);
    assert.equal(bypass.json.errors[0].code, 1320);
    const linked = await s.api('POST', base, { name: 'l', decision: 'allow', include: [{ linked_app_token: { app_uid: 'x' } }] });
    assert.equal(linked.status, 400);
    assert.ok(linked.json.errors.some((e: any) => e.code === 1321));
  });

  it('checks references on write and names what is missing', async () => {
    const res = await s.api('POST', base, {
      name: 'refs',
      decision: 'allow',
      include: [{ group: { id: 'no-such-group' } }, { ip_list: { id: 'no-such-list' } }, { login_method: { id: 'no-such-idp' } }],
      require: [{ device_posture: { integration_uid: 'no-such-rule' } }],
    });
    assert.equal(res.status, 400);
    const got = res.json.errors.map((e: any) => [e.code, e.source.pointer]);
    assert.deepEqual(got, [
      [1322, '/include/0/group/id'],
      [1323, '/include/1/ip_list/id'],
      [1325, '/include/2/login_method/id'],
      [1327, '/require/0/device_posture/integration_uid'],
    ]);
    assert.match(res.json.errors[0].message, /no-such-group/);
  });

  it('returns lint warnings in messages and still saves', async () => {
    const res = await s.api('POST', base, {
      name: 'Everybody',
      decision: 'allow',
      include: [{ everyone: {} }],
      approval_groups: [{ approvals_needed: 1, email_addresses: ['boss@example.com'] }],
    });
    assert.equal(res.status, 201);
    assert.deepEqual(res.json.messages.map((m: any) => [m.code, m.source.pointer]), [
      [1400, '/include/0'],
      [1405, '/approval_groups'],
    ]);
    const again = await s.api('GET', `${base}/${res.json.result.id}`);
    assert.equal(again.status, 200);
    assert.deepEqual(again.json.messages, []);
  });

  it('answers 404 in the envelope for unknown ids on get, update and delete', async () => {
    for (const [method, body] of [['GET'], ['PUT', { name: 'x', decision: 'allow', include: [{ everyone: {} }] }], ['DELETE']] as const) {
      const res = await s.api(method, `${base}/6f1c3a5e-0000-4000-8000-000000000000`, body);
      assert.equal(res.status, 404, method);
      assert.equal(res.json.errors[0].code, 1102);
      assert.match(res.json.errors[0].message, /Access policy/);
    }
  });

  it('keeps accounts apart', async () => {
    const created = await s.cf.zeroTrust.access.policies.create({ account_id: account, name: 'mine', decision: 'allow', include: [{ everyone: {} }] });
    const other = randomAccountId();
    await assert.rejects(s.cf.zeroTrust.access.policies.get(created.id!, { account_id: other }), Cloudflare.NotFoundError);
    const listed = await s.api('GET', `/accounts/${other}/access/policies`);
    assert.deepEqual(listed.json.result, []);
  });
});
