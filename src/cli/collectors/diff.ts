// What `portcullis diff` keeps of each user: counts under both policy sets, and for users whose
// status changes, the deciding policies and what differs in their explanations (the interpreter
// runs only for those, and only for as many as will be listed).

import { explain, type PackedResult, type Policy, type PreparedIdentity, type EvalEnv } from '../../engine/index.js';
import type { Collector, EvaluationContext } from '../bulk/collector.js';
import { ENTRY_SEPARATOR } from '../json-entries.js';
import { decidingPolicy, statusOf, StatusCounts, type PolicyRef, type Status } from '../evaluation.js';
import { diffExplanations, type PolicyDifference } from '../../engine/index.js';
import type { SourceUser } from '../users/user.js';

export const CHANGES = ['gained', 'lost', 'changed'] as const;
export type Change = (typeof CHANGES)[number];

/** gained: now approved; lost: no longer approved; changed: between blocked and error. */
export function changeOf(before: Status, after: Status): Change | undefined {
  if (before === after) return undefined;
  if (after === 'approved') return 'gained';
  if (before === 'approved') return 'lost';
  return 'changed';
}

export interface DiffSpec {
  readonly kind: 'diff';
  /** Most changed users described per kind of change; null = all, as JSON lines. */
  readonly limit: number | null;
}

export interface ChangedUser {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly change: Change;
  readonly before: { readonly status: Status; readonly deciding_policy: PolicyRef | null };
  readonly after: { readonly status: Status; readonly deciding_policy: PolicyRef | null };
  readonly differences: PolicyDifference[];
}

type Tally = Record<Status, number>;
const tally = (): Tally => ({ approved: 0, blocked: 0, error: 0 });
const changeTally = (): Record<Change, number> => ({ gained: 0, lost: 0, changed: 0 });

export interface DiffPartial {
  readonly before: Tally;
  readonly after: Tally;
  readonly changes: Record<Change, number>;
  readonly users: ChangedUser[];
  /** Changed users as JSON texts joined by ENTRY_SEPARATOR (unlimited listing): one string crosses threads faster than many. */
  readonly lines: string;
}

export class DiffCollector implements Collector<DiffPartial> {
  private readonly beforeSet: readonly Policy[];
  private readonly afterSet: readonly Policy[];
  private readonly env: EvalEnv;
  private partial: { before: Tally; after: Tally; changes: Record<Change, number>; users: ChangedUser[]; lines: string[] } = DiffCollector.empty();

  constructor(
    private readonly spec: DiffSpec,
    context: EvaluationContext,
  ) {
    [this.beforeSet, this.afterSet] = context.policySets;
    this.env = context.env;
  }

  private static empty() {
    return { before: tally(), after: tally(), changes: changeTally(), users: [] as ChangedUser[], lines: [] as string[] };
  }

  add(user: SourceUser, identity: PreparedIdentity, results: readonly PackedResult[]): void {
    const [packedBefore, packedAfter] = results;
    const before = statusOf(packedBefore);
    const after = statusOf(packedAfter);
    const p = this.partial;
    p.before[before]++;
    p.after[after]++;
    const change = changeOf(before, after);
    if (change === undefined) return;
    p.changes[change]++;
    if (this.spec.limit !== null && p.changes[change] > this.spec.limit) return;
    const changed: ChangedUser = {
      id: user.id,
      email: user.email,
      name: user.name,
      change,
      before: { status: before, deciding_policy: decidingPolicy(this.beforeSet, packedBefore) },
      after: { status: after, deciding_policy: decidingPolicy(this.afterSet, packedAfter) },
      differences: diffExplanations(this.beforeSet, explain(this.beforeSet, identity, this.env), this.afterSet, explain(this.afterSet, identity, this.env)),
    };
    if (this.spec.limit === null) p.lines.push(JSON.stringify(changed));
    else p.users.push(changed);
  }

  take(): DiffPartial {
    const taken = { ...this.partial, lines: this.partial.lines.join(ENTRY_SEPARATOR) };
    this.partial = DiffCollector.empty();
    return taken;
  }
}

/** The merged result of a diff run, in file order. */
export class DiffResult {
  readonly before = new StatusCounts();
  readonly after = new StatusCounts();
  readonly changes = changeTally();
  readonly users: ChangedUser[] = [];
  private readonly listed = changeTally();

  constructor(
    private readonly spec: DiffSpec,
    /** Receives the JSON texts of listed users, joined by ENTRY_SEPARATOR (unlimited listing). */
    private readonly onLines: (lines: string) => void,
  ) {}

  get changedTotal(): number {
    return this.changes.gained + this.changes.lost + this.changes.changed;
  }

  merge(p: DiffPartial): void {
    for (const s of ['approved', 'blocked', 'error'] as const) {
      this.before[s] += p.before[s];
      this.after[s] += p.after[s];
    }
    for (const c of CHANGES) this.changes[c] += p.changes[c];
    if (p.lines !== '') this.onLines(p.lines);
    for (const u of p.users) {
      if (this.listed[u.change] < (this.spec.limit ?? Infinity)) {
        this.listed[u.change]++;
        this.users.push(u);
      }
    }
  }
}
