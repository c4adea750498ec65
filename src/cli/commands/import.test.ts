// `portcullis import`, run as a subprocess against a real server (served by this process).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { randomAccountId, startTestServer, type TestServer } from '../../../test/support/server.js';
import { example, jsonOf, ndjson, portcullisAsync, STACK_TRACE, withTempFiles } from '../../../test/support/cli-harness.js';
import { EXAMPLE_FILES, serverEnv } from '../../../test/support/transfer-harness.js';
import { scimClient } from '../../../test/support/scim-client.js';
import { postgresDatabase, postgresUnavailable } from '../../../test/support/databases.js';

interface Counts {
  created: number;
  updated: number;
  /** Users only; null in a dry run against a target that cannot say (not portcullis). */
  unchanged?: number | null;
}
interface ImportJson {
  dry_run: boolean;
  target: { url: string; account: string };
  identity_providers: Counts;
  lists: Counts;
  groups: Counts;
  policies: Counts;
  users: Counts | null;
  objects: { kind: string; name: string; action: string; source_id?: string; id?: string }[];
}

const readExample = (name: string): unknown[] => JSON.parse(readFileSync(example(name), 'utf8')) as unknown[];
const EXAMPLE_LISTS = readExample('lists.json') as { id: string; name: string; type: string; items: string[] }[];

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('portcullis import', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
  });
  const fresh = () => randomAccountId();
  const run = (account: string, args: readonly string[]) => portcullisAsync(['import', ...args], serverEnv(server, account));
  /** The stderr lines of an import that fails as bad input: exit 2, nothing on stdout, no stack trace. */
  const refusedLines = async (account: string, args: readonly string[]): Promise<string[]> => {
    const r = await run(account, args);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.doesNotMatch(r.stderr, STACK_TRACE);
    return r.stderr.trim().split('\n');
  };

  test('creates every object and user, with references rewritten to the ids the target gave', async () => {
    const account = fresh();
    const r = await run(account, [...EXAMPLE_FILES, '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const json = jsonOf<ImportJson>(r);
    assert.equal(json.dry_run, false);
    assert.deepEqual(
      [json.identity_providers, json.lists, json.groups, json.policies, json.users],
      [{ created: 3, updated: 0 }, { created: 2, updated: 0 }, { created: 3, updated: 0 }, { created: 4, updated: 0 }, { created: 8, updated: 0, unchanged: 0 }],
    );
    // Groups were written after the groups they name.
    const groupOrder = json.objects.filter((o) => o.kind === 'group').map((o) => o.name);
    assert.ok(groupOrder.indexOf('Watch list') < groupOrder.indexOf('Risky users'), String(groupOrder));

    const cf = server.sdk();
    const idOf = (kind: string, name: string) => json.objects.find((o) => o.kind === kind && o.name === name)!.id!;
    const groups = new Map<string, any>();
    for await (const g of cf.zeroTrust.access.groups.list({ account_id: account })) groups.set(g.name!, g);
    assert.deepEqual(groups.get('Risky users').include[1], { group: { id: idOf('group', 'Watch list') } });
    assert.deepEqual(groups.get('Watch list').include[0], { email_list: { id: idOf('list', 'Watch list') } });
    assert.deepEqual(groups.get('Contractors').include[1], { okta: { identity_provider_id: idOf('identity_provider', 'Okta'), name: 'Contractors' } });
    const policy = await cf.zeroTrust.access.policies.get(idOf('policy', 'Block high-risk users'), { account_id: account });
    assert.deepEqual(policy.include, [{ group: { id: idOf('group', 'Risky users') } }]);
    const items: string[] = [];
    for await (const item of cf.zeroTrust.gateway.lists.items.list(idOf('list', 'Office egress IPs'), { account_id: account })) items.push(item.value!);
    assert.deepEqual(items, EXAMPLE_LISTS[0].items);
    // The identities name the target's IdPs, so IdP-scoped rules still match them.
    let alice: string | undefined;
    for await (const u of cf.zeroTrust.access.users.list({ account_id: account, email: 'alice@example.com' })) alice = u.id;
    const identity = (await cf.zeroTrust.access.users.lastSeenIdentity.get(alice!, { account_id: account })) as any;
    assert.equal(identity.idp.id, idOf('identity_provider', 'Google Workspace'));
  });

  test('importing the same files again updates every object by name, leaves the unchanged users as they are, and duplicates nothing', async () => {
    const account = fresh();
    assert.equal((await run(account, EXAMPLE_FILES)).status, 0);
    const r = await run(account, [...EXAMPLE_FILES, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const json = jsonOf<ImportJson>(r);
    for (const counts of [json.identity_providers, json.lists, json.groups, json.policies, json.users!]) assert.equal(counts.created, 0);
    assert.deepEqual([json.policies.updated, json.users], [4, { created: 0, updated: 0, unchanged: 8 }]);
    const names: string[] = [];
    for await (const p of server.sdk().zeroTrust.access.policies.list({ account_id: account })) names.push(p.name!);
    assert.equal(names.length, 4);
    const human = await run(account, EXAMPLE_FILES);
    assert.match(human.stdout, /^Imported into .+, account [0-9a-f]{32}:$/m);
    assert.match(human.stdout, /^policies\s+0\s+4$/m);
    assert.match(human.stdout, /^\s+created\s+updated\s+unchanged$/m);
    assert.match(human.stdout, /^users\s+0\s+0\s+8$/m);
  });

  test('--dry-run writes nothing and names what it would create or update', async () => {
    const account = fresh();
    const r = await run(account, [...EXAMPLE_FILES, '--dry-run']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Dry run: nothing was written\./m);
    assert.match(r.stdout, /^ {2}create {2}policy "Block high-risk users"$/m);
    assert.match(r.stdout, /^\s+create\s+update\s+unchanged$/m);
    assert.match(r.stdout, /^users\s+8\s+0\s+0$/m);
    const json = jsonOf<ImportJson>(await run(account, [...EXAMPLE_FILES, '--dry-run', '--json']));
    assert.equal(json.dry_run, true);
    assert.equal(json.objects.length, 12);
    const policies = await server.api('GET', `/accounts/${account}/access/policies`);
    assert.deepEqual(policies.json.result, []);
    const users = await server.api('GET', `/accounts/${account}/access/users`);
    assert.deepEqual(users.json.result, []);

    await run(account, EXAMPLE_FILES);
    const again = jsonOf<ImportJson>(await run(account, [...EXAMPLE_FILES, '--dry-run', '--json']));
    assert.ok(again.objects.every((o) => o.action === 'update' && o.id !== undefined));
    // The identities name the target's IdPs (matched by name): compared as the import compares them.
    assert.deepEqual(again.users, { created: 0, updated: 0, unchanged: 8 });
  });

  /**
   * Target users, each set up so that one case of the import's rule decides it, and the users
   * file that meets them. Returns the counts the import must give.
   */
  async function mixedUsers(target: TestServer, account: string): Promise<{ entries: unknown[]; expected: Counts }> {
    const idp = { id: 'idp-1', type: 'okta' };
    const identity = (email: string, country = 'DE') => ({ email, idp, groups: [{ name: 'Eng' }], amr: ['pwd', 'mfa'], geo: { country } });
    const seeded = [
      { email: 'same@example.com', name: 'Same', identity: identity('same@example.com') },
      { email: 'renamed@example.com', name: 'Old name', identity: identity('renamed@example.com') },
      { email: 'moved@example.com', name: 'Moved', identity: identity('moved@example.com') },
      { email: 'kept-name@example.com', name: 'Kept', identity: identity('kept-name@example.com') },
      // Stored with the identity's email filled in from the entry's, in the case it had then.
      { email: 'Cased@Example.com', name: 'Cased', identity: { geo: { country: 'DE' } } },
      { email: 'bare@example.com', name: 'Bare' },
      { email: 'first-identity@example.com', name: 'First' },
      { email: 'key-order@example.com', name: 'Keys', identity: { email: 'key-order@example.com', geo: { country: 'DE' }, amr: ['pwd'] } },
    ];
    const seed = await target.api('POST', `/accounts/${account}/access/users/import`, ndjson(seeded), { 'content-type': 'application/x-ndjson' });
    assert.equal(seed.status, 200, JSON.stringify(seed.json));
    // As a SCIM directory pushes a user: an identity, but no sign-in time yet.
    await target.store.transaction(account, (tx) => tx.insertUser({ accountId: account, id: 'scim-user', email: 'scim@example.com', name: 'Scim', identity: identity('scim@example.com'), signedIn: false }));
    const entries = [
      { email: 'same@example.com', name: 'Same', identity: identity('same@example.com') },
      { email: 'renamed@example.com', name: 'New name', identity: identity('renamed@example.com') },
      { email: 'moved@example.com', name: 'Moved', identity: identity('moved@example.com', 'US') },
      { email: 'kept-name@example.com', identity: identity('kept-name@example.com') },
      { email: 'cased@example.com', name: 'Cased', identity: { geo: { country: 'DE' } } },
      { email: 'bare@example.com', name: 'Bare' },
      { email: 'first-identity@example.com', name: 'First', identity: identity('first-identity@example.com') },
      { email: 'key-order@example.com', name: 'Keys', identity: { email: 'key-order@example.com', amr: ['pwd'], geo: { country: 'DE' } } },
      { email: 'scim@example.com', name: 'Scim', identity: identity('scim@example.com') },
      { email: 'new-1@example.com', name: 'New 1', identity: identity('new-1@example.com') },
      { email: 'new-2@example.com' },
    ];
    // Unchanged: same, kept-name (no name given), bare (nothing new). Updated: a new name, a
    // new country, an identity whose filled-in email changed case, a first identity, the same
    // identity with its keys in another order (stored text differs), the SCIM user (first sign-in time).
    return { entries, expected: { created: 2, updated: 6, unchanged: 3 } };
  }

  test('a dry run counts the users created, updated and unchanged exactly as the import right after does (SQLite, and PostgreSQL when one answers)', async () => {
    const targets: { label: string; server: TestServer; own: boolean }[] = [{ label: 'SQLite', server, own: false }];
    if ((await postgresUnavailable()) === undefined) targets.push({ label: 'PostgreSQL', server: await startTestServer({ database: await postgresDatabase() }), own: true });
    try {
      for (const target of targets) {
        const account = fresh();
        const { entries, expected } = await mixedUsers(target.server, account);
        await withTempFiles({ 'users.ndjson': ndjson(entries) }, async (path) => {
          const go = (extra: readonly string[]) => portcullisAsync(['import', '--users', path('users.ndjson'), ...extra], serverEnv(target.server, account));
          const dryText = await go(['--dry-run']);
          assert.equal(dryText.status, 0, dryText.stderr);
          assert.match(dryText.stdout, /^\s+create\s+update\s+unchanged$/m, target.label);
          assert.match(dryText.stdout, /^users\s+2\s+6\s+3$/m, target.label);
          const dry = jsonOf<ImportJson>(await go(['--dry-run', '--json']));
          assert.deepEqual(dry.users, expected, `${target.label}: the dry run`);
          const real = jsonOf<ImportJson>(await go(['--json']));
          assert.deepEqual(real.users, expected, `${target.label}: the import`);
          const after = jsonOf<ImportJson>(await go(['--dry-run', '--json']));
          assert.deepEqual(after.users, { created: 0, updated: 0, unchanged: 11 }, `${target.label}: a dry run after it`);
          assert.deepEqual(jsonOf<ImportJson>(await go(['--json'])).users, after.users, `${target.label}: the import again`);
        });
      }
    } finally {
      for (const target of targets) if (target.own) await target.server.close();
    }
  });

  test('an export file is a source; a list whose items changed gets exactly the new items', async () => {
    const account = fresh();
    const document = {
      policies: readExample('policies.json'),
      groups: readExample('groups.json'),
      lists: readExample('lists.json'),
      identity_providers: readExample('idps.json'),
      users: [{ email: 'solo@example.com', name: 'Solo' }],
    };
    await withTempFiles({ 'export.json': document }, async (path) => {
      assert.equal((await run(account, [path('export.json')])).status, 0);
    });
    const changed = { ...document, lists: [{ ...EXAMPLE_LISTS[0], items: ['203.0.113.9'] }, { ...EXAMPLE_LISTS[1], items: [] }], users: undefined };
    await withTempFiles({ 'export.json': changed }, async (path) => {
      const r = await run(account, [path('export.json'), '--json']);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(jsonOf<ImportJson>(r).users, null, 'no users in the file: none imported');
    });
    const cf = server.sdk();
    const itemsOf = async (name: string) => {
      for await (const l of cf.zeroTrust.gateway.lists.list({ account_id: account })) {
        if (l.name !== name) continue;
        const values: string[] = [];
        for await (const i of cf.zeroTrust.gateway.lists.items.list(l.id!, { account_id: account })) values.push(i.value!);
        return values;
      }
      return undefined;
    };
    assert.deepEqual(await itemsOf('Office egress IPs'), ['203.0.113.9']);
    assert.deepEqual(await itemsOf('Watch list'), []);
  });

  test('applications in the source are not imported, and the import says so', async () => {
    const account = fresh();
    const document = { policies: [{ id: 'p', name: 'Everyone', decision: 'allow', include: [{ everyone: {} }] }], apps: [{ id: 'a', name: 'Wiki', domain: 'wiki.example.com', type: 'self_hosted', policies: [{ id: 'p', precedence: 1, reusable: true, name: 'Everyone' }] }] };
    await withTempFiles({ 'export.json': document }, async (path) => {
      const r = await run(account, [path('export.json')]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^1 application of the source was not imported: import does not create or update Access applications \(docs\/cli\.md\)\. Create it on the target and attach the imported policies by name\.$/m);
      assert.equal(jsonOf<{ apps_not_imported: number }>(await run(account, [path('export.json'), '--json'])).apps_not_imported, 1);
    });
    assert.deepEqual((await server.api('GET', `/accounts/${account}/access/apps`)).json.result, []);
  });

  test('users go through the import extension in batches; --no-users leaves them out', async () => {
    const account = fresh();
    const users = Array.from({ length: 11 }, (_, i) => ({ email: `u${i}@example.com`, identity: { geo: { country: 'US' } } }));
    await withTempFiles({ 'users.ndjson': ndjson(users) }, async (path) => {
      const r = await run(account, ['--users', path('users.ndjson'), '--batch-size', '3', '--json']);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(jsonOf<ImportJson>(r).users, { created: 11, updated: 0, unchanged: 0 });
    });
    const page = await server.api('GET', `/accounts/${account}/access/users?per_page=100`);
    assert.equal(page.json.result.length, 11);
    const skipped = await run(account, [...EXAMPLE_FILES, '--no-users', '--json']);
    assert.equal(jsonOf<ImportJson>(skipped).users, null);
  });

  test("files as Cloudflare's API answers them (list responses, its read-only fields, users from GET .../access/users) are accepted", async () => {
    const account = fresh();
    const envelope = (result: unknown[]) => ({ success: true, errors: [], messages: [], result, result_info: { page: 1, per_page: 20, count: result.length, total_count: result.length } });
    const stamps = { created_at: '2014-01-01T05:20:00.12345Z', updated_at: '2014-01-01T05:20:00.12345Z' };
    // The users response as Cloudflare answers it: an envelope whose first key is not "result".
    const users = JSON.stringify(
      {
        errors: [],
        messages: [],
        success: true,
        result: [{ access_seat: false, active_device_count: 2, ...stamps, email: 'jdoe@example.com', gateway_seat: false, id: 'f174e90a-fafe-4643-bbbc-4a0ed4fc8415', last_successful_login: '2020-07-01T05:20:00Z', name: 'Jane Doe' }],
        result_info: { count: 1, page: 1, per_page: 100, total_count: 1 },
      },
      null,
      1,
    );
    await withTempFiles({
      'idps.json': envelope([{ id: 'idp-1', name: 'PIN', type: 'onetimepin', config: {}, scim_config: {} }]),
      'lists.json': envelope([{ id: 'list-1', name: 'Admins', type: 'EMAIL', description: 'The admins', count: 1, ...stamps, items: [{ value: 'jdoe@example.com', created_at: stamps.created_at }] }]),
      'groups.json': envelope([{ id: 'group-1', uid: 'group-1', name: 'Admins', include: [{ email_list: { id: 'list-1' } }], exclude: [], require: [{ login_method: { id: 'idp-1' } }], is_default: false, ...stamps }]),
      'policies.json': envelope([{ id: 'policy-1', uid: 'policy-1', name: 'Admins', decision: 'allow', include: [{ group: { id: 'group-1' } }], exclude: [], require: [], app_count: 2, reusable: true, approval_groups: [], session_duration: '24h', ...stamps }]),
      'users.json': users,
    }, async (path) => {
      const args = ['--idps', path('idps.json'), '--lists', path('lists.json'), '--groups', path('groups.json'), '--policies', path('policies.json'), '--users', path('users.json'), '--json'];
      const r = await run(account, args);
      assert.equal(r.status, 0, r.stderr);
      const json = jsonOf<ImportJson>(r);
      assert.deepEqual([json.identity_providers, json.lists, json.groups, json.policies, json.users], [
        { created: 1, updated: 0 }, { created: 1, updated: 0 }, { created: 1, updated: 0 }, { created: 1, updated: 0 }, { created: 1, updated: 0, unchanged: 0 },
      ]);
      const users = await server.api('GET', `/accounts/${account}/access/users`);
      assert.deepEqual(users.json.result.map((u: { email: string; name: string }) => [u.email, u.name]), [['jdoe@example.com', 'Jane Doe']]);
    });
  });

  test('problems in the files: one line each, exit 2, nothing sent', async () => {
    const account = fresh();
    await withTempFiles({
      'policies.json': [
        { name: 'Broken', decision: 'allow', include: [{ email: { email: 'bob@' } }] },
        { name: 'Fine', decision: 'allow', include: [{ everyone: {} }] },
      ],
      'users.ndjson': '{"email":"a@example.com"}\n{"name":"no email"}\n',
    }, async (path) => {
      const lines = await refusedLines(account, ['--policies', path('policies.json'), '--users', path('users.ndjson')]);
      assert.equal(lines.length, 2, lines.join('\n'));
      assert.match(lines[0], /policies\.json:\d+:\d+ \/0\/include\/0\/email\/email: "bob@" is not a valid email address\. \[invalid_email\]$/);
      assert.match(lines[1], /users\.ndjson:2 \/email: The user has no "email"\. \[invalid_user\]$/);
      assert.deepEqual((await server.api('GET', `/accounts/${account}/access/policies`)).json.result, []);
    });
  });

  test('a user the server would refuse is reported at its line before anything is written', async () => {
    const account = fresh();
    await withTempFiles({
      'users.ndjson': ndjson([{ email: 'a@example.com' }, { email: 'b@example.com', identity: { ip: '1.2.3' } }, { email: 'c@example.com', identity: { amr: 'mfa' } }]),
    }, async (path) => {
      const lines = await refusedLines(account, ['--users', path('users.ndjson')]);
      assert.equal(lines.length, 2, lines.join('\n'));
      assert.match(lines[0], /users\.ndjson:2 \/identity\/ip: "1\.2\.3" is not an IPv4 or IPv6 address\. \[invalid_ip\]$/);
      assert.match(lines[1], /users\.ndjson:3 \/identity\/amr: .+ \[\w+\]$/);
      assert.deepEqual((await server.api('GET', `/accounts/${account}/access/users`)).json.result, []);
    });
  });

  test('references to nothing and names used twice stop the import before its first write', async () => {
    const account = fresh();
    await withTempFiles({
      'policies.json': [
        { name: 'Uses a ghost', decision: 'allow', include: [{ group: { id: 'ghost' } }] },
        { name: 'Twice', decision: 'allow', include: [{ everyone: {} }] },
        { name: 'Twice', decision: 'deny', include: [{ everyone: {} }] },
      ],
      'lists.json': [{ id: 'l', name: 'L', type: 'IP', items: ['192.0.2.1'] }],
    }, async (path) => {
      const r = await run(account, ['--policies', path('policies.json'), '--lists', path('lists.json'), '--json']);
      assert.equal(r.status, 2);
      const json = jsonOf<{ problems: { code: string; pointer: string; line: number }[] }>(r);
      assert.deepEqual(json.problems.map((p) => [p.code, p.pointer]), [['unknown_group', '/0/include/0/group/id'], ['duplicate_name', '/2/name']]);
      assert.match(r.stderr, /The Access group "ghost" is neither in the import nor on the target\. \[unknown_group\]/);
      assert.deepEqual((await server.api('GET', `/accounts/${account}/gateway/lists`)).json.result, []);
    });
  });

  test('service tokens, device posture rules and applications the target lacks stop the import, --dry-run included, before its first write', async () => {
    const account = fresh();
    const files = (token: string, rule: string, app: string) => ({
      'export.json': {
        lists: [{ id: 'l', name: 'Office', type: 'IP', items: ['192.0.2.1'] }],
        groups: [{ id: 'g', name: 'CI', include: [{ service_token: { token_id: token } }] }],
        policies: [
          { name: 'Managed devices', decision: 'allow', include: [{ everyone: {} }], require: [{ device_posture: { integration_uid: rule } }] },
          { name: 'CI', decision: 'non_identity', include: [{ group: { id: 'g' } }] },
          // Import does not move applications either: the one named must be on the target.
          { name: 'Linked', decision: 'non_identity', include: [{ linked_app_token: { app_uid: app } }] },
        ],
      },
    });
    await withTempFiles(files('no-such-token', 'no-such-rule', 'no-such-app'), async (path) => {
      for (const extra of [['--dry-run'], []]) {
        const r = await run(account, [path('export.json'), '--json', ...extra]);
        assert.equal(r.status, 2, r.stderr);
        const json = jsonOf<{ problems: { code: string; pointer: string; message: string }[] }>(r);
        assert.deepEqual(json.problems.map((p) => [p.code, p.pointer]), [
          ['unknown_service_token', '/groups/0/include/0/service_token/token_id'],
          ['unknown_posture_rule', '/policies/0/require/0/device_posture/integration_uid'],
          ['unknown_app', '/policies/2/include/0/linked_app_token/app_uid'],
        ]);
        assert.match(json.problems[0].message, /^The service token "no-such-token" is not on the target, which would refuse this Access group; import does not move service tokens: create it there and name its id\.$/);
        assert.match(json.problems[1].message, /^The device posture rule "no-such-rule" is not on the target, which would refuse this policy;/);
        assert.match(json.problems[2].message, /^The Access application "no-such-app" is not on the target, which would refuse this policy; import does not move Access applications: create it there and name its id\.$/);
      }
      assert.deepEqual((await server.api('GET', `/accounts/${account}/gateway/lists`)).json.result, [], 'nothing written');
    });
    const token = await server.api('POST', `/accounts/${account}/access/service_tokens`, { name: 'CI' });
    const rule = await server.api('POST', `/accounts/${account}/devices/posture`, { name: 'Gateway', type: 'gateway' });
    const app = await server.api('POST', `/accounts/${account}/access/apps`, { name: 'MCP', type: 'self_hosted', domain: 'mcp.example.com' });
    assert.ok(token.status < 300 && rule.status < 300 && app.status < 300, JSON.stringify([token.json, rule.json, app.json]));
    await withTempFiles(files(token.json.result.id, rule.json.result.id, app.json.result.id), async (path) => {
      const dry = await run(account, [path('export.json'), '--dry-run']);
      assert.equal(dry.status, 0, dry.stderr);
      const r = await run(account, [path('export.json'), '--json']);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(jsonOf<ImportJson>(r).policies, { created: 3, updated: 0 });
    });
  });

  test('an object the target refuses is reported at its place in the file, with exactly what was written, refused and not attempted', async () => {
    const account = fresh();
    await withTempFiles({
      'export.json': {
        groups: [{ id: 'g', name: 'Example staff', include: [{ email_domain: { domain: 'example.com' } }] }],
        policies: [
          { name: 'Staff', decision: 'allow', include: [{ group: { id: 'g' } }] },
          { name: 'Staff skip login', decision: 'bypass', include: [{ group: { id: 'g' } }] },
          // Tried after the refused one (the other policies are still tried), and written.
          { name: 'Everyone', decision: 'allow', include: [{ everyone: {} }] },
        ],
      },
    }, async (path) => {
      const r = await run(account, [path('export.json'), '--users', example('users.ndjson'), '--json']);
      assert.equal(r.status, 2, r.stderr);
      const summary = 'The target refused 1 policy (below). Written, and kept on the target: 1 Access group, 2 policies (3 created, 0 updated; importing again updates them by name, it does not duplicate them). Not attempted: 8 users.';
      assert.ok(r.stderr.split('\n').includes(summary), r.stderr);
      // --json carries the same account, beside the problems.
      const json = jsonOf<{ problems: { code: string; pointer: string }[]; refusal: { summary: string; refused: string; written: ImportJson['objects']; not_attempted: string[] } }>(r);
      assert.deepEqual(json.problems.map((p) => [p.code, p.pointer]), [['refused', '/policies/1/include/0/group/id']]);
      assert.equal(json.refusal.summary, summary);
      assert.equal(json.refusal.refused, '1 policy');
      assert.deepEqual(json.refusal.written.map((o) => [o.kind, o.name, o.action, o.source_id, typeof o.id]), [
        ['group', 'Example staff', 'create', 'g', 'string'],
        ['policy', 'Staff', 'create', undefined, 'string'],
        ['policy', 'Everyone', 'create', undefined, 'string'],
      ]);
      assert.deepEqual(json.refusal.not_attempted, ['8 users']);
      const names: string[] = [];
      for await (const p of server.sdk().zeroTrust.access.policies.list({ account_id: account })) names.push(p.name!);
      assert.deepEqual(names.sort(), ['Everyone', 'Staff']);
      assert.match(r.stderr, /export\.json:\d+:\d+ \/policies\/1\/include\/0\/group\/id: The target refused this policy: .*bypass.* \(400 error \d+\) \[refused\]$/m);
      assert.doesNotMatch(r.stderr, STACK_TRACE);
      assert.deepEqual((await server.api('GET', `/accounts/${account}/access/users`)).json.result, []);
    });
    // Refused in the first kind written: nothing is, and the message names what the import left.
    await withTempFiles({
      'export.json': {
        identity_providers: [{ id: 'pin', name: 'PIN', type: 'onetimepin', config: {}, scim_config: { enabled: true, seat_deprovision: true } }],
        groups: [{ id: 'g', name: 'CI', include: [{ login_method: { id: 'pin' } }] }],
        policies: [{ name: 'Staff', decision: 'allow', include: [{ group: { id: 'g' } }] }, { name: 'All', decision: 'allow', include: [{ everyone: {} }] }],
      },
    }, async (path) => {
      const r = await run(fresh(), [path('export.json'), '--users', example('users.ndjson'), '--json']);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /^The target refused 1 identity provider \(below\)\. Nothing was written\. Not attempted: 1 Access group, 2 policies, 8 users\.$/m);
      assert.match(r.stderr, /\/identity_providers\/0\/scim_config\/user_deprovision: The target refused this identity provider: .+ \[refused\]$/m);
      const { refusal } = jsonOf<{ refusal: { summary: string; refused: string; written: unknown[]; not_attempted: string[] } }>(r);
      assert.deepEqual(refusal, { summary: refusal.summary, refused: '1 identity provider', written: [], not_attempted: ['1 Access group', '2 policies', '8 users'] });
    });
  });

  test('an identity provider named like a target one of another type stops the import, unless --replace-idp-type', async () => {
    const account = fresh();
    const made = await server.api('POST', `/accounts/${account}/access/identity_providers`, { name: 'Corporate SSO', type: 'onetimepin', config: {} });
    assert.equal(made.status, 201, JSON.stringify(made.json));
    const targetId = made.json.result.id as string;
    await withTempFiles({ 'idps.json': [{ id: 'sso', name: 'Corporate SSO', type: 'github', config: { client_id: 'abc', client_secret: 'def' } }] }, async (path) => {
      const lines = await refusedLines(account, ['--idps', path('idps.json'), '--dry-run']);
      assert.equal(lines.length, 1, lines.join('\n'));
      assert.match(
        lines[0],
        new RegExp(`idps\\.json:\\d+:\\d+ /0/type: The target's identity provider "Corporate SSO" \\(${targetId}\\) is of type onetimepin, this one github; import would replace it by one of another type\\. Rename one of them, or give --replace-idp-type to replace it\\. \\[identity_provider_type_changed\\]$`),
      );
      assert.deepEqual(await refusedLines(account, ['--idps', path('idps.json')]), lines, 'the real run stops the same way');
      assert.equal((await server.api('GET', `/accounts/${account}/access/identity_providers/${targetId}`)).json.result.type, 'onetimepin');

      const r = await run(account, ['--idps', path('idps.json'), '--replace-idp-type', '--json']);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(jsonOf<ImportJson>(r).identity_providers, { created: 0, updated: 1 });
      assert.equal((await server.api('GET', `/accounts/${account}/access/identity_providers/${targetId}`)).json.result.type, 'github');
    });
  });

  test('the SCIM secret the target makes for an identity provider is shown once, labelled, and never exported', async () => {
    const account = fresh();
    const idps = [{ id: 'dir', name: 'Directory', type: 'onetimepin', config: {}, scim_config: { enabled: true, user_deprovision: true } }];
    await withTempFiles({ 'idps.json': idps }, async (path) => {
      const dry = await run(account, ['--idps', path('idps.json'), '--dry-run']);
      assert.equal(dry.status, 0, dry.stderr);
      assert.doesNotMatch(dry.stdout, /SCIM secret/, 'a dry run makes no secret');

      const r = await run(account, ['--idps', path('idps.json')]);
      assert.equal(r.status, 0, r.stderr);
      const shown = /^SCIM secrets, shown this once .+:\n {2}identity provider "Directory" \(([0-9a-f-]+)\): (\S+)\n {4}SCIM base URL: (\S+)$/m.exec(r.stdout);
      assert.ok(shown, r.stdout);
      const [, id, secret, baseUrl] = shown;
      // The secret is the one the directory pushes with.
      assert.equal((await scimClient(baseUrl, secret)('GET', '/Users')).status, 200);
      assert.equal((await scimClient(baseUrl, 'not-it')('GET', '/Users')).status, 401);

      // Imported again, the provider keeps its secret: nothing new to show.
      const again = jsonOf<ImportJson & { scim_secrets: unknown[] }>(await run(account, ['--idps', path('idps.json'), '--json']));
      assert.deepEqual(again.scim_secrets, []);
      assert.equal((await scimClient(baseUrl, secret)('GET', '/Users')).status, 200);

      const exported = await portcullisAsync(['export', '--no-users'], serverEnv(server, account));
      assert.equal(exported.status, 0, exported.stderr);
      assert.ok(!exported.stdout.includes(secret), 'the export holds no SCIM secret');
      assert.ok(exported.stdout.includes(id));
    });
    // --json carries it too, for scripts that configure the directory.
    const other = fresh();
    await withTempFiles({ 'idps.json': idps }, async (path) => {
      const json = jsonOf<ImportJson & { scim_secrets: { name: string; id: string; secret: string; scim_base_url: string }[] }>(await run(other, ['--idps', path('idps.json'), '--json']));
      assert.equal(json.scim_secrets.length, 1);
      assert.equal(json.scim_secrets[0].name, 'Directory');
      assert.equal((await scimClient(json.scim_secrets[0].scim_base_url, json.scim_secrets[0].secret)('GET', '/Users')).status, 200);
    });
  });

  test('an import the target refuses part way still shows, on stderr, the SCIM secret it made before', async () => {
    await withTempFiles({
      'idps.json': [{ id: 'dir', name: 'Directory', type: 'onetimepin', config: {}, scim_config: { enabled: true } }],
      'groups.json': [{ id: 'g', name: 'Example staff', include: [{ email_domain: { domain: 'example.com' } }] }],
      // Written after the provider, and refused by the target: a bypass policy takes no identity, nor a group of them.
      'policies.json': [{ name: 'Staff skip login', decision: 'bypass', include: [{ group: { id: 'g' } }] }],
    }, async (path) => {
      const r = await run(fresh(), ['--idps', path('idps.json'), '--groups', path('groups.json'), '--policies', path('policies.json')]);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /^The target refused 1 policy \(below\)\. Written, and kept on the target: 1 identity provider/m);
      const shown = /^SCIM secrets, shown this once .+:\n {2}identity provider "Directory" \([0-9a-f-]+\): (\S+)\n {4}SCIM base URL: (\S+)$/m.exec(r.stderr);
      assert.ok(shown, r.stderr);
      assert.equal((await scimClient(shown[2]!, shown[1]!)('GET', '/Users')).status, 200, 'the secret shown is the one the directory pushes with');
    });
  });

  /**
   * A proxy in front of the server that passes everything on, except the requests `fails` picks
   * (given the request and how many writes came so far, it included), answered 502.
   */
  async function failingProxy(fails: (req: IncomingMessage, writes: number) => boolean): Promise<{ url: string; writes: () => number; close: () => Promise<void> }> {
    const upstream = new URL(server.apiUrl);
    let writes = 0;
    const proxy = createServer(async (req, res) => {
      const write = req.method !== 'GET';
      if (write) writes++;
      if (fails(req, writes)) {
        req.resume();
        return void res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ success: false, errors: [{ code: 10000, message: 'bad gateway' }], messages: [], result: null }));
      }
      const body: Buffer[] = [];
      for await (const chunk of req) body.push(chunk as Buffer);
      const answer = await fetch(`${upstream.origin}${req.url}`, { method: req.method, headers: { authorization: req.headers.authorization ?? '', 'content-type': req.headers['content-type'] ?? 'application/json' }, ...(write ? { body: Buffer.concat(body) } : {}) });
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(Buffer.from(await answer.arrayBuffer()));
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/client/v4`,
      writes: () => writes,
      close: () => new Promise((resolve) => proxy.close(() => resolve())),
    };
  }

  test('a server failing part way (a 502 from the fifth write): says what was written before, which stays, and the rerun finishes', async () => {
    const account = fresh();
    const failing = await failingProxy((req, writes) => req.method !== 'GET' && writes >= 5);
    try {
      const r = await portcullisAsync(['import', ...EXAMPLE_FILES, '--url', failing.url], serverEnv(server, account));
      assert.equal(r.status, 4, r.stderr);
      assert.match(r.stderr, /failed while creating the .+ \(InternalServerError, 502, bad gateway/);
      assert.match(r.stderr, /Written before it, and kept on the target: 3 identity providers, 1 Gateway list \(the one being created may have been made as well\)\. Running the import again updates by name what is there and writes the rest\./);
      assert.equal(failing.writes(), 5, 'the failed create was sent once');
      const again = await run(account, [...EXAMPLE_FILES, '--json']);
      assert.equal(again.status, 0, again.stderr);
      assert.deepEqual(jsonOf<ImportJson>(again).identity_providers, { created: 0, updated: 3 });
    } finally {
      await failing.close();
    }
  });

  test('a server failing while users are imported: says which objects and how many users were written', async () => {
    const account = fresh();
    let batches = 0;
    // The first batch of users goes through; every request for the next fails.
    const failing = await failingProxy((req) => req.url!.endsWith('/access/users/import') && ++batches > 1);
    try {
      const r = await portcullisAsync(['import', ...EXAMPLE_FILES, '--batch-size', '3', '--url', failing.url], serverEnv(server, account));
      assert.equal(r.status, 4, r.stderr);
      assert.match(r.stderr, /^portcullis: .+ failed while importing users \(InternalServerError, 502, bad gateway/m);
      assert.match(
        r.stderr,
        /^portcullis: Written before it, and kept on the target: 3 identity providers, 2 Gateway lists, 3 Access groups, 4 policies, 3 users \(the batch of users being sent may have been imported as well\)\. Running the import again updates by name what is there and writes the rest\.$/m,
      );
      assert.doesNotMatch(r.stderr, STACK_TRACE);
      const users = await server.api('GET', `/accounts/${account}/access/users?per_page=100`);
      assert.equal(users.json.result.length, 3);
      const again = await run(account, [...EXAMPLE_FILES, '--json']);
      assert.equal(again.status, 0, again.stderr);
      assert.deepEqual(jsonOf<ImportJson>(again).users, { created: 5, updated: 0, unchanged: 3 });
    } finally {
      await failing.close();
    }
  });

  test('an unreachable server, a bad token or missing options: one clear line, no stack trace', async () => {
    const account = fresh();
    const port = await closedPort();
    const unreachable = await portcullisAsync(['import', ...EXAMPLE_FILES, '--url', `http://127.0.0.1:${port}/client/v4`, '--token', 't', '--account', account]);
    assert.equal(unreachable.status, 4);
    assert.match(unreachable.stderr, new RegExp(`^portcullis: Cannot reach http://127\\.0\\.0\\.1:${port}/client/v4 while listing the .+ECONNREFUSED`));
    assert.equal(unreachable.stderr.trim().split('\n').length, 1, unreachable.stderr);

    const badToken = await run(account, [...EXAMPLE_FILES, '--token', 'not-the-token']);
    assert.equal(badToken.status, 4);
    assert.match(badToken.stderr, /^portcullis: http:\/\/127\.0\.0\.1:\d+\/client\/v4 refused the API token \(AuthenticationError, 401: .+\) while .+ Check --token or PORTCULLIS_TOKEN\.$/m);
    assert.equal(badToken.stderr.trim().split('\n').length, 1, badToken.stderr);

    const json = await run(account, [...EXAMPLE_FILES, '--token', 'not-the-token', '--json']);
    assert.match(jsonOf<{ errors: string[] }>(json).errors[0], /AuthenticationError/);

    const missing = await portcullisAsync(['import', ...EXAMPLE_FILES]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /^error: Say which API the server is: --url \(or PORTCULLIS_URL\), --token \(or PORTCULLIS_TOKEN\), --account \(or PORTCULLIS_ACCOUNT\) are missing\.$/m);

    const nothing = await run(account, []);
    assert.equal(nothing.status, 2);
    assert.match(nothing.stderr, /Give an export file or directory/);
    for (const r of [unreachable, badToken, missing, nothing]) assert.doesNotMatch(r.stderr, STACK_TRACE);
  });

  test("a dry run against an API without the bulk identity read (Cloudflare's) counts users by email and says unchanged ones are not told apart", async () => {
    // A Cloudflare-like API: empty lists everywhere, one user, and no /access/users/identities.
    const fake = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      const url = new URL(req.url!, 'http://x');
      const path = url.pathname;
      if (path.endsWith('/access/users/identities')) {
        res.statusCode = 404;
        res.end(JSON.stringify({ success: false, errors: [{ code: 7003, message: 'No route for that URI' }], messages: [], result: null }));
        return;
      }
      // The user on the first page only: the SDK pages on while a page has items.
      const firstPage = (url.searchParams.get('page') ?? '1') === '1';
      const result = path.endsWith('/access/users') && firstPage ? [{ id: 'cf-alice', email: 'Alice@Example.com', name: 'Alice' }] : [];
      res.end(JSON.stringify({ success: true, errors: [], messages: [], result, result_info: { page: 1, per_page: 1000, count: result.length, total_count: result.length } }));
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}/client/v4`;
      const args = ['import', '--users', example('users.ndjson'), '--dry-run', '--url', url, '--token', 't', '--account', randomAccountId()];
      const text = await portcullisAsync(args);
      assert.equal(text.status, 0, text.stderr);
      assert.match(text.stdout, /^users\s+7\s+1$/m);
      assert.doesNotMatch(text.stdout, /unchanged\s*$/m, 'no unchanged column it cannot fill');
      assert.match(text.stdout, /^Users are counted by email only: .+ has no bulk read of identities \(not a portcullis server\), so users the import would leave unchanged are counted as updated\.$/m);
      const json = jsonOf<ImportJson>(await portcullisAsync([...args, '--json']));
      assert.deepEqual(json.users, { created: 7, updated: 1, unchanged: null });
    } finally {
      await new Promise((resolve) => fake.close(resolve));
    }
  });

  test('a target without the user import extension (not portcullis): exit 4, saying to use --no-users', async () => {
    // A Cloudflare-like API: empty lists everywhere, and no /access/users/import.
    const fake = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.method === 'POST' && req.url!.endsWith('/access/users/import')) {
        res.statusCode = 404;
        res.end(JSON.stringify({ success: false, errors: [{ code: 7003, message: 'No route for that URI' }], messages: [], result: null }));
        return;
      }
      res.end(JSON.stringify({ success: true, errors: [], messages: [], result: [], result_info: { page: 1, per_page: 25, count: 0, total_count: 0 } }));
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}/client/v4`;
      const r = await portcullisAsync(['import', '--users', example('users.ndjson'), '--url', url, '--token', 't', '--account', randomAccountId()]);
      assert.equal(r.status, 4, r.stderr);
      assert.match(r.stderr, /^portcullis: .+ has no user import \(POST \.\.\.\/access\/users\/import answered 404\).+--no-users/);
      assert.doesNotMatch(r.stderr, STACK_TRACE);
    } finally {
      await new Promise((resolve) => fake.close(resolve));
    }
  });
});
