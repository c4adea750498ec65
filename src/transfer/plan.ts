// What an import will do, decided before anything is written: each object of the source is
// matched by name with the target's objects of its kind (a match is updated in place, anything
// else created), and every reference is checked to lead somewhere. Problems stop the import
// before its first write: a name used twice in the source or on the target (the match would
// be a guess), a list whose type would change, an identity provider whose type would change
// (unless asked for), a reference to nothing (service tokens, device posture rules and Access
// applications, which import does not move, included), groups in a cycle.

import type { AccountApi, UnmovedKind } from './account-api.js';
import { orderGroups } from './group-order.js';
import { referencesOf } from './references.js';
import { calling } from './api-failures.js';
import type { Problem } from './problems.js';
import { KIND_WORDS, OBJECT_KINDS, objectsOf, type ObjectKind, type Snapshot, type SourceObject } from './snapshot.js';

/** An object already on the target, as far as matching needs it. */
export interface TargetObject {
  readonly id: string;
  readonly name: string;
  readonly type?: string;
}

export type Inventory = Readonly<Record<ObjectKind, readonly TargetObject[]>> & {
  /**
   * The ids of the target's service tokens, device posture rules and Access applications, read
   * only when the import names some (so that a token without those permissions can import
   * anything else).
   */
  readonly unmoved?: Readonly<Partial<Record<UnmovedKind, ReadonlySet<string>>>>;
};

const UNMOVED_WORDS: Readonly<Record<UnmovedKind, { list: string; one: string; code: string }>> = {
  service_token: { list: 'service tokens', one: 'service token', code: 'unknown_service_token' },
  posture_rule: { list: 'device posture rules', one: 'device posture rule', code: 'unknown_posture_rule' },
  app: { list: 'Access applications', one: 'Access application', code: 'unknown_app' },
};

const isUnmoved = (kind: string): kind is UnmovedKind => Object.hasOwn(UNMOVED_WORDS, kind);

/** The kinds of unmoved objects the groups and policies of `snapshot` name. */
function unmovedNamed(snapshot: Snapshot): Set<UnmovedKind> {
  const kinds = new Set<UnmovedKind>();
  for (const object of [...snapshot.groups, ...snapshot.policies]) for (const ref of referencesOf(object.body)) if (isUnmoved(ref.kind)) kinds.add(ref.kind);
  return kinds;
}

export interface PlannedWrite {
  readonly object: SourceObject;
  /** The target object of the same name, updated in place; undefined: created. */
  readonly targetId: string | undefined;
}

export interface ImportPlan {
  /** Per kind, in the order they are written (groups after the groups they name). */
  readonly writes: Readonly<Record<ObjectKind, readonly PlannedWrite[]>>;
  readonly problems: readonly Problem[];
}

const LIST_WORDS: Readonly<Record<ObjectKind, string>> = {
  identity_provider: 'identity providers',
  list: 'Gateway lists',
  group: 'Access groups',
  policy: 'policies',
};

/**
 * The target's objects of every kind, by id, name and (lists, IdPs) type; with `snapshot`, also the
 * ids of the service tokens, device posture rules and Access applications it names.
 */
export async function readInventory(api: AccountApi, snapshot?: Snapshot): Promise<Inventory> {
  const read = async (kind: ObjectKind): Promise<TargetObject[]> => {
    const objects = await calling(api.endpoint, `listing the ${LIST_WORDS[kind]}`, () => api.list(kind));
    return objects.map((o) => ({ id: String(o.id), name: String(o.name ?? ''), ...(typeof o.type === 'string' ? { type: o.type } : {}) }));
  };
  const [identity_provider, list, group, policy] = await Promise.all(OBJECT_KINDS.map(read));
  const unmoved: Partial<Record<UnmovedKind, ReadonlySet<string>>> = {};
  for (const kind of snapshot === undefined ? [] : unmovedNamed(snapshot)) {
    unmoved[kind] = new Set(await calling(api.endpoint, `listing the ${UNMOVED_WORDS[kind].list}`, () => api.unmovedIds(kind)));
  }
  return { identity_provider, list, group, policy, unmoved };
}

