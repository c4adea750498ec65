// Two processes sharing a policy test whose chunks take longer than a lease (a slow external
// evaluation endpoint, stood in for here by slow reads of the chunk's users): each holder renews
// its lease while it decides, so every chunk is decided once and the test completes. Without
// renewal each chunk passed from holder to holder and none was ever completed.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { importUsers } from '../../test/support/policy-tests.js';
import { randomAccountId, startTestServer } from '../../test/support/server.js';
import type { Store } from '../store/store.js';
import { TestRunner } from './runner.js';

const LEASE_MS = 150;
const READ_MS = 4 * LEASE_MS;

/** `store` whose chunk reads each take READ_MS, counted in `reads`. */
function slowChunkReads(store: Store, reads: { count: number }): Store {
  const bound = (target: object, name: PropertyKey): unknown => {
    const value = Reflect.get(target, name, target) as unknown;
    return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
  };
  const tests = new Proxy(store.tests, {
    get: (target, name) =>
      name === 'usersInRange'
        ? async (...args: Parameters<Store['tests']['usersInRange']>) => {
            reads.count++;
            await new Promise((ok) => setTimeout(ok, READ_MS));
            return target.usersInRange(...args);
          }
        : bound(target, name),
  });
  return new Proxy(store, { get: (target, name) => (name === 'tests' ? tests : bound(target, name)) });
}

it('a chunk slower than its lease is kept by its holder and decided once, with two processes sharing the test', async () => {
  // No runner in the server: the two below are the "processes".
  const s = await startTestServer({ settings: { testChunkSize: 2 }, tester: { concurrency: 0 } });
  const reads = { count: 0 };
  const store = slowChunkReads(s.store, reads);
  const runners = ['process-a', 'process-b'].map((owner) => new TestRunner(store, { owner, leaseMs: LEASE_MS, idleMs: 10, workers: 0 }));
  try {
    const account = randomAccountId();
    await importUsers(s, account, ['ada@example.com', 'bob@example.com', 'cy@example.com', 'di@other.org', 'ed@other.org', 'flo@example.com'].map((email) => ({ email, identity: { email } })));
    const started = await s.api('POST', `/accounts/${account}/access/policy-tests`, { policies: [{ name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] }] });
    assert.equal(started.status, 200, JSON.stringify(started.json.errors));
    const id = started.json.result.id as string;
    await Promise.all(runners.map((r) => r.start()));
    const read = async () => (await s.api('GET', `/accounts/${account}/access/policy-tests/${id}`)).json.result;
    let progress = await read();
    const deadline = Date.now() + 60 * READ_MS;
    while (progress.status === 'processing' && Date.now() < deadline) {
      await new Promise((ok) => setTimeout(ok, 25));
      progress = await read();
    }
    assert.equal(progress.status, 'complete', JSON.stringify(progress));
    assert.deepEqual([progress.total_users, progress.users_approved, progress.users_blocked], [6, 4, 2]);
    assert.equal(reads.count, 3, 'each of the three chunks read (and decided) once');
    const completedBy = new Set((await s.store.tests.chunkSummaries(id)).map((c) => c.completedBy));
    assert.deepEqual([...completedBy].sort(), ['process-a', 'process-b'], 'both processes took part');
  } finally {
    await Promise.all(runners.map((r) => r.stop()));
    await s.close();
  }
});
