// Every write through the API is in the audit log, read with the official SDK: who (token and
// IP), what, before and after, secrets redacted; refused writes leave nothing; API token
// changes are in the user's log; reading needs its permission.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import Cloudflare from 'cloudflare';
import { randomAccountId } from '../../../test/support/server.js';
import { describeEachDatabase } from '../../../test/support/suite.js';
import { scopedToken } from '../../../test/support/tokens.js';

await describeEachDatabase('audit log', (s) => {
  it('records who wrote what, before and after, newest first, and pages through the SDK', async () => {
    const account = randomAccountId();
    const writer = await scopedToken(s.store, account, ['Access: Apps and Policies Write', 'Access: Organizations, Identity Providers, and Groups Write', 'Zero Trust: Seats Write']);
    const as = s.sdk(writer);
    const policy = await as.zeroTrust.access.policies.create({ account_id: account, name: 'v1', decision: 'allow', include: [{ everyone: {} }] });
    await as.zeroTrust.access.policies.update(policy.id!, { account_id: account, name: 'v2', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] });
    const refused = await s.api('POST', `/accounts/${account}/access/policies`, { name: 'bad', decision: 'allow', include: [] }, { authorization: `Bearer ${writer}` });
    assert.equal(refused.status, 400);
    await as.zeroTrust.identityProviders.create({ account_id: account, name: 'Okta', type: 'okta', config: { client_id: 'c', client_secret: 'top-secret', okta_account: 'https://x.okta.com' } });
    await s.api('POST', `/accounts/${account}/access/users/import`, { users: [{ email: 'a@example.com' }, { email: 'b@example.com' }] }, { authorization: `Bearer ${writer}` });
    await as.zeroTrust.access.policies.delete(policy.id!, { account_id: account });

    const entries: any[] = [];
    for await (const e of s.cf.auditLogs.list({ account_id: account, per_page: 2 } as never)) entries.push(e);
    assert.deepEqual(
      entries.map((e) => [e.action.type, e.resource.type]),
      [['delete', 'policy'], ['import', 'users'], ['create', 'identity_provider'], ['update', 'policy'], ['create', 'policy']],
      'the refused write left nothing',
    );
    const verify = await s.sdk(writer).user.tokens.verify();
    for (const e of entries) {
      assert.equal(e.actor.id, verify.id, 'the token that wrote');
      assert.equal(e.actor.ip, '127.0.0.1');
      assert.equal(e.interface, 'API');
      assert.equal(e.owner.id, account);
      assert.ok(Date.parse(e.when) > 0);
    }
    const update = entries[3];
    assert.equal(JSON.parse(update.oldValue).name, 'v1');
    assert.equal(JSON.parse(update.newValue).name, 'v2');
    assert.equal(update.metadata.method, 'PUT');
    assert.equal(update.metadata.path, `/client/v4/accounts/${account}/access/policies/${policy.id}`);
    assert.ok(!JSON.stringify(entries).includes('top-secret'), 'secrets never reach the log');
    assert.equal(JSON.parse(entries[2].newValue).config.client_secret, '[redacted]');
    assert.deepEqual(JSON.parse(entries[1].newValue), { created: 2, updated: 0, unchanged: 0 });
    assert.equal(entries[0].newValue, undefined);

    const filtered = await s.api('GET', `/accounts/${account}/audit_logs?action[type]=create&direction=asc`);
    assert.deepEqual(filtered.json.result.map((e: any) => e.resource.type), ['policy', 'identity_provider']);
    const byResource = await s.api('GET', `/accounts/${account}/audit_logs?resource.id=${policy.id}`);
    assert.equal(byResource.json.result_info.total_count, 3);
  });

  it('keeps API token changes in the user log, and needs a permission to be read', async () => {
    const account = randomAccountId();
    const created = await s.cf.user.tokens.create({ name: 'ci', policies: [{ effect: 'allow', permission_groups: [{ id: 'Zero Trust Read' }], resources: { [`com.cloudflare.api.account.${account}`]: '*' } }] });
    await s.cf.user.tokens.value.update(created.id!, {} as never);
    const log = await s.api('GET', `/user/audit_logs?resource[id]=${created.id}`);
    assert.deepEqual(log.json.result.map((e: any) => [e.action.type, e.actor.id, e.actor.type]), [['roll', 'root', 'admin'], ['create', 'root', 'admin']]);
    assert.ok(!JSON.stringify(log.json).includes(created.value!), 'no secret in the log');

    const reader = await scopedToken(s.store, account, ['Zero Trust Read']);
    await assert.rejects(s.sdk(reader).auditLogs.list({ account_id: account }), Cloudflare.PermissionDeniedError);
    const auditor = await scopedToken(s.store, account, ['Access: Audit Logs Read']);
    assert.equal((await s.sdk(auditor).auditLogs.list({ account_id: account })).result.length, 0, 'an account with no writes has an empty log');
  });

  it('filters by since and before as instants, whatever the offset, precision or case they are written in', async () => {
    const account = randomAccountId();
    await s.cf.zeroTrust.access.policies.create({ account_id: account, name: 'timed', decision: 'allow', include: [{ everyone: {} }] });
    const [written] = (await s.api('GET', `/accounts/${account}/audit_logs`)).json.result;
    const at = Date.parse(written.when);
    const second = Math.floor(at / 1000) * 1000;
    const count = async (query: string) => {
      const answer = await s.api('GET', `/accounts/${account}/audit_logs?${query}`);
      assert.equal(answer.status, 200, `${query}: ${JSON.stringify(answer.json.errors)}`);
      return answer.json.result_info.total_count as number;
    };
    const q = (name: string, text: string) => `${name}=${encodeURIComponent(text)}`;
    for (const [label, text] of [
      ['UTC, to the second', inZone(second, 0)],
      ['UTC, as written', written.when],
      ['+01:00', inZone(second, 60)],
      ['-09:30', inZone(second, -570)],
      ['lower-case t and z', inZone(second, 0).toLowerCase()],
    ]) {
      assert.equal(await count(q('since', text)), 1, `since ${label}: ${text}`);
      assert.equal(await count(q('before', text)), 0, `before ${label}: ${text}`);
    }
    const later = inZone(second + 1000, 60);
    assert.equal(await count(q('since', later)), 0, `since ${later}`);
    assert.equal(await count(q('before', later)), 1, `before ${later}`);
    assert.equal(await count(`${q('since', inZone(second, 120))}&${q('before', later.toLowerCase())}`), 1);
  });

  it('refuses a since or before it cannot read', async () => {
    const account = randomAccountId();
    for (const name of ['since', 'before']) {
      for (const text of ['yesterday', '2026-12-03', '2016-12-31T23:59:60Z', '2026-12-03T08:00:00+01', '2026-02-30T00:00:00Z']) {
        const answer = await s.api('GET', `/accounts/${account}/audit_logs?${name}=${encodeURIComponent(text)}`);
        assert.equal(answer.status, 400, `${name}=${text}`);
        assert.match(answer.json.errors[0].message, new RegExp(name), `${name}=${text}`);
      }
    }
  });
});

/** `ms` written as an RFC 3339 local time at `offsetMinutes` from UTC, to the second. */
function inZone(ms: number, offsetMinutes: number): string {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 19);
  if (offsetMinutes === 0) return `${local}Z`;
  const abs = Math.abs(offsetMinutes);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${local}${offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
