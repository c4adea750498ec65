// What the chaos clients write, and the part of each object a write decides (its "state"),
// computed the same way from a request and from what the API shows later. Every body carries
// the write's sequence number in its name and derives its other fields from it, so that a
// stored object mixing two writes cannot look like either.

import type { State } from './model.js';

const COUNTRIES = ['US', 'DE', 'GB', 'IN'] as const;
const pick = (source: Readonly<Record<string, unknown>>, fields: readonly string[]): Record<string, unknown> =>
  Object.fromEntries(fields.filter((f) => source[f] !== undefined).map((f) => [f, source[f]]));

const POLICY_FIELDS = ['name', 'decision', 'include', 'require', 'exclude', 'session_duration'] as const;
const GROUP_FIELDS = ['name', 'include', 'require', 'exclude'] as const;

/** What a policy or group rule set references: a group and a list, each optional. */
export interface RuleRefs {
  readonly group?: string;
  readonly list?: string;
}

/** `<prefix><number> w<seq>`: the number names the object, seq the write. */
export const versionedName = (prefix: string, number: number, seq: number): string => `${prefix}${number} w${seq}`;

export function policyBody(name: string, seq: number, refs: RuleRefs): Record<string, unknown> {
  return {
    name,
    decision: seq % 7 === 0 ? 'deny' : 'allow',
    include: [{ email: { email: `u${seq}@crash.example` } }, ...(refs.group !== undefined ? [{ group: { id: refs.group } }] : [])],
    require: [{ geo: { country_code: COUNTRIES[seq % COUNTRIES.length] } }],
    exclude: refs.list !== undefined ? [{ email_list: { id: refs.list } }] : [],
    session_duration: `${(seq % 23) + 1}h`,
  };
}

export function groupBody(name: string, seq: number, refs: RuleRefs): Record<string, unknown> {
  return {
    name,
    include: [{ email_domain: { domain: `d${seq}.crash.example` } }, ...(refs.group !== undefined ? [{ group: { id: refs.group } }] : [])],
    require: seq % 3 === 0 ? [{ geo: { country_code: COUNTRIES[seq % COUNTRIES.length] } }] : [],
    exclude: refs.list !== undefined ? [{ email_list: { id: refs.list } }] : [],
  };
}

export const policyState = (policy: Readonly<Record<string, unknown>>): State => pick(policy, POLICY_FIELDS);
export const groupState = (group: Readonly<Record<string, unknown>>): State => pick(group, GROUP_FIELDS);

/** A list's state: its name, type and entries (sorted: the API pages them by creation time). */
export const listState = (name: string, type: string, values: Iterable<string>): State => ({ name, type, items: [...values].sort() });

/** A user's state: name and last seen identity (the identity as stored: with the user's email). */
export function userState(email: string, name: string, identity: Readonly<Record<string, unknown>> | null): State {
  return { email, name, identity: identity === null ? null : { ...identity, email } };
}

export function identityOf(seq: number): Record<string, unknown> {
  return { name: `id w${seq}`, amr: seq % 2 === 0 ? ['pwd', 'mfa'] : ['pwd'], geo: { country: COUNTRIES[seq % COUNTRIES.length] }, oidc_fields: { w: seq } };
}

/** The groups and lists a stored policy or group references (ids of `group` and `*_list` rules). */
export function referencedIds(ruleSet: Readonly<Record<string, unknown>>): { groups: string[]; lists: string[] } {
  const groups: string[] = [];
  const lists: string[] = [];
  for (const field of ['include', 'require', 'exclude']) {
    for (const rule of (ruleSet[field] as Record<string, { id?: string }>[] | undefined) ?? []) {
      if (rule.group?.id !== undefined) groups.push(rule.group.id);
      for (const listRule of ['email_list', 'ip_list']) if (rule[listRule]?.id !== undefined) lists.push(rule[listRule].id!);
    }
  }
  return { groups, lists };
}

/** The references of a state written by policyBody/groupBody, to keep them in an update. */
export function refsOf(state: State): RuleRefs {
  const { groups, lists } = referencedIds(state ?? {});
  return { ...(groups[0] !== undefined ? { group: groups[0] } : {}), ...(lists[0] !== undefined ? { list: lists[0] } : {}) };
}
