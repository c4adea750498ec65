// The policy-test runner of one server process: it leases chunks of users of any processing
// test (its own or another process's), decides them with the compiled engine, and completes
// them, streaming: only the chunks in hand are in memory, however large the directory. Every
// server process runs one; on PostgreSQL they share the work of every test.

import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { gatherExternalAnswers, type ExternalAnswers, type ExternalEvaluator } from '../engine/index.js';
import type { ChunkLease, ChunkOutcome, Store } from '../store/store.js';
import { ChunkPool } from './chunk-pool.js';
import { compileTest, type TestSpec } from './compiled-test.js';
import type { TestDefinition } from './definition.js';
import { testSnapshot } from './environment.js';
import { evaluateChunk, identityOf, type CompiledTest, type ExternalLookup } from './evaluate-chunk.js';
import { RecordRebuild, type RecordRebuildOptions, type RecordRebuildOutcome } from './record-rebuild.js';

export interface RunnerOptions {
  /** This process's name on leases. */
  readonly owner?: string;
  /** How long a lease lasts; a process that dies loses its chunks after this. */
  readonly leaseMs?: number;
  /** How long an idle runner waits before looking for work again (kick() wakes it at once). */
  readonly idleMs?: number;
  /**
   * Worker threads that decide chunks (default: one per core); 0 decides them on the event
   * loop's thread, as does a database no other thread can reach (in-memory SQLite).
   */
  readonly workers?: number;
  /**
   * Start the worker threads with the runner and keep them (ChunkPool's resident mode), so that a
   * test after a quiet time is as fast as one right after another. Off by default: a process
   * that may never test (a test suite's many servers) then starts no threads until one comes.
   */
  readonly residentThreads?: boolean;
  /** Chunks processed at once by this process (default: two per worker thread, so none waits; 1 without threads). */
  readonly concurrency?: number;
  /** The worker threads' script and extra data (tests substitute one that fails). */
  readonly workerScript?: { readonly url: URL; readonly data?: Readonly<Record<string, unknown>> };
  /** How often tests past their deadline are stopped and old tests pruned. */
  readonly maintenanceMs?: number;
  /** Finished tests older than this are deleted. */
  readonly retentionMs?: number;
  /** At most this many finished tests are kept per account (the newest). */
  readonly keepPerAccount?: number;
  /** Only this process uses the database (SQLite): leases of a previous run are released at start. */
  readonly exclusive?: boolean;
  /** Asks external_evaluation endpoints for an account; without it, such rules are unknown. */
  readonly externalFor?: (accountId: string) => ExternalEvaluator;
  /** Where failures are reported. */
  readonly log?: (message: string, error?: unknown) => void;
  /** Where progress is reported (the records rebuild's). */
  readonly info?: (message: string, fields: object) => void;
  /** How users' identity records are brought to the engine's version in the background (record-rebuild.ts); false: not here. */
  readonly recordRebuild?: Omit<RecordRebuildOptions, 'info' | 'log'> | false;
}

interface LoadedTest {
  readonly accountId: string;
  readonly compiled: CompiledTest;
  /** What a worker thread compiles the test from. */
  readonly spec: TestSpec;
  /** External evaluation rules are asked on this thread (their answers are awaited HTTP calls): so are these chunks decided. */
  readonly asksExternal: boolean;
}

/** A test that no process can ever run (its stored definition no longer parses). */
class UnrunnableTest extends Error {}

/** External answers are gathered for this many users of a chunk at once. */
const EXTERNAL_CONCURRENCY = 16;

export class TestRunner {
  readonly owner: string;
  private readonly leaseMs: number;
  private readonly idleMs: number;
  private readonly concurrency: number;
  private readonly maintenanceMs: number;
  private readonly retentionMs: number;
  private readonly keepPerAccount: number;
  private readonly loaded = new Map<string, Promise<LoadedTest>>();
  private readonly pool: ChunkPool | undefined;
  private running = false;
  private loops: Promise<void>[] = [];
  private wake: (() => void)[] = [];
  private maintenanceTimer: NodeJS.Timeout | undefined;
  private recordRebuild: RecordRebuild | undefined;

