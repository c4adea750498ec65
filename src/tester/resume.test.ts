// Policy tests survive their server: a test processing when its server is killed (SIGKILL)
// resumes when a server starts again and ends with the same counts, on SQLite and on
// PostgreSQL; and on PostgreSQL two server processes share one test, each user counted once,
// and the test survives the death of either.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { openStore } from '../store/open.js';
import { testKeys } from '../../test/support/secrets-key.js';
import { databaseKinds, postgresDatabase, postgresUnavailable } from '../../test/support/databases.js';
import { ServerFleet, type ServerProcess } from '../../test/support/server-process.js';
import { TESTER_POLICIES, testerDirectory, type DirectoryOutcome } from '../../test/support/chaos/policy-test-check.js';

const USERS = 12_000;
const TOKEN = randomBytes(30).toString('base64url');
const ACCOUNT = randomBytes(16).toString('hex');
/** Small chunks and short leases, so that a test lasts long enough to be interrupted and resumes fast. */
const ENV = { PORTCULLIS_API_TOKEN: TOKEN, PORTCULLIS_ACCOUNT_ID: ACCOUNT, PORTCULLIS_TEST_CHUNK_SIZE: '15', PORTCULLIS_TEST_LEASE_MS: '1500' };
async function call(server: ServerProcess, method: string, path: string, body?: string, type = 'application/json'): Promise<any> {
  const res = await fetch(`${server.apiUrl}/accounts/${ACCOUNT}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { 'content-type': type } : {}) },
    ...(body !== undefined ? { body } : {}),
  });
  const json = (await res.json()) as { success: boolean; result: any; errors: unknown };
  assert.ok(json.success, `${method} ${path}: ${res.status} ${JSON.stringify(json.errors)}`);
  return json.result;
}

async function importDirectory(server: ServerProcess): Promise<DirectoryOutcome> {
  const { ndjson, outcome } = testerDirectory(USERS);
  await call(server, 'POST', '/access/users/import', ndjson, 'application/x-ndjson');
  return outcome;
}

async function progress(server: ServerProcess, id: string): Promise<any> {
  return call(server, 'GET', `/access/policy-tests/${id}`);
}

async function waitFor(server: ServerProcess, id: string, done: (p: any) => boolean, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const p = await progress(server, id);
    if (done(p)) return p;
    assert.ok(Date.now() < deadline, `test ${id}: still ${JSON.stringify(p)}`);
    await new Promise((ok) => setTimeout(ok, 5));
  }
}

function expectComplete(p: any, expected: DirectoryOutcome): void {
  assert.equal(p.status, 'complete');
  assert.deepEqual([p.total_users, p.users_approved, p.users_blocked, p.users_errored], [USERS, expected.approved, expected.blocked, 0], 'each user counted exactly once');
}

/** Start a test and kill `victim` while the test is between 5 % and 90 % done; retries if it finishes first. */
async function startAndKillMidway(starter: ServerProcess, victim: ServerProcess): Promise<{ id: string; atPercent: number }> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const { id } = await call(starter, 'POST', '/access/policy-tests', JSON.stringify(TESTER_POLICIES));
    const p = await waitFor(starter, id, (x) => x.percent_users_processed >= 5 || x.status !== 'processing');
    if (p.status === 'processing' && p.percent_users_processed < 90) {
      victim.child.kill('SIGKILL');
      await new Promise((ok) => victim.child.once('exit', ok));
      return { id, atPercent: p.percent_users_processed };
    }
  }
  throw new Error('the test always finished before it could be interrupted');
}

for (const kind of await databaseKinds()) {
  describe(`a policy test whose server is killed (${kind.name})`, { skip: kind.skip }, () => {
    const fleet = new ServerFleet();
    after(() => fleet.dispose());

    it('resumes when a server starts again and finishes with the same counts', async () => {
      const dir = fleet.dataDir();
      const db = kind.name === 'sqlite' ? { url: `sqlite:${join(dir, 'portcullis.db')}` } : await fleet.databaseFrom(() => kind.create());
      const start = () => fleet.start(dir, ENV, ['--db', db.url]);
      const first = await start();
      const expected = await importDirectory(first);
      const { id, atPercent } = await startAndKillMidway(first, first);
      assert.ok(atPercent < 90);

      const second = await start();
      const interrupted = await progress(second, id);
      assert.equal(interrupted.status, 'processing', 'the test outlives its server');
      assert.ok(interrupted.percent_users_processed < 100);
      expectComplete(await waitFor(second, id, (p) => p.status !== 'processing'), expected);

      // The same test, never interrupted, gives the same answer user for user.
      const { id: again } = await call(second, 'POST', '/access/policy-tests', JSON.stringify(TESTER_POLICIES));
      expectComplete(await waitFor(second, again, (p) => p.status !== 'processing'), expected);
      for (const status of ['success', 'fail']) {
        const a = await call(second, 'GET', `/access/policy-tests/${id}/users?per_page=1000&page=3&status=${status}`);
        const b = await call(second, 'GET', `/access/policy-tests/${again}/users?per_page=1000&page=3&status=${status}`);
        assert.deepEqual(a, b);
      }
    });
  });
}

describe('two server processes on one PostgreSQL share a policy test', { skip: await postgresUnavailable() }, () => {
  const fleet = new ServerFleet();
  after(() => fleet.dispose());

  it('splits the work between them, counts every user once, and survives the death of either', async () => {
    const db = await fleet.databaseFrom(postgresDatabase);
    const a = await fleet.start(fleet.dataDir(), ENV, ['--db', db.url]);
    const b = await fleet.start(fleet.dataDir(), ENV, ['--db', db.url]);
    const expected = await importDirectory(a);

    const { id } = await call(a, 'POST', '/access/policy-tests', JSON.stringify(TESTER_POLICIES));
    expectComplete(await waitFor(b, id, (p) => p.status !== 'processing'), expected);
    const store = await openStore(db.url, { secrets: testKeys() });
    try {
      const workers = new Set((await store.tests.chunkSummaries(id)).map((c) => c.completedBy));
      assert.equal(workers.size, 2, `both processes completed chunks: ${[...workers].join(', ')}`);
    } finally {
      await store.close();
    }

    // Kill the process that did not start the test while it works; the other finishes.
    const { id: second } = await startAndKillMidway(a, b);
    expectComplete(await waitFor(a, second, (p) => p.status !== 'processing'), expected);
  });
});
