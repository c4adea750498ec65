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

/**
 * How deep Access groups may nest: a policy reaches at most this many groups one inside the
 * other. Writes that would go deeper are refused; a deeper group found in stored data is unknown
 * wherever it is referenced (fail closed), so no evaluator ever descends further.
 */
export const MAX_GROUP_DEPTH = 32;

/**
 * Facts about the groups of one lookup, each computed once and without recursion (chains of
 * thousands of groups must not exhaust the stack): which groups are part of a reference cycle
 * (Tarjan's strongly connected components, iteratively), and how deep each nests.
 */
export class GroupGraph {
  private readonly cyclic = new Map<string, boolean>();
  private readonly depths = new Map<string, number>();

  constructor(private readonly lookup: GroupLookup) {}

  /** Whether the group can reach itself through group rules. */
  inCycle(id: string): boolean {
    if (!this.cyclic.has(id)) this.resolveComponentsFrom(id);
    return this.cyclic.get(id) ?? false;
  }

  /**
   * 1 for a group that references no other group, else 1 + the deepest group it references
   * (groups that are missing or part of a cycle count as leaves: they are unknown, not descended).
   */
  depth(id: string): number {
    const known = this.depths.get(id);
    if (known !== undefined) return known;
    const work: { id: string; children: string[]; next: number; deepest: number }[] = [];
    const open = (gid: string): void => {
      const group = this.lookup(gid);
      const children = group === undefined ? [] : referencedGroupIds(group).filter((c) => this.lookup(c) !== undefined && !this.inCycle(c));
      work.push({ id: gid, children, next: 0, deepest: 0 });
    };
    open(id);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      if (frame.next < frame.children.length) {
        const child = frame.children[frame.next++];
        const depth = this.depths.get(child);
        if (depth !== undefined) frame.deepest = Math.max(frame.deepest, depth);
        else if (child !== frame.id) open(child);
        continue;
      }
      work.pop();
      const depth = 1 + frame.deepest;
      this.depths.set(frame.id, depth);
      if (work.length > 0) work[work.length - 1].deepest = Math.max(work[work.length - 1].deepest, depth);
    }
    return this.depths.get(id)!;
  }

  /** Nested deeper than MAX_GROUP_DEPTH (and not in a cycle). */
  tooDeep(id: string): boolean {
    return !this.inCycle(id) && this.depth(id) > MAX_GROUP_DEPTH;
  }

  /** A group evaluators treat as unknown instead of evaluating: in a cycle, or too deep. */
  unusable(id: string): boolean {
    return this.inCycle(id) || this.depth(id) > MAX_GROUP_DEPTH;
  }

  /** Tarjan's algorithm over the groups reachable from `root`, with an explicit stack. */
  private resolveComponentsFrom(root: string): void {
    let counter = 0;
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const onStack = new Set<string>();
    const stack: string[] = [];
    const work: { id: string; children: string[]; next: number }[] = [];
    const visit = (id: string): void => {
      index.set(id, counter);
      low.set(id, counter);
      counter++;
      stack.push(id);
      onStack.add(id);
      const group = this.lookup(id);
      work.push({ id, children: group === undefined ? [] : referencedGroupIds(group), next: 0 });
    };
    visit(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      if (frame.next < frame.children.length) {
        const child = frame.children[frame.next++];
        // Resolved by an earlier call: its component is complete and cannot include ours.
        if (this.cyclic.has(child)) continue;
        if (!index.has(child)) visit(child);
        else if (onStack.has(child)) low.set(frame.id, Math.min(low.get(frame.id)!, index.get(child)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1];
        low.set(parent.id, Math.min(low.get(parent.id)!, low.get(frame.id)!));
      }
      if (low.get(frame.id) === index.get(frame.id)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.id);
        const cyclic = component.length > 1 || frame.children.includes(frame.id);
        for (const m of component) this.cyclic.set(m, cyclic);
      }
    }
  }
}

/** A memoized "is this group part of a reference cycle?" over one lookup. */
export function cycleDetector(lookup: GroupLookup): (id: string) => boolean {
  const graph = new GroupGraph(lookup);
  return (id) => graph.inCycle(id);
}
