// Normalized rules and policies: what validation produces and what every evaluator consumes.
// Strings are normalized once, on write (lower-cased emails and domains, upper-cased countries,
// parsed CIDRs), so the hot path only compares. Rule shapes derive from the catalogue (selectors.ts).

import type { Cidr } from './ip.js';
import type { Catalogue, FieldDef } from './selectors.js';
import type { Decision, RiskLevel, Selector, WirePolicy, WireRuleOf } from './wire.js';

type FieldsOf<S extends Selector> = Catalogue[S]['fields'];
type NormalValue<F extends FieldDef> = F['format'] extends 'cidr' ? Cidr : F['format'] extends 'risk_levels' ? readonly RiskLevel[] : string;
type Flatten<T> = { [K in keyof T]: T[K] };

/**
 * The normalized rule of selector `S`: its kind, the rule as accepted on the wire (validated,
 * unknown keys refused; for output and messages), and each field's normalized value under the
 * name the catalogue gives it (`key`), `undefined` when an optional field is absent.
 */
export type RuleOf<S extends Selector> = Flatten<{ readonly kind: S; readonly wire: WireRuleOf<S> } & NormalFields<FieldsOf<S>>>;

type NormalFields<F extends Readonly<Record<string, FieldDef>>> = {
  readonly [N in keyof F as F[N]['key']]: NormalValue<F[N]> | (F[N]['required'] extends true ? never : undefined);
};

export type Rule = { [S in Selector]: RuleOf<S> }[Selector];

/** Rules whose answer comes from an endpoint (external.ts). */
export type ExternalEvaluationRule = RuleOf<'external_evaluation'>;

/** include (any) AND require (all) AND NOT exclude (any): shared by policies and Access groups. */
export interface RuleSet {
  readonly include: readonly Rule[];
  readonly require: readonly Rule[];
  readonly exclude: readonly Rule[];
}

/** Everything in a policy besides its name, decision and rules, as accepted on the wire. */
export type PolicySettings = Omit<WirePolicy, 'name' | 'decision' | 'include' | 'require' | 'exclude'>;

export interface Policy extends RuleSet {
  /** Set by the caller for saved policies; named in explanations. */
  readonly id?: string;
  readonly name: string;
  readonly decision: Decision;
  readonly settings: PolicySettings;
}

export interface Group extends RuleSet {
  readonly id: string;
  readonly name: string;
  readonly isDefault?: boolean;
}

export type RuleListName = 'include' | 'require' | 'exclude';
export const RULE_LISTS: readonly RuleListName[] = ['include', 'require', 'exclude'];
