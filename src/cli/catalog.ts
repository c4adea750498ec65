// What policies refer to, read from files: Access groups, Gateway lists and identity providers.
// The catalog answers the engine's lookups for evaluation (EvalEnv), reference checks and lint.

import {
  buildListIndex,
  checkReferences,
  isValidEmail,
  parseCidr,
  parseGroup,
  type EvalEnv,
  type Group,
  type LintContext,
  type ListIndex,
  type ReferenceCatalog,
} from '../engine/index.js';
import { loadJson } from './json-source.js';
import type { Problems } from '../transfer/problems.js';
import { isObject, itemsOf, type Items } from './shapes.js';

export interface IdentityProvider {
  readonly id: string;
  readonly name: string;
  readonly type: string;
}

/** A value parsed from a file, with where it came from (to place later problems). */
export interface Located<T> {
  readonly value: T;
  readonly items: Items;
  /** Pointer of the value in its file. */
  readonly pointer: string;
}

/**
 * Which references are checked. `evaluate` (test, diff, check): groups and lists must exist,
 * since a rule naming one that is missing could not be decided. `lint`: only what was supplied.
 * IdPs are checked only when an IdPs file is given, in both modes.
 */
export type ReferenceMode = 'evaluate' | 'lint';

function idOf(value: unknown): string | undefined {
  return isObject(value) && typeof value.id === 'string' && value.id !== '' ? value.id : undefined;
}

/** Report a second entry with an id already seen; true when `id` is new. */
function firstOfId(seen: Set<string>, id: string, items: Items, pointer: string, what: string, sink: Problems): boolean {
  if (!seen.has(id)) {
    seen.add(id);
    return true;
  }
  sink.add(items.doc.problem(`${pointer}/id`, 'duplicate_id', `Another ${what} already has the id ${JSON.stringify(id)}.`));
  return false;
}

/**
 * Parse each entry of a catalog file with `parse` (which reports its own problems and answers
 * undefined for an entry to skip), keeping the first entry of each id and reporting the others.
 */
function parseUnique<T>(
  items: Items,
  sink: Problems,
  what: string,
  seen: Set<string>,
  parse: (value: unknown, pointer: string) => { readonly id: string; readonly parsed: T } | undefined,
): T[] {
  const out: T[] = [];
  items.values.forEach((value, i) => {
    const pointer = `${items.base}/${i}`;
    const entry = parse(value, pointer);
    if (entry !== undefined && firstOfId(seen, entry.id, items, pointer, what, sink)) out.push(entry.parsed);
  });
  return out;
}

export function parseGroupItems(items: Items, sink: Problems, seen = new Set<string>()): Located<Group>[] {
  return parseUnique(items, sink, 'Access group', seen, (value, pointer) => {
    const id = idOf(value);
    if (id === undefined) {
      sink.add(items.doc.problem(pointer, 'required', 'Each Access group needs an "id" string, so that group rules can refer to it.'));
    }
    const r = parseGroup(value, { id: id ?? '', pointer });
    if (!r.ok) {
      for (const issue of r.issues) sink.add(items.doc.problem(issue.pointer, issue.code, issue.message));
      return undefined;
    }
    return id === undefined ? undefined : { id, parsed: { value: r.value, items, pointer } };
  });
}

export function parseListItems(items: Items, sink: Problems): ListIndex[] {
  return parseUnique(items, sink, 'Gateway list', new Set<string>(), (value, pointer) => {
    if (!isObject(value) || typeof value.id !== 'string' || typeof value.type !== 'string' || !Array.isArray(value.items)) {
      sink.add(items.doc.problem(pointer, 'invalid_list', 'Each Gateway list needs an "id" string, a "type" (IP or EMAIL) and an "items" array.'));
      return undefined;
    }
    const type = value.type;
    const values: string[] = [];
    value.items.forEach((item, j) => {
      const v = isObject(item) ? item.value : item;
      const at = `${pointer}/items/${j}${isObject(item) ? '/value' : ''}`;
      if (typeof v !== 'string') {
        sink.add(items.doc.problem(at, 'invalid_list', 'A list item must be a string, or an object with a "value" string.'));
      } else if (type === 'IP' && parseCidr(v) === undefined) {
        sink.add(items.doc.problem(at, 'invalid_list', `${JSON.stringify(v)} is not an IP address or CIDR range.`));
      } else if (type === 'EMAIL' && !isValidEmail(v)) {
        sink.add(items.doc.problem(at, 'invalid_list', `${JSON.stringify(v)} is not a valid email address.`));
      } else values.push(v);
    });
    const index = buildListIndex(value.id, type, values);
    return { id: value.id, parsed: typeof value.name === 'string' && value.name !== '' ? { ...index, name: value.name } : index };
  });
}

