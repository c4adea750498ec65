// Everything a chaos run's account holds, read through the API of a (restarted) server: every
// policy, group, list with its entries, and user with its identity, each as its state (what a
// write decides, bodies.ts) and as the whole object the API shows.

import type { ChaosApi } from './api-client.js';
import { groupState, listState, policyState, referencedIds, userState } from './bodies.js';
import { objectKey, userKey, type ObjectKind, type State } from './model.js';

export interface ObservedObject {
  readonly key: string;
  readonly kind: ObjectKind;
  readonly id: string;
  /** The name it was created or last written with (unanswered creates are found by it). */
  readonly name: string;
  readonly state: State;
  /** The object as the API shows it. */
  readonly full: unknown;
}

export interface Snapshot {
  readonly objects: Map<string, ObservedObject>;
  /** Lists whose `count` is not the number of entries their items pages hold. */
  readonly countMismatches: string[];
}

/** Requests at once while reading users' identities. */
const CONCURRENCY = 16;

async function mapConcurrently<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
  return results;
}

export async function readSnapshot(api: ChaosApi, url: string): Promise<Snapshot> {
  const objects = new Map<string, ObservedObject>();
  const add = (kind: ObjectKind, key: string, full: Record<string, unknown>, state: State) =>
    objects.set(key, { key, kind, id: full.id as string, name: full.name as string, state, full });

  for (const policy of await api.all(url, '/access/policies')) add('policy', objectKey('policy', policy.id), policy, policyState(policy));
  for (const group of await api.all(url, '/access/groups')) add('group', objectKey('group', group.id), group, groupState(group));

  const countMismatches: string[] = [];
  for (const list of (await api.result(url, 'GET', '/gateway/lists')) as Record<string, unknown>[]) {
    const items = (await api.all(url, `/gateway/lists/${list.id}/items`)) as { value: string }[];
    if (list.count !== items.length) countMismatches.push(`list ${list.id}: count ${list.count}, ${items.length} entries`);
    add('list', objectKey('list', list.id as string), list, listState(list.name as string, list.type as string, items.map((i) => i.value)));
  }

  const users = (await api.all(url, '/access/users')) as Record<string, unknown>[];
  const identities = await mapConcurrently(users, async (user) => {
    const reply = await api.call(url, 'GET', `/access/users/${user.id}/last_seen_identity`);
    if (reply.kind === 'answer' && reply.status === 404) return null;
    if (reply.kind === 'no-answer' || reply.status !== 200) throw new Error(`identity of ${user.email}: ${reply.kind === 'answer' ? reply.status : reply.error}`);
    return reply.json.result as Record<string, unknown>;
  });
  users.forEach((user, i) => {
    const email = user.email as string;
    objects.set(userKey(email), { key: userKey(email), kind: 'user', id: user.id as string, name: email, state: userState(email, user.name as string, identities[i]), full: { ...user, identity: identities[i] } });
  });
  return { objects, countMismatches };
}

/** References to groups or lists that do not exist: there must be none. */
export function danglingReferences(snapshot: Snapshot): string[] {
  const found: string[] = [];
  for (const object of snapshot.objects.values()) {
    if (object.kind !== 'policy' && object.kind !== 'group') continue;
    const { groups, lists } = referencedIds(object.full as Record<string, unknown>);
    for (const id of groups) if (!snapshot.objects.has(objectKey('group', id))) found.push(`${object.kind} ${object.id} uses the missing group ${id}`);
    for (const id of lists) if (!snapshot.objects.has(objectKey('list', id))) found.push(`${object.kind} ${object.id} uses the missing list ${id}`);
  }
  return found;
}
