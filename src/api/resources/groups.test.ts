// Access groups through the official SDK and raw HTTP, on SQLite and PostgreSQL.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import Cloudflare from 'cloudflare';
import { randomAccountId } from '../../../test/support/server.js';
import { describeEachDatabase } from '../../../test/support/suite.js';

await describeEachDatabase('Access groups API', (s) => {

  it('creates, reads, replaces, lists with filters and deletes through the SDK', async () => {
    const account = randomAccountId();
    const created = await s.cf.zeroTrust.access.groups.create({ account_id: account, name: 'Contractors', include: [{ email_domain: { domain: 'contractor.io' } }] });
    assert.deepEqual(created.include, [{ email_domain: { domain: 'contractor.io' } }]);
    assert.deepEqual(created.exclude, []);
    assert.deepEqual(await s.cf.zeroTrust.access.groups.get(created.id!, { account_id: account }), created);
    const updated = await s.cf.zeroTrust.access.groups.update(created.id!, {
      account_id: account,
      name: 'Contractors (DE)',
      include: [{ email_domain: { domain: 'contractor.io' } }],
      require: [{ geo: { country_code: 'DE' } }],
    });
    assert.equal(updated.name, 'Contractors (DE)');
    for (const name of ['Admins', 'Auditors', 'Engineers']) {
      await s.cf.zeroTrust.access.groups.create({ account_id: account, name, include: [{ email: { email: `${name.toLowerCase()}@example.com` } }] });
    }
    const all: string[] = [];
    for await (const g of s.cf.zeroTrust.access.groups.list({ account_id: account, per_page: 2 })) all.push(g.name!);
    assert.deepEqual(all, ['Contractors (DE)', 'Admins', 'Auditors', 'Engineers']);
    const searched = await s.api('GET', `/accounts/${account}/access/groups?search=AUD`);
    assert.deepEqual(searched.json.result.map((g: any) => g.name), ['Auditors']);
    const named = await s.api('GET', `/accounts/${account}/access/groups?name=Admins`);
    assert.deepEqual(named.json.result.map((g: any) => g.name), ['Admins']);
    await s.cf.zeroTrust.access.groups.delete(created.id!, { account_id: account });
    await assert.rejects(s.cf.zeroTrust.access.groups.get(created.id!, { account_id: account }), Cloudflare.NotFoundError);
  });

  it('refuses a change that would make groups reference each other in a cycle', async () => {
    const account = randomAccountId();
    const a = await s.cf.zeroTrust.access.groups.create({ account_id: account, name: 'A', include: [{ everyone: {} }] });
    const b = await s.cf.zeroTrust.access.groups.create({ account_id: account, name: 'B', include: [{ group: { id: a.id! } }] });
    const res = await s.api('PUT', `/accounts/${account}/access/groups/${a.id}`, { name: 'A', include: [{ group: { id: b.id } }] });
    assert.equal(res.status, 400);
    assert.equal(res.json.errors[0].code, 1329);
    assert.equal(res.json.errors[0].source.pointer, '/include/0/group/id');
    assert.match(res.json.errors[0].message, /"A" → "B" → "A"/);
    const self = await s.api('PUT', `/accounts/${account}/access/groups/${a.id}`, { name: 'A', include: [{ group: { id: a.id } }] });
    assert.equal(self.status, 400);
    assert.equal(self.json.errors[0].code, 1329);
  });

  it('refuses to delete a group still in use and says who uses it', async () => {
    const account = randomAccountId();
    const inner = await s.cf.zeroTrust.access.groups.create({ account_id: account, name: 'Inner', include: [{ everyone: {} }] });
    const outer = await s.cf.zeroTrust.access.groups.create({ account_id: account, name: 'Outer', include: [{ group: { id: inner.id! } }] });
    const policy = await s.cf.zeroTrust.access.policies.create({ account_id: account, name: 'Uses inner', decision: 'allow', include: [{ group: { id: inner.id! } }] });
    const res = await s.api('DELETE', `/accounts/${account}/access/groups/${inner.id}`);
    assert.equal(res.status, 409);
    assert.equal(res.headers.get('x-should-retry'), 'false');
    assert.equal(res.json.errors[0].code, 1201);
    assert.match(res.json.errors[0].message, /"Outer"/);
    assert.match(res.json.errors[0].message, /"Uses inner"/);
    await assert.rejects(s.cf.zeroTrust.access.groups.delete(inner.id!, { account_id: account }), Cloudflare.ConflictError);
    await s.cf.zeroTrust.access.policies.delete(policy.id!, { account_id: account });
    await s.cf.zeroTrust.access.groups.delete(outer.id!, { account_id: account });
    await s.cf.zeroTrust.access.groups.delete(inner.id!, { account_id: account });
  });

  it('keeps identity selectors out of bypass policies, also through groups and later edits', async () => {
    const account = randomAccountId();
    const office = await s.cf.zeroTrust.access.groups.create({ account_id: account, name: 'Office', include: [{ ip: { ip: '192.0.2.0/24' } }] });
    const wrapper = await s.cf.zeroTrust.access.groups.create({ account_id: account, name: 'Wrapper', include: [{ group: { id: office.id! } }] });
    const bypass = await s.cf.zeroTrust.access.policies.create({ account_id: account, name: 'Office bypass', decision: 'bypass', include: [{ group: { id: wrapper.id! } }] });
    assert.equal(bypass.decision, 'bypass');
    const res = await s.api('PUT', `/accounts/${account}/access/groups/${office.id}`, { name: 'Office', include: [{ email_domain: { domain: 'example.com' } }] });
    assert.equal(res.status, 400);
    assert.equal(res.json.errors[0].code, 1320);
    assert.match(res.json.errors[0].message, /"Office bypass"/);
    const identityGroup = await s.cf.zeroTrust.access.groups.create({ account_id: account, name: 'Staff', include: [{ email_domain: { domain: 'example.com' } }] });
    const refused = await s.api('POST', `/accounts/${account}/access/policies`, { name: 'x', decision: 'bypass', include: [{ group: { id: identityGroup.id } }] });
    assert.equal(refused.status, 400);
    assert.match(refused.json.errors[0].message, /"Staff"/);
  });

  it('validates group bodies with codes and pointers', async () => {
    const res = await s.api('POST', `/accounts/${randomAccountId()}/access/groups`, { include: [{ geo: { country_code: 'USA' } }], colour: 'red' });
    assert.equal(res.status, 400);
    assert.deepEqual(
      res.json.errors.map((e: any) => [e.code, e.source.pointer]).sort(),
      [
        [1301, '/name'],
        [1302, '/colour'],
        [1314, '/include/0/geo/country_code'],
      ].sort(),
    );
  });
});