export function parseIdpItems(items: Items, sink: Problems): IdentityProvider[] {
  return parseUnique(items, sink, 'identity provider', new Set<string>(), (value, pointer) => {
    if (!isObject(value) || typeof value.id !== 'string' || value.id === '' || typeof value.type !== 'string') {
      sink.add(items.doc.problem(pointer, 'invalid_identity_provider', 'Each identity provider needs an "id" and a "type" string (e.g. "okta", "onetimepin").'));
      return undefined;
    }
    const name = typeof value.name === 'string' ? value.name : value.id;
    return { id: value.id, parsed: { id: value.id, name, type: value.type } };
  });
}

/** The groups, lists and IdPs an evaluation or a lint run can see. */
export class Catalog {
  readonly groups: ReadonlyMap<string, Group>;
  readonly lists: ReadonlyMap<string, ListIndex>;
  readonly idps: ReadonlyMap<string, IdentityProvider>;
  readonly env: EvalEnv;
  readonly lintContext: LintContext;

  constructor(
    groups: readonly Group[],
    lists: readonly ListIndex[],
    idps: readonly IdentityProvider[],
    /** Which kinds were supplied at all (a file given), as opposed to supplied empty. */
    readonly supplied: { readonly groups: boolean; readonly lists: boolean; readonly idps: boolean },
  ) {
    this.groups = new Map(groups.map((g) => [g.id, g]));
    this.lists = new Map(lists.map((l) => [l.id, l]));
    this.idps = new Map(idps.map((p) => [p.id, p]));
    const groupMap = this.groups;
    const listMap = this.lists;
    const idpMap = this.idps;
    this.env = {
      group: (id) => groupMap.get(id),
      list: (id) => listMap.get(id),
      ...(supplied.idps ? { identityProviderExists: (id: string) => idpMap.has(id) } : {}),
      nameOf: (kind, id) => (kind === 'list' ? listMap.get(id)?.name : kind === 'identity_provider' ? idpMap.get(id)?.name : undefined),
    };
    this.lintContext = {
      group: (id) => groupMap.get(id),
      ...(supplied.idps ? { identityProviderType: (id: string) => idpMap.get(id)?.type } : {}),
    };
  }

  /** The lookups reference checks use in `mode`. */
  references(mode: ReferenceMode): ReferenceCatalog {
    const check = (kind: 'groups' | 'lists') => mode === 'evaluate' || this.supplied[kind];
    return {
      ...(check('groups') ? { group: (id: string) => this.groups.get(id) } : {}),
      ...(check('lists') ? { listType: (id: string) => this.lists.get(id)?.type } : {}),
      ...(this.supplied.idps ? { identityProviderExists: (id: string) => this.idps.has(id) } : {}),
    };
  }

  /** The engine's message, plus which flag supplies the missing kind when no file was given. */
  referenceHint(code: string): string {
    if (code === 'unknown_group' && !this.supplied.groups) return ' Pass the Access groups with --groups FILE.';
    if ((code === 'unknown_list' || code === 'list_type_mismatch') && !this.supplied.lists) return ' Pass the Gateway lists with --lists FILE.';
    return '';
  }
}

/** Check the references of parsed groups (nested groups, lists, IdPs) and cycles between them. */
export function checkGroupReferences(groups: readonly Located<Group>[], catalog: Catalog, mode: ReferenceMode, sink: Problems): void {
  const refs = catalog.references(mode);
  for (const { value, items, pointer } of groups) {
    for (const issue of checkReferences(value, refs, { pointer, groupId: value.id })) {
      sink.add(items.doc.problem(issue.pointer, issue.code, issue.message + catalog.referenceHint(issue.code)));
    }
  }
}

export interface CatalogFiles {
  readonly groups?: string;
  readonly lists?: string;
  readonly idps?: string;
}

/** Read the groups, lists and IdPs files of a test, diff or check run. */
export function loadCatalog(files: CatalogFiles, problems: Problems): Catalog {
  const read = <T>(file: string | undefined, key: string, what: string, parse: (items: Items) => T[]): T[] => {
    if (file === undefined) return [];
    const doc = loadJson(file, problems);
    const items = doc && itemsOf(doc, key, what, problems);
    return items === undefined ? [] : parse(items);
  };
  const groups = read(files.groups, 'groups', 'Access groups', (items) => parseGroupItems(items, problems));
  const lists = read(files.lists, 'lists', 'Gateway lists', (items) => parseListItems(items, problems));
  const idps = read(files.idps, 'identity_providers', 'identity providers', (items) => parseIdpItems(items, problems));
  const catalog = new Catalog(
    groups.map((g) => g.value),
    lists,
    idps,
    { groups: files.groups !== undefined, lists: files.lists !== undefined, idps: files.idps !== undefined },
  );
  checkGroupReferences(groups, catalog, 'evaluate', problems);
  return catalog;
}
