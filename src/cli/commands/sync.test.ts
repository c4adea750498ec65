// `portcullis sync` between two real servers: the source populated through the API, the target
// on PostgreSQL when one answers (SQLite otherwise). The target ends up with the same objects
// under its own ids, and a policy test decides every user the same on both.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type Cloudflare from 'cloudflare';
import { postgresDatabase, postgresUnavailable, sqliteDatabase } from '../../../test/support/databases.js';
import { progressFields, runPolicyTest } from '../../../test/support/policy-test-run.js';
import { randomAccountId, startTestServer, type TestServer } from '../../../test/support/server.js';
import { jsonOf, ndjson, portcullisAsync, STACK_TRACE } from '../../../test/support/cli-harness.js';
import { describeAccount } from '../../../test/support/transfer-harness.js';

interface SyncJson {
  dry_run: boolean;
  source: { url: string; account: string };
  target: { url: string; account: string };
  identity_providers: { created: number; updated: number };
  lists: { created: number; updated: number };
  groups: { created: number; updated: number };
  policies: { created: number; updated: number };
  users: { created: number; updated: number; unchanged?: number | null } | null;
}

const BIG_LIST = Array.from({ length: 2500 }, (_, i) => ({ value: `10.${i >> 8}.${i & 255}.0/24` }));
const POLICY_ORDER = ['Office bypass', 'VIP veto', 'Trusted engineers', 'VIPs through Okta', 'Lab networks'];

/** Populate an account through the API (not through portcullis import): every reference by the ids this server gave. */
async function populate(server: TestServer, account_id: string): Promise<void> {
  const cf: Cloudflare = server.sdk();
  const zt = cf.zeroTrust;
  const okta = await zt.identityProviders.create({ account_id, name: 'Okta', type: 'okta', config: { client_id: 'okta-client', client_secret: 'never exported', okta_account: 'https://acme.okta.com' } });
  const google = await zt.identityProviders.create({ account_id, name: 'Google', type: 'google-apps', config: { client_id: 'g', apps_domain: 'example.com' } });
  const office = await zt.gateway.lists.create({ account_id, name: 'Office', type: 'IP', items: [{ value: '192.0.2.0/24' }, { value: '2001:db8::/32', description: 'v6' }] });
  const vips = await zt.gateway.lists.create({ account_id, name: 'VIPs', type: 'EMAIL', items: [{ value: 'vip1@example.com' }, { value: 'VIP2@example.com' }] });
  const lab = await zt.gateway.lists.create({ account_id, name: 'Lab networks', type: 'IP', items: BIG_LIST });
  const core = await zt.access.groups.create({ account_id, name: 'Core', include: [{ okta: { identity_provider_id: okta.id!, name: 'Eng' } }] });
  const all = await zt.access.groups.create({ account_id, name: 'All engineers', include: [{ group: { id: core.id! } }, { gsuite: { email: 'eng@example.com', identity_provider_id: google.id! } }] });
  const trusted = await zt.access.groups.create({ account_id, name: 'Trusted', include: [{ group: { id: all.id! } }], require: [{ auth_method: { auth_method: 'mfa' } }] });
  const create = (body: Record<string, unknown>) => zt.access.policies.create({ account_id, ...body } as unknown as Parameters<typeof zt.access.policies.create>[0]);
  await create({ name: 'Office bypass', decision: 'bypass', include: [{ ip_list: { id: office.id } }] });
  await create({
    name: 'VIP veto',
    decision: 'deny',
    include: [{ email_list: { id: vips.id } }],
    require: [{ external_evaluation: { evaluate_url: 'https://veto.example.com/', keys_url: 'https://veto.example.com/keys' } }],
  });
  await create({ name: 'Trusted engineers', decision: 'allow', include: [{ group: { id: trusted.id } }], session_duration: '8h' });
  await create({ name: 'VIPs through Okta', decision: 'allow', include: [{ email_list: { id: vips.id } }], require: [{ login_method: { id: okta.id } }] });
  await create({ name: 'Lab networks', decision: 'allow', include: [{ ip_list: { id: lab.id } }], require: [{ geo: { country_code: 'US' } }] });
  const users = Array.from({ length: 60 }, (_, i) => {
    const idp = i % 3 === 0 ? { id: okta.id, type: 'okta' } : { id: google.id, type: 'google-apps' };
    const groups = i % 3 === 0 ? [{ name: i % 2 === 0 ? 'Eng' : 'Sales' }] : [{ email: i % 2 === 0 ? 'eng@example.com' : 'all@example.com' }];
    const email = i < 4 ? `vip${i}@example.com` : `user${i}@example.com`;
    const ip = ['192.0.2.9', '10.3.7.1', '203.0.113.1', '2001:db8::5'][i % 4];
    return i % 10 === 9 ? { email, name: `No identity ${i}` } : { email, name: `User ${i}`, identity: { idp, groups, amr: i % 4 === 0 ? ['pwd'] : ['pwd', 'mfa'], ip, geo: { country: i % 5 === 0 ? 'DE' : 'US' } } };
  });
  const imported = await server.api('POST', `/accounts/${account_id}/access/users/import`, ndjson(users), { 'content-type': 'application/x-ndjson' });
  assert.equal(imported.status, 200, JSON.stringify(imported.json));
}

async function policyIdsByOrder(cf: Cloudflare, account_id: string): Promise<string[]> {
  const byName = new Map<string, string>();
  for await (const p of cf.zeroTrust.access.policies.list({ account_id })) byName.set(p.name!, p.id!);
  return POLICY_ORDER.map((name) => byName.get(name)!);
}

