// Kill -9 a `portcullis serve` in the middle of concurrent writes (and of a policy test), start
// it again on the same database, and check that every acknowledged write is there and intact,
// that nothing half-written shows, and that the policy test resumes; over and over. Shared by
// the CI test (a few cycles) and bench/crash.ts (20 and more).

import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { tempDir } from '../databases.js';
import { startServerProcess, type ServerProcess } from '../server-process.js';
import { WriteModel } from './model.js';
import { chunksCompletedBy, type DirectoryOutcome } from './policy-test-check.js';
import { readSnapshot } from './snapshot.js';
import { adoptSnapshot, verdictFailures, verifyPhase, type PhaseVerdict } from './verify.js';
import { chaosRig, sleep, type ChaosFigures, type ChaosRunOptions } from './run.js';
import { addWriteCounts, Workload } from './workload.js';

export interface CrashRunOptions extends ChaosRunOptions {
  /** `--db` of the server; undefined: SQLite in the run's data directory. */
  readonly db?: string;
  readonly cycles: number;
  /**
   * The kill comes this many milliseconds after the load starts, drawn uniformly; in a cycle
   * with a policy test, once the test has processed a random 5 to 50 % of its users.
   */
  readonly killAfterMs: readonly [number, number];
  /** A policy test is started before every n-th kill. */
  readonly policyTestEvery: number;
}

export interface CrashRunReport extends ChaosFigures {
  readonly database: string;
  cycles: number;
  refusedWrites: number;
  /** Requests refused at connection (sent after the kill): never applied. */
  neverSent: number;
  policyTestsStarted: number;
  /** Tests the restarted server completed chunks of, and that then ended correctly. */
  policyTestsResumed: number;
  readonly writes: Record<string, { acked: number; refused: number; ambiguous: number }>;
  reads: number;
}

const MAX_FAILURES = 200;
/** However a policy test fares, the kill of its cycle comes within this time. */
const LONGEST_WAIT_FOR_PROGRESS_MS = 30_000;

