// Write-time reference checks (docs/semantics.md "Reference checks"): every group,
// list, IdP, service token, posture rule or app a rule names must exist in the account; a
// bypass policy may not reach an identity selector through a group; groups may not form cycles.
// The caller supplies the lookups; a lookup left out is not checked (offline use).

import { findGroupCycle, GroupGraph, MAX_GROUP_DEPTH, referencedGroupIds, type GroupLookup } from './groups.js';
import { capitalize, joinPointer, quote, type Issue } from './issues.js';
import type { Group, Rule, RuleListName, RuleSet } from './rules.js';
import { RULE_LISTS } from './rules.js';
import { REFERENCE_KINDS, SELECTOR_SPECS, referenceOf, type ReferenceKind } from './selectors.js';
import type { Decision, Selector } from './wire.js';

export interface ReferenceCatalog {
  readonly group?: GroupLookup;
  /** A Gateway list's type ("IP", "EMAIL", ...), or undefined when it does not exist. */
  readonly listType?: (id: string) => string | undefined;
  readonly identityProviderExists?: (id: string) => boolean;
  readonly serviceTokenExists?: (id: string) => boolean;
  readonly postureRuleExists?: (id: string) => boolean;
  readonly appExists?: (uid: string) => boolean;
}

export interface ReferenceCheckOptions {
  /** Pointer of the rule set inside the document, default "". */
  readonly pointer?: string;
  /** The decision of the policy being written; "bypass" forbids identity selectors inside groups. */
  readonly decision?: Decision;
  /** When writing an Access group: its id, so that a reference back to it is reported as a cycle. */
  readonly groupId?: string;
}

type SimpleKind = Exclude<ReferenceKind, 'group' | 'list'>;
/** Kinds checked by existence alone: the catalog's lookup and the issue code when it fails. */
const EXISTS: Record<SimpleKind, (c: ReferenceCatalog) => ((id: string) => boolean) | undefined> = {
  identity_provider: (c) => c.identityProviderExists,
  service_token: (c) => c.serviceTokenExists,
  posture_rule: (c) => c.postureRuleExists,
  app: (c) => c.appExists,
};
const MISSING_CODE: Record<SimpleKind, Issue['code']> = {
  identity_provider: 'unknown_identity_provider',
  service_token: 'unknown_service_token',
  posture_rule: 'unknown_posture_rule',
  app: 'unknown_app',
};

function checkRule(rule: Rule, pointer: string, catalog: ReferenceCatalog, issues: Issue[]): void {
  const ref = referenceOf(rule);
  if (ref === undefined) return;
  const id = ref.id;
  const at = joinPointer(pointer, rule.kind, ref.field);
  const missing = (code: Issue['code']): void => {
    issues.push({ code, pointer: at, message: `${capitalize(REFERENCE_KINDS[ref.kind].noun)} ${quote(id)} does not exist in this account.` });
  };
  switch (ref.kind) {
    case 'group':
      if (catalog.group !== undefined && catalog.group(id) === undefined) missing('unknown_group');
      break;
    case 'list': {
      if (catalog.listType === undefined) break;
      const type = catalog.listType(id);
      const want = ref.listType;
      if (type === undefined) missing('unknown_list');
      else if (want !== undefined && type !== want) {
        issues.push({
          code: 'list_type_mismatch',
          pointer: at,
          message: `Gateway list ${quote(id)} is of type ${type}; a ${rule.kind} rule needs a list of type ${want}.`,
        });
      }
      break;
    }
    default: {
      const exists = EXISTS[ref.kind](catalog);
      if (exists !== undefined && !exists(id)) missing(MISSING_CODE[ref.kind]);
    }
  }
}

/**
 * The first identity selector reachable from a group through nested groups, with the path of
 * group names that leads to it; undefined when the group holds only non-identity selectors.
 */
