// Parallel NDJSON runs: this thread reads the file in 1 MiB chunks cut at line ends and hands
// them to worker threads, which parse, check and decide the users (JSON.parse is most of the
// cost of a large run). Results are merged strictly in file order, so listings, line numbers
// and the first duplicate of an email are exactly what a run in one thread reports.

import { createReadStream } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { fileProblem } from '../json-source.js';
import type { Problems } from '../../transfer/problems.js';
import { CHUNK_BYTES, MAX_LINE_BYTES } from '../users/ndjson.js';
import { EmailIndex } from '../users/email-index.js';
import type { CollectorSpec, RunInputs } from './evaluator.js';
import type { ChunkRequest, ChunkResult, WorkerSetup } from './worker.js';

/** Chunks waiting in or for each worker: enough to keep it busy, little memory. */
const IN_FLIGHT_PER_WORKER = 3;
const WORKER_URL = new URL('./worker.js', import.meta.url);

export interface PoolRun {
  readonly file: string;
  readonly workers: number;
  readonly inputs: RunInputs;
  readonly spec: CollectorSpec;
  readonly problems: Problems;
  readonly merge: (partial: unknown) => void;
  readonly onProgress: (bytesRead: number, users: number) => void;
}

export async function runPool(run: PoolRun): Promise<void> {
  const setup: WorkerSetup = { file: run.file, inputs: run.inputs, spec: run.spec };
  const workers = Array.from({ length: run.workers }, () => new Worker(WORKER_URL, { workerData: setup }));
  const inFlight = workers.map(() => 0);
  const emails = new EmailIndex();
  const pending = new Map<number, ChunkResult>();
  let nextToMerge = 0;
  let lineBase = 0;
  let users = 0;
  let bytesRead = 0;
  let wake: (() => void) | undefined;
  let failure: unknown;
  let terminating = false;
  const fail = (err: unknown) => {
    failure ??= err;
    wake?.();
  };

  const mergeReady = () => {
    for (let r = pending.get(nextToMerge); r !== undefined; r = pending.get(nextToMerge)) {
      pending.delete(nextToMerge);
      nextToMerge++;
      for (const p of r.problems) run.problems.add({ ...p, ...(p.line !== undefined ? { line: p.line + lineBase } : {}) });
      run.problems.omitted += r.omitted;
      for (let i = 0; i < r.emails.length; i++) {
        const line = r.emailLines[i] + lineBase;
        const first = emails.seen(r.emails[i], line);
        if (first !== undefined) {
          run.problems.add({ file: run.file, line, pointer: '/email', code: 'duplicate_user', message: `The email ${r.emails[i]} already appears on line ${first}.` });
        }
      }
      run.merge(r.partial);
      lineBase += r.lines;
      users += r.users;
    }
    run.onProgress(bytesRead, users);
  };

  workers.forEach((worker, w) => {
    worker.on('message', (result: ChunkResult) => {
      inFlight[w]--;
      pending.set(result.seq, result);
      try {
        mergeReady();
      } catch (err) {
        fail(err);
      }
      wake?.();
    });
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!terminating) fail(new Error(`a worker thread stopped early (exit code ${code})`));
    });
  });

  /** Wait until a result arrives (or a worker fails). */
  const nextEvent = () =>
    new Promise<void>((resolve) => {
      wake = () => {
        wake = undefined;
        resolve();
      };
    });

  let seq = 0;
  const send = (bytes: Uint8Array) => {
    const w = inFlight.indexOf(Math.min(...inFlight));
    inFlight[w]++;
    const request: ChunkRequest = { seq: seq++, bytes };
    workers[w].postMessage(request, [bytes.buffer as ArrayBuffer]);
  };

  try {
    // The unfinished line, as the pieces it came in: each chunk is searched once (joining it to
    // the carry and searching again at every chunk made one long line quadratic).
    let carry: Buffer[] = [];
    let carried = 0;
    let first = true;
    try {
      const stream = createReadStream(run.file, { highWaterMark: CHUNK_BYTES });
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        bytesRead += chunk.length;
        let data = chunk;
        if (first) {
          // A UTF-8 byte order mark is not part of the first line.
          if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) data = data.subarray(3);
          first = false;
        }
        const end = data.lastIndexOf(0x0a);
        if (end === -1) {
          // Copies, here and below: the stream may reuse its buffers, and what is sent is transferred.
          carry.push(Buffer.from(data));
          carried += data.length;
          if (carried > MAX_LINE_BYTES) {
            run.problems.add({ file: run.file, code: 'line_too_long', message: `A line is longer than ${MAX_LINE_BYTES.toLocaleString('en-US')} bytes; one user a line is far less.` });
            return;
          }
          continue;
        }
        send(new Uint8Array(carry.length === 0 ? data.subarray(0, end + 1) : Buffer.concat([...carry, data.subarray(0, end + 1)])));
        carry = end + 1 < data.length ? [Buffer.from(data.subarray(end + 1))] : [];
        carried = data.length - end - 1;
        while (failure === undefined && inFlight.reduce((a, b) => a + b, 0) >= run.workers * IN_FLIGHT_PER_WORKER) await nextEvent();
        if (failure !== undefined) throw failure;
      }
    } catch (err) {
      if (failure === undefined && typeof (err as NodeJS.ErrnoException).syscall === 'string') {
        run.problems.add(fileProblem(run.file, err));
        return;
      }
      throw err;
    }
    if (carry.length > 0) send(new Uint8Array(Buffer.concat(carry)));
    while (failure === undefined && nextToMerge < seq) await nextEvent();
    if (failure !== undefined) throw failure;
  } finally {
    terminating = true;
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
