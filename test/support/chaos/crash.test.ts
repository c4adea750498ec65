// Crash safety (a short run of bench/crash.ts): a server killed with SIGKILL in the middle of
// concurrent writes (and, every other time, of a policy test) four times, on SQLite and on PostgreSQL; after each
// restart every acknowledged write is there and intact, nothing half-written shows, and the
// policy test resumes and ends with each user counted once.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKinds, type TestDatabase } from '../databases.js';
import type { ServerProcess } from '../server-process.js';
import { runCrashCycles } from './crash-run.js';

const CYCLES = 4;

for (const kind of await databaseKinds()) {
  describe(`a server killed during writes (${kind.name})`, { skip: kind.skip }, () => {
    const servers = new Set<ServerProcess>();
    let db: TestDatabase | undefined;
    after(async () => {
      for (const server of servers) server.child.kill('SIGKILL');
      await db?.drop();
    });

    it(`keeps every acknowledged write over ${CYCLES} kills`, { timeout: 120_000 }, async (t) => {
      db = kind.name === 'postgres' ? await kind.create() : undefined;
      const report = await runCrashCycles({
        ...(db !== undefined ? { db: db.url } : {}),
        cycles: CYCLES,
        clients: 6,
        limits: { policies: 8, groups: 6, lists: 2, users: 20, bulkUsers: 300 },
        killAfterMs: [150, 700],
        testerUsers: 3000,
        // SQLite decides a chunk so fast that a test needs many to last past a few progress polls.
        chunkSize: kind.name === 'sqlite' ? 5 : 10,
        leaseMs: 1000,
        policyTestEvery: 2,
        policyTestTimeoutMs: 60_000,
        seed: 1,
        servers,
      });
      const { failures, writes, ...figures } = report;
      t.diagnostic(JSON.stringify(figures));
      assert.deepEqual(failures, []);
      assert.equal(report.cycles, CYCLES);
      assert.equal(report.acknowledgedWritesLost, 0);
      assert.ok(report.acknowledgedWrites > 0);
      assert.equal(report.policyTestsStarted, CYCLES / 2);
      // The kill of a cycle with a test comes while the test is between 5 and 50 % done.
      assert.equal(report.policyTestsResumed, report.policyTestsStarted);
    });
  });
}
