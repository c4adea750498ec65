// `portcullis export` against a real server: one file, a directory, or stdout, readable by
// `portcullis test` and `portcullis import` (a round trip into another account gives the same
// account, by name); applications with their policies by precedence for `test --app` and
// `diff --app`; a directory's manifest refuses a changed file or one left from another export.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomAccountId, startTestServer, type TestServer } from '../../../test/support/server.js';
import { example, EXAMPLE_CATALOG, jsonOf, portcullisAsync, STACK_TRACE, tempFiles } from '../../../test/support/cli-harness.js';
import { describeAccount, EXAMPLE_FILES, serverEnv } from '../../../test/support/transfer-harness.js';

interface ExportFile {
  policies: { id: string; name: string; include: unknown[] }[];
  groups: { id: string; name: string }[];
  lists: { id: string; name: string; type: string; items: { value: string }[] }[];
  identity_providers: { id: string; name: string; type: string }[];
  apps: { id: string; name: string; domain: string; policies: { id: string; precedence: number; reusable: boolean; name: string; decision?: string }[] }[];
  users?: { id: string; email: string; identity?: { idp?: { id: string } } }[];
}

interface TestJson {
  policies: { name: string }[];
  users: { email: string; status: string; deciding_policy: { name: string } | null }[];
}

/** The offline commands' options for the files of an export directory. */
const exportedFiles = (dir: string, ...names: ('policies' | 'groups' | 'lists' | 'idps' | 'users')[]) =>
  names.flatMap((name) => [`--${name}`, `${dir}/${name === 'users' ? 'users.ndjson' : `${name}.json`}`]);

const modeOf = (path: string): number => statSync(path).mode & 0o777;

