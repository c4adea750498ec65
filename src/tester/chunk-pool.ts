// Worker threads that decide policy-test chunks (chunk-worker.ts): the runner leases a chunk on
// the event loop's thread, hands its range here, and stores the outcome it gets back. Reading
// the users, parsing and preparing their identities, deciding and serializing the results (all
// of a test's CPU but its writes) run on the threads, so HTTP is answered during a large test
// and a test uses every core. Threads start when a test is posted (warm) or on first use, and
// stop after a while without work; a resident pool (the server's) keeps them, so that a test
// after a quiet time finds its threads and their database sessions where the last one left them.

import { Worker } from 'node:worker_threads';
import type { ChunkOutcome, ThreadConnection } from '../store/store.js';
import type { TestSpec } from './compiled-test.js';
import type { ChunkWorkerData } from './chunk-worker.js';

export interface ChunkJob {
  readonly jobId: number;
  readonly testId: string;
  /** Sent with a test's first chunk on each thread (and again when the thread asks for it). */
  readonly spec?: TestSpec;
  readonly accountId: string;
  readonly seqFrom: number;
  readonly seqTo: number;
}

export type ChunkReply =
  | { readonly jobId: number; readonly outcome: ChunkOutcome }
  | { readonly jobId: number; readonly missing: true }
  | { readonly jobId: number; readonly error: string };

/**
 * How long threads without work are kept. A new thread's first chunks run cold (modules loaded,
 * code not yet optimized) and, on PostgreSQL, its new database session maps the server's shared
 * buffers page by page as it reads: a million-user test right after another took 7.4 s where
 * the first took 8.9 s (2.3 s less CPU: 1.3 s the database's, 1.1 s the threads'). Tests come
 * in bursts (a policy change tried several times), so threads wait for the next a few minutes.
 */
const THREAD_IDLE_MS = 5 * 60_000;

/** Each thread's young generation (see spawn). */
const THREAD_YOUNG_GENERATION_MB = 48;

export interface ChunkPoolOptions {
  /** Threads at most. */
  readonly size: number;
  readonly connection: ThreadConnection;
  /** Threads without work for this long are stopped (their memory and database sessions given back); default 5 minutes. */
  readonly idleMs?: number;
  /**
   * Keep threads however long they wait (idleMs does not apply). A new thread's first chunks run
   * cold and, on PostgreSQL, its new session maps the database's shared buffers as it reads: a
   * million-user test after six quiet minutes took 7.4 s with new threads, 6.0 s with kept ones
   * (docs/benchmarks.md, "Threads kept").
   */
  readonly resident?: boolean;
  /** A chunk not answered within this long (default 60 s) fails and its thread is stopped: a thread stuck in a loop would otherwise hold its chunks forever. */
  readonly jobTimeoutMs?: number;
  /** The thread's script; tests substitute one that fails (it must call chunk-worker.ts's serveChunks). */
  readonly script?: URL;
  /** More worker data for such a script. */
  readonly extraData?: Readonly<Record<string, unknown>>;
}

interface Pending {
  readonly job: ChunkJob;
  readonly spec: TestSpec;
  readonly resolve: (outcome: ChunkOutcome) => void;
  readonly reject: (err: Error) => void;
}

interface Thread {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
  /** Tests whose spec this thread was sent. */
  readonly known: Set<string>;
}

const DEFAULT_SCRIPT = new URL('./chunk-worker-main.js', import.meta.url);
/** A thread remembers this many specs (chunk-worker.ts keeps fewer compiled and asks again). */
const KNOWN_MAX = 64;

