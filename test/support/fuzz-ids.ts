// The ids the API fuzzer has seen: what seeding created and what successful creates answered,
// by collection (the path template a created item lives under). Generators draw real ids from
// here some of the time, so requests reach handlers past the 404 for an unknown id.

import fc from 'fast-check';

/** Where an item of `collection` is addressed: the path parameter after it, e.g. policy_id. */
export interface Collection {
  readonly template: string;
  readonly idParam: string;
}

export class IdPool {
  private readonly byCollection = new Map<string, string[]>();
  private readonly byParam = new Map<string, string[]>();
  private readonly emails: string[] = [];
  private readonly parents = new Map<string, string>();

  /** `parentId`: the item it was created under (an application, for its policies). */
  add(collection: Collection, id: string, parentId?: string): void {
    push(this.byCollection, collection.template, id);
    push(this.byParam, collection.idParam, id);
    if (parentId !== undefined) this.parents.set(id, parentId);
  }

  parentOf(id: string): string | undefined {
    return this.parents.get(id);
  }

  /** Forget an id (its item was deleted): rules naming it would only be refused. */
  remove(id: string): void {
    for (const list of [...this.byCollection.values(), ...this.byParam.values()]) {
      const at = list.indexOf(id);
      if (at >= 0) list.splice(at, 1);
    }
    // Deleting an application deletes its policies.
    for (const [child, parent] of this.parents) {
      if (parent !== id) continue;
      this.parents.delete(child);
      this.remove(child);
    }
  }

  addEmail(email: string): void {
    if (!this.emails.includes(email)) this.emails.push(email);
  }

  /** Ids of a collection, else of any collection addressed by a parameter of that name. */
  ids(collection: string, idParam: string): readonly string[] {
    const own = this.byCollection.get(collection) ?? [];
    return own.length > 0 ? own : (this.byParam.get(idParam) ?? []);
  }

  idsOfParam(idParam: string): readonly string[] {
    return this.byParam.get(idParam) ?? [];
  }

  allIds(): string[] {
    return [...this.byCollection.values()].flat();
  }

  knownEmails(): readonly string[] {
    return this.emails;
  }

  size(): number {
    return this.allIds().length;
  }
}

function push(map: Map<string, string[]>, key: string, id: string): void {
  const list = map.get(key) ?? [];
  if (!list.includes(id)) list.push(id);
  map.set(key, list);
}

/**
 * One of `ids()` as they stand when the value is generated (the pool grows during a run), or
 * `fallback` while there are none. The draw is an index, so a seed replays the same choices
 * against the same pool.
 */
export function pick(ids: () => readonly string[], fallback: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(fc.nat(), fallback).map(([index, other]) => {
    const current = ids();
    return current.length === 0 ? other : current[index % current.length];
  });
}
