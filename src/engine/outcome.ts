// Outcomes shared by every evaluator: three-valued rule results (Kleene logic), access results,
// and the order of execution across a list of policies (docs/semantics.md "Three-valued logic",
// "Order of execution").

import type { Decision } from './wire.js';

/** Three-valued truth: rules that cannot be decided are unknown. Numeric for the hot path. */
export const F = 0;
export const T = 1;
export const U = 2;
export type Tri = typeof F | typeof T | typeof U;

export type RuleOutcome = 'matched' | 'not_matched' | 'unknown';
export const TRI_OUTCOME: readonly RuleOutcome[] = ['not_matched', 'matched', 'unknown'];

/** Whether access is granted, blocked, or depends on something that could not be decided. */
export type Access = 'granted' | 'blocked' | 'unknown';
export const BLOCKED = 0;
export const GRANTED = 1;
export const UNKNOWN_ACCESS = 2;
export const ACCESS_NAMES: readonly Access[] = ['blocked', 'granted', 'unknown'];

/** What a decision does when its policy matches. */
export function grants(decision: Decision): boolean {
  return decision !== 'deny';
}

/** Bypass and Service Auth policies run before Allow and Block (docs/semantics.md "Order of execution"). */
export function isFirstPhase(decision: Decision): boolean {
  return decision === 'bypass' || decision === 'non_identity';
}

/** Indexes of policies in the order they are evaluated: first phase, then second, each in list order. */
export function executionOrder(decisions: readonly Decision[]): number[] {
  const first: number[] = [];
  const second: number[] = [];
  decisions.forEach((d, i) => (isFirstPhase(d) ? first : second).push(i));
  return [...first, ...second];
}

/**
 * A packed policy-set result: bits 0-1 the access code (BLOCKED/GRANTED/UNKNOWN_ACCESS),
 * the rest the deciding policy's index + 1 (0 = nothing matched, blocked by default).
 */
export type PackedResult = number;

export function packResult(access: number, decidingIndex: number): PackedResult {
  return ((decidingIndex + 1) << 2) | access;
}

export function resultAccess(packed: PackedResult): Access {
  return ACCESS_NAMES[packed & 3];
}

/**
 * The deciding policy's index, or -1 when nothing matched (blocked by default). For an unknown
 * result: the first undecidable policy (in execution order) whose outcome would change it.
 */
export function resultDecidingIndex(packed: PackedResult): number {
  return (packed >> 2) - 1;
}
