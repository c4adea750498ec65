// What moves between files and servers: an account's identity providers, Gateway lists (with
// their entries), Access groups, reusable policies and users with their last seen identities,
// in the API's request shapes. Each object keeps the id it has where it came from (references
// between objects use those ids until import rewrites them) and can say where it came from, so
// that a problem found later (a name clash, a write the target refuses) names the file and line.

import type { Problem } from './problems.js';

/** A JSON object as the API sends and receives it. */
export type WireObject = Record<string, unknown>;

/** The kinds of objects moved, in the order an import writes them (each may name the ones before). */
export const OBJECT_KINDS = ['identity_provider', 'list', 'group', 'policy'] as const;
export type ObjectKind = (typeof OBJECT_KINDS)[number];

/** How messages name one object of each kind. */
export const KIND_WORDS: Readonly<Record<ObjectKind, string>> = {
  identity_provider: 'identity provider',
  list: 'Gateway list',
  group: 'Access group',
  policy: 'policy',
};

/** Places a problem at `pointer` inside an object (a pointer relative to the object itself). */
export type Locate = (pointer: string, code: string, message: string) => Problem;

export interface ListEntry {
  readonly value: string;
  readonly description?: string;
}

export interface SourceObject {
  readonly kind: ObjectKind;
  /** The id where the object came from; references name it. Policies may have none. */
  readonly id: string | undefined;
  readonly name: string;
  /** The request body to send (read-only fields removed), references still in source ids. */
  readonly body: WireObject;
  /** Gateway lists only: the list type (IP, EMAIL, ...) and its entries. */
  readonly listType?: string;
  readonly entries?: readonly ListEntry[];
  readonly locate: Locate;
}

/** A user as the import extension takes it: no identity means "keep the stored one". */
export interface TransferUser {
  /** The user's id where it came from (exports keep it; the target gives its own). */
  readonly id?: string;
  readonly email: string;
  readonly name?: string;
  readonly identity?: WireObject;
}

/** Users read one at a time (a directory may be large); `total` when known in advance. */
export interface UserSource {
  readonly total: number | undefined;
  /** The users, in order; a source read from a server can be iterated once only. */
  users(): AsyncIterable<TransferUser>;
}

export interface Snapshot {
  readonly identityProviders: readonly SourceObject[];
  readonly lists: readonly SourceObject[];
  readonly groups: readonly SourceObject[];
  readonly policies: readonly SourceObject[];
  /** Absent: users are not part of this transfer. */
  readonly users?: UserSource;
}

const SNAPSHOT_KEYS = { identity_provider: 'identityProviders', list: 'lists', group: 'groups', policy: 'policies' } as const;

export function objectsOf(snapshot: Snapshot, kind: ObjectKind): readonly SourceObject[] {
  return snapshot[SNAPSHOT_KEYS[kind]];
}

/** Fields the API answers with and manages itself; they are not sent back on write. */
const SERVER_FIELDS = new Set(['id', 'uid', 'created_at', 'updated_at', 'app_count', 'reusable', 'precedence', 'count', 'items']);

/** The request body of an object read from a file or a server: its own fields, without the server's. */
export function requestBody(value: WireObject): WireObject {
  return Object.fromEntries(Object.entries(value).filter(([key]) => !SERVER_FIELDS.has(key)));
}

/** A list's entries from a file or an answer: strings or {value, description?, created_at?}. */
export function listEntries(items: unknown): ListEntry[] {
  if (!Array.isArray(items)) return [];
  return items.flatMap((item): ListEntry[] => {
    if (typeof item === 'string') return [{ value: item }];
    if (item !== null && typeof item === 'object' && typeof (item as WireObject).value === 'string') {
      const { value, description } = item as { value: string; description?: unknown };
      return [typeof description === 'string' && description !== '' ? { value, description } : { value }];
    }
    return [];
  });
}

/** An object from its source document: kind, wire value and where it is. */
export function sourceObject(kind: ObjectKind, value: WireObject, locate: Locate): SourceObject {
  const id = typeof value.id === 'string' && value.id !== '' ? value.id : undefined;
  const name = typeof value.name === 'string' ? value.name : (id ?? '');
  let body = requestBody(value);
  if (kind === 'identity_provider') body = { ...body, name, config: body.config ?? {} };
  if (kind === 'list') {
    return { kind, id, name, body, listType: String(value.type), entries: listEntries(value.items), locate };
  }
  return { kind, id, name, body, locate };
}
