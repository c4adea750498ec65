// Access groups through the official SDK and raw HTTP, on SQLite and PostgreSQL.
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import assert from 'node:assert/strict';
import Cloudflare from 'cloudflare';
import { runPolicyTest } from '../../../test/support/policy-tests.js';
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

  it('limits nesting to 32 groups, also when a group deep in a chain changes, and never fails on deeper stored data', async () => {
    const account = randomAccountId();
    const groups = `/accounts/${account}/access/groups`;
    // Bottom up: level 31 matches, each level above references the one below.
    const ids: string[] = [];
    const leaf = await s.api('POST', groups, { name: 'Level 31', include: [{ email_domain: { domain: 'example.com' } }] });
    ids.unshift(leaf.json.result.id);
    for (let level = 30; level >= 0; level--) {
      const created = await s.api('POST', groups, { name: `Level ${level}`, include: [{ group: { id: ids[0] } }] });
      assert.equal(created.status, 201, `level ${level}`);
      ids.unshift(created.json.result.id);
    }
    const tooDeep = await s.api('POST', groups, { name: 'One too many', include: [{ group: { id: ids[0] } }] });
    assert.equal(tooDeep.status, 400);
    assert.equal(tooDeep.json.errors[0].code, 1330);
    assert.match(tooDeep.json.errors[0].message, /33 deep, more than the 32 allowed: "One too many" → "Level 0" → .* → "Level 31"/);
    // Making the leaf reference another group would push the chain to 33.
    const extra = await s.api('POST', groups, { name: 'Extra', include: [{ everyone: {} }] });
    const deeper = await s.api('PUT', `${groups}/${ids[31]}`, { name: 'Level 31', include: [{ group: { id: extra.json.result.id } }] });
    assert.equal(deeper.status, 400);
    assert.equal(deeper.json.errors[0].code, 1330);
    assert.match(deeper.json.errors[0].message, /31 levels of groups reference this one/);

    // A chain of 2,000 written straight to the store (as old data could be): answers, never a 500.
    const chain = Array.from({ length: 2000 }, () => randomUUID());
    await s.store.transaction(account, async (tx) => {
      for (let i = chain.length - 1; i >= 0; i--) {
        const include = i === chain.length - 1 ? [{ everyone: {} }] : [{ group: { id: chain[i + 1] } }];
        await tx.insertResource(
          { accountId: account, kind: 'group', id: chain[i], parentId: null, name: `Deep ${i}`, body: { name: `Deep ${i}`, include, require: [], exclude: [] }, secretHash: null, createdAt: new Date().toISOString() },
          i === chain.length - 1 ? [] : [{ kind: 'group', id: chain[i + 1] }],
        );
      }
      await tx.insertUser({ accountId: account, id: '6f1c3a5e-0000-4000-8000-00000000d33d', email: 'ada@example.com', name: 'Ada', identity: { email: 'ada@example.com' } });
    });
    const policies = [{ name: 'Deep', decision: 'allow', include: [{ group: { id: chain[0] } }] }];
    const evaluated = await s.api('POST', `/accounts/${account}/access/evaluate`, { policies, email: 'ada@example.com' });
    assert.equal(evaluated.status, 200, JSON.stringify(evaluated.json.errors));
    assert.equal(evaluated.json.result.explanation.policies[0].include[0].reason.code, 'group_too_deep');
    const { id, progress } = await runPolicyTest(s, account, { policies });
    assert.equal(progress.users_errored, 1, 'an undecidable user is an error, not a grant');
    const explained = await s.api('GET', `/accounts/${account}/access/policy-tests/${id}/users/6f1c3a5e-0000-4000-8000-00000000d33d`);
    assert.equal(explained.status, 200);
    const policy = await s.api('POST', `/accounts/${account}/access/policies`, { name: 'Deep', decision: 'allow', include: [{ group: { id: chain[0] } }] });
    assert.ok(policy.status < 500);
    const app = await s.api('POST', `/accounts/${account}/access/apps`, { type: 'self_hosted', domain: 'deep.example.com', name: 'Deep', policies: [{ ...policies[0], precedence: 1 }] });
    assert.ok(app.status < 500, JSON.stringify(app.json.errors));
    if (app.status === 201) {
      const checks = await s.api('GET', `/accounts/${account}/access/apps/${app.json.result.id}/user_policy_checks?email=ada@example.com`);
      assert.equal(checks.status, 200);
      assert.ok(JSON.stringify(checks.json).length < 100_000, 'the explanation stays small');
    }
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
        [1314, '/include/0/geo/country_code'],
      ].sort(),
    );
  });
});