export async function runCrashCycles(options: CrashRunOptions): Promise<CrashRunReport> {
  const started = performance.now();
  const { random, log, api, probe, env, servers } = chaosRig(options);
  const dir = tempDir('portcullis-crash-');
  const db = options.db ?? `sqlite:${join(dir.path, 'portcullis.db')}`;
  const model = new WriteModel();
  const report: CrashRunReport = {
    database: db.startsWith('sqlite:') ? 'sqlite' : 'postgres',
    seed: options.seed,
    cycles: 0,
    acknowledgedWrites: 0,
    acknowledgedWritesLost: 0,
    refusedWrites: 0,
    unacknowledgedApplied: 0,
    unacknowledgedNotApplied: 0,
    neverSent: 0,
    policyTestsStarted: 0,
    policyTestsResumed: 0,
    writes: {},
    reads: 0,
    failures: [],
    durationMs: 0,
  };
  const drawn = ([low, high]: readonly [number, number]) => low + random() * (high - low);
  const fail = (problems: readonly string[]) => report.failures.push(...problems.slice(0, MAX_FAILURES - report.failures.length));

  const start = async (): Promise<ServerProcess> => {
    const server = await startServerProcess(dir.path, env, ['--db', db]);
    servers.add(server);
    return server;
  };

  let server = await start().catch((err: unknown) => {
    dir.remove();
    throw err;
  });

  /** Load the server, kill it mid-flight (mid-test when there is one), and tally the load. */
  async function loadAndKill(cycle: number, testId: string | undefined): Promise<void> {
    const current = server;
    const workload = new Workload({ model, api, servers: () => [current.apiUrl], clients: options.clients, limits: options.limits, random });
    workload.start();
    await (testId === undefined ? sleep(drawn(options.killAfterMs)) : probe.untilProcessed(() => current.apiUrl, testId, drawn([5, 50]), LONGEST_WAIT_FOR_PROGRESS_MS));
    const exited = new Promise((resolve) => current.child.once('exit', resolve));
    current.child.kill('SIGKILL');
    // In the same tick: only the requests in flight at the kill go unanswered; no client
    // goes on sending to a dead port.
    const stats = await workload.stop();
    await exited;
    servers.delete(current);
    fail(stats.anomalies.map((a) => `cycle ${cycle}: ${a}`));
    addWriteCounts(report.writes, stats.writes);
    report.reads += stats.reads;
  }

  /**
   * After the restart: the interrupted test must end as the uninterrupted run did; it resumed
   * if the restarted process completed some of its chunks.
   */
  async function checkTest(cycle: number, testId: string, expected: DirectoryOutcome, reference: ReadonlyMap<string, string>): Promise<boolean> {
    const final = await probe.waitForEnd(() => server.apiUrl, testId, options.policyTestTimeoutMs);
    const problems = await probe.problems(server.apiUrl, testId, final, expected, reference);
    fail(problems.map((p) => `cycle ${cycle}: ${p}`));
    const resumed = (await chunksCompletedBy(db, testId, server.child.pid!)) > 0;
    if (resumed && problems.length === 0) report.policyTestsResumed++;
    return resumed;
  }

  /** Every write against what the restarted server shows; what it shows is the next baseline. */
  async function verify(cycle: number): Promise<PhaseVerdict> {
    const snapshot = await readSnapshot(api, server.apiUrl);
    const verdict = verifyPhase(model, snapshot);
    report.acknowledgedWritesLost += verdict.lost.length;
    report.unacknowledgedApplied += verdict.unackedApplied;
    report.unacknowledgedNotApplied += verdict.unackedNotApplied;
    fail(verdictFailures(verdict).map((f) => `cycle ${cycle}: ${f}`));
    adoptSnapshot(model, snapshot);
    return verdict;
  }

  try {
    const expected: DirectoryOutcome = await probe.importDirectory(server.apiUrl, options.testerUsers);
    const referenceId = await probe.start(server.apiUrl);
    const reference = await probe.waitForEnd(() => server.apiUrl, referenceId, options.policyTestTimeoutMs);
    const referenceProblems = await probe.problems(server.apiUrl, referenceId, reference, expected, new Map());
    fail(referenceProblems.map((p) => `uninterrupted run: ${p}`));
    const referenceResults = referenceProblems.length === 0 ? await probe.results(server.apiUrl, referenceId) : new Map<string, string>();

    for (let cycle = 1; cycle <= options.cycles; cycle++) {
      const testId = cycle % options.policyTestEvery === 0 ? await probe.start(server.apiUrl) : undefined;
      if (testId !== undefined) report.policyTestsStarted++;
      await loadAndKill(cycle, testId);
      const restartAt = performance.now();
      server = await start();
      const restarted = performance.now();
      let resumed: boolean;
      let verdict: PhaseVerdict;
      let testDone: number;
      try {
        resumed = testId !== undefined && (await checkTest(cycle, testId, expected, referenceResults));
        testDone = performance.now();
        verdict = await verify(cycle);
      } catch (err) {
        // A check that could not even ask (a refused connection): say what became of the server.
        throw new Error(`cycle ${cycle}: ${(err as Error).message} (restarted server, pid ${server.child.pid}: ${await server.state(2000)})`, { cause: err });
      }
      report.cycles = cycle;
      log(
        `cycle ${cycle}/${options.cycles}: ${model.counts.acked} acknowledged writes so far, ${report.acknowledgedWritesLost} lost; ` +
          `this cycle ${verdict.unackedApplied} unacknowledged applied, ${verdict.unackedNotApplied} not${testId === undefined ? '' : `; policy test ${resumed ? 'resumed' : 'finished before the kill'}`}` +
          `; ${report.failures.length} failures (restart ${Math.round(restarted - restartAt)} ms, test ${Math.round(testDone - restarted)} ms, verify ${Math.round(performance.now() - testDone)} ms)`,
      );
    }
  } finally {
    report.acknowledgedWrites = model.counts.acked;
    report.refusedWrites = model.counts.refused;
    report.neverSent = model.counts.neverSent;
    report.durationMs = Math.round(performance.now() - started);
    await server.stop();
    servers.delete(server);
    dir.remove();
  }
  return report;
}