export class ChunkPool {
  private threads: Thread[] = [];
  private nextJobId = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: ChunkPoolOptions) {}

  /** Decide users seqFrom..seqTo of the spec's account on a thread; rejects when the thread fails or dies. */
  decide(spec: TestSpec, seqFrom: number, seqTo: number): Promise<ChunkOutcome> {
    if (this.closed) return Promise.reject(new Error('the policy-test threads are stopped'));
    clearTimeout(this.idleTimer);
    const thread = this.pick();
    const job: ChunkJob = { jobId: this.nextJobId++, testId: spec.id, accountId: spec.accountId, seqFrom, seqTo };
    return new Promise<ChunkOutcome>((resolve, reject) => {
      const timer = setTimeout(() => this.lose(thread, new Error(`a policy-test thread did not answer within ${this.options.jobTimeoutMs} ms`)), this.options.jobTimeoutMs ?? 60_000);
      timer.unref();
      const settle = <T>(fn: (value: T) => void) => (value: T) => {
        clearTimeout(timer);
        fn(value);
      };
      thread.pending.set(job.jobId, { job, spec, resolve: settle(resolve), reject: settle(reject) });
      this.send(thread, job, spec);
    });
  }

  /**
   * Start every thread now, ahead of a test's first chunk, so that their start (loading the
   * engine, connecting to the database) overlaps the test's own start (numbering the directory)
   * instead of delaying its first chunks. Threads left without work stop as idle ones do.
   */
  warm(): void {
    if (this.closed) return;
    while (this.threads.length < this.options.size) this.spawn();
    this.maybeIdle();
  }

  /** Threads running now (for tests and metrics). */
  get threadCount(): number {
    return this.threads.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idleTimer);
    await this.stopThreads();
  }

  private send(thread: Thread, job: ChunkJob, spec: TestSpec): void {
    const withSpec = !thread.known.has(spec.id);
    if (withSpec) {
      thread.known.add(spec.id);
      if (thread.known.size > KNOWN_MAX) thread.known.delete(thread.known.values().next().value!);
    }
    thread.worker.ref();
    thread.worker.postMessage(withSpec ? { ...job, spec } : job);
  }

  /** The thread with the least work, starting one while there are fewer than size. */
  private pick(): Thread {
    let best: Thread | undefined;
    for (const t of this.threads) if (best === undefined || t.pending.size < best.pending.size) best = t;
    if (best !== undefined && (best.pending.size === 0 || this.threads.length >= this.options.size)) return best;
    return this.spawn();
  }

  private spawn(): Thread {
    const data: ChunkWorkerData = { connection: this.options.connection };
    // Every chunk leaves ~1 MB of garbage and a chunk in flight survives each collection: with
    // an 8 MiB young generation a thread ran ~320 scavenges (0.35–0.44 s) per million-user
    // test, with 48 MiB ~80 (0.09–0.11 s) (docs/benchmarks.md "A server's first PostgreSQL
    // test"). 48 MiB is V8's default on a machine of the project's size; it is set so that the
    // threads behave alike on machines with less memory, where V8 would pick less.
    const worker = new Worker(this.options.script ?? DEFAULT_SCRIPT, { workerData: { ...this.options.extraData, ...data }, resourceLimits: { maxYoungGenerationSizeMb: THREAD_YOUNG_GENERATION_MB } });
    const thread: Thread = { worker, pending: new Map(), known: new Set() };
    this.threads.push(thread);
    worker.on('message', (reply: ChunkReply) => {
      const pending = thread.pending.get(reply.jobId);
      if (pending === undefined) return;
      if ('missing' in reply) {
        thread.known.delete(pending.spec.id);
        this.send(thread, pending.job, pending.spec);
        return;
      }
      thread.pending.delete(reply.jobId);
      if ('error' in reply) pending.reject(new Error(`a policy-test thread failed: ${reply.error}`));
      else pending.resolve(reply.outcome);
      this.maybeIdle();
    });
    // A thread that throws or exits takes only its own chunks with it: they are rejected (the
    // runner's leases on them expire and the chunks are retried) and the next chunk starts a new thread.
    worker.on('error', (err) => this.lose(thread, new Error(`a policy-test thread failed: ${err.message}`)));
    worker.on('exit', (code) => this.lose(thread, new Error(`a policy-test thread stopped (exit code ${code})`)));
    return thread;
  }

  /**
   * A thread that throws, exits or hangs takes only its own chunks with it: they are rejected
   * (the runner's leases on them expire and the chunks are retried) and the next chunk starts a
   * new thread.
   */
  private lose(thread: Thread, why: Error): void {
    const at = this.threads.indexOf(thread);
    if (at < 0) return;
    this.threads.splice(at, 1);
    for (const p of thread.pending.values()) p.reject(why);
    thread.pending.clear();
    void thread.worker.terminate();
    this.maybeIdle();
  }

  private maybeIdle(): void {
    if (this.closed || this.threads.some((t) => t.pending.size > 0)) return;
    // Threads waiting for work must not keep a process alive that has nothing else to do.
    for (const t of this.threads) t.worker.unref();
    clearTimeout(this.idleTimer);
    if (this.options.resident === true) return;
    this.idleTimer = setTimeout(() => void this.stopThreads(), this.options.idleMs ?? THREAD_IDLE_MS);
    this.idleTimer.unref();
  }

  private async stopThreads(): Promise<void> {
    const threads = this.threads;
    this.threads = [];
    for (const t of threads) {
      for (const p of t.pending.values()) p.reject(new Error('the policy-test threads are stopped'));
      t.pending.clear();
    }
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }
}
