// A policy test decides against the account as it was when the test started: groups, lists
// and service tokens edited (or a token disabled) while it waits for a runner change neither
// its counts nor the explanation of a user, on SQLite and PostgreSQL.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKinds } from '../../test/support/databases.js';
import { importUsers, resultsByEmail } from '../../test/support/policy-tests.js';
import { randomAccountId, startTestServer } from '../../test/support/server.js';
import { TestRunner } from './runner.js';

for (const kind of await databaseKinds()) {
  describe(`the account a policy test sees (${kind.name})`, { skip: kind.skip }, () => {
    it('is the one of the moment the test started, whatever changes before its users are decided', async () => {
      // No runner loops in the server: the test waits until this test runs one.
      const s = await startTestServer({ database: await kind.create(), tester: { concurrency: 0 } });
      const runner = new TestRunner(s.store, { idleMs: 20 });
      try {
        const account = randomAccountId();
        const post = async (path: string, body: unknown): Promise<string> => {
          const res = await s.api('POST', `/accounts/${account}${path}`, body);
          assert.ok(res.status < 300, `${path}: ${JSON.stringify(res.json.errors)}`);
          return res.json.result.id as string;
        };
        const put = async (path: string, body: unknown): Promise<void> => {
          const res = await s.api('PUT', `/accounts/${account}${path}`, body);
          assert.equal(res.status, 200, `${path}: ${JSON.stringify(res.json.errors)}`);
        };
        const list = await post('/gateway/lists', { name: 'Office', type: 'IP', items: [{ value: '192.0.2.0/24' }] });
        const group = await post('/access/groups', { name: 'Staff', include: [{ email_domain: { domain: 'example.com' } }] });
        const token = await post('/access/service_tokens', { name: 'CI' });
        await importUsers(s, account, [
          { email: 'ada@example.com', identity: { email: 'ada@example.com', ip: '192.0.2.10' } },
          { email: 'bob@example.com', identity: { email: 'bob@example.com', ip: '198.51.100.7' } },
          { email: 'eve@other.org', identity: { email: 'eve@other.org', ip: '198.51.100.8' } },
          { email: 'ci@example.com', identity: { email: 'ci@example.com', service_token_id: token, service_token_status: true } },
        ]);
        const started = await s.api('POST', `/accounts/${account}/access/policy-tests`, {
          policies: [
            { name: 'CI', decision: 'non_identity', include: [{ service_token: { token_id: token } }] },
            { name: 'Staff in the office', decision: 'allow', include: [{ group: { id: group } }], require: [{ ip_list: { id: list } }] },
          ],
        });
        assert.equal(started.status, 200, JSON.stringify(started.json.errors));
        const id = started.json.result.id as string;

        // Edits after the start: another domain, another office, the token disabled.
        await put(`/access/groups/${group}`, { name: 'Staff', include: [{ email_domain: { domain: 'other.org' } }] });
        await put(`/gateway/lists/${list}`, { name: 'Office', items: [{ value: '198.51.100.0/24' }] });
        await put(`/access/service_tokens/${token}`, { name: 'CI', enabled: false });
        const progress = await s.api('GET', `/accounts/${account}/access/policy-tests/${id}`);
        assert.equal(progress.json.result.status, 'processing', 'no user was decided before the edits');

        await runner.start();
        let result = progress.json.result;
        for (let i = 0; i < 500 && result.status === 'processing'; i++) {
          await new Promise((ok) => setTimeout(ok, 20));
          result = (await s.api('GET', `/accounts/${account}/access/policy-tests/${id}`)).json.result;
        }
        assert.equal(result.status, 'complete');
        const statuses = Object.fromEntries([...(await resultsByEmail(s, account, id))].map(([email, row]) => [email, row.status]));
        assert.deepEqual(statuses, { 'ada@example.com': 'approved', 'bob@example.com': 'blocked', 'eve@other.org': 'blocked', 'ci@example.com': 'approved' });

        const users = (await s.api('GET', `/accounts/${account}/access/users?per_page=100`)).json.result as { id: string; email: string }[];
        const ada = users.find((u) => u.email === 'ada@example.com')!;
        const explained = await s.api('GET', `/accounts/${account}/access/policy-tests/${id}/users/${ada.id}`);
        assert.equal(explained.status, 200);
        assert.equal(explained.json.result.explanation.deciding.name, 'Staff in the office');
        assert.equal(explained.json.result.identity_changed, false, 'explained against the same account the test decided against');

        // A test started now sees the edits.
        const now = await s.api('POST', `/accounts/${account}/access/policy-tests`, {
          policies: [{ name: 'Staff in the office', decision: 'allow', include: [{ group: { id: group } }], require: [{ ip_list: { id: list } }] }],
        });
        let later = now.json.result;
        for (let i = 0; i < 500 && later.status !== 'complete'; i++) {
          await new Promise((ok) => setTimeout(ok, 20));
          later = (await s.api('GET', `/accounts/${account}/access/policy-tests/${now.json.result.id}`)).json.result;
        }
        const after = Object.fromEntries([...(await resultsByEmail(s, account, now.json.result.id))].map(([email, row]) => [email, row.status]));
        assert.deepEqual(after, { 'ada@example.com': 'blocked', 'bob@example.com': 'blocked', 'eve@other.org': 'approved', 'ci@example.com': 'blocked' });
      } finally {
        await runner.stop();
        await s.close();
      }
    });
  });
}
