// Policy tests through server crashes: a fixed directory in an account of its own (so the
// load never changes it), whose expected outcome is known from how it is generated; a test is
// started, its server killed, and after the restart the test must resume, end `complete` with
// each user counted once, and agree user for user with an uninterrupted run.

import { performance } from 'node:perf_hooks';
import { openStore } from '../../../src/store/open.js';
import { testKeys } from '../secrets-key.js';
import type { ChaosApi } from './api-client.js';

export const TESTER_POLICIES = {
  policies: [
    { name: 'Block high risk', decision: 'deny', include: [{ user_risk_score: { user_risk_score: ['high'] } }] },
    { name: 'Staff with MFA', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }], require: [{ auth_method: { auth_method: 'mfa' } }] },
  ],
};

export interface DirectoryOutcome {
  readonly users: number;
  readonly approved: number;
  readonly blocked: number;
}

/** `users` generated users (a quarter outside example.com, a third without MFA, a tenth high risk). */
export function testerDirectory(users: number): { ndjson: string; outcome: DirectoryOutcome } {
  let approved = 0;
  const lines = Array.from({ length: users }, (_, i) => {
    const staff = i % 4 !== 0;
    const mfa = i % 3 !== 0;
    const risky = i % 10 === 0;
    if (staff && mfa && !risky) approved++;
    return JSON.stringify({ email: `u${i}@${staff ? 'example.com' : 'other.org'}`, identity: { amr: mfa ? ['pwd', 'mfa'] : ['pwd'], user_risk_score: risky ? 'high' : 'low' } });
  });
  return { ndjson: lines.join('\n'), outcome: { users, approved, blocked: users - approved } };
}

/**
 * How many chunks of a test the server process `pid` completed (a runner names itself after
 * its process), read from the database: proof that a restarted server resumed the test.
 */
export async function chunksCompletedBy(db: string, testId: string, pid: number): Promise<number> {
  const store = await openStore(db, { secrets: testKeys() });
  try {
    return (await store.tests.chunkSummaries(testId)).filter((c) => c.completedBy?.startsWith(`portcullis-${pid}-`)).length;
  } finally {
    await store.close();
  }
}

export interface TestProgress {
  readonly status: string;
  readonly percent_users_processed: number;
  readonly total_users: number;
  readonly users_approved: number;
  readonly users_blocked: number;
  readonly users_errored: number;
}

export class PolicyTestProbe {
  constructor(
    private readonly api: ChaosApi,
    /** The account holding the tester directory. */
    readonly account: string,
  ) {}

  async importDirectory(url: string, users: number): Promise<DirectoryOutcome> {
    const { ndjson, outcome } = testerDirectory(users);
    await this.api.result(url, 'POST', '/access/users/import', ndjson, 'application/x-ndjson', this.account);
    return outcome;
  }

  /** Start a test; its id once the start was acknowledged. */
  async start(url: string): Promise<string> {
    return ((await this.api.result(url, 'POST', '/access/policy-tests', TESTER_POLICIES, undefined, this.account)) as { id: string }).id;
  }

  /** Start a test unless the account has as many processing as the server allows (429). */
  async startUnlessBusy(url: string): Promise<string | undefined> {
    const reply = await this.api.call(url, 'POST', '/access/policy-tests', TESTER_POLICIES, undefined, this.account);
    if (reply.kind === 'answer' && reply.status === 429) return undefined;
    if (reply.kind === 'no-answer' || reply.status !== 200) throw new Error(`starting a policy test: ${reply.kind === 'answer' ? reply.status : reply.error}`);
    return (reply.json.result as { id: string }).id;
  }

  /** A test's progress; 'missing' when the server does not know it (an acknowledged start lost). */
  async progress(url: string, id: string): Promise<TestProgress | 'missing'> {
    const reply = await this.api.call(url, 'GET', `/access/policy-tests/${id}`, undefined, undefined, this.account);
    if (reply.kind === 'answer' && reply.status === 404) return 'missing';
    if (reply.kind === 'no-answer' || reply.status !== 200) throw new Error(`progress of policy test ${id}: ${reply.kind === 'answer' ? reply.status : reply.error}`);
    return reply.json.result as TestProgress;
  }

  /** Poll until the test stops processing; 'stuck' if it is still processing after `timeoutMs`. */
  async waitForEnd(url: () => string, id: string, timeoutMs: number): Promise<TestProgress | 'missing' | 'stuck'> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      const p = await this.progress(url(), id);
      if (p === 'missing' || p.status !== 'processing') return p;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return 'stuck';
  }

  /** Wait until a test has processed `percent` % of its users (or ended, or went missing), at most `maxWaitMs`. */
  async untilProcessed(url: () => string, id: string, percent: number, maxWaitMs: number): Promise<void> {
    const deadline = performance.now() + maxWaitMs;
    while (performance.now() < deadline) {
      const p = await this.progress(url(), id);
      if (p === 'missing' || p.status !== 'processing' || p.percent_users_processed >= percent) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Every user's status in a finished test, by email. */
  async results(url: string, id: string): Promise<Map<string, string>> {
    const rows = (await this.api.all(url, `/access/policy-tests/${id}/users`, 1000, this.account)) as { email: string; status: string }[];
    const byEmail = new Map<string, string>();
    for (const row of rows) {
      if (byEmail.has(row.email)) throw new Error(`policy test ${id}: user ${row.email} listed twice`);
      byEmail.set(row.email, row.status);
    }
    return byEmail;
  }

  /** What is wrong with a finished test, compared with the expected outcome and a reference run. */
  async problems(url: string, id: string, final: TestProgress | 'missing' | 'stuck', expected: DirectoryOutcome, reference: ReadonlyMap<string, string>): Promise<string[]> {
    if (final === 'stuck') return [`policy test ${id} is stuck: still processing`];
    if (final === 'missing') return [`policy test ${id} was acknowledged but is gone`];
    const counts = [final.status, final.total_users, final.users_approved, final.users_blocked, final.users_errored];
    const wanted = ['complete', expected.users, expected.approved, expected.blocked, 0];
    const problems: string[] = [];
    if (JSON.stringify(counts) !== JSON.stringify(wanted)) problems.push(`policy test ${id}: [status, total, approved, blocked, errored] = ${JSON.stringify(counts)}, expected ${JSON.stringify(wanted)}`);
    let results: Map<string, string>;
    try {
      results = await this.results(url, id);
    } catch (err) {
      return [...problems, (err as Error).message];
    }
    if (results.size !== expected.users) problems.push(`policy test ${id}: ${results.size} users have a result, expected ${expected.users}`);
    const differing = [...reference].filter(([email, status]) => results.get(email) !== status);
    if (differing.length > 0) problems.push(`policy test ${id}: ${differing.length} users differ from the uninterrupted run, e.g. ${JSON.stringify(differing[0])} vs ${results.get(differing[0][0])}`);
    return problems;
  }
}
