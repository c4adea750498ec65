// A worker thread of a parallel NDJSON run (pool.ts): it loads the run's policies and catalog
// once, then for each chunk of whole lines it is sent, parses, checks and decides every user
// and returns the collector's partial result with the chunk's problems (lines relative to the
// chunk) and its emails (the main thread checks them for duplicates across the whole file).

import { parentPort, workerData } from 'node:worker_threads';
import { Problems, type Problem } from '../../transfer/problems.js';
import { parseNdjsonLines } from '../users/ndjson.js';
import { userFromEntry } from '../users/user.js';
import { createCollector, loadContext, UserEvaluator, type CollectorSpec, type RunInputs } from './evaluator.js';

export interface WorkerSetup {
  readonly file: string;
  readonly inputs: RunInputs;
  readonly spec: CollectorSpec;
}

export interface ChunkRequest {
  readonly seq: number;
  readonly bytes: Uint8Array;
}

export interface ChunkResult {
  readonly seq: number;
  /** Lines in the chunk. */
  readonly lines: number;
  readonly users: number;
  /** Problems, with lines counted from 1 at the chunk's first line. */
  readonly problems: Problem[];
  readonly omitted: number;
  /** Each valid user's email and line (relative, as problems). */
  readonly emails: string[];
  readonly emailLines: Int32Array;
  readonly partial: unknown;
}

/** Per chunk, as on the main thread: a flood of bad lines is counted, not kept. */
const MAX_PROBLEMS_PER_CHUNK = 100;

function start(setup: WorkerSetup): void {
  const port = parentPort!;
  const setupProblems = new Problems();
  const context = loadContext(setup.inputs, setupProblems);
  // The main thread loaded the same files without problems; if they changed since, stop.
  setupProblems.throwIfAny();
  const evaluator = new UserEvaluator(context, createCollector(setup.spec, context));
  port.on('message', ({ seq, bytes }: ChunkRequest) => {
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    const problems = new Problems(MAX_PROBLEMS_PER_CHUNK);
    const emails: string[] = [];
    const lines: number[] = [];
    const count = parseNdjsonLines(text, 1, setup.file, problems, (entry, line) => {
      const user = userFromEntry(entry, (pointer, message) => problems.add({ file: setup.file, line, pointer, code: 'invalid_user', message }));
      if (user === undefined) return;
      emails.push(user.email);
      lines.push(line);
      evaluator.add(user);
    });
    const emailLines = Int32Array.from(lines);
    const result: ChunkResult = {
      seq,
      lines: count,
      users: emails.length,
      problems: problems.list,
      omitted: problems.omitted,
      emails,
      emailLines,
      partial: evaluator.collector.take(),
    };
    port.postMessage(result, [emailLines.buffer]);
  });
}

if (parentPort !== null) start(workerData as WorkerSetup);
