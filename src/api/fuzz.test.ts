// API fuzzing (issue 7): requests generated from the served OpenAPI document and mutated (see
// test/support/fuzz-requests.ts), against a real server on each database. Every answer must be
// below 500, JSON, in Cloudflare's envelope, and the server must keep answering /healthz;
// afterwards the store must be consistent. A failure names fast-check's seed and path and the
// exact request; FUZZ_SEED=<seed> replays a run.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKinds } from '../../test/support/databases.js';
import { ROUTES } from './routes.js';
import { runFuzz } from '../../test/support/fuzz-run.js';
import { startTestServer } from '../../test/support/server.js';
import { checkStoreConsistency } from '../../test/support/store-consistency.js';

/** Per database: with SQLite and PostgreSQL together, well over the 5,000. */
const REQUESTS = 5_000;
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

for (const kind of await databaseKinds()) {
  describe(`API fuzzing (${kind.name})`, { skip: kind.skip }, () => {
    it(`answers ${REQUESTS} generated requests without a 5xx, always in the envelope, and leaves the store consistent`, async (t) => {
      const server = await startTestServer({ database: await kind.create() });
      try {
        const report = await runFuzz(server, { requests: REQUESTS, stopOnFailure: true, ...(SEED !== undefined ? { seed: SEED } : {}) });
        t.diagnostic(`seed ${report.seed}: ${report.requests} requests, statuses ${JSON.stringify(report.statuses)}`);
        assert.equal(report.serverErrors, 0);
        assert.equal(report.badAnswers, 0, report.failures.map((f) => f.request).join('\n\n'));
        assert.ok(report.requests >= REQUESTS);
        const missed = Object.entries(report.operations).filter(([, n]) => n === 0).map(([op]) => op);
        assert.deepEqual(missed, [], 'every operation of the document is exercised');
        assert.deepEqual(Object.keys(report.operations).sort(), ROUTES.map((r) => r.operationId).sort(), 'the served document has every route');

        const consistency = await checkStoreConsistency(server, report.accounts, report.policyTestIds);
        t.diagnostic(`consistency: ${JSON.stringify({ ...consistency, problems: consistency.problems.length })}`);
        assert.deepEqual(consistency.problems, []);
      } finally {
        await server.close();
      }
    });
  });
}
