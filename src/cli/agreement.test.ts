// `portcullis test` (offline, on files) and the server's policy tester (the same files imported
// with `portcullis import`) decide the same users the same way, user for user, and report the
// same counts and percentages. The data covers most selectors, nested groups, lists, every
// decision, users without identities, and an external evaluation neither can decide (`error`).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { agreementDataset } from '../../test/support/agreement-dataset.js';
import { progressFields, runPolicyTest } from '../../test/support/policy-test-run.js';
import { randomAccountId, startTestServer, type TestServer } from '../../test/support/server.js';
import { jsonOf, ndjson, portcullisAsync, tempFiles } from '../../test/support/cli-harness.js';
import { serverEnv } from '../../test/support/transfer-harness.js';

describe('offline test and the server policy tester', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
  });

  test('agree user for user on the same data, and report the same counts', async () => {
    const data = agreementDataset();
    const files = tempFiles({
      'idps.json': data.identity_providers,
      'lists.json': data.lists,
      'groups.json': data.groups,
      'policies.json': data.policies,
      'users.ndjson': ndjson(data.users),
    });
    try {
      const inputs = ['--policies', files.path('policies.json'), '--groups', files.path('groups.json'), '--lists', files.path('lists.json'), '--idps', files.path('idps.json'), '--users', files.path('users.ndjson')];
      const offline = await portcullisAsync(['test', ...inputs, '--json']);
      assert.equal(offline.status, 0, offline.stderr);
      const local = jsonOf<Record<string, unknown> & { users: { email: string; status: string; deciding_policy: { name: string } | null }[] }>(offline);

      const account = randomAccountId();
      const imported = await portcullisAsync(['import', ...inputs, '--json'], serverEnv(server, account));
      assert.equal(imported.status, 0, imported.stderr);
      const policyIds = jsonOf<{ objects: { kind: string; id: string }[] }>(imported).objects.filter((o) => o.kind === 'policy').map((o) => o.id);
      assert.equal(policyIds.length, data.policies.length);
      const remote = await runPolicyTest(server.sdk(), account, policyIds);

      assert.equal(remote.progress.status, 'complete');
      assert.deepEqual(progressFields(local), progressFields(remote.progress));
      const offlineStatuses = new Map(local.users.map((u) => [u.email.toLowerCase(), u.status]));
      assert.equal(offlineStatuses.size, data.users.length);
      const disagreements = [...offlineStatuses].filter(([email, status]) => remote.statuses.get(email) !== status).map(([email, status]) => `${email}: offline ${status}, server ${remote.statuses.get(email)}`);
      assert.deepEqual(disagreements, []);
      assert.equal(remote.statuses.size, offlineStatuses.size);
      // The data is worth comparing: every status occurs, not rarely, and every policy decides someone.
      for (const status of ['approved', 'blocked', 'error']) {
        const n = local.users.filter((u) => u.status === status).length;
        assert.ok(n >= 10, `${n} ${status} users`);
      }
      const deciding = new Set(local.users.map((u) => u.deciding_policy?.name));
      assert.deepEqual(data.policies.map((p) => p.name).filter((name) => !deciding.has(name as string)), []);
    } finally {
      files.cleanup();
    }
  });
});
