// What the CLI reports about a decision, shared by test, diff and check: the policy tester's
// statuses (approved / blocked / error), the deciding policy, and counts with percentages in
// the shape of Cloudflare's policy test result.

import { resultAccess, resultDecidingIndex, type PackedResult, type Policy } from '../engine/index.js';
import { percentOf } from '../tester/results.js';

export const STATUSES = ['approved', 'blocked', 'error'] as const;
export type Status = (typeof STATUSES)[number];

const STATUS_OF_ACCESS = { granted: 'approved', blocked: 'blocked', unknown: 'error' } as const;

export function statusOf(packed: PackedResult): Status {
  return STATUS_OF_ACCESS[resultAccess(packed)];
}

export interface PolicyRef {
  readonly index: number;
  readonly id?: string;
  readonly name: string;
  readonly decision: string;
}

export function policyRef(policies: readonly Policy[], index: number): PolicyRef {
  const p = policies[index];
  return { index, ...(p.id !== undefined ? { id: p.id } : {}), name: p.name, decision: p.decision };
}

/**
 * The policy that decided (for `error`: the undecidable policy whose outcome would have changed
 * the result), or null when no policy matched and the user is blocked by default.
 */
export function decidingPolicy(policies: readonly Policy[], packed: PackedResult): PolicyRef | null {
  const index = resultDecidingIndex(packed);
  return index < 0 ? null : policyRef(policies, index);
}

/** "allow "Employees"", or the default block, for tables. */
export function describeDeciding(ref: PolicyRef | null): string {
  return ref === null ? '(no policy matched: blocked by default)' : `${ref.decision} ${JSON.stringify(ref.name)}`;
}

/** Counts per status, reported like the API's policy test result. */
export class StatusCounts {
  approved = 0;
  blocked = 0;
  error = 0;

  add(status: Status): void {
    this[status]++;
  }

  get total(): number {
    return this.approved + this.blocked + this.error;
  }

  of(status: Status): number {
    return this[status];
  }

  /** Percentage of all users to two decimals, for the terminal (0 when there are no users). */
  percent(status: Status): number {
    const total = this.total;
    return total === 0 ? 0 : Math.round((this[status] / total) * 10_000) / 100;
  }

  /**
   * The fields of the API's policy test progress (src/api/resources/policy-tests.ts), with the
   * same integer arithmetic, so that a script reads either the same way. Offline every user is
   * processed, so percent_users_processed is always 100.
   */
  toJSON(): Record<string, number> {
    const total = this.total;
    return {
      total_users: total,
      users_approved: this.approved,
      users_blocked: this.blocked,
      users_errored: this.error,
      percent_approved: percentOf(this.approved, total),
      percent_blocked: percentOf(this.blocked, total),
      percent_errored: percentOf(this.error, total),
      percent_users_processed: 100,
    };
  }
}
