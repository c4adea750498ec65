// ImportGarbage: a collection after imports of at least the threshold's entries, one at a time,
// none for small imports; V8's real collector frees an import's garbage; and a large import
// through the API ends with that collection, logged.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { COLLECT_AFTER_IMPORT_ENTRIES, ImportGarbage, countedBatches, type CollectionReport } from './import-garbage.js';
import { startTestServer } from '../../test/support/server.js';
import { logLines } from '../../test/support/log-lines.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** An ImportGarbage at `threshold` whose collections are counted (`runs`) and finish when the test says. */
function controlled(threshold: number) {
  const runs: (() => void)[] = [];
  const reports: CollectionReport[] = [];
  const garbage = new ImportGarbage((report) => reports.push(report), threshold, () => () => new Promise<void>((resolve) => runs.push(resolve)));
  return { runs, reports, garbage };
}

describe('ImportGarbage', () => {
  it('collects after an import of at least the threshold, never after a smaller one', async () => {
    const { runs, reports, garbage } = controlled(1_000);
    garbage.importEnded(999);
    garbage.importEnded(0);
    await tick();
    assert.equal(runs.length, 0);
    garbage.importEnded(1_000);
    await tick();
    assert.equal(runs.length, 1);
    runs[0]();
    await tick();
    assert.equal(reports.length, 1);
    assert.equal(reports[0].entries, 1_000);
  });

  it('runs one collection at a time: imports that end meanwhile are covered by it', async () => {
    const { runs, reports, garbage } = controlled(10);
    garbage.importEnded(50);
    garbage.importEnded(60);
    await tick();
    garbage.importEnded(70);
    await tick();
    assert.equal(runs.length, 1);
    runs[0]();
    await tick();
    await tick();
    assert.deepEqual(reports.map((r) => r.entries), [50]);
    // Done: the next large import collects again.
    garbage.importEnded(80);
    await tick();
    assert.equal(runs.length, 2);
  });

  it('a collector that fails reports nothing and does not block the next collection', async () => {
    let calls = 0;
    const reports: CollectionReport[] = [];
    const garbage = new ImportGarbage((report) => reports.push(report), 1, () => () => (calls++, Promise.reject(new Error('no collector'))));
    garbage.importEnded(5);
    await tick();
    await tick();
    garbage.importEnded(5);
    await tick();
    assert.equal(calls, 2);
    assert.equal(reports.length, 0);
  });

  it("V8's collector frees garbage that survived into the old generation", async () => {
    const hadGc = typeof (globalThis as { gc?: unknown }).gc === 'function';
    // About 60 MiB of objects kept across several turns (promoted out of the young generation), then dropped.
    let kept: { name: string; groups: number[] }[] | undefined = Array.from({ length: 600_000 }, (_, i) => ({ name: `user ${i}`, groups: [i, i + 1] }));
    for (let i = 0; i < 5; i++) await tick();
    assert.equal(kept.length, 600_000);
    kept = undefined;
    const report = await new Promise<CollectionReport>((resolve) => new ImportGarbage(resolve, 1).importEnded(1));
    assert.ok(report.heapBeforeMiB - report.heapAfterMiB >= 30, `freed ${report.heapBeforeMiB} → ${report.heapAfterMiB} MiB`);
    // The collector is reached without leaving `gc` on the global object.
    if (!hadGc) assert.equal((globalThis as { gc?: unknown }).gc, undefined);
  });

  it('countedBatches passes batches through and counts their entries', async () => {
    async function* source() {
      yield [1, 2, 3];
      yield [4];
    }
    const counter = { entries: 0 };
    const seen: number[][] = [];
    for await (const batch of countedBatches(source(), counter)) seen.push(batch);
    assert.deepEqual(seen, [[1, 2, 3], [4]]);
    assert.equal(counter.entries, 4);
  });
});

describe('a large import through the API', () => {
  it('is followed by one collection of the heap, logged with the entries read', async () => {
    const { lines: log, stream } = logLines<{ msg: string; collectedAfterImport?: CollectionReport }>();
    const s = await startTestServer({ logger: { level: 'info', stream } });
    try {
      const importUsers = async (count: number) => {
        const body = Array.from({ length: count }, (_, i) => JSON.stringify({ email: `user${i}@example.com`, name: `User ${i}` })).join('\n');
        const answer = await fetch(`${s.apiUrl}/accounts/${s.accountId}/access/users/import`, {
          method: 'POST',
          headers: { authorization: `Bearer ${s.rootToken}`, 'content-type': 'application/x-ndjson' },
          body,
        });
        assert.equal(answer.status, 200, await answer.text());
      };
      const collections = () => log.filter((line) => line.collectedAfterImport !== undefined).map((line) => line.collectedAfterImport!);
      await importUsers(1_000);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.deepEqual(collections(), [], 'a small import is not followed by a collection');
      await importUsers(COLLECT_AFTER_IMPORT_ENTRIES);
      for (let waited = 0; collections().length === 0 && waited < 10_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
      const [report, ...more] = collections();
      assert.equal(more.length, 0);
      assert.equal(report?.entries, COLLECT_AFTER_IMPORT_ENTRIES);
      assert.ok(report.heapAfterMiB < report.heapBeforeMiB, JSON.stringify(report));
    } finally {
      await s.close();
    }
  });
});
