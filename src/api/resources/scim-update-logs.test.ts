// Cloudflare's SCIM update logs (logs.scim.updates.list) through the official SDK: every SCIM
// write an identity provider pushes, succeeded or refused, with Cloudflare's fields and filters,
// only the providers asked for, passwords never kept. SQLite and PostgreSQL.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import Cloudflare from 'cloudflare';
import { randomAccountId } from '../../../test/support/server.js';
import { describeEachDatabase, type SuiteServer } from '../../../test/support/suite.js';
import { scimClient, type ScimClient } from '../../../test/support/scim-client.js';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

async function provider(s: SuiteServer, account: string, name: string): Promise<{ id: string; scim: ScimClient }> {
  const created = await s.api('POST', `/accounts/${account}/access/identity_providers`, { name, type: 'okta', config: { client_id: 'c', client_secret: 'cs' }, scim_config: { enabled: true } });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  return { id: created.json.result.id, scim: scimClient(created.json.result.scim_config.scim_base_url, created.json.result.scim_config.secret) };
}

await describeEachDatabase('SCIM update logs', (s) => {
  it("lists each provider's SCIM writes in Cloudflare's shape, filtered and paged", async () => {
    const account_id = randomAccountId();
    const okta = await provider(s, account_id, 'Okta');
    const entra = await provider(s, account_id, 'Entra');
    const ann = await okta.scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'ann@example.com', externalId: 'okta-ann', password: 'hunter2', emails: [{ value: 'ann@example.com', primary: true }] });
    assert.equal(ann.status, 201, JSON.stringify(ann.json));
    const twice = await okta.scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'ann@example.com', externalId: 'okta-ann' });
    assert.equal(twice.status, 409);
    const group = await okta.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Engineering', externalId: 'okta-eng' });
    assert.equal(group.status, 201, JSON.stringify(group.json));
    assert.equal((await okta.scim('DELETE', `/Users/${ann.json.id}`)).status, 204);
    assert.equal((await entra.scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'bob@example.com' })).status, 201);

    const list = (query: Record<string, unknown>) => s.cf.zeroTrust.access.logs.scim.updates.list({ account_id, idp_id: [okta.id], ...query } as never);
    const all = (await list({})).result;
    assert.deepEqual(
      all.map((e) => [e.request_method, e.resource_type, e.status]),
      [['DELETE', 'USER', 'SUCCESS'], ['POST', 'GROUP', 'SUCCESS'], ['POST', 'USER', 'FAILURE'], ['POST', 'USER', 'SUCCESS']],
      "newest first, only the provider's",
    );
    const created = all[3]!;
    assert.deepEqual([created.idp_id, created.cf_resource_id, created.idp_resource_id, created.resource_user_email], [okta.id, ann.json.id, 'okta-ann', 'ann@example.com']);
    assert.ok(Date.parse(created.logged_at!) > 0);
    assert.equal(JSON.parse(created.request_body!).userName, 'ann@example.com');
    assert.ok(!created.request_body!.includes('hunter2'), 'a password is never kept');
    assert.match(all[2]!.error_description!, /ann@example.com|exists/i);
    assert.equal(all[1]!.resource_group_name, 'Engineering');
    assert.equal(all[0]!.cf_resource_id, ann.json.id);

    assert.deepEqual((await list({ status: ['FAILURE'] })).result.length, 1);
    assert.deepEqual((await list({ resource_type: ['GROUP'] })).result.map((e) => e.resource_group_name), ['Engineering']);
    assert.deepEqual((await list({ request_method: ['DELETE', 'PUT'] })).result.length, 1);
    assert.deepEqual((await list({ resource_user_email: ['ann@example.com'], direction: 'asc' })).result.map((e) => e.request_method), ['POST', 'POST', 'DELETE']);
    assert.deepEqual((await list({ idp_resource_id: ['okta-eng'] })).result.length, 1);
    assert.deepEqual((await list({ cf_resource_id: [ann.json.id] })).result.map((e) => e.request_method), ['DELETE', 'POST'], 'the refused create made no resource');
    assert.equal((await list({ until: created.logged_at })).result.length, 0, 'until is before that time');
    assert.equal((await list({ since: '2999-01-01T00:00:00Z' })).result.length, 0);
    const both = (await s.cf.zeroTrust.access.logs.scim.updates.list({ account_id, idp_id: [okta.id, entra.id] })).result;
    assert.equal(both.length, 5);

    const paged: string[] = [];
    for await (const e of s.cf.zeroTrust.access.logs.scim.updates.list({ account_id, idp_id: [okta.id], per_page: 3 } as never)) paged.push(e.request_method!);
    assert.deepEqual(paged, ['DELETE', 'POST', 'POST', 'POST']);
    assert.equal((await list({ limit: 2 })).result.length, 2);

    await assert.rejects(s.cf.zeroTrust.access.logs.scim.updates.list({ account_id } as never), Cloudflare.BadRequestError, 'idp_id is required');
    assert.equal((await s.api('GET', `/accounts/${account_id}/access/logs/scim/updates?idp_id=${okta.id}&status=MAYBE`)).status, 400);
  });
});
