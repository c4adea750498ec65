// Gateway lists through the official SDK and raw HTTP, on SQLite and PostgreSQL.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import Cloudflare from 'cloudflare';
import { randomAccountId } from '../../../test/support/server.js';
import { describeEachDatabase } from '../../../test/support/suite.js';

await describeEachDatabase('Gateway lists API', (s) => {

  it('creates, reads, updates, patches, lists and deletes through the SDK', async () => {
    const account = randomAccountId();
    const created = await s.cf.zeroTrust.gateway.lists.create({
      account_id: account,
      name: 'Office ranges',
      type: 'IP',
      description: 'HQ and VPN',
      items: [{ value: '192.0.2.0/24', description: 'HQ' }, { value: '2001:db8::/32' }, { value: '198.51.100.7' }],
    });
    assert.match(created.id!, /^[0-9a-f-]{36}$/);
    assert.equal(created.name, 'Office ranges');
    assert.equal(created.type, 'IP');
    assert.equal(created.description, 'HQ and VPN');
    assert.deepEqual(
      created.items!.map((i) => [i.value, i.description]),
      [
        ['192.0.2.0/24', 'HQ'],
        ['198.51.100.7', undefined],
        ['2001:db8::/32', undefined],
      ],
    );
    assert.ok(created.items!.every((i) => Date.parse(i.created_at!) > 0));

    const got = await s.cf.zeroTrust.gateway.lists.get(created.id!, { account_id: account });
    assert.equal(got.count, 3);
    assert.equal(got.items, undefined, 'a read answers the count, not the entries');
    assert.equal(got.created_at, created.created_at);

    const renamed = await s.cf.zeroTrust.gateway.lists.update(created.id!, { account_id: account, name: 'Offices' });
    assert.equal(renamed.name, 'Offices');
    assert.equal(renamed.type, 'IP');
    assert.equal(renamed.description, undefined, 'PUT replaces the description');
    assert.equal(renamed.count, 3, 'PUT without items keeps the entries');

    const patched = await s.cf.zeroTrust.gateway.lists.edit(created.id!, {
      account_id: account,
      append: [{ value: '203.0.113.0/24', description: 'DC' }, { value: '192.0.2.0/24', description: 'ignored: already there' }],
      remove: ['198.51.100.7', '10.9.9.9'],
    });
    assert.equal(patched.count, 3);
    assert.ok(patched.updated_at! >= renamed.updated_at!);

    const items: { value?: string; description?: string }[] = [];
    for await (const item of s.cf.zeroTrust.gateway.lists.items.list(created.id!, { account_id: account })) items.push(item);
    assert.deepEqual(
      items.map((i) => [i.value, i.description]).sort(),
      [
        ['192.0.2.0/24', 'HQ'],
        ['2001:db8::/32', undefined],
        ['203.0.113.0/24', 'DC'],
      ],
    );

    await s.cf.zeroTrust.gateway.lists.create({ account_id: account, name: 'Admins', type: 'EMAIL', items: [{ value: 'root@example.com' }] });
    const all: string[] = [];
    for await (const l of s.cf.zeroTrust.gateway.lists.list({ account_id: account })) all.push(`${l.name}:${l.type}:${l.count}`);
    assert.deepEqual(all, ['Offices:IP:3', 'Admins:EMAIL:1']);
    const emailOnly = await s.cf.zeroTrust.gateway.lists.list({ account_id: account, type: 'EMAIL' });
    assert.deepEqual(emailOnly.result.map((l) => l.name), ['Admins']);

    await s.cf.zeroTrust.gateway.lists.delete(created.id!, { account_id: account });
    await assert.rejects(s.cf.zeroTrust.gateway.lists.get(created.id!, { account_id: account }), Cloudflare.NotFoundError);
    const gone = await s.api('GET', `/accounts/${account}/gateway/lists/${created.id}/items`);
    assert.equal(gone.status, 404);
  });

  it('filters and orders the list as the SDK documents: type, search, filter, order_by, direction', async () => {
    const account = randomAccountId();
    const make = async (name: string, type: 'IP' | 'EMAIL' | 'DOMAIN', values: string[], description?: string) =>
      (await s.cf.zeroTrust.gateway.lists.create({ account_id: account, name, type, ...(description !== undefined ? { description } : {}), items: values.map((value) => ({ value })) })).id!;
    const office = await make('Office ranges', 'IP', ['192.0.2.0/24', '198.51.100.0/24']);
    await make('Auditors', 'EMAIL', ['a@example.com'], 'Quarterly AUDIT reviewers');
    await make('blocked domains', 'DOMAIN', ['bad.example', 'worse.example', 'worst.example']);
    await make('VPN exits', 'IP', []);
    const names = async (params: Record<string, unknown>) => {
      const all: string[] = [];
      for await (const list of s.cf.zeroTrust.gateway.lists.list({ account_id: account, ...params } as never)) all.push(list.name!);
      return all;
    };
    assert.deepEqual(await names({}), ['Office ranges', 'Auditors', 'blocked domains', 'VPN exits']);
    assert.deepEqual(await names({ type: 'IP' }), ['Office ranges', 'VPN exits']);
    assert.deepEqual(await names({ search: 'audit' }), ['Auditors'], 'search looks at the description too');
    assert.deepEqual(await names({ search: 'RANGES' }), ['Office ranges']);
    assert.deepEqual(await names({ filter: ['type:IP'] }), ['Office ranges', 'VPN exits']);
    assert.deepEqual(await names({ filter: ['name:OFFICE'] }), ['Office ranges']);
    assert.deepEqual(await names({ filter: ['type:IP', 'item_count:0'] }), ['VPN exits'], 'filters combine');
    assert.deepEqual(await names({ filter: [`id:${office.replaceAll('-', '').slice(4, 20)}`] }), ['Office ranges'], 'id without dashes');
    assert.deepEqual(await names({ filter: ['type:EMAIL'], type: 'IP' }), ['Auditors'], 'a type: filter supersedes type');
    assert.deepEqual(await names({ filter: ['name:nothing'] }), []);
    assert.deepEqual(await names({ order_by: 'name' }), ['Auditors', 'blocked domains', 'Office ranges', 'VPN exits']);
    assert.deepEqual(await names({ order_by: 'item_count', direction: 'desc' }), ['blocked domains', 'Office ranges', 'Auditors', 'VPN exits']);
    assert.deepEqual(await names({ order_by: 'created_at' }), ['VPN exits', 'blocked domains', 'Auditors', 'Office ranges'], 'created_at named: newest first');
    assert.deepEqual(await names({ direction: 'desc' }), ['VPN exits', 'blocked domains', 'Auditors', 'Office ranges']);

    const raw = await s.api('GET', `/accounts/${account}/gateway/lists?filter=type:IP&filter=name:vpn`);
    assert.deepEqual([raw.status, raw.json.result.map((l: { name: string }) => l.name), raw.json.result_info.total_count], [200, ['VPN exits'], 1]);
    // Nothing found: no page at all, as every other list of the API (and the posture rules' one page) says it.
    const none = await s.api('GET', `/accounts/${account}/gateway/lists?filter=name:nothing`);
    assert.deepEqual(none.json.result_info, { page: 1, per_page: 0, count: 0, total_count: 0, total_pages: 0 });
    for (const bad of ['filter=colour:red', 'filter=type:PHONE', 'filter=item_count:-1', 'order_by=size', 'direction=up']) {
      const refused = await s.api('GET', `/accounts/${account}/gateway/lists?${bad}`);
      assert.equal(refused.status, 400, bad);
      assert.equal(refused.json.success, false);
    }
  });

  it('pages entries: the SDK auto-paginates and stops at the empty page past the last one', async () => {
    const account = randomAccountId();
    const values = Array.from({ length: 7 }, (_, i) => `SN-${String(i).padStart(3, '0')}`);
    const list = await s.cf.zeroTrust.gateway.lists.create({ account_id: account, name: 'Serials', type: 'SERIAL', items: values.map((value) => ({ value })) });
    const seen: string[] = [];
    for await (const item of s.cf.zeroTrust.gateway.lists.items.list(list.id!, { account_id: account, per_page: 3 })) seen.push(item.value!);
    assert.deepEqual(seen, values);

    const base = `/accounts/${account}/gateway/lists/${list.id}/items`;
    const third = await s.api('GET', `${base}?page=3&per_page=3`);
    assert.equal(third.status, 200);
    assert.deepEqual(third.json.result.map((i: any) => i.value), ['SN-006']);
    assert.deepEqual(third.json.result_info, { page: 3, per_page: 3, count: 1, total_count: 7, total_pages: 3 });
    const past = await s.api('GET', `${base}?page=4&per_page=3`);
    assert.deepEqual(past.json.result, []);
    const first = await s.api('GET', base);
    assert.equal(first.json.result_info.per_page, 50, 'Cloudflare pages list items 50 at a time');
    assert.deepEqual(Object.keys(first.json.result[0]).sort(), ['created_at', 'value']);
  });

  it('checks every entry against the list type and points at each bad one', async () => {
    const base = `/accounts/${randomAccountId()}/gateway/lists`;
    const ip = await s.api('POST', base, {
      name: 'ips',
      type: 'IP',
      items: [{ value: '10.0.0.0/8' }, { value: '10.0.0.0/33' }, { value: '::1' }, { value: 'not-an-ip' }],
    });
    assert.equal(ip.status, 400);
    assert.deepEqual(ip.json.errors.map((e: any) => [e.code, e.source.pointer]), [
      [1313, '/items/1/value'],
      [1313, '/items/3/value'],
    ]);
    assert.match(ip.json.errors[1].message, /"not-an-ip"/);

    const email = await s.api('POST', base, { name: 'emails', type: 'EMAIL', items: [{ value: 'ok@example.com' }, { value: 'nope' }] });
    assert.deepEqual(email.json.errors.map((e: any) => [e.code, e.source.pointer]), [[1311, '/items/1/value']]);

    const domain = await s.api('POST', base, { name: 'domains', type: 'DOMAIN', items: [{ value: 'example.com' }, { value: 'bad domain' }, { value: '-x.org' }] });
    assert.deepEqual(domain.json.errors.map((e: any) => [e.code, e.source.pointer]), [
      [1312, '/items/1/value'],
      [1312, '/items/2/value'],
    ]);

    const schema = await s.api('POST', base, { type: 'COLOURS', items: [{ description: 'no value' }], extra: 1 });
    assert.deepEqual(
      schema.json.errors.map((e: any) => [e.code, e.source.pointer]).sort(),
      [
        [1301, '/items/0/value'],
        [1301, '/name'],
        [1303, '/type'],
      ].sort(),
    );

    const list = await s.cf.zeroTrust.gateway.lists.create({ account_id: base.split('/')[2], name: 'ips', type: 'IP' });
    const patch = await s.api('PATCH', `${base}/${list.id}`, { append: [{ value: '192.0.2.1' }, { value: '192.0.2.300' }] });
    assert.equal(patch.status, 400);
    assert.deepEqual(patch.json.errors.map((e: any) => [e.code, e.source.pointer]), [[1313, '/append/1/value']]);
    assert.equal((await s.cf.zeroTrust.gateway.lists.get(list.id!, { account_id: base.split('/')[2] })).count, 0, 'a refused PATCH adds nothing');
  });

  it('refuses more entries per request than the limit', async () => {
    const base = `/accounts/${randomAccountId()}/gateway/lists`;
    const items = Array.from({ length: 10_001 }, (_, i) => ({ value: `S${i}` }));
    const res = await s.api('POST', base, { name: 'big', type: 'SERIAL', items }, {});
    assert.equal(res.status, 400);
    assert.deepEqual(res.json.errors.map((e: any) => [e.code, e.source.pointer]), [[1350, '/items']]);
    const ok = await s.api('POST', base, { name: 'big', type: 'SERIAL', items: items.slice(1) });
    assert.equal(ok.status, 200);
    assert.equal(ok.json.result.items.length, 10_000);
  });

  it('never changes a list type, and accepts the current one', async () => {
    const account = randomAccountId();
    const list = await s.cf.zeroTrust.gateway.lists.create({ account_id: account, name: 'people', type: 'EMAIL' });
    const changed = await s.api('PUT', `/accounts/${account}/gateway/lists/${list.id}`, { name: 'people', type: 'IP' });
    assert.equal(changed.status, 400);
    assert.deepEqual(changed.json.errors.map((e: any) => [e.code, e.source.pointer]), [[1354, '/type']]);
    assert.match(changed.json.errors[0].message, /EMAIL/);
    const same = await s.api('PUT', `/accounts/${account}/gateway/lists/${list.id}`, { name: 'staff', type: 'EMAIL', description: 'all staff' });
    assert.equal(same.status, 200);
    assert.equal(same.json.result.name, 'staff');
    assert.equal(same.json.result.description, 'all staff');
    await assert.rejects(s.cf.zeroTrust.gateway.lists.update(list.id!, { account_id: account, name: 'x', items: [{ value: 'not an email' }] }), Cloudflare.BadRequestError);
  });

  it('replaces the entries when PUT carries items, as the current SDK documents', async () => {
    const account = randomAccountId();
    const list = await s.cf.zeroTrust.gateway.lists.create({ account_id: account, name: 'urls', type: 'URL', items: [{ value: 'example.com/a' }, { value: 'example.com/b' }] });
    const updated = await s.cf.zeroTrust.gateway.lists.update(list.id!, { account_id: account, name: 'urls', items: [{ value: 'example.com/c' }] });
    assert.equal(updated.count, 1);
    const page = await s.cf.zeroTrust.gateway.lists.items.list(list.id!, { account_id: account });
    assert.deepEqual(page.result.map((i) => i.value), ['example.com/c']);
    const copy = await s.cf.zeroTrust.gateway.lists.create({ account_id: account, name: 'copy', type: 'URL', items: page.result });
    assert.deepEqual(copy.items!.map((i) => i.value), ['example.com/c'], 'items read from a list, created_at included, can be sent back');
  });

  it('compares EMAIL entries case-insensitively and keeps the first spelling', async () => {
    const account = randomAccountId();
    const list = await s.cf.zeroTrust.gateway.lists.create({
      account_id: account,
      name: 'admins',
      type: 'EMAIL',
      items: [{ value: 'Alice@Example.com' }, { value: 'alice@example.com' }, { value: 'bob@example.com' }],
    });
    assert.deepEqual(list.items!.map((i) => i.value), ['Alice@Example.com', 'bob@example.com']);
    const appended = await s.cf.zeroTrust.gateway.lists.edit(list.id!, { account_id: account, append: [{ value: 'BOB@example.com' }, { value: 'carol@example.com' }] });
    assert.equal(appended.count, 3);
    const removed = await s.cf.zeroTrust.gateway.lists.edit(list.id!, { account_id: account, remove: ['ALICE@example.COM'] });
    assert.equal(removed.count, 2);
    const replaced = await s.cf.zeroTrust.gateway.lists.edit(list.id!, { account_id: account, remove: ['bob@example.com'], append: [{ value: 'Bob@Example.com', description: 'renamed' }] });
    assert.equal(replaced.count, 2);
    const page = await s.api('GET', `/accounts/${account}/gateway/lists/${list.id}/items`);
    assert.deepEqual(page.json.result.map((i: any) => [i.value, i.description]).sort(), [
      ['Bob@Example.com', 'renamed'],
      ['carol@example.com', undefined],
    ]);
  });

  it('refuses to delete a list a policy rule or an approval group uses, and says who', async () => {
    const account = randomAccountId();
    const ips = await s.cf.zeroTrust.gateway.lists.create({ account_id: account, name: 'blocked ranges', type: 'IP', items: [{ value: '203.0.113.0/24' }] });
    const approvers = await s.cf.zeroTrust.gateway.lists.create({ account_id: account, name: 'approvers', type: 'EMAIL', items: [{ value: 'boss@example.com' }] });
    const policy = await s.cf.zeroTrust.access.policies.create({
      account_id: account,
      name: 'Block ranges',
      decision: 'deny',
      include: [{ ip_list: { id: ips.id! } }],
    });
    const approval = await s.cf.zeroTrust.access.policies.create({
      account_id: account,
      name: 'Needs approval',
      decision: 'allow',
      include: [{ everyone: {} }],
      approval_required: true,
      approval_groups: [{ approvals_needed: 1, email_list_uuid: approvers.id! }],
    });

    const res = await s.api('DELETE', `/accounts/${account}/gateway/lists/${ips.id}`, {});
    assert.equal(res.status, 409);
    assert.equal(res.json.errors[0].code, 1201);
    assert.match(res.json.errors[0].message, /"Block ranges"/);
    assert.equal(res.headers.get('x-should-retry'), 'false');
    await assert.rejects(s.cf.zeroTrust.gateway.lists.delete(ips.id!, { account_id: account }), Cloudflare.ConflictError);
    await assert.rejects(s.cf.zeroTrust.gateway.lists.delete(approvers.id!, { account_id: account }), (err: unknown) => err instanceof Cloudflare.ConflictError && /Needs approval/.test(err.message));
    assert.equal((await s.cf.zeroTrust.gateway.lists.get(ips.id!, { account_id: account })).count, 1, 'a refused delete keeps the entries');

    await s.cf.zeroTrust.access.policies.delete(policy.id!, { account_id: account });
    await s.cf.zeroTrust.access.policies.delete(approval.id!, { account_id: account });
    const deleted = await s.api('DELETE', `/accounts/${account}/gateway/lists/${ips.id}`, {});
    assert.equal(deleted.status, 200);
    assert.deepEqual(deleted.json.result, {});
    await s.cf.zeroTrust.gateway.lists.delete(approvers.id!, { account_id: account });
  });

  it('answers 404 in the envelope for unknown lists', async () => {
    const base = `/accounts/${randomAccountId()}/gateway/lists/6f1c3a5e-0000-4000-8000-000000000000`;
    for (const [method, body] of [['GET'], ['PUT', { name: 'x' }], ['PATCH', { append: [] }], ['DELETE', {}]] as const) {
      const res = await s.api(method, base, body);
      assert.equal(res.status, 404, method);
      assert.equal(res.json.errors[0].code, 1102);
      assert.match(res.json.errors[0].message, /Gateway list/);
    }
  });
});
