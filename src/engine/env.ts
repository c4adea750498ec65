// What evaluation needs from the account besides the identity: the referenced groups, lists,
// IdPs, service tokens, posture rules and apps, supplied by the caller through lookups so the
// engine never touches storage. A lookup that is not supplied is not checked (offline use).

import { IpSet, parseCidr, type Cidr } from './ip.js';
import type { ExternalEvaluationRule, Group } from './rules.js';

export type ListType = 'IP' | 'EMAIL' | (string & {});

/** A Gateway list prepared for membership tests. */
export interface ListIndex {
  readonly id: string;
  /** Its name, when the source gave one (explanations name the list by it). */
  readonly name?: string;
  readonly type: ListType;
  /** EMAIL lists: lower-cased entries. */
  readonly emails: ReadonlySet<string>;
  /** IP lists: the entries as a range set. */
  readonly ips: IpSet;
}

/** Build a list index from raw item values; values that do not parse for the type are ignored. */
export function buildListIndex(id: string, type: ListType, values: Iterable<string>): ListIndex {
  const emails = new Set<string>();
  const cidrs: Cidr[] = [];
  for (const value of values) {
    if (type === 'EMAIL') emails.add(value.toLowerCase());
    else if (type === 'IP') {
      const cidr = parseCidr(value);
      if (cidr !== undefined) cidrs.push(cidr);
    }
  }
  return { id, type, emails, ips: new IpSet(cidrs) };
}

export interface ServiceTokenInfo {
  /** Expiry in milliseconds since the epoch; undefined or null = never expires. */
  readonly expiresAt?: number | null;
}

export interface EvalEnv {
  /** Resolve an Access group by id. Missing → the group rule is unknown. */
  readonly group?: (id: string) => Group | undefined;
  /** Resolve a Gateway list by id. Missing → the list rule is unknown. */
  readonly list?: (id: string) => ListIndex | undefined;
  /** When supplied, IdP-scoped rules naming an IdP that does not exist are unknown. */
  readonly identityProviderExists?: (id: string) => boolean;
  /** When supplied, service tokens must exist and not be expired. */
  readonly serviceToken?: (id: string) => ServiceTokenInfo | undefined;
  /** When supplied, device_posture rules naming an unknown posture rule are unknown. */
  readonly postureRuleExists?: (id: string) => boolean;
  /** When supplied, linked_app_token rules naming an unknown app are unknown. */
  readonly appExists?: (uid: string) => boolean;
  /** The account evaluating; cloudflare_account_member without account_id means this one. */
  readonly accountId?: string;
  /** Evaluation time (ms since the epoch) for service-token expiry; defaults to Date.now() at compile time. */
  readonly now?: number;
  /**
   * The name of a referenced object, for explanations that a person reads ("list \"Contractors\""
   * rather than its id). Ids stay in each reason's `expected`/`actual`. Unknown → the id is shown.
   */
  readonly nameOf?: (kind: NamedKind, id: string) => string | undefined;
}

/** The kinds of objects that rules name by id. */
export type NamedKind = 'list' | 'identity_provider' | 'service_token' | 'posture_rule' | 'app';

/**
 * Answers of external evaluation endpoints for one identity, gathered beforehand (see
 * external.ts): true/false, or undefined when the call failed or was not made (→ unknown).
 * `failure`, when present, says why a rule has no answer (the evaluator's error), for the
 * explanation; `failureCode` says it in a few words without URLs or messages (the error's code,
 * and the HTTP status for a non-2xx answer), for the access log.
 */
export type ExternalAnswers = ((rule: ExternalEvaluationRule) => boolean | undefined) & {
  readonly failure?: (rule: ExternalEvaluationRule) => string | undefined;
  readonly failureCode?: (rule: ExternalEvaluationRule) => string | undefined;
};

export function externalKey(rule: Pick<ExternalEvaluationRule, 'evaluateUrl' | 'keysUrl'>): string {
  return `${rule.evaluateUrl}\n${rule.keysUrl}`;
}
