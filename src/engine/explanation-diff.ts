// What differs between the explanations of one user under two policy sets: which policies
// changed outcome, and inside policies evaluated under both, which rules did (a rule added,
// removed, or with another outcome). Policies are matched by id when both sides have one,
// otherwise by name; rules by their JSON within the same list (include, require, exclude).

import type { Explanation, PolicyExplanation, Reason, RuleExplanation } from './interpreter.js';
import { executionOrder } from './outcome.js';
import { RULE_LISTS, type Policy, type Rule, type RuleListName } from './rules.js';
import type { WireRule } from './wire.js';

type Outcome = PolicyExplanation['outcome'];

export interface RuleDifference {
  readonly list: RuleListName;
  readonly rule: WireRule;
  /** Outcome under each set; null when the rule is not in that set's policy. */
  readonly before: Outcome | null;
  readonly after: Outcome | null;
  /** Why, under the set where the rule is (after when in both). */
  readonly reason: Reason;
  /** Pointers of the rule in each set's policies file. */
  readonly pointer_before?: string;
  readonly pointer_after?: string;
}

export interface PolicySide {
  readonly index: number;
  readonly decision: string;
  readonly outcome: Outcome;
}

export interface PolicyDifference {
  readonly name: string;
  readonly id?: string;
  /** null when the policy is not in that set (added or removed). */
  readonly before: PolicySide | null;
  readonly after: PolicySide | null;
  readonly rules: RuleDifference[];
}

/** Canonical JSON of a rule (keys sorted), so equal rules compare equal however written. */
export function wireRuleKey(rule: WireRule): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sort) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])])) : v;
  return JSON.stringify(sort(rule));
}

/** Pairs [beforeIndex, afterIndex] of policies that are the same policy; unpaired ones are -1. */
export function matchPolicies(before: readonly Policy[], after: readonly Policy[]): [number, number][] {
  const pairOfAfter = new Array<number>(after.length).fill(-1);
  const taken = new Set<number>();
  const pass = (same: (b: Policy, a: Policy) => boolean): void => {
    after.forEach((a, ai) => {
      if (pairOfAfter[ai] >= 0) return;
      const bi = before.findIndex((b, i) => !taken.has(i) && same(b, a));
      if (bi >= 0) {
        pairOfAfter[ai] = bi;
        taken.add(bi);
      }
    });
  };
  pass((b, a) => a.id !== undefined && b.id === a.id);
  pass((b, a) => (a.id === undefined || b.id === undefined) && b.name === a.name);
  const pairs: [number, number][] = after.map((_, ai) => [pairOfAfter[ai], ai]);
  before.forEach((_, bi) => {
    if (!taken.has(bi)) pairs.push([bi, -1]);
  });
  return pairs;
}

function ruleDifferences(
  bPolicy: Policy,
  bExp: PolicyExplanation,
  aPolicy: Policy,
  aExp: PolicyExplanation,
): RuleDifference[] {
  const out: RuleDifference[] = [];
  for (const list of RULE_LISTS) {
    // Rules of the before side, by key, consumed as they are paired (a rule may appear twice).
    const remaining = new Map<string, { rule: Rule; exp: RuleExplanation }[]>();
    bPolicy[list].forEach((rule, i) => {
      const key = wireRuleKey(rule.wire);
      remaining.set(key, [...(remaining.get(key) ?? []), { rule, exp: bExp[list][i] }]);
    });
    aPolicy[list].forEach((rule, i) => {
      const exp = aExp[list][i];
      const key = wireRuleKey(rule.wire);
      const match = remaining.get(key)?.shift();
      if (match === undefined) {
        out.push({ list, rule: rule.wire, before: null, after: exp.outcome, reason: exp.reason, pointer_after: exp.pointer });
      } else if (match.exp.outcome !== exp.outcome) {
        out.push({ list, rule: rule.wire, before: match.exp.outcome, after: exp.outcome, reason: exp.reason, pointer_before: match.exp.pointer, pointer_after: exp.pointer });
      }
    });
    for (const rest of remaining.values()) {
      for (const { rule, exp } of rest) out.push({ list, rule: rule.wire, before: exp.outcome, after: null, reason: exp.reason, pointer_before: exp.pointer });
    }
  }
  return out;
}

/**
 * Whether a policy can have made the difference: its outcome or decision changed, and not merely
 * between not matching and not being reached (neither decides anything).
 * Absent (added or removed) counts as not reached.
 */
function mattered(before: Outcome | undefined, after: Outcome | undefined, decisionChanged: boolean): boolean {
  const quiet = (o: Outcome | undefined) => o === undefined || o === 'skipped' || o === 'not_matched';
  if (quiet(before) && quiet(after)) return false;
  return before !== after || decisionChanged;
}

const side = (p: PolicyExplanation): PolicySide => ({ index: p.index, decision: p.decision, outcome: p.outcome });

/**
 * The policies that made the difference for this user: those whose outcome (matched, unknown)
 * or decision differs between the two sets, with the rules whose outcome differs where the
 * policy was evaluated under both; in the after set's order of execution, removed ones last.
 */
export function diffExplanations(
  beforePolicies: readonly Policy[],
  before: Explanation,
  afterPolicies: readonly Policy[],
  after: Explanation,
): PolicyDifference[] {
  const pairs = matchPolicies(beforePolicies, afterPolicies);
  const rank = new Map(executionOrder(afterPolicies.map((p) => p.decision)).map((index, k) => [index, k]));
  pairs.sort(([, a1], [, a2]) => (a1 < 0 ? Infinity : rank.get(a1)!) - (a2 < 0 ? Infinity : rank.get(a2)!));
  const out: PolicyDifference[] = [];
  for (const [bi, ai] of pairs) {
    const b = bi >= 0 ? before.policies[bi] : undefined;
    const a = ai >= 0 ? after.policies[ai] : undefined;
    const named = a ?? b!;
    const decisionChanged = a !== undefined && b !== undefined && a.decision !== b.decision;
    if (!mattered(b?.outcome, a?.outcome, decisionChanged)) continue;
    const evaluatedInBoth = a !== undefined && b !== undefined && a.outcome !== 'skipped' && b.outcome !== 'skipped';
    const rules = evaluatedInBoth ? ruleDifferences(beforePolicies[bi], b, afterPolicies[ai], a) : [];
    out.push({
      name: named.name,
      ...(named.id !== undefined ? { id: named.id } : {}),
      before: b === undefined ? null : side(b),
      after: a === undefined ? null : side(a),
      rules,
    });
  }
  return out;
}