  constructor(
    private readonly store: Store,
    private readonly options: RunnerOptions = {},
  ) {
    this.owner = options.owner ?? `portcullis-${process.pid}-${randomBytes(4).toString('hex')}`;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.idleMs = options.idleMs ?? 1_000;
    const workers = options.workers ?? availableParallelism();
    const connection = store.tests.threadConnection;
    this.pool =
      workers > 0 && connection !== undefined
        ? new ChunkPool({ size: workers, connection, resident: options.residentThreads === true, ...(options.workerScript !== undefined ? { script: options.workerScript.url, extraData: options.workerScript.data ?? {} } : {}) })
        : undefined;
    this.concurrency = options.concurrency ?? (this.pool !== undefined ? 2 * workers : 1);
    this.maintenanceMs = options.maintenanceMs ?? 5_000;
    this.retentionMs = options.retentionMs ?? 7 * 24 * 3600_000;
    this.keepPerAccount = options.keepPerAccount ?? 50;
  }

  /** A rebuild per start: one stopped stays stopped. */
  private newRecordRebuild(): RecordRebuild | undefined {
    const { recordRebuild, info, log } = this.options;
    return recordRebuild === false ? undefined : new RecordRebuild(this.store.tests, { ...recordRebuild, ...(info !== undefined ? { info } : {}), ...(log !== undefined ? { log } : {}) });
  }

  /** How the background records rebuild ends (it starts with the runner); undefined when it is off or the runner stopped. */
  recordRebuildOutcome(): Promise<RecordRebuildOutcome> | undefined {
    return this.running ? this.recordRebuild?.start() : undefined;
  }

  async start(): Promise<void> {
    if (this.running) return;
    if (this.options.exclusive === true) await this.store.tests.release(null);
    this.running = true;
    this.loops = Array.from({ length: this.concurrency }, () => this.loop());
    this.maintenanceTimer = setInterval(() => void this.maintain(), this.maintenanceMs);
    this.maintenanceTimer.unref();
    this.recordRebuild = this.newRecordRebuild();
    void this.recordRebuild?.start();
    if (this.options.residentThreads === true) this.pool?.warm();
  }

  /** A test is about to be created: start the worker threads meanwhile (see ChunkPool.warm). */
  prepare(): void {
    if (this.running) this.pool?.warm();
  }

  /** New work: wake idle loops now rather than at their next poll. */
  kick(): void {
    for (const wake of this.wake.splice(0)) wake();
  }

