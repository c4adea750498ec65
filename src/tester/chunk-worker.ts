// What a worker thread of the policy tester does (chunk-pool.ts; chunk-worker-main.ts is its
// script): for each chunk it is handed, it reads the chunk's users on its own database
// connection, decides them and serializes the results, so the event loop's thread only leases
// chunks and stores their outcomes.

import { parentPort, workerData } from 'node:worker_threads';
import { openChunkReader } from '../store/chunk-reader.js';
import type { ThreadConnection } from '../store/store.js';
import { compileTest, type TestSpec } from './compiled-test.js';
import { evaluateChunk, type CompiledTest } from './evaluate-chunk.js';
import type { ChunkJob, ChunkReply } from './chunk-pool.js';

export interface ChunkWorkerData {
  readonly connection: ThreadConnection;
}

/** Tests compiled here, the most recent last; few run at once. */
const COMPILED_MAX = 8;

/**
 * Answer chunks posted to this thread until told to stop. `beforeChunk` runs first for each
 * chunk (tests make it throw, as a thread that fails would).
 */
export function serveChunks(beforeChunk?: (job: ChunkJob) => void): void {
  const { connection } = workerData as ChunkWorkerData;
  const reader = openChunkReader(connection);
  // Connect now: a thread is started just before the chunks it will read (ChunkPool.warm).
  void reader.connect();
  const compiled = new Map<string, CompiledTest>();

  const compiledTest = (testId: string, spec: TestSpec | undefined): CompiledTest | undefined => {
    let test = compiled.get(testId);
    if (test === undefined && spec !== undefined) {
      test = compileTest(spec);
      compiled.set(testId, test);
      if (compiled.size > COMPILED_MAX) compiled.delete(compiled.keys().next().value!);
    }
    return test;
  };

  const decide = async (job: ChunkJob): Promise<ChunkReply> => {
    const test = compiledTest(job.testId, job.spec);
    // The pool sends a test's definition only the first time: a worker that has since dropped it asks again.
    if (test === undefined) return { jobId: job.jobId, missing: true };
    const users = await reader.userRows(job.accountId, job.seqFrom, job.seqTo);
    return { jobId: job.jobId, outcome: evaluateChunk(test, users) };
  };

  parentPort!.on('message', (message: ChunkJob | 'stop') => {
    if (message === 'stop') {
      void reader.close().finally(() => parentPort!.close());
      return;
    }
    beforeChunk?.(message);
    decide(message).then(
      (reply) => parentPort!.postMessage(reply),
      (err: unknown) => parentPort!.postMessage({ jobId: message.jobId, error: err instanceof Error ? err.message : String(err) } satisfies ChunkReply),
    );
  });
}