/** Match one kind's objects by name; problems for names that do not pick one object. */
function matchByName(kind: ObjectKind, objects: readonly SourceObject[], targets: readonly TargetObject[], problems: Problem[], options: PlanOptions): PlannedWrite[] {
  const targetsByName = new Map<string, TargetObject[]>();
  for (const t of targets) targetsByName.set(t.name, [...(targetsByName.get(t.name) ?? []), t]);
  const seen = new Set<string>();
  const writes: PlannedWrite[] = [];
  for (const object of objects) {
    const name = JSON.stringify(object.name);
    if (seen.has(object.name)) {
      problems.push(object.locate('/name', 'duplicate_name', `Another ${KIND_WORDS[kind]} of the import is also named ${name}; import matches objects by name, so names must be unique.`));
      continue;
    }
    seen.add(object.name);
    const matches = targetsByName.get(object.name) ?? [];
    if (matches.length > 1) {
      problems.push(
        object.locate(
          '/name',
          'ambiguous_name',
          `The target has ${matches.length} ${LIST_WORDS[kind]} named ${name} (${matches.map((m) => m.id).join(', ')}); import updates the one of the same name, so rename or delete the others there first.`,
        ),
      );
      continue;
    }
    const target = matches[0];
    if (kind === 'list' && target !== undefined && target.type !== object.listType) {
      problems.push(
        object.locate('/type', 'list_type_changed', `The target's Gateway list ${name} is of type ${target.type}, this one ${object.listType}; a list's type cannot change. Rename one of them.`),
      );
      continue;
    }
    const sourceType = kind === 'identity_provider' ? String(object.body.type) : undefined;
    if (sourceType !== undefined && target !== undefined && target.type !== sourceType && !options.replaceIdentityProviderTypes) {
      // Replacing a provider by one of another type drops its config and breaks every rule scoped
      // to it (an okta rule naming an Azure AD provider): not something to do without being asked.
      problems.push(
        object.locate(
          '/type',
          'identity_provider_type_changed',
          `The target's identity provider ${name} (${target.id}) is of type ${target.type}, this one ${sourceType}; import would replace it by one of another type. Rename one of them, or give --replace-idp-type to replace it.`,
        ),
      );
      continue;
    }
    writes.push({ object, targetId: target?.id });
  }
  return writes;
}

/** Problems for references that lead neither to an object of the import nor to one on the target. */
function findDanglingReferences(snapshot: Snapshot, inventory: Inventory, problems: Problem[]): void {
  const known = (kind: ObjectKind) => new Set([...objectsOf(snapshot, kind).flatMap((o) => (o.id === undefined ? [] : [o.id])), ...inventory[kind].map((t) => t.id)]);
  const ids = { group: known('group'), list: known('list'), identity_provider: known('identity_provider') };
  const codes = { group: 'unknown_group', list: 'unknown_list', identity_provider: 'unknown_identity_provider' } as const;
  for (const object of [...snapshot.groups, ...snapshot.policies]) {
    for (const ref of referencesOf(object.body)) {
      if (isUnmoved(ref.kind)) {
        // Import does not move these: the real run's write would be refused unless the target has it.
        const onTarget = inventory.unmoved?.[ref.kind];
        if (onTarget === undefined || onTarget.has(ref.id)) continue;
        const words = UNMOVED_WORDS[ref.kind];
        problems.push(object.locate(ref.pointer, words.code, `The ${words.one} ${JSON.stringify(ref.id)} is not on the target, which would refuse this ${KIND_WORDS[object.kind]}; import does not move ${words.list}: create it there and name its id.`));
        continue;
      }
      if (ref.kind !== 'group' && ref.kind !== 'list' && ref.kind !== 'identity_provider') continue;
      if (ids[ref.kind].has(ref.id)) continue;
      problems.push(object.locate(ref.pointer, codes[ref.kind], `The ${KIND_WORDS[ref.kind]} ${JSON.stringify(ref.id)} is neither in the import nor on the target.`));
    }
  }
}

export interface PlanOptions {
  /** Replace a target identity provider of the same name but another type, instead of stopping. */
  readonly replaceIdentityProviderTypes?: boolean;
}

export function planImport(snapshot: Snapshot, inventory: Inventory, options: PlanOptions = {}): ImportPlan {
  const problems: Problem[] = [];
  const { ordered, cyclic } = orderGroups(snapshot.groups);
  for (const group of cyclic) {
    problems.push(group.locate('', 'group_cycle', `The Access group ${JSON.stringify(group.name)} is part of a cycle of groups naming each other; the target would refuse it.`));
  }
  findDanglingReferences(snapshot, inventory, problems);
  const sources: Record<ObjectKind, readonly SourceObject[]> = {
    identity_provider: snapshot.identityProviders,
    list: snapshot.lists,
    group: ordered.filter((g) => !cyclic.includes(g)),
    policy: snapshot.policies,
  };
  const writes = Object.fromEntries(OBJECT_KINDS.map((kind) => [kind, matchByName(kind, sources[kind], inventory[kind], problems, options)])) as Record<ObjectKind, PlannedWrite[]>;
  return { writes, problems };
}