export function findIdentitySelector(groupId: string, lookup: GroupLookup): { selector: Selector; path: string[] } | undefined {
  const seen = new Set<string>();
  const visit = (id: string, path: string[]): { selector: Selector; path: string[] } | undefined => {
    // Bounded by the nesting limit: stored data deeper than that must not exhaust the stack.
    if (seen.has(id) || path.length > MAX_GROUP_DEPTH) return undefined;
    seen.add(id);
    const group = lookup(id);
    if (group === undefined) return undefined;
    const here = [...path, group.name];
    for (const list of RULE_LISTS) {
      for (const rule of group[list]) {
        if (rule.kind === 'group') {
          const found = visit(rule.groupId, here);
          if (found !== undefined) return found;
        } else if (SELECTOR_SPECS.get(rule.kind)?.identity === true) {
          return { selector: rule.kind, path: here };
        }
      }
    }
    return undefined;
  };
  return visit(groupId, []);
}

/** Check every reference of a rule set (a policy's or a group's) against the account. */
export function checkReferences(set: RuleSet, catalog: ReferenceCatalog, options: ReferenceCheckOptions = {}): Issue[] {
  const issues: Issue[] = [];
  const base = options.pointer ?? '';
  for (const list of RULE_LISTS as readonly RuleListName[]) {
    set[list].forEach((rule, i) => {
      const pointer = joinPointer(base, list, i);
      const selfReference = rule.kind === 'group' && rule.groupId === options.groupId;
      if (!selfReference) checkRule(rule, pointer, catalog, issues); // a self-reference is reported as a cycle below
      if (rule.kind === 'group' && catalog.group !== undefined && !selfReference) {
        if (options.decision === 'bypass') {
          const found = findIdentitySelector(rule.groupId, catalog.group);
          if (found !== undefined) {
            issues.push({
              code: 'selector_not_allowed_in_bypass',
              pointer: joinPointer(pointer, 'group', 'id'),
              message: `Access group ${found.path.map((n) => JSON.stringify(n)).join(' → ')} contains the identity selector "${found.selector}", but a bypass policy skips login, so there is no identity to test.`,
            });
          }
        }
      }
    });
  }
  if (options.groupId !== undefined && catalog.group !== undefined) {
    const self = options.groupId;
    const current = catalog.group;
    // See the group as it will be after this write.
    const ownName = 'name' in set && typeof set.name === 'string' ? set.name : undefined;
    const lookup: GroupLookup = (id) => (id === self ? ({ ...set, id: self, name: ownName ?? current(self)?.name ?? self } as Group) : current(id));
    const cycle = findGroupCycle(self, lookup, set);
    if (cycle !== undefined) {
      const names = cycle.map((id) => JSON.stringify(lookup(id)?.name ?? id));
      const first = firstGroupRulePointer(set, cycle[1], base);
      issues.push({
        code: 'group_cycle',
        pointer: first,
        message: `This would make Access groups reference each other in a cycle: ${names.join(' → ')}.`,
      });
    } else {
      const graph = new GroupGraph(lookup);
      if (graph.depth(self) > MAX_GROUP_DEPTH) {
        const chain = deepestChain(self, graph, lookup);
        issues.push({
          code: 'group_too_deep',
          pointer: firstGroupRulePointer(set, chain[1], base),
          message: `This would nest Access groups ${chain.length} deep, more than the ${MAX_GROUP_DEPTH} allowed: ${chain.map((id) => JSON.stringify(lookup(id)?.name ?? id)).join(' → ')}.`,
        });
      }
    }
  }
  return issues;
}

/** The longest chain of nested groups from `id` (ids), following the deepest reference at each step. */
function deepestChain(id: string, graph: GroupGraph, lookup: GroupLookup): string[] {
  const chain = [id];
  for (let current = lookup(id); current !== undefined; ) {
    const next = referencedGroupIds(current)
      .filter((c) => lookup(c) !== undefined && !graph.inCycle(c) && !chain.includes(c))
      .sort((a, b) => graph.depth(b) - graph.depth(a))[0];
    if (next === undefined) break;
    chain.push(next);
    current = lookup(next);
  }
  return chain;
}

function firstGroupRulePointer(set: RuleSet, groupId: string, base: string): string {
  for (const list of RULE_LISTS) {
    const i = set[list].findIndex((r) => r.kind === 'group' && r.groupId === groupId);
    if (i >= 0) return joinPointer(base, list, i, 'group', 'id');
  }
  return base;
}
