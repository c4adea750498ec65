// Access groups reference each other through `group` rules. Writes reject cycles, but a lookup
// the engine is handed may still contain one; a group that can reach itself is then *unknown*
// wherever it is referenced, in every evaluator alike.

import type { Group, Rule, RuleSet } from './rules.js';

export type GroupLookup = (id: string) => Group | undefined;

/** Ids of the groups a rule set references directly, in order of appearance. */
export function referencedGroupIds(set: RuleSet): string[] {
  const ids: string[] = [];
  const visit = (rules: readonly Rule[]): void => {
    for (const r of rules) if (r.kind === 'group') ids.push(r.groupId);
  };
  visit(set.include);
  visit(set.require);
  visit(set.exclude);
  return ids;
}

/**
 * The path of a cycle through `startId` ([a, b, a]), or undefined when the group cannot reach
 * itself. Groups missing from the lookup end a path.
 */
export function findGroupCycle(startId: string, lookup: GroupLookup, start?: RuleSet): string[] | undefined {
  const first = start ?? lookup(startId);
  if (first === undefined) return undefined;
  const visited = new Set<string>();
  // Iterative DFS so that long reference chains cannot exhaust the stack.
  const stack: { set: RuleSet; path: string[]; next: string[] }[] = [
    { set: first, path: [startId], next: referencedGroupIds(first) },
  ];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const nextId = top.next.shift();
    if (nextId === undefined) {
      stack.pop();
      continue;
    }
    if (nextId === startId) return [...top.path, startId];
    if (visited.has(nextId)) continue;
    visited.add(nextId);
    const group = lookup(nextId);
    if (group !== undefined) stack.push({ set: group, path: [...top.path, nextId], next: referencedGroupIds(group) });
  }
  return undefined;
}

/** A memoized "is this group part of a reference cycle?" over one lookup. */
export function cycleDetector(lookup: GroupLookup): (id: string) => boolean {
  const memo = new Map<string, boolean>();
  return (id) => {
    let v = memo.get(id);
    if (v === undefined) {
      v = findGroupCycle(id, lookup) !== undefined;
      memo.set(id, v);
    }
    return v;
  };
}
