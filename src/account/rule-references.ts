// What the rules of a policy or group name in the account (groups, lists, IdPs, service
// tokens, posture rules, apps): loaded from the store so the engine can check them on write
// (docs/semantics.md "Reference checks") and lint with them, and recorded as
// references so that nothing in use can be deleted.

import {
  RULE_LISTS,
  referenceOf,
  parseGroup,
  type Group,
  type LintContext,
  type ReferenceCatalog,
  type ReferenceKind,
  type Rule,
  type RuleSet,
} from '../engine/index.js';
import type { ResourceRef, StoreReader } from '../store/store.js';

/** The account object a rule names, if any. */
export function ruleReference(rule: Rule): { kind: ReferenceKind; id: string } | undefined {
  const ref = referenceOf(rule);
  return ref === undefined ? undefined : { kind: ref.kind, id: ref.id };
}

/** Every reference of some rule sets, each once. */
export function ruleSetReferences(sets: readonly RuleSet[]): ResourceRef[] {
  const seen = new Map<string, ResourceRef>();
  for (const set of sets) {
    for (const list of RULE_LISTS) {
      for (const rule of set[list]) {
        const ref = ruleReference(rule);
        if (ref !== undefined) seen.set(`${ref.kind}\n${ref.id}`, ref);
      }
    }
  }
  return [...seen.values()];
}

export interface AccountReferences {
  readonly catalog: ReferenceCatalog;
  readonly lint: LintContext;
  /** The Access groups reached (directly or through nesting), parsed. */
  readonly groups: ReadonlyMap<string, Group>;
}

/** Parse a stored group; stored groups were validated on write, so failures mean corruption. */
export function storedGroup(id: string, body: Record<string, unknown>): Group | undefined {
  const parsed = parseGroup(body, { id });
  return parsed.ok ? parsed.value : undefined;
}

/** Every Access group reachable from `ids` (following nested group rules), parsed and as stored. */
export async function loadGroupRecords(
  store: StoreReader,
  accountId: string,
  ids: Iterable<string>,
): Promise<Map<string, { group: Group; body: Record<string, unknown> }>> {
  const groups = new Map<string, { group: Group; body: Record<string, unknown> }>();
  const requested = new Set<string>();
  let frontier = [...new Set(ids)];
  while (frontier.length > 0) {
    for (const id of frontier) requested.add(id);
    const records = await store.getResources(accountId, 'group', frontier);
    const next: string[] = [];
    for (const record of records) {
      const group = storedGroup(record.id, record.body);
      if (group === undefined) continue;
      groups.set(record.id, { group, body: record.body });
      for (const ref of ruleSetReferences([group])) if (ref.kind === 'group' && !requested.has(ref.id)) next.push(ref.id);
    }
    frontier = [...new Set(next)];
  }
  return groups;
}

/** Load every Access group reachable from `ids`, following nested group rules. */
export async function loadGroupClosure(store: StoreReader, accountId: string, ids: Iterable<string>): Promise<Map<string, Group>> {
  const records = await loadGroupRecords(store, accountId, ids);
  return new Map([...records].map(([id, r]) => [id, r.group]));
}

/**
 * Load what `sets` (and the groups they reach) reference, plus any extra Gateway lists (such
 * as approval groups' email lists), into a catalog for checkReferences and a lint context.
 */
export async function loadAccountReferences(
  store: StoreReader,
  accountId: string,
  sets: readonly RuleSet[],
  extraListIds: readonly string[] = [],
): Promise<AccountReferences> {
  const direct = ruleSetReferences(sets);
  const groups = await loadGroupClosure(store, accountId, direct.filter((r) => r.kind === 'group').map((r) => r.id));
  const all = ruleSetReferences([...sets, ...groups.values()]);
  const idsOf = (kind: ReferenceKind): string[] => all.filter((r) => r.kind === kind).map((r) => r.id);

  // One after another: inside a transaction `store` is a single database connection.
  const lists = await store.getResources(accountId, 'list', [...idsOf('list'), ...extraListIds]);
  const idps = await store.getResources(accountId, 'identity_provider', idsOf('identity_provider'));
  const tokens = await store.getResources(accountId, 'service_token', idsOf('service_token'));
  const postures = await store.getResources(accountId, 'posture_rule', idsOf('posture_rule'));
  const apps = await store.getResources(accountId, 'app', idsOf('app'));
  const listTypes = new Map(lists.map((l) => [l.id, String(l.body.type)]));
  const idpTypes = new Map(idps.map((i) => [i.id, String(i.body.type)]));
  const ids = (records: readonly { id: string }[]) => new Set(records.map((r) => r.id));
  const tokenIds = ids(tokens);
  const postureIds = ids(postures);
  const appIds = ids(apps);
  const group = (id: string) => groups.get(id);
  return {
    groups,
    catalog: {
      group,
      listType: (id) => listTypes.get(id),
      identityProviderExists: (id) => idpTypes.has(id),
      serviceTokenExists: (id) => tokenIds.has(id),
      postureRuleExists: (id) => postureIds.has(id),
      appExists: (id) => appIds.has(id),
    },
    lint: { group, identityProviderType: (id) => idpTypes.get(id) },
  };
}
