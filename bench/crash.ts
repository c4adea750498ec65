// Crash safety, at length: kill -9 `portcullis serve` CYCLES times in the middle of concurrent
// writes (and of a policy test), restart it on the same database, and check every acknowledged
// write each time (test/support/chaos/crash-run.ts). Progress on stderr; last stdout line: JSON.
// Exits 1 when any check failed.
//
//   npm run chaos:crash                                    (SQLite, 20 cycles)
//   DB=postgres CYCLES=50 npm run chaos:crash              (a fresh schema on PORTCULLIS_TEST_POSTGRES_URL)
//   SEED=7 CLIENTS=16 BULK_USERS=3000 npm run chaos:crash

import { postgresDatabase, type TestDatabase } from '../test/support/databases.js';
import { runCrashCycles } from '../test/support/chaos/crash-run.js';
import { printFigures } from '../test/support/chaos/run.js';

const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const kind = process.env.DB ?? 'sqlite';
if (kind !== 'sqlite' && kind !== 'postgres') throw new Error(`DB must be sqlite or postgres, not ${kind}`);
const log = (line: string) => process.stderr.write(`[chaos:crash] ${line}\n`);

const database: TestDatabase | undefined = kind === 'postgres' ? await postgresDatabase() : undefined;
try {
  const seed = env('SEED', Date.now() % 1_000_000);
  log(`${kind}, seed ${seed}`);
  const report = await runCrashCycles({
    ...(database !== undefined ? { db: database.url } : {}),
    cycles: env('CYCLES', 20),
    clients: env('CLIENTS', 8),
    limits: { policies: 12, groups: 8, lists: 2, users: 30, bulkUsers: env('BULK_USERS', 1000) },
    killAfterMs: [env('KILL_MIN_MS', 200), env('KILL_MAX_MS', 2000)],
    testerUsers: env('TESTER_USERS', 6000),
    chunkSize: 5,
    leaseMs: 1000,
    policyTestEvery: 2,
    policyTestTimeoutMs: 120_000,
    seed,
    log,
  });
  printFigures(report, log);
} finally {
  await database?.drop();
}
