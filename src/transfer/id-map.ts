// Source id → target id, per kind of object: filled as an import writes each object, read to
// rewrite the references of the objects written after it.

import type { ReferenceKind } from '../engine/index.js';
import type { ObjectKind } from './snapshot.js';

type Kind = ReferenceKind | ObjectKind;

export class IdMap {
  private readonly byKind = new Map<Kind, Map<string, string>>();

  set(kind: Kind, sourceId: string, targetId: string): void {
    let ids = this.byKind.get(kind);
    if (ids === undefined) this.byKind.set(kind, (ids = new Map()));
    ids.set(sourceId, targetId);
  }

  /** The target id of a source object; undefined for an id the import did not write (kept as it is). */
  get(kind: Kind, sourceId: string): string | undefined {
    return this.byKind.get(kind)?.get(sourceId);
  }
}
