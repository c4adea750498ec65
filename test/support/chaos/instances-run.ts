// Several `portcullis serve` processes on one PostgreSQL schema under mixed load (reads, the
// crash workload's writes, concurrent replaces of shared policies through different processes,
// policy tests in small chunks with short leases), while one process at a time is killed -9
// (and started again) or stalled (SIGSTOP) in the middle of a test. A stall lasts until the
// test completes without the stalled process, and meanwhile the other processes must go on
// acknowledging writes. Afterwards: every acknowledged write is there, every shared policy is
// field for field one write that could have been last, each test completed with each user
// counted once, and every process shows the same state.

import { isDeepStrictEqual } from 'node:util';
import { performance } from 'node:perf_hooks';
import { tempDir, type TempDir } from '../databases.js';
import { startServerProcess, type ServerProcess } from '../server-process.js';
import { policyBody, policyState, versionedName } from './bodies.js';
import { objectKey, SHARED, WriteModel } from './model.js';
import { readSnapshot } from './snapshot.js';
import { verdictFailures, verifyPhase } from './verify.js';
import { chaosRig, sleep, type ChaosFigures, type ChaosRunOptions } from './run.js';
import { Workload } from './workload.js';

export type Fault = 'kill' | 'kill-and-restart' | 'stall';

export interface InstancesRunOptions extends ChaosRunOptions {
  /** A PostgreSQL URL (with its schema). */
  readonly db: string;
  readonly instances: number;
  /** One fault a round, on a process drawn at random, once the round's test is 10 to 60 % done. */
  readonly faults: readonly Fault[];
  readonly contenders: number;
  readonly contestedPolicies: number;
  /** Load after each fault before the next round (ms); longer than the ambiguity grace. */
  readonly loadAfterFaultMs: number;
  /** PostgreSQL ends a stalled process's open transaction after this (ms). */
  readonly idleInTransactionTimeoutMs: number;
}

export interface InstancesRunReport extends ChaosFigures {
  readonly instances: number;
  readonly faults: string[];
  /** Writes the other processes acknowledged while one was stalled (once its locks were taken from it). */
  acknowledgedWhileStalled: number;
  contestedPolicies: number;
  contestedPutsAcknowledged: number;
  readBacks: number;
  reads: number;
  policyTests: number;
  policyTestsCompleted: number;
}

/** An unanswered write to a killed process may still commit this long after its client saw the error. */
const AMBIGUITY_GRACE_MS = 1000;

