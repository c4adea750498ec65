// Access groups may name other groups, and the target refuses a group naming one it does not
// have yet: groups are written so that every group comes after the groups it names.

import { referencesOf } from './references.js';
import type { SourceObject } from './snapshot.js';

export interface GroupOrder {
  /** Every group, each after the source groups it names. */
  readonly ordered: readonly SourceObject[];
  /** Groups that name each other in a cycle (no order exists for them), each once. */
  readonly cyclic: readonly SourceObject[];
}

export function orderGroups(groups: readonly SourceObject[]): GroupOrder {
  const byId = new Map(groups.filter((g) => g.id !== undefined).map((g) => [g.id!, g]));
  const state = new Map<SourceObject, 'visiting' | 'done'>();
  const ordered: SourceObject[] = [];
  const cyclic = new Set<SourceObject>();

  const visit = (group: SourceObject, path: SourceObject[]): void => {
    const seen = state.get(group);
    if (seen === 'done') return;
    if (seen === 'visiting') {
      for (const g of path.slice(path.indexOf(group))) cyclic.add(g);
      return;
    }
    state.set(group, 'visiting');
    for (const ref of referencesOf(group.body)) {
      const named = ref.kind === 'group' ? byId.get(ref.id) : undefined;
      if (named !== undefined) visit(named, [...path, group]);
    }
    state.set(group, 'done');
    ordered.push(group);
  };
  for (const group of groups) visit(group, []);
  return { ordered, cyclic: [...cyclic] };
}