describe('portcullis sync', () => {
  let source: TestServer;
  let target: TestServer;
  const sourceAccount = randomAccountId();
  before(async () => {
    source = await startTestServer();
    target = await startTestServer({ database: (await postgresUnavailable()) === undefined ? await postgresDatabase() : sqliteDatabase() });
    await populate(source, sourceAccount);
  });
  after(async () => {
    await source.close();
    await target.close();
  });

  const sync = (targetAccount: string, extra: readonly string[] = [], env: NodeJS.ProcessEnv = {}) =>
    portcullisAsync(['sync', '--from', source.apiUrl, '--from-account', sourceAccount, '--to', target.apiUrl, '--to-account', targetAccount, ...extra], {
      PORTCULLIS_FROM_TOKEN: source.rootToken,
      PORTCULLIS_TO_TOKEN: target.rootToken,
      ...env,
    });

  test('copies every object and user to the other server; a policy test decides every user the same on both', async () => {
    const account = randomAccountId();
    const r = await sync(account, ['--json', '--batch-size', '25']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const json = jsonOf<SyncJson>(r);
    assert.deepEqual(
      [json.identity_providers, json.lists, json.groups, json.policies, json.users],
      [{ created: 2, updated: 0 }, { created: 3, updated: 0 }, { created: 3, updated: 0 }, { created: 5, updated: 0 }, { created: 60, updated: 0, unchanged: 0 }],
    );
    assert.deepEqual([json.source.account, json.target.account], [sourceAccount, account]);

    const [there, here] = await Promise.all([describeAccount(source.sdk(), sourceAccount), describeAccount(target.sdk(), account)]);
    assert.deepEqual(here, there, 'the same objects, references and identities, by name');
    assert.equal((here.lists.find((l) => l.name === 'Lab networks')!.items as unknown[]).length, 2500, 'a list longer than one request holds');
    assert.deepEqual(here.groups.find((g) => g.name === 'Trusted')!.include, [{ group: { id: 'group:All engineers' } }]);

    const [before, after] = await Promise.all([
      runPolicyTest(source.sdk(), sourceAccount, await policyIdsByOrder(source.sdk(), sourceAccount)),
      runPolicyTest(target.sdk(), account, await policyIdsByOrder(target.sdk(), account)),
    ]);
    assert.deepEqual(progressFields(after.progress), progressFields(before.progress));
    assert.deepEqual([...after.statuses].sort(), [...before.statuses].sort(), 'user for user');
    assert.equal(before.statuses.size, 60);
    assert.ok(['approved', 'blocked', 'error'].every((s) => [...before.statuses.values()].includes(s)), 'every status occurs');
  });

  test('syncing again updates by name and creates nothing; --dry-run and --no-users write what they say', async () => {
    const account = randomAccountId();
    const dry = jsonOf<SyncJson>(await sync(account, ['--dry-run', '--json']));
    assert.equal(dry.dry_run, true);
    assert.deepEqual(dry.policies, { created: 5, updated: 0 });
    assert.deepEqual(dry.users, { created: 60, updated: 0, unchanged: 0 });
    assert.deepEqual((await target.api('GET', `/accounts/${account}/access/policies`)).json.result, [], 'a dry run writes nothing');

    const first = await sync(account, ['--no-users']);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /^From .+, account [0-9a-f]{32}\.$/m);
    assert.match(first.stdout, /^Users were not part of this transfer\.$/m);
    assert.deepEqual((await target.api('GET', `/accounts/${account}/access/users`)).json.result, []);

    const again = jsonOf<SyncJson>(await sync(account, ['--json']));
    for (const kind of [again.identity_providers, again.lists, again.groups, again.policies]) assert.equal(kind.created, 0);
    assert.deepEqual(again.policies, { created: 0, updated: 5 });
    assert.deepEqual(again.users, { created: 60, updated: 0, unchanged: 0 });
    assert.deepEqual(await describeAccount(target.sdk(), account), await describeAccount(source.sdk(), sourceAccount));
    // Synced already: the dry run says what the sync then does, every user unchanged.
    const dryAgain = jsonOf<SyncJson>(await sync(account, ['--dry-run', '--json']));
    assert.deepEqual(dryAgain.users, { created: 0, updated: 0, unchanged: 60 });
    assert.deepEqual(jsonOf<SyncJson>(await sync(account, ['--json'])).users, dryAgain.users);
  });

  test('a bad source token or missing target: one clear line naming which side, exit 4 or 2', async () => {
    const badSource = await sync(randomAccountId(), [], { PORTCULLIS_FROM_TOKEN: 'wrong' });
    assert.equal(badSource.status, 4);
    assert.equal(badSource.stderr.trim().split('\n').length, 1, badSource.stderr);
    assert.match(badSource.stderr, new RegExp(`^portcullis: ${source.apiUrl.replace(/[.]/g, '\\.')} refused the API token \\(AuthenticationError, 401`));
    assert.match(badSource.stderr, /Check --from-token or PORTCULLIS_FROM_TOKEN\.$/m);
    const noTarget = await portcullisAsync(['sync', '--from', source.apiUrl, '--from-account', sourceAccount], { PORTCULLIS_FROM_TOKEN: source.rootToken });
    assert.equal(noTarget.status, 2);
    assert.match(noTarget.stderr, /^error: Say which API the target is: --to \(or PORTCULLIS_TO_URL\), --to-token \(or PORTCULLIS_TO_TOKEN\), --to-account \(or PORTCULLIS_TO_ACCOUNT\) are missing\.$/m);
    for (const r of [badSource, noTarget]) assert.doesNotMatch(r.stderr, STACK_TRACE);
  });
});
