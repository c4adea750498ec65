// Cloudflare's read-only SCIM listings of an identity provider (docs/identity-providers.md
// "What was provisioned"), on SQLite and PostgreSQL: users and groups pushed through the
// provider's SCIM service come back in Cloudflare's shape, only the provider's own, filtered by
// Cloudflare's query parameters and paged; an unknown provider is Cloudflare's 404.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { randomAccountId } from '../../../test/support/server.js';
import { describeEachDatabase, type SuiteServer } from '../../../test/support/suite.js';
import { scimClient, type ScimClient } from '../../../test/support/scim-client.js';

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
/** The fields of Cloudflare's access_users and access_groups schemas: nothing else is answered. */
const CLOUDFLARE_USER_FIELDS = ['active', 'displayName', 'emails', 'externalId', 'id', 'meta', 'schemas'];
const CLOUDFLARE_GROUP_FIELDS = ['displayName', 'externalId', 'id', 'meta', 'schemas'];

interface Provider {
  readonly id: string;
  readonly scim: ScimClient;
}

async function provider(s: SuiteServer, account: string, name: string): Promise<Provider> {
  const created = await s.api('POST', `/accounts/${account}/access/identity_providers`, { name, type: 'okta', config: { client_id: 'c', client_secret: 'cs' }, scim_config: { enabled: true } });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  return { id: created.json.result.id, scim: scimClient(created.json.result.scim_config.scim_base_url, created.json.result.scim_config.secret) };
}

async function pushed(p: Provider, path: string, body: Record<string, unknown>): Promise<string> {
  const answer = await p.scim('POST', path, body);
  assert.equal(answer.status, 201, JSON.stringify(answer.json));
  return answer.json.id;
}

