// What `portcullis test` keeps of each user: counts per status, the users it lists (at most
// `limit` per status, or all of them as JSON lines), and the user to explain.

import type { PackedResult, Policy, PreparedIdentity } from '../../engine/index.js';
import type { Collector, EvaluationContext } from '../bulk/collector.js';
import { ENTRY_SEPARATOR } from '../json-entries.js';
import { decidingPolicy, statusOf, StatusCounts, type PolicyRef, type Status } from '../evaluation.js';
import type { SourceUser } from '../users/user.js';

export interface TestSpec {
  readonly kind: 'test';
  /** Most users listed per status; null = all, as JSON lines. */
  readonly limit: number | null;
  readonly only: Status | null;
  /** Lower-cased email of the user to explain. */
  readonly explain: string | null;
}

export interface ListedUser {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly status: Status;
  readonly deciding_policy: PolicyRef | null;
}

export interface TestPartial {
  readonly approved: number;
  readonly blocked: number;
  readonly error: number;
  /** Listed users (limited listing), in file order. */
  readonly listed: ListedUser[];
  /** Listed users as JSON texts joined by ENTRY_SEPARATOR (unlimited listing): one string crosses threads faster than many. */
  readonly lines: string;
  readonly explainUser: SourceUser | null;
}

export class TestCollector implements Collector<TestPartial> {
  private readonly policies: readonly Policy[];
  private partial = TestCollector.empty();
  private readonly shown = { approved: 0, blocked: 0, error: 0 };

  constructor(
    private readonly spec: TestSpec,
    context: EvaluationContext,
  ) {
    this.policies = context.policySets[0];
  }

  private static empty(): { approved: number; blocked: number; error: number; listed: ListedUser[]; lines: string[]; explainUser: SourceUser | null } {
    return { approved: 0, blocked: 0, error: 0, listed: [], lines: [], explainUser: null };
  }

  add(user: SourceUser, _identity: PreparedIdentity, results: readonly PackedResult[]): void {
    const packed = results[0];
    const status = statusOf(packed);
    const partial = this.partial;
    partial[status]++;
    const { limit, only, explain } = this.spec;
    if ((only === null || only === status) && (limit === null || this.shown[status] < limit)) {
      this.shown[status]++;
      const listed: ListedUser = { id: user.id, email: user.email, name: user.name, status, deciding_policy: decidingPolicy(this.policies, packed) };
      if (limit === null) partial.lines.push(JSON.stringify(listed));
      else partial.listed.push(listed);
    }
    if (explain !== null && partial.explainUser === null && user.email.toLowerCase() === explain) partial.explainUser = user;
  }

  take(): TestPartial {
    const taken = { ...this.partial, lines: this.partial.lines.join(ENTRY_SEPARATOR) };
    this.partial = TestCollector.empty();
    // Each partial is merged after the previous ones; per-status limits restart with it.
    this.shown.approved = this.shown.blocked = this.shown.error = 0;
    return taken;
  }
}

/** The merged result of a test run, in file order. */
export class TestResult {
  readonly counts = new StatusCounts();
  readonly listed: ListedUser[] = [];
  private readonly shown = { approved: 0, blocked: 0, error: 0 };
  explainUser: SourceUser | null = null;

  constructor(
    private readonly spec: TestSpec,
    /** Receives the JSON texts of listed users, joined by ENTRY_SEPARATOR (unlimited listing). */
    private readonly onLines: (lines: string) => void,
  ) {}

  merge(p: TestPartial): void {
    this.counts.approved += p.approved;
    this.counts.blocked += p.blocked;
    this.counts.error += p.error;
    if (p.lines !== '') this.onLines(p.lines);
    for (const u of p.listed) {
      if (this.shown[u.status] < (this.spec.limit ?? Infinity)) {
        this.shown[u.status]++;
        this.listed.push(u);
      }
    }
    if (this.explainUser === null && p.explainUser !== null) this.explainUser = p.explainUser;
  }
}
