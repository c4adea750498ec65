// `portcullis export` against a real server: one file, a directory, or stdout, readable by
// `portcullis test` and `portcullis import` (a round trip into another account gives the same
// account, by name).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { randomAccountId, startTestServer, type TestServer } from '../../../test/support/server.js';
import { example, EXAMPLE_CATALOG, jsonOf, portcullisAsync, STACK_TRACE, tempFiles } from '../../../test/support/cli-harness.js';
import { describeAccount, EXAMPLE_FILES, serverEnv } from '../../../test/support/transfer-harness.js';

interface ExportFile {
  policies: { id: string; name: string; include: unknown[] }[];
  groups: { id: string; name: string }[];
  lists: { id: string; name: string; type: string; items: { value: string }[] }[];
  identity_providers: { id: string; name: string; type: string }[];
  users?: { id: string; email: string; identity?: { idp?: { id: string } } }[];
}

interface TestJson {
  users: { email: string; status: string }[];
}

describe('portcullis export', () => {
  let server: TestServer;
  const account = randomAccountId();
  before(async () => {
    server = await startTestServer();
    const imported = await portcullisAsync(['import', ...EXAMPLE_FILES], serverEnv(server, account));
    assert.equal(imported.status, 0, imported.stderr);
  });
  after(async () => {
    await server.close();
  });
  const run = (args: readonly string[], to = account) => portcullisAsync(['export', ...args], serverEnv(server, to));

  test('to stdout: one export file whose references and identities use the ids of the server', async () => {
    const r = await run([]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const doc = JSON.parse(r.stdout) as ExportFile;
    assert.deepEqual(Object.keys(doc), ['policies', 'groups', 'lists', 'identity_providers', 'users']);
    assert.deepEqual(doc.policies.map((p) => p.name), ['Block high-risk users', 'Office network bypass for the status page', 'Employees with MFA', 'Contractors from approved countries']);
    const risky = doc.groups.find((g) => g.name === 'Risky users')!;
    assert.deepEqual(doc.policies[0].include, [{ group: { id: risky.id } }]);
    assert.deepEqual(doc.lists.find((l) => l.name === 'Office egress IPs')!.items, [{ value: '198.51.100.0/24' }, { value: '2001:db8:10::/48' }]);
    const google = doc.identity_providers.find((i) => i.name === 'Google Workspace')!;
    assert.equal(doc.users!.length, 8);
    assert.equal(doc.users!.find((u) => u.email === 'alice@example.com')!.identity!.idp!.id, google.id);
    assert.ok(!r.stdout.includes('created_at'), 'server-managed fields are left out');
    const withoutUsers = JSON.parse((await run(['--no-users'])).stdout) as ExportFile;
    assert.equal(withoutUsers.users, undefined);
  });

  test('to a directory that portcullis test reads, deciding the users as the examples do', async () => {
    const files = tempFiles({});
    try {
      const r = await run(['--out', files.path('snapshot'), '--json']);
      assert.equal(r.status, 0, r.stderr);
      const summary = jsonOf<Record<string, unknown>>(r);
      assert.deepEqual(
        [summary.format, summary.identity_providers, summary.lists, summary.list_entries, summary.groups, summary.policies, summary.users, summary.identities],
        ['directory', 3, 2, 3, 3, 4, 8, 8],
      );
      assert.deepEqual(readdirSync(files.path('snapshot')).sort(), ['groups.json', 'idps.json', 'lists.json', 'policies.json', 'users.ndjson']);
      const at = (name: string) => files.path(`snapshot/${name}`);
      const exported = await portcullisAsync(['test', '--policies', at('policies.json'), '--groups', at('groups.json'), '--lists', at('lists.json'), '--idps', at('idps.json'), '--users', at('users.ndjson'), '--json']);
      const original = await portcullisAsync(['test', '--policies', example('policies.json'), ...EXAMPLE_CATALOG, '--idps', example('idps.json'), '--users', example('users.ndjson'), '--json']);
      const statuses = (json: TestJson) => Object.fromEntries(json.users.map((u) => [u.email, u.status]));
      assert.deepEqual(statuses(jsonOf<TestJson>(exported)), statuses(jsonOf<TestJson>(original)));

      const human = await run(['--out', files.path('again')]);
      assert.match(human.stdout, /^Exported from .+, account [0-9a-f]{32}, to .+again: 3 identity providers, 2 Gateway lists \(3 entries\), 3 Access groups, 4 policies, 8 users \(8 with a last seen identity\)\.$/m);
      assert.equal(readFileSync(files.path('again/policies.json'), 'utf8'), readFileSync(at('policies.json'), 'utf8'), 'two exports of the same account are the same text');
    } finally {
      files.cleanup();
    }
  });

  test('to one .json file that every offline option reads, and that imports into another account as the same account', async () => {
    const files = tempFiles({});
    try {
      assert.equal((await run(['--out', files.path('backup.json')])).status, 0);
      const backup = files.path('backup.json');
      const tested = await portcullisAsync(['test', '--policies', backup, '--groups', backup, '--lists', backup, '--idps', backup, '--users', backup, '--json']);
      assert.equal(tested.status, 0, tested.stderr);
      assert.equal(jsonOf<TestJson>(tested).users.length, 8);
      const copy = randomAccountId();
      const imported = await portcullisAsync(['import', files.path('backup.json')], serverEnv(server, copy));
      assert.equal(imported.status, 0, imported.stderr);
      const sdk = server.sdk();
      assert.deepEqual(await describeAccount(sdk, copy), await describeAccount(sdk, account));
    } finally {
      files.cleanup();
    }
  });

  test('--json needs --out; an unreachable server or a wrong account: one line, no file written', async () => {
    const json = await run(['--json']);
    assert.equal(json.status, 2);
    assert.match(json.stderr, /^error: --json prints a summary on stdout, where the export goes without --out/m);
    const files = tempFiles({});
    try {
      const r = await run(['--out', files.path('x.json'), '--account', 'not-an-account']);
      assert.equal(r.status, 4);
      assert.match(r.stderr, /^portcullis: .+ answered 404 \(NotFoundError: .+\) while listing the .+ Check that --url or PORTCULLIS_URL is the API base/);
      assert.equal(r.stderr.trim().split('\n').length, 1);
      assert.ok(!existsSync(files.path('x.json')));
      for (const x of [json, r]) assert.doesNotMatch(x.stderr, STACK_TRACE);
    } finally {
      files.cleanup();
    }
  });
});
