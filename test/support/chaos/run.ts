// What both chaos runs (crash-run.ts, instances-run.ts) are given, set up alike, and report.

import { randomBytes } from 'node:crypto';
import { mulberry32 } from '../random.js';
import type { ServerProcess } from '../server-process.js';
import { ChaosApi } from './api-client.js';
import { PolicyTestProbe } from './policy-test-check.js';
import type { WorkloadLimits } from './workload.js';

export interface ChaosRunOptions {
  /** Concurrent writing clients, and what each keeps at most. */
  readonly clients: number;
  readonly limits: WorkloadLimits;
  /** Users of the policy-test directory, chunk size and lease of the servers' testers. */
  readonly testerUsers: number;
  readonly chunkSize: number;
  readonly leaseMs: number;
  /** A policy test still processing after this counts as stuck. */
  readonly policyTestTimeoutMs: number;
  /** Seeds the load's choices (the timing of a run is never the same twice). */
  readonly seed: number;
  /** Server processes alive are kept here, so that a caller can kill them whatever happens. */
  readonly servers?: Set<ServerProcess>;
  readonly log?: (line: string) => void;
}

export interface ChaosFigures {
  readonly seed: number;
  acknowledgedWrites: number;
  /** Acknowledged writes missing, older or mixed afterwards: must be 0. */
  acknowledgedWritesLost: number;
  /** Writes whose answer never came, found to have taken effect or not. */
  unacknowledgedApplied: number;
  unacknowledgedNotApplied: number;
  /** Everything that went wrong, in words; empty when every check held. */
  readonly failures: string[];
  durationMs: number;
}

/** What a run works with: its own account and root token, and a policy-test account beside it. */
export interface ChaosRig {
  readonly random: () => number;
  readonly log: (line: string) => void;
  readonly api: ChaosApi;
  readonly probe: PolicyTestProbe;
  /** The environment of every server process of the run. */
  readonly env: Record<string, string>;
  readonly servers: Set<ServerProcess>;
}

export function chaosRig(options: ChaosRunOptions): ChaosRig {
  const token = randomBytes(30).toString('base64url');
  const account = randomBytes(16).toString('hex');
  const api = new ChaosApi(token, account);
  return {
    random: mulberry32(options.seed),
    log: options.log ?? (() => undefined),
    api,
    probe: new PolicyTestProbe(api, randomBytes(16).toString('hex')),
    env: { PORTCULLIS_API_TOKEN: token, PORTCULLIS_ACCOUNT_ID: account, PORTCULLIS_TEST_CHUNK_SIZE: String(options.chunkSize), PORTCULLIS_TEST_LEASE_MS: String(options.leaseMs) },
    servers: options.servers ?? new Set<ServerProcess>(),
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** For bench scripts: the failures on stderr, the figures as the last stdout line, the exit code. */
export function printFigures(report: ChaosFigures, log: (line: string) => void): void {
  for (const failure of report.failures) log(`FAILED ${failure}`);
  const { failures, ...figures } = report;
  console.log(JSON.stringify({ ...figures, failures: failures.length }));
  process.exitCode = failures.length === 0 && report.acknowledgedWritesLost === 0 ? 0 : 1;
}
