// Deciding every user of a users file for a command: in worker threads for large NDJSON files
// (pool.ts), in this thread otherwise; the command's collector and merge are the same either
// way. Problems with entries are reported together once the whole file has been read.

import { availableParallelism } from 'node:os';
import { Problems } from '../../transfer/problems.js';
import { Progress } from '../terminal.js';
import { checkReadable, detectFormat, readUsers, type UsersFormat } from '../users/source.js';
import type { EvaluationContext } from './collector.js';
import { createCollector, UserEvaluator, type CollectorSpec, type RunInputs } from './evaluator.js';
import { runPool } from './pool.js';

/** NDJSON files at least this large are decided in worker threads (starting them costs ~50 ms). */
const PARALLEL_MIN_BYTES = 16 * 1024 * 1024;
/** Beyond this, this thread (reading, checking emails for duplicates, merging) is the bottleneck. */
const MAX_DEFAULT_WORKERS = 4;
/** In this thread, hand partial results over this often, so unlimited listings do not pile up. */
const MERGE_EVERY_USERS = 10_000;

export interface UsersInput {
  readonly users: string;
  readonly usersFormat?: UsersFormat;
  /** Worker threads; default: as many as cores for large NDJSON files, none otherwise. */
  readonly workers?: number;
}

/**
 * Decide every user of `input.users` against the run's policy sets, feeding `spec`'s collector
 * and merging its partial results in file order. Throws an InputError when any entry was bad:
 * results over a partly read directory would mislead.
 */
export async function evaluateUsers<P>(
  input: UsersInput,
  inputs: RunInputs,
  context: EvaluationContext,
  spec: CollectorSpec,
  merge: (partial: P) => void,
  label: string,
): Promise<void> {
  const problems = new Problems();
  const size = checkReadable(input.users, problems);
  problems.throwIfAny();
  const format = input.usersFormat ?? detectFormat(input.users);
  const workers = input.workers ?? (format === 'ndjson' && size! >= PARALLEL_MIN_BYTES ? Math.min(availableParallelism(), MAX_DEFAULT_WORKERS) : 0);
  const progress = new Progress(label);
  try {
    if (format === 'ndjson' && workers > 0) {
      await runPool({
        file: input.users,
        workers,
        inputs,
        spec,
        problems,
        merge: merge as (partial: unknown) => void,
        onProgress: (done, users) => progress.update(done, size!, users),
      });
    } else {
      const collector = createCollector(spec, context);
      const evaluator = new UserEvaluator(context, collector);
      let users = 0;
      await readUsers(
        input.users,
        problems,
        (user) => {
          evaluator.add(user);
          if (++users % MERGE_EVERY_USERS === 0) merge(collector.take() as P);
        },
        { format, onProgress: (done, total) => progress.update(done, total, users) },
      );
      merge(collector.take() as P);
    }
  } finally {
    progress.stop();
  }
  problems.throwIfAny();
}
