// The policy tester decides chunks on worker threads (chunk-pool.ts): the same decisions as on
// the event loop's thread, the event loop answering HTTP meanwhile, a thread that dies losing
// no chunk and not taking the server with it, and each user decided on their identity as it
// is when the test runs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import { importUsers, resultsByEmail, runPolicyTest } from '../../test/support/policy-tests.js';
import { TESTER_POLICIES, testerDirectory } from '../../test/support/chaos/policy-test-check.js';

const COUNTING_WORKER = new URL('../../test/support/counting-chunk-worker.js', import.meta.url);

function countingWorker(faults: number): { counters: Int32Array; workerScript: { url: URL; data: { counters: SharedArrayBuffer } } } {
  const shared = new SharedArrayBuffer(12);
  const counters = new Int32Array(shared);
  counters[0] = faults;
  return { counters, workerScript: { url: COUNTING_WORKER, data: { counters: shared } } };
}

async function importDirectory(s: TestServer, users: number) {
  const { ndjson, outcome } = testerDirectory(users);
  const res = await s.api('POST', `/accounts/${s.accountId}/access/users/import`, ndjson, { 'content-type': 'application/x-ndjson' });
  assert.equal(res.status, 200, JSON.stringify(res.json.errors));
  return outcome;
}

describe('policy tests on worker threads', () => {
  it('decide every user as the event loop\'s thread does, and the event loop answers requests while they run', async () => {
    const { counters, workerScript } = countingWorker(0);
    const threads = await startTestServer({ settings: { testChunkSize: 50 }, tester: { workers: 2, workerScript } });
    const inline = await startTestServer({ settings: { testChunkSize: 50 }, tester: { workers: 0 } });
    try {
      const users = 20_000;
      const expected = await importDirectory(threads, users);
      await importDirectory(inline, users);
      const body = { ...TESTER_POLICIES, baseline_policies: [TESTER_POLICIES.policies[1]] };

      const started = await threads.api('POST', `/accounts/${threads.accountId}/access/policy-tests`, body);
      assert.equal(started.status, 200);
      const id = started.json.result.id as string;
      let answeredWhileProcessing = 0;
      for (;;) {
        const [progress, groups] = await Promise.all([
          threads.api('GET', `/accounts/${threads.accountId}/access/policy-tests/${id}`),
          threads.api('GET', `/accounts/${threads.accountId}/access/groups`),
        ]);
        assert.equal(progress.status, 200);
        assert.equal(groups.status, 200);
        if (progress.json.result.status !== 'processing') {
          assert.equal(progress.json.result.status, 'complete');
          assert.deepEqual([progress.json.result.users_approved, progress.json.result.users_blocked], [expected.approved, expected.blocked]);
          break;
        }
        answeredWhileProcessing++;
        await new Promise((ok) => setTimeout(ok, 5));
      }
      assert.ok(answeredWhileProcessing > 0, 'the server answered while the test was processing');
      assert.equal(counters[1], users / 50, 'every chunk went through a worker thread');

      const here = await runPolicyTest(inline, inline.accountId, body, 60_000);
      const viaThreads = await resultsByEmail(threads, threads.accountId, id);
      const onLoop = await resultsByEmail(inline, inline.accountId, here.id);
      assert.equal(viaThreads.size, users);
      // Ids differ between the two servers; everything else must not.
      const strip = (r: any) => ({ ...r, id: undefined });
      for (const [email, row] of onLoop) assert.deepEqual(strip(viaThreads.get(email)), strip(row), email);
    } finally {
      await threads.close();
      await inline.close();
    }
  });

  it('retry the chunks of a thread that dies, and the server keeps serving', async () => {
    const { counters, workerScript } = countingWorker(3);
    const s = await startTestServer({ settings: { testChunkSize: 100 }, tester: { workers: 2, workerScript, leaseMs: 300 } });
    try {
      const expected = await importDirectory(s, 2_000);
      const { progress } = await runPolicyTest(s, s.accountId, TESTER_POLICIES, 60_000);
      assert.equal(counters[2], 3, 'three threads died deciding a chunk');
      assert.equal(progress.status, 'complete');
      assert.deepEqual([progress.total_users, progress.users_approved, progress.users_blocked, progress.users_errored], [2_000, expected.approved, expected.blocked, 0], 'each user counted exactly once');
      assert.equal((await s.api('GET', `/accounts/${s.accountId}/access/groups`)).status, 200);
    } finally {
      await s.close();
    }
  });

  it('decide a user re-imported after the first import on the new identity', async () => {
    const s = await startTestServer({ tester: { workers: 1 } });
    try {
      await importUsers(s, s.accountId, [
        { email: 'ana@example.com', identity: { amr: ['pwd'] } },
        { email: 'bo@example.com', identity: { amr: ['pwd', 'mfa'] } },
      ]);
      const before = await runPolicyTest(s, s.accountId, TESTER_POLICIES);
      assert.equal((await resultsByEmail(s, s.accountId, before.id)).get('ana@example.com')?.status, 'blocked');
      await importUsers(s, s.accountId, [{ email: 'ana@example.com', identity: { amr: ['pwd', 'mfa'] } }]);
      const after = await runPolicyTest(s, s.accountId, TESTER_POLICIES);
      const results = await resultsByEmail(s, s.accountId, after.id);
      assert.equal(results.get('ana@example.com')?.status, 'approved');
      assert.equal(results.get('bo@example.com')?.status, 'approved');
    } finally {
      await s.close();
    }
  });
});