export async function runInstancesChaos(options: InstancesRunOptions): Promise<InstancesRunReport> {
  const started = performance.now();
  const { random, log, api, probe, env, servers } = chaosRig(options);
  const db = new URL(options.db);
  db.searchParams.set('idle_in_transaction_session_timeout', String(options.idleInTransactionTimeoutMs));
  const dirs: TempDir[] = [];
  /** Processes that answer requests now (a stalled one is left out until it resumes). */
  const live: ServerProcess[] = [];
  const model = new WriteModel();
  const report: InstancesRunReport = {
    instances: options.instances,
    seed: options.seed,
    faults: [],
    acknowledgedWrites: 0,
    acknowledgedWritesLost: 0,
    acknowledgedWhileStalled: 0,
    unacknowledgedApplied: 0,
    unacknowledgedNotApplied: 0,
    contestedPolicies: options.contestedPolicies,
    contestedPutsAcknowledged: 0,
    readBacks: 0,
    reads: 0,
    policyTests: 0,
    policyTestsCompleted: 0,
    failures: [],
    durationMs: 0,
  };
  const any = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const url = () => any(live).apiUrl;
  const tests: string[] = [];

  const start = async (): Promise<ServerProcess> => {
    const dir = tempDir('portcullis-instance-');
    dirs.push(dir);
    const server = await startServerProcess(dir.path, env, ['--db', db.toString()]);
    servers.add(server);
    live.push(server);
    return server;
  };

  /** Stop a process until `test` completes without it; the others must go on writing meanwhile. */
  async function stall(victim: ServerProcess, test: string | undefined, round: number): Promise<void> {
    victim.child.kill('SIGSTOP');
    // Long enough for its leases and its open transaction (and the locks it holds) to be taken
    // from it; from then on the others must make progress without it.
    const settle = Math.max(options.leaseMs, options.idleInTransactionTimeoutMs) * 2;
    await sleep(settle);
    const ackedBefore = model.counts.acked;
    await sleep(settle);
    if (test !== undefined) {
      const final = await probe.waitForEnd(url, test, options.policyTestTimeoutMs);
      if (final === 'stuck') report.failures.push(`round ${round}: policy test ${test} stuck while process ${victim.child.pid} was stalled`);
    }
    const acked = model.counts.acked - ackedBefore;
    report.acknowledgedWhileStalled += acked;
    if (acked === 0) report.failures.push(`round ${round}: writes stuck while process ${victim.child.pid} was stalled: none acknowledged`);
    victim.child.kill('SIGCONT');
    live.push(victim);
  }

  async function fault(kind: Fault, round: number): Promise<void> {
    const test = await probe.startUnlessBusy(url());
    if (test !== undefined) {
      tests.push(test);
      await probe.untilProcessed(url, test, 10 + random() * 50, options.policyTestTimeoutMs);
    } else await sleep(1000);
    const victim = any(live);
    report.faults.push(`${kind} of process ${victim.child.pid}`);
    live.splice(live.indexOf(victim), 1);
    if (kind === 'stall') await stall(victim, test, round);
    else {
      const exited = new Promise((resolve) => victim.child.once('exit', resolve));
      victim.child.kill('SIGKILL');
      await exited;
      servers.delete(victim);
    }
    await sleep(options.loadAfterFaultMs);
    if (kind === 'kill-and-restart') await start();
    log(`round ${round}: ${kind} of process ${victim.child.pid} done; ${model.counts.acked} acknowledged writes so far, ${report.failures.length} failures`);
  }

  try {
    for (let i = 0; i < options.instances; i++) await start();
    const expected = await probe.importDirectory(url(), options.testerUsers);
    const referenceId = await probe.start(url());
    const referenceProblems = await probe.problems(url(), referenceId, await probe.waitForEnd(url, referenceId, options.policyTestTimeoutMs), expected, new Map());
    report.failures.push(...referenceProblems.map((p) => `uninterrupted run: ${p}`));
    const reference = await probe.results(url(), referenceId);

    const contested: string[] = [];
    for (let i = 0; i < options.contestedPolicies; i++) {
      const seq = model.seq();
      const body = policyBody(versionedName('contested', i, seq), seq, {});
      const created = await api.result(url(), 'POST', '/access/policies', body);
      const key = objectKey('policy', created.id);
      model.track('policy', created.id, key, SHARED, { state: policyState(body) });
      contested.push(key);
    }

    const workload = new Workload({
      model,
      api,
      servers: () => live.map((s) => s.apiUrl),
      clients: options.clients,
      contenders: options.contenders,
      contested,
      readBack: true,
      ambiguityGraceMs: AMBIGUITY_GRACE_MS,
      limits: options.limits,
      random,
    });
    workload.start();
    for (const [i, kind] of options.faults.entries()) await fault(kind, i + 1);
    const stats = await workload.stop();
    report.failures.push(...stats.anomalies);
    report.reads = stats.reads;
    report.readBacks = stats.readBacks;
    report.contestedPutsAcknowledged = stats.writes['policy.contested-put']?.acked ?? 0;
    report.policyTests = tests.length;

    for (const id of tests) {
      const problems = await probe.problems(url(), id, await probe.waitForEnd(url, id, options.policyTestTimeoutMs), expected, reference);
      report.failures.push(...problems);
      if (problems.length === 0) report.policyTestsCompleted++;
    }

    const snapshots = await Promise.all(live.map((s) => readSnapshot(api, s.apiUrl)));
    for (const other of snapshots.slice(1)) {
      if (!isDeepStrictEqual(other.objects, snapshots[0].objects)) report.failures.push('two processes show different states of the account');
    }
    const verdict = verifyPhase(model, snapshots[0]);
    report.acknowledgedWritesLost = verdict.lost.length;
    report.unacknowledgedApplied = verdict.unackedApplied;
    report.unacknowledgedNotApplied = verdict.unackedNotApplied;
    report.failures.push(...verdictFailures(verdict));
  } finally {
    report.acknowledgedWrites = model.counts.acked;
    report.durationMs = Math.round(performance.now() - started);
    for (const server of servers) {
      server.child.kill('SIGCONT');
      await server.stop();
      servers.delete(server);
    }
    for (const dir of dirs) dir.remove();
  }
  return report;
}
