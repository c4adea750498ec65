// Runs SQLite statements on worker threads (statement-worker.ts), as an Executor whose
// statements wait in line for the first free worker: read-only pools for long reads, and a
// one-thread writable pool for bulk transactions. Workers start on first use and hold the
// process open only while a statement of theirs is in flight.

import { Worker } from 'node:worker_threads';
import type { Executor, RunResult } from '../driver.js';
import { PACKED, packedParams } from './packed-params.js';
import type { StatementReply, StatementRequest, StatementWorkerData } from './statement-worker.js';

interface Waiting {
  readonly request: Omit<StatementRequest, 'id'>;
  readonly resolve: (rows: unknown) => void;
  readonly reject: (err: unknown) => void;
}

class StatementWorker {
  readonly thread: Worker;
  busy: Waiting | undefined;
  broken: Error | undefined;

  constructor(data: StatementWorkerData, onIdle: (worker: StatementWorker) => void) {
    this.thread = new Worker(new URL('./statement-worker.js', import.meta.url), { workerData: data });
    this.thread.unref();
    this.thread.on('message', (reply: StatementReply) => {
      const job = this.busy;
      this.busy = undefined;
      this.thread.unref();
      if (job !== undefined) {
        if ('error' in reply) job.reject(Object.assign(new Error(reply.error.message), reply.error.code !== undefined ? { code: reply.error.code } : {}));
        else job.resolve(reply.rows);
      }
      onIdle(this);
    });
    const fail = (err: Error) => {
      this.broken ??= err;
      this.busy?.reject(err);
      this.busy = undefined;
      onIdle(this);
    };
    this.thread.on('error', fail);
    this.thread.on('exit', (code) => fail(new Error(`a SQLite scan worker stopped (exit code ${code})`)));
  }

  start(job: Waiting): void {
    this.busy = job;
    this.thread.ref();
    this.thread.postMessage({ id: 0, ...job.request } satisfies StatementRequest);
  }
}

/** better-sqlite3 binds neither booleans nor undefined. */
const bindable = (params: readonly unknown[]): unknown[] => params.map((p) => (p === undefined ? null : typeof p === 'boolean' ? (p ? 1 : 0) : p));
/** For JSON, which already writes undefined in an array as null: a copy only when a boolean needs turning into a number (an import's rows have none). */
const jsonBindable = (params: readonly unknown[]): readonly unknown[] => (params.some((p) => typeof p === 'boolean') ? bindable(params) : params);

export class StatementPool implements Executor {
  private readonly workers: StatementWorker[] = [];
  private readonly queue: Waiting[] = [];
  private closed = false;

  constructor(
    private readonly data: StatementWorkerData,
    private readonly size: number,
  ) {}

  all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.submit({ method: 'all', sql, params: bindable(params) }) as Promise<T[]>;
  }

  get<T>(sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
    return this.submit({ method: 'get', sql, params: bindable(params) }) as Promise<T | undefined>;
  }

  run(sql: string, params: readonly unknown[] = []): Promise<RunResult> {
    if (!this.data.writable) return Promise.reject(new Error('this pool only reads'));
    return this.submit({ method: 'run', sql, params: bindable(params) }) as Promise<RunResult>;
  }

  runEach(sql: string, paramSets: readonly (readonly unknown[])[]): Promise<RunResult> {
    if (!this.data.writable) return Promise.reject(new Error('this pool only reads'));
    // As one text: cloning many thousands of small strings for postMessage costs both threads
    // several times what joining and splitting them does (and JSON, for other values).
    const packed = packedParams(paramSets);
    if (packed !== undefined) return this.submit({ method: 'runEach', sql, params: [PACKED, packed] }) as Promise<RunResult>;
    return this.submit({ method: 'runEach', sql, params: [JSON.stringify(paramSets.map(jsonBindable))] }) as Promise<RunResult>;
  }

  private submit(request: Waiting['request']): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('the store is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let idle = this.workers.find((w) => w.busy === undefined && w.broken === undefined);
      if (idle === undefined && this.workers.filter((w) => w.broken === undefined).length < this.size) {
        idle = new StatementWorker(this.data, () => this.dispatch());
        this.workers.push(idle);
      }
      if (idle === undefined) return;
      idle.start(this.queue.shift()!);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('the store is closed'));
    await Promise.all(this.workers.map((w) => w.thread.terminate()));
    for (const w of this.workers) w.busy?.reject(new Error('the store is closed'));
  }
}
