// An account worth fuzzing: a few of everything (identity providers, groups that nest, Gateway
// lists with items, a service token, a posture rule, a certificate, policies that reference
// them, an application with linked and app-scoped policies, users with identities, a policy
// test, an API token), created through the API, with every id recorded in a pool.

import { PERMISSION_GROUPS } from '../../src/api/auth/permissions.js';
import { FUZZ_CA_PEM } from './fuzz-hints.js';
import { IdPool } from './fuzz-ids.js';
import type { TestServer } from './server.js';
import { scopedToken } from './tokens.js';

export interface SeededAccount {
  readonly pool: IdPool;
  /** Tokens limited to the seeded account: one that only reads, one that writes apps and policies. */
  readonly reader: string;
  readonly writer: string;
}

const SEED_USERS = 12;

export async function seedAccount(server: TestServer, accountId: string): Promise<SeededAccount> {
  const pool = new IdPool();
  const account = `/accounts/${accountId}`;
  const create = async (collection: string, idParam: string, body: unknown, parentId?: string): Promise<string> => {
    const res = await server.api('POST', `${account}${collection}`, body);
    if (res.status >= 300) throw new Error(`seeding POST ${collection} answered ${res.status}: ${JSON.stringify(res.json.errors)}`);
    const id = String(res.json.result.id);
    pool.add({ template: `/accounts/{account_id}${collection.replace(/\/[0-9a-f-]{36}\//, '/{app_id}/')}`, idParam }, id, parentId);
    return id;
  };

  const pin = await create('/access/identity_providers', 'identity_provider_id', { name: 'PIN', type: 'onetimepin', config: {} });
  await create('/access/identity_providers', 'identity_provider_id', { name: 'Google', type: 'google-apps', config: { prompt: 'consent' } });
  const staff = await create('/access/groups', 'group_id', { name: 'Staff', include: [{ email_domain: { domain: 'example.com' } }] });
  const nested = await create('/access/groups', 'group_id', { name: 'Staff via PIN', include: [{ group: { id: staff } }], require: [{ login_method: { id: pin } }] });
  const ips = await create('/gateway/lists', 'list_id', { name: 'Offices', type: 'IP', items: [{ value: '192.0.2.0/24' }, { value: '2001:db8::/32' }] });
  const emails = await create('/gateway/lists', 'list_id', { name: 'Contractors', type: 'EMAIL', items: [{ value: 'c1@contractor.example' }, { value: 'C2@contractor.example' }] });
  const token = await create('/access/service_tokens', 'service_token_id', { name: 'CI' });
  const posture = await create('/devices/posture', 'rule_id', { name: 'Disk encrypted', type: 'disk_encryption' });
  await create('/access/certificates', 'certificate_id', { name: 'Devices CA', certificate: FUZZ_CA_PEM });
  const allow = await create('/access/policies', 'policy_id', { name: 'Staff', decision: 'allow', include: [{ group: { id: nested } }], require: [{ device_posture: { integration_uid: posture } }] });
  const deny = await create('/access/policies', 'policy_id', { name: 'Not from offices', decision: 'deny', include: [{ everyone: {} }], exclude: [{ ip_list: { id: ips } }] });
  await create('/access/policies', 'policy_id', { name: 'CI', decision: 'non_identity', include: [{ service_token: { token_id: token } }] });
  await create('/access/policies', 'policy_id', { name: 'Contractors', decision: 'allow', include: [{ email_list: { id: emails } }] });
  const app = await create('/access/apps', 'app_id', { name: 'Wiki', type: 'self_hosted', domain: 'wiki.example.com', allowed_idps: [pin], policies: [allow, deny] });
  await create(`/access/apps/${app}/policies`, 'policy_id', { name: 'Admins', decision: 'allow', include: [{ email: { email: 'ada@example.com' } }], precedence: 10 }, app);

  const users = Array.from({ length: SEED_USERS }, (_, i) => ({
    email: i % 3 === 0 ? `user${i}@contractor.example` : `user${i}@example.com`,
    name: `User ${i}`,
    identity: { email: i % 3 === 0 ? `user${i}@contractor.example` : `user${i}@example.com`, idp: { id: pin, type: 'onetimepin' }, ip: `192.0.2.${i}`, geo: { country: 'US' }, devicePosture: { [posture]: { success: i % 2 === 0 } } },
  }));
  const imported = await server.api('POST', `${account}/access/users/import`, { users });
  if (imported.status !== 200) throw new Error(`seeding the users answered ${imported.status}: ${JSON.stringify(imported.json.errors)}`);
  const listed = await server.api('GET', `${account}/access/users?per_page=100`);
  for (const user of listed.json.result as { id: string; email: string }[]) {
    pool.add({ template: '/accounts/{account_id}/access/users', idParam: 'user_id' }, user.id);
    pool.addEmail(user.email);
  }
  await create('/access/policy-tests', 'policy_test_id', { policies: [allow, deny] });
  for (const group of PERMISSION_GROUPS) pool.add({ template: '/user/tokens/permission_groups', idParam: 'permission_group_id' }, group.id);
  const apiToken = await server.api('POST', '/user/tokens', {
    name: 'fuzz',
    policies: [{ effect: 'allow', permission_groups: [{ id: PERMISSION_GROUPS[0].id }], resources: { [`com.cloudflare.api.account.${accountId}`]: '*' } }],
  });
  if (apiToken.status !== 200) throw new Error(`seeding an API token answered ${apiToken.status}: ${JSON.stringify(apiToken.json.errors)}`);
  pool.add({ template: '/user/tokens', idParam: 'token_id' }, apiToken.json.result.id);

  return {
    pool,
    reader: await scopedToken(server.store, accountId, ['Access: Apps and Policies Read', 'Zero Trust Read', 'Access: Audit Logs Read']),
    writer: await scopedToken(server.store, accountId, ['Access: Apps and Policies Write', 'Access: Organizations, Identity Providers, and Groups Write', 'Zero Trust: Seats Write']),
  };
}
