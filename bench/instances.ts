// Several instances on PostgreSQL, at length: INSTANCES `portcullis serve` processes on one
// fresh schema under mixed load, ROUNDS faults (kill -9 and restart, stall past the leases, in
// turn; test/support/chaos/instances-run.ts), then every check. Progress on stderr; last stdout
// line: JSON. Exits 1 when any check failed.
//
//   npm run chaos:instances                          (3 processes, 6 rounds)
//   ROUNDS=12 INSTANCES=3 SEED=7 npm run chaos:instances

import { postgresDatabase, postgresUnavailable } from '../test/support/databases.js';
import { runInstancesChaos, type Fault } from '../test/support/chaos/instances-run.js';
import { printFigures } from '../test/support/chaos/run.js';

const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const log = (line: string) => process.stderr.write(`[chaos:instances] ${line}\n`);
const unavailable = await postgresUnavailable();
if (unavailable !== undefined) throw new Error(unavailable);

const database = await postgresDatabase();
try {
  const seed = env('SEED', Date.now() % 1_000_000);
  const cycle: Fault[] = ['kill-and-restart', 'stall'];
  const faults = Array.from({ length: env('ROUNDS', 6) }, (_, i) => cycle[i % cycle.length]);
  log(`${faults.length} rounds, seed ${seed}`);
  const report = await runInstancesChaos({
    db: database.url,
    instances: env('INSTANCES', 3),
    faults,
    clients: env('CLIENTS', 8),
    contenders: 4,
    contestedPolicies: 3,
    limits: { policies: 12, groups: 8, lists: 2, users: 30, bulkUsers: env('BULK_USERS', 500) },
    loadAfterFaultMs: 2000,
    testerUsers: env('TESTER_USERS', 10_000),
    chunkSize: 10,
    leaseMs: 1000,
    idleInTransactionTimeoutMs: 1000,
    policyTestTimeoutMs: 180_000,
    seed,
    log,
  });
  printFigures(report, log);
} finally {
  await database.drop();
}
