// The long API fuzzing run (docs/reliability.md): the CI test's generator and checks, for many
// more requests, recording every bad answer instead of stopping at the first. Progress on
// stderr; the last stdout line is one JSON object: requests, status histogram, 5xx count,
// bad answers (with the first few in full), duration, seed, and the store consistency check.
//
//   npm run fuzz:long                       (REQUESTS=100000, a random SEED, DB=sqlite)
//   REQUESTS=20000 SEED=42 DB=postgres npm run fuzz:long

import { postgresDatabase, postgresUnavailable, sqliteDatabase } from '../test/support/databases.js';
import { runFuzz } from '../test/support/fuzz-run.js';
import { startTestServer } from '../test/support/server.js';
import { checkStoreConsistency } from '../test/support/store-consistency.js';

const REQUESTS = Number(process.env.REQUESTS ?? 100_000);
const SEED = process.env.SEED === undefined ? undefined : Number(process.env.SEED);
const DB = process.env.DB ?? 'sqlite';
const PROGRESS_EVERY = 5_000;
const log = (msg: string) => process.stderr.write(`[fuzz:long] ${msg}\n`);

if (DB !== 'sqlite' && DB !== 'postgres') throw new Error(`DB must be sqlite or postgres, not ${JSON.stringify(DB)}`);
if (DB === 'postgres') {
  const missing = await postgresUnavailable();
  if (missing !== undefined) throw new Error(missing);
}
const server = await startTestServer({ database: DB === 'postgres' ? await postgresDatabase() : sqliteDatabase() });
try {
  log(`${REQUESTS} requests on ${DB}`);
  let next = PROGRESS_EVERY;
  const report = await runFuzz(server, {
    requests: REQUESTS,
    stopOnFailure: false,
    ...(SEED !== undefined ? { seed: SEED } : {}),
    onProgress: (r) => {
      if (r.requests < next) return;
      next += PROGRESS_EVERY;
      log(`${r.requests} sent in ${Math.round(r.durationMs / 1000)} s (seed ${r.seed}): ${r.serverErrors} 5xx, ${r.badAnswers} bad answers`);
    },
  });
  log('checking the store');
  const consistency = await checkStoreConsistency(server, report.accounts, report.policyTestIds);
  const neverSucceeded = Object.keys(report.operations).filter((op) => report.successes[op] === 0);
  console.log(
    JSON.stringify({
      date: new Date().toISOString(),
      db: DB,
      seed: report.seed,
      requests: report.requests,
      durationS: Math.round(report.durationMs / 100) / 10,
      statuses: report.statuses,
      serverErrors: report.serverErrors,
      badAnswers: report.badAnswers,
      operations: Object.keys(report.operations).length,
      neverSucceeded,
      failures: report.failures.slice(0, 5),
      consistency,
    }),
  );
  if (report.badAnswers > 0 || consistency.problems.length > 0) process.exitCode = 1;
} finally {
  await server.close();
}
