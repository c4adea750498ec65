// Several server processes on one PostgreSQL under mixed load (a short run of
// bench/instances.ts): one is killed -9 mid-test and started again, one is stalled mid-test
// until the test completes without it while the others go on writing; no acknowledged write
// is lost, concurrent replaces of one policy end in one written version, the policy tests
// complete with each user counted once, and every process agrees.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { postgresDatabase, postgresUnavailable, type TestDatabase } from '../databases.js';
import type { ServerProcess } from '../server-process.js';
import { runInstancesChaos } from './instances-run.js';

describe('three server processes on one PostgreSQL, one killed and one stalled', { skip: await postgresUnavailable() }, () => {
  const servers = new Set<ServerProcess>();
  let db: TestDatabase | undefined;
  after(async () => {
    for (const server of servers) {
      server.child.kill('SIGCONT');
      server.child.kill('SIGKILL');
    }
    await db?.drop();
  });

  it('loses no acknowledged write and counts every test user once', { timeout: 120_000 }, async (t) => {
    db = await postgresDatabase();
    const report = await runInstancesChaos({
      db: db.url,
      instances: 3,
      faults: ['kill-and-restart', 'stall'],
      clients: 6,
      contenders: 4,
      contestedPolicies: 3,
      limits: { policies: 8, groups: 6, lists: 2, users: 20, bulkUsers: 200 },
      loadAfterFaultMs: 1500,
      testerUsers: 4000,
      chunkSize: 10,
      leaseMs: 1000,
      idleInTransactionTimeoutMs: 1000,
      policyTestTimeoutMs: 60_000,
      seed: 1,
      servers,
    });
    const { failures, ...figures } = report;
    t.diagnostic(JSON.stringify(figures));
    assert.deepEqual(failures, []);
    assert.equal(report.acknowledgedWritesLost, 0);
    assert.ok(report.contestedPutsAcknowledged > 0);
    assert.ok(report.acknowledgedWhileStalled > 0);
    assert.equal(report.policyTestsCompleted, report.policyTests);
    assert.equal(report.policyTests, 2);
  });
});