await describeEachDatabase('SCIM listings of an identity provider', (s) => {
  it('list the SCIM users and groups the provider pushed, in Cloudflare\'s shape, filtered and paged', async () => {
    const account = randomAccountId();
    const okta = await provider(s, account, 'Okta');
    const other = await provider(s, account, 'Other');
    const ada = await pushed(okta, '/Users', { schemas: [USER_SCHEMA], userName: 'ada@example.com', externalId: 'okta-ada', displayName: 'Ada Lovelace', emails: [{ value: 'ada@example.com', type: 'work', primary: true }], active: true });
    const grace = await pushed(okta, '/Users', {
      schemas: [USER_SCHEMA],
      userName: 'grace',
      name: { givenName: 'Grace', familyName: 'Hopper' },
      emails: [{ value: 'grace@example.com', type: 'work', primary: true }, { value: 'Grace.Hopper@Example.org', type: 'home' }],
    });
    const linus = await pushed(okta, '/Users', { schemas: [USER_SCHEMA], userName: 'linus@example.com', active: false });
    const elsewhere = await pushed(other, '/Users', { schemas: [USER_SCHEMA], userName: 'ada@example.com', emails: [{ value: 'ada@example.com' }] });
    const engineering = await pushed(okta, '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Engineering', externalId: 'okta-eng', members: [{ value: ada }] });
    const sales = await pushed(okta, '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Sales' });
    await pushed(other, '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Engineering' });

    const base = `/accounts/${account}/access/identity_providers/${okta.id}/scim`;
    const users = await s.api('GET', `${base}/users`);
    assert.equal(users.status, 200, JSON.stringify(users.json));
    assert.equal(users.json.success, true);
    assert.deepEqual(users.json.result.map((u: any) => u.id), [ada, grace, linus], "the provider's own, in the order they were pushed");
    const [first, second, third] = users.json.result;
    const created = first.meta.created;
    assert.ok(!Number.isNaN(Date.parse(created)) && !Number.isNaN(Date.parse(first.meta.lastModified)));
    assert.deepEqual(first, { id: ada, externalId: 'okta-ada', meta: { created, lastModified: first.meta.lastModified }, schemas: [USER_SCHEMA], active: true, displayName: 'Ada Lovelace', emails: [{ primary: true, type: 'work', value: 'ada@example.com' }] });
    assert.equal(second.displayName, 'Grace Hopper', 'given and family names when there is no displayName');
    assert.equal(second.externalId, undefined);
    assert.equal(third.active, false, 'a deactivated user is still listed, as inactive');
    for (const u of users.json.result) assert.deepEqual(Object.keys(u).filter((k) => !CLOUDFLARE_USER_FIELDS.includes(k)), [], 'only the fields of Cloudflare\'s schema');
    assert.deepEqual(users.json.result_info, { page: 1, per_page: 100, count: 3, total_count: 3, total_pages: 1 });

    const ids = async (query: string, what = 'users'): Promise<string[]> => {
      const answer = await s.api('GET', `${base}/${what}?${query}`);
      assert.equal(answer.status, 200, `${query}: ${JSON.stringify(answer.json)}`);
      assert.equal(answer.json.result_info.total_count, answer.json.result.length, query);
      return answer.json.result.map((r: any) => r.id);
    };
    assert.deepEqual(await ids('username=ADA@example.com'), [ada], 'username ignores case');
    assert.deepEqual(await ids('email=grace.hopper@example.org'), [grace], 'any of the emails');
    assert.deepEqual(await ids('name=grace%20hopper'), [grace]);
    assert.deepEqual(await ids('idp_resource_id=okta-ada'), [ada]);
    assert.deepEqual(await ids('idp_resource_id=OKTA-ADA'), [], 'ids match exactly');
    assert.deepEqual(await ids(`cf_resource_id=${grace}`), [grace]);
    assert.deepEqual(await ids(`cf_resource_id=${elsewhere}`), [], "another provider's user is not this one's");
    assert.deepEqual(await ids('username=ada@example.com&email=grace@example.com'), [], 'filters combine');
    assert.deepEqual(await ids(`username=grace&cf_resource_id=${grace}`), [grace]);
    assert.deepEqual(await ids('username=nobody'), []);

    const page1 = await s.api('GET', `${base}/users?per_page=2`);
    assert.deepEqual(page1.json.result.map((u: any) => u.id), [ada, grace]);
    assert.deepEqual(page1.json.result_info, { page: 1, per_page: 2, count: 2, total_count: 3, total_pages: 2 });
    const page2 = await s.api('GET', `${base}/users?per_page=2&page=2`);
    assert.deepEqual(page2.json.result.map((u: any) => u.id), [linus]);
    const filteredPage = await s.api('GET', `${base}/users?email=example.com&per_page=1`);
    assert.deepEqual(filteredPage.json.result, [], 'an email filter matches whole addresses only');
    const scanned = await s.api('GET', `${base}/users?name=Ada%20Lovelace&per_page=1&page=2`);
    assert.deepEqual([scanned.json.result.length, scanned.json.result_info.total_count], [0, 1], 'a filtered listing pages too');
    for (const query of ['per_page=101', 'page=0', 'per_page=abc']) {
      const refused = await s.api('GET', `${base}/users?${query}`);
      assert.equal(refused.status, 400, query);
      assert.equal(refused.json.success, false);
    }

    const groups = await s.api('GET', `${base}/groups`);
    assert.equal(groups.status, 200);
    assert.deepEqual(groups.json.result.map((g: any) => g.id), [engineering, sales]);
    const eng = groups.json.result[0];
    assert.deepEqual(eng, { id: engineering, externalId: 'okta-eng', meta: { created: eng.meta.created, lastModified: eng.meta.lastModified }, schemas: [GROUP_SCHEMA], displayName: 'Engineering' });
    for (const g of groups.json.result) assert.deepEqual(Object.keys(g).filter((k) => !CLOUDFLARE_GROUP_FIELDS.includes(k)), []);
    assert.deepEqual(await ids('name=engineering', 'groups'), [engineering], "one provider's, though another has a group of that name");
    assert.deepEqual(await ids('idp_resource_id=okta-eng', 'groups'), [engineering]);
    assert.deepEqual(await ids(`cf_resource_id=${sales}`, 'groups'), [sales]);

    // The answers fit the schemas the served OpenAPI document gives them.
    const doc = await (await fetch(`${s.apiUrl}/openapi.json`)).json();
    const ajv = addFormats(new Ajv({ strict: false }));
    for (const [what, answer] of [['users', users], ['groups', groups]] as const) {
      const operation = doc.paths[`/accounts/{account_id}/access/identity_providers/{identity_provider_id}/scim/${what}`].get;
      assert.equal(operation.operationId, `access-identity-providers-list-scim-${what === 'users' ? 'user' : 'group'}-resources`, "Cloudflare's operation id");
      const validate = ajv.compile(operation.responses['200'].content['application/json'].schema);
      assert.ok(validate(answer.json), ajv.errorsText(validate.errors));
    }
  });

  it("answers Cloudflare's 404 for an unknown identity provider, and an empty list for one that pushed nothing", async () => {
    const account = randomAccountId();
    for (const what of ['users', 'groups']) {
      const missing = await s.api('GET', `/accounts/${account}/access/identity_providers/00000000-0000-4000-8000-000000000000/scim/${what}`);
      assert.equal(missing.status, 404);
      assert.equal(missing.json.success, false);
      assert.equal(typeof missing.json.errors[0].code, 'number');
      assert.match(missing.json.errors[0].message, /identity provider/i);
      assert.deepEqual(missing.json.result, null);
    }
    const quiet = await s.api('POST', `/accounts/${account}/access/identity_providers`, { name: 'PIN', type: 'onetimepin', config: {} });
    const empty = await s.api('GET', `/accounts/${account}/access/identity_providers/${quiet.json.result.id}/scim/users`);
    assert.equal(empty.status, 200);
    assert.deepEqual(empty.json.result, []);
    assert.equal(empty.json.result_info.total_count, 0);
  });
});