describe('portcullis export', () => {
  let server: TestServer;
  const account = randomAccountId();
  before(async () => {
    server = await startTestServer();
    const imported = await portcullisAsync(['import', ...EXAMPLE_FILES], serverEnv(server, account));
    assert.equal(imported.status, 0, imported.stderr);
    // The example application (its policies by precedence, bypass first), and one of its own after them.
    const sdk = server.sdk();
    const ids = new Map<string, string>();
    for await (const p of sdk.zeroTrust.access.policies.list({ account_id: account })) ids.set(p.name!, p.id!);
    const application = JSON.parse(readFileSync(example('application.json'), 'utf8')) as { policies: string[] } & Record<string, unknown>;
    const app = await server.api('POST', `/accounts/${account}/access/apps`, { ...application, policies: application.policies.map((name, i) => ({ id: ids.get(name), precedence: i + 1 })) });
    assert.equal(app.status, 201, JSON.stringify(app.json));
    const own = await server.api('POST', `/accounts/${account}/access/apps/${app.json.result.id}/policies`, { name: 'Bob at the status page', decision: 'allow', include: [{ email: { email: 'bob@example.com' } }], precedence: 5 });
    assert.equal(own.status, 201, JSON.stringify(own.json));
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
    assert.deepEqual(Object.keys(doc), ['policies', 'groups', 'lists', 'identity_providers', 'apps', 'users']);
    assert.deepEqual(doc.policies.map((p) => p.name), ['Block high-risk users', 'Office network bypass for the status page', 'Employees with MFA', 'Contractors from approved countries']);
    const risky = doc.groups.find((g) => g.name === 'Risky users')!;
    assert.deepEqual(doc.policies[0].include, [{ group: { id: risky.id } }]);
    assert.deepEqual(doc.lists.find((l) => l.name === 'Office egress IPs')!.items, [{ value: '198.51.100.0/24' }, { value: '2001:db8:10::/48' }]);
    assert.deepEqual(
      doc.apps.map((a) => [a.name, a.domain, a.policies.map((p) => [p.precedence, p.name, p.reusable, p.decision ?? null])]),
      [
        [
          'Status page',
          'status.example.com',
          [
            [1, 'Office network bypass for the status page', true, null],
            [2, 'Block high-risk users', true, null],
            [3, 'Employees with MFA', true, null],
            [4, 'Contractors from approved countries', true, null],
            [5, 'Bob at the status page', false, 'allow'],
          ],
        ],
      ],
      'reusable policies linked by id (they are in "policies"), the application\'s own whole',
    );
    assert.equal(doc.apps[0].policies[0].id, doc.policies.find((p) => p.name === 'Office network bypass for the status page')!.id);
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
        [summary.format, summary.identity_providers, summary.lists, summary.list_entries, summary.groups, summary.policies, summary.apps, summary.users, summary.identities],
        ['directory', 3, 2, 3, 3, 4, 1, 8, 8],
      );
      assert.deepEqual(readdirSync(files.path('snapshot')).sort(), ['apps.json', 'groups.json', 'idps.json', 'lists.json', 'manifest.json', 'policies.json', 'users.ndjson']);
      // Every user's identity is in there: readable by the owner only, as the server's database.
      assert.equal(modeOf(files.path('snapshot')), 0o700);
      for (const name of readdirSync(files.path('snapshot'))) assert.equal(modeOf(files.path(`snapshot/${name}`)), 0o600, name);
      const at = (name: string) => files.path(`snapshot/${name}`);
      const exported = await portcullisAsync(['test', '--policies', at('policies.json'), '--groups', at('groups.json'), '--lists', at('lists.json'), '--idps', at('idps.json'), '--users', at('users.ndjson'), '--json']);
      const original = await portcullisAsync(['test', '--policies', example('policies.json'), ...EXAMPLE_CATALOG, '--idps', example('idps.json'), '--users', example('users.ndjson'), '--json']);
      const statuses = (json: TestJson) => Object.fromEntries(json.users.map((u) => [u.email, u.status]));
      assert.deepEqual(statuses(jsonOf<TestJson>(exported)), statuses(jsonOf<TestJson>(original)));

      const human = await run(['--out', files.path('again')]);
      assert.match(human.stdout, /^Exported from .+, account [0-9a-f]{32}, to .+again: 3 identity providers, 2 Gateway lists \(3 entries\), 3 Access groups, 4 policies, 1 application, 8 users \(8 with a last seen identity\)\.$/m);
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
      assert.equal(modeOf(backup), 0o600);
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

  test("test --app and diff --app on an export: the application's policies by precedence, its own included", async () => {
    const files = tempFiles({});
    try {
      const dir = files.path('snapshot');
      assert.equal((await run(['--out', dir])).status, 0);
      const catalog = exportedFiles(dir, 'groups', 'lists', 'idps', 'users');
      const whole = jsonOf<TestJson>(await portcullisAsync(['test', ...exportedFiles(dir, 'policies'), ...catalog, '--json']));
      const tested = await portcullisAsync(['test', ...exportedFiles(dir, 'policies'), ...catalog, '--apps', `${dir}/apps.json`, '--app', 'Status page', '--json']);
      assert.equal(tested.status, 0, tested.stderr);
      const app = jsonOf<TestJson>(tested);
      assert.equal(app.policies.length, 5);
      const status = (json: TestJson, email: string) => json.users.find((u) => u.email === email)!.status;
      assert.equal(status(whole, 'bob@example.com'), 'blocked', 'the reusable policies alone');
      assert.equal(status(app, 'bob@example.com'), 'approved', "the application's own policy lets Bob in");
      assert.equal(app.users.find((u) => u.email === 'bob@example.com')!.deciding_policy!.name, 'Bob at the status page');

      // A proposed change to a reusable policy, tested for the application that uses it.
      const policies = JSON.parse(readFileSync(`${dir}/policies.json`, 'utf8')) as { name: string; include: unknown[] }[];
      const proposed = files.path('proposed.json');
      writeFileSync(proposed, JSON.stringify(policies.map((p) => (p.name === 'Employees with MFA' ? { ...p, include: [{ email_domain: { domain: 'nobody.example' } }] } : p))));
      const diffed = await portcullisAsync(['diff', '--before', `${dir}/policies.json`, '--after', proposed, ...catalog, '--apps', `${dir}/apps.json`, '--app', 'Status page', '--json']);
      assert.equal(diffed.status, 0, diffed.stderr);
      const diff = jsonOf<{ lost: number; users: { email: string; change: string }[] }>(diffed);
      assert.deepEqual(diff.users.map((u) => [u.email, u.change]), [['alice@example.com', 'lost']], 'Bob keeps access through the application\'s own policy');
    } finally {
      files.cleanup();
    }
  });

  test('an export directory refuses a file changed since, or one that is not part of the export; one line each, exit 2', async () => {
    const files = tempFiles({});
    try {
      const dir = files.path('snapshot');
      assert.equal((await run(['--out', dir])).status, 0);
      const args = ['test', ...exportedFiles(dir, 'policies', 'groups', 'lists', 'idps', 'users')];
      assert.equal((await portcullisAsync(args)).status, 0, 'as exported: accepted');
      const manifest = JSON.parse(readFileSync(`${dir}/manifest.json`, 'utf8')) as { format: string; version: number; created_at: string; source: unknown; files: Record<string, { count: number }> };
      assert.deepEqual([manifest.format, manifest.version, manifest.source], ['portcullis-export', 1, { url: server.apiUrl, account }]);
      assert.deepEqual(Object.fromEntries(Object.entries(manifest.files).map(([name, f]) => [name, f.count])), { 'policies.json': 4, 'groups.json': 3, 'lists.json': 2, 'idps.json': 3, 'apps.json': 1, 'users.ndjson': 8 });

      // One byte changed (a letter of an email: still valid JSON, still 8 users).
      const users = readFileSync(`${dir}/users.ndjson`);
      const at = users.indexOf('alice');
      users[at] = 'A'.charCodeAt(0);
      writeFileSync(`${dir}/users.ndjson`, users);
      for (const command of [args, ['diff', '--before', `${dir}/policies.json`, '--after', `${dir}/policies.json`, '--users', `${dir}/users.ndjson`, ...exportedFiles(dir, 'groups', 'lists')]]) {
        const changed = await portcullisAsync(command);
        assert.equal(changed.status, 2);
        assert.equal(
          changed.stderr,
          `${dir}/users.ndjson: Changed since the export of ${manifest.created_at}: its SHA-256 differs from the one in manifest.json. Export again, or copy the file out of the export directory to use it as it is. [export_mismatch]\n`,
        );
        assert.equal(changed.stdout, '');
      }
      const imported = await portcullisAsync(['import', dir, '--dry-run'], serverEnv(server, account));
      assert.equal(imported.status, 2, 'import refuses it too');
      assert.match(imported.stderr, /users\.ndjson: Changed since the export of .+ \[export_mismatch\]/);

      // Cut short at a line boundary (valid NDJSON, fewer users): incomplete.
      writeFileSync(`${dir}/users.ndjson`, users.subarray(0, users.indexOf('\n') + 1));
      const cut = await portcullisAsync(args);
      assert.equal(cut.status, 2);
      assert.match(cut.stderr, /^.+users\.ndjson: Incomplete: 1 line where it wrote 8 users, [\d,]+ of the [\d,]+ bytes the export of .+ wrote \(see manifest\.json\)\. Export again, or copy .+ \[export_mismatch\]\n$/);

      // A line added (more users than it wrote): changed, said as such.
      writeFileSync(`${dir}/users.ndjson`, Buffer.concat([users, users.subarray(0, users.indexOf('\n') + 1)]));
      const grown = await portcullisAsync(args);
      assert.equal(grown.status, 2);
      assert.match(grown.stderr, /^.+users\.ndjson: Changed since the export of .+: 9 lines where it wrote 8 users, [\d,]+ bytes where it wrote [\d,]+ \(see manifest\.json\)\. Export again, or copy .+ \[export_mismatch\]\n$/);
      writeFileSync(`${dir}/users.ndjson`, users.subarray(0, users.indexOf('\n') + 1));

      // An export without users leaves the earlier users.ndjson where it was, but not as part of itself.
      assert.equal((await run(['--out', dir, '--no-users'])).status, 0);
      const stale = await portcullisAsync(args);
      assert.equal(stale.status, 2);
      assert.match(stale.stderr, /users\.ndjson: Not part of the export of .+: its manifest\.json lists policies\.json, groups\.json, lists\.json, idps\.json, apps\.json\. The file is left from an earlier export or was put here by hand\./);

      // A directory without a manifest (hand-written files, or an export of an earlier version) is read as it is.
      rmSync(`${dir}/manifest.json`);
      assert.equal((await portcullisAsync(args)).status, 0);
      writeFileSync(`${dir}/manifest.json`, '{"format": "portcullis-export", "version": 2}');
      const newer = await portcullisAsync(args);
      assert.equal(newer.status, 2);
      assert.match(newer.stderr, /manifest\.json: This export was written by a newer portcullis \(manifest version 2\); this one reads version 1\. Upgrade portcullis\. \[invalid_manifest\]/);
    } finally {
      files.cleanup();
    }
  });

  test('a place the export cannot be written is refused before the server is read: one line, exit 2', async () => {
    const files = tempFiles({ 'a-file': 'not a directory' });
    try {
      for (const [out, why] of [
        [files.path('a-file'), /a part of the path is a file, not a directory/],
        [files.path('missing/x.json'), /its folder does not exist/],
        [files.path('a-file/x.json'), /a part of the path is a file, not a directory/],
      ] as const) {
        // An unreachable server: had the export read it first, this would be exit 4.
        const r = await portcullisAsync(['export', '--out', out], { ...serverEnv(server, account), PORTCULLIS_URL: 'http://127.0.0.1:9/client/v4' });
        assert.equal(r.status, 2, r.stderr);
        assert.match(r.stderr, why);
        assert.match(r.stderr, /Cannot write the export to /);
        assert.doesNotMatch(r.stderr, STACK_TRACE);
      }
      assert.deepEqual(readdirSync(files.path('.')).sort(), ['a-file'], 'no trial file left behind');
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