  /** Stop taking chunks, finish the ones in hand, and hand back any lease still held. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.maintenanceTimer);
    this.kick();
    await this.recordRebuild?.stop();
    await Promise.all(this.loops);
    await this.pool?.close();
    await this.store.tests.release(this.owner).catch(() => undefined);
  }

  /** Stop tests past their deadline and prune old ones (also run on a timer). */
  async maintain(): Promise<void> {
    try {
      const now = Date.now();
      await this.store.tests.expire(now, new Date(now).toISOString());
      await this.store.tests.prune(new Date(now - this.retentionMs).toISOString(), this.keepPerAccount);
    } catch (err) {
      this.options.log?.('policy-test maintenance failed', err);
    }
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let lease: ChunkLease | undefined;
      try {
        lease = await this.store.tests.lease(this.owner, Date.now(), this.leaseMs);
        if (lease !== undefined) await this.process(lease);
      } catch (err) {
        // The lease, if any, expires and the chunk is retried, here or by another process.
        this.options.log?.(`policy-test chunk ${lease?.testId ?? '?'}#${lease?.chunkNo ?? '?'} failed`, err);
        await this.idle();
      }
      if (lease === undefined) await this.idle();
      // Let HTTP requests in between chunks: with SQLite every await above resolves at once,
      // and a long test would otherwise hold the event loop for its whole run.
      else await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.idleMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake.push(done);
    });
  }

  private async process(lease: ChunkLease): Promise<void> {
    let test: LoadedTest;
    try {
      test = await this.load(lease.testId);
    } catch (err) {
      if (!(err instanceof UnrunnableTest)) throw err;
      await this.store.tests.block(lease.testId, err.message, new Date().toISOString());
      return;
    }
    const renewal = this.keepLeased(lease);
    try {
      const outcome = this.pool !== undefined && !test.asksExternal ? await this.pool.decide(test.spec, lease.seqFrom, lease.seqTo) : await this.decideHere(test, lease);
      await this.store.tests.complete(lease, this.owner, outcome, new Date().toISOString());
    } finally {
      clearInterval(renewal);
    }
  }

  /**
   * Renew a chunk's lease every third of its length while it is decided: a chunk slower than a
   * lease (a slow external evaluation endpoint) would otherwise be taken by another process
   * before this one finished, and then by the next, and never be completed. A process that dies
   * stops renewing, and its chunk is retried elsewhere once the lease runs out.
   */
  private keepLeased(lease: ChunkLease): NodeJS.Timeout {
    const timer = setInterval(() => {
      this.store.tests.renew(lease, this.owner, Date.now() + this.leaseMs).then(
        (held) => {
          if (!held) clearInterval(timer);
        },
        (err: unknown) => this.options.log?.(`policy-test chunk ${lease.testId}#${lease.chunkNo}: its lease could not be renewed`, err),
      );
    }, Math.max(1, Math.floor(this.leaseMs / 3)));
    timer.unref();
    return timer;
  }

  /** Decide a chunk on this thread. */
  private async decideHere(test: LoadedTest, lease: ChunkLease): Promise<ChunkOutcome> {
    const users = await this.store.tests.usersInRange(test.accountId, lease.seqFrom, lease.seqTo);
    const external = await this.externalAnswers(test.accountId, test.compiled, users);
    return evaluateChunk(test.compiled, users.map((u) => [u.id, u.email, u.name, u.identity] as const), external);
  }

  /** Compile a test's policy sets once per process, against the account as it was when the test started. */
  private load(testId: string): Promise<LoadedTest> {
    let loading = this.loaded.get(testId);
    if (loading === undefined) {
      loading = (async () => {
        const record = await this.store.tests.find(testId);
        if (record === undefined) throw new Error(`policy test ${testId} disappeared`);
        const spec: TestSpec = {
          id: testId,
          accountId: record.accountId,
          definition: record.definition as TestDefinition,
          snapshot: await testSnapshot(this.store.tests, this.store.read, record),
        };
        let compiled: CompiledTest;
        try {
          compiled = compileTest(spec);
        } catch (err) {
          throw new UnrunnableTest(`The test cannot run: ${(err as Error).message}`);
        }
        const asksExternal = this.options.externalFor !== undefined && (compiled.current.externalRules.length > 0 || (compiled.baseline?.externalRules.length ?? 0) > 0);
        return { accountId: record.accountId, compiled, spec, asksExternal };
      })();
      loading.catch(() => this.loaded.delete(testId));
      this.loaded.set(testId, loading);
      // A bounded cache: tests are few, but a long-lived process sees many.
      if (this.loaded.size > 64) this.loaded.delete(this.loaded.keys().next().value!);
    }
    return loading;
  }

  /** Ask external evaluation endpoints about each user, when the policies have such rules. */
  private async externalAnswers(accountId: string, test: CompiledTest, users: readonly { email: string; name: string; identity: string | null }[]): Promise<ExternalLookup | undefined> {
    const evaluator = this.options.externalFor?.(accountId);
    const currentRules = test.current.externalRules;
    const baselineRules = test.baseline?.externalRules ?? [];
    if (evaluator === undefined || (currentRules.length === 0 && baselineRules.length === 0)) return undefined;
    const answers: { current?: ExternalAnswers; baseline?: ExternalAnswers }[] = new Array(users.length);
    let next = 0;
    const worker = async () => {
      while (next < users.length) {
        const i = next++;
        try {
          const identity = identityOf(users[i]);
          answers[i] = {
            current: await gatherExternalAnswers(currentRules, identity, evaluator),
            baseline: await gatherExternalAnswers(baselineRules, identity, evaluator),
          };
        } catch {
          // Unparseable identity: evaluateChunk reports the user as an error.
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(EXTERNAL_CONCURRENCY, users.length) }, worker));
    return (i) => answers[i];
  }
}
