// What groups and policies name by id, found in their wire form: the field of each rule that
// SELECTOR_SPECS says is a reference (group.id, email_list.id, okta.identity_provider_id, ...),
// and the email lists of approval groups. Import rewrites these ids from the source's to the
// target's; identities name their IdP (idp.id) and are rewritten the same way.

import { RULE_LISTS, SELECTOR_SPECS, type ReferenceKind } from '../engine/index.js';
import type { WireObject } from './snapshot.js';
import { isObject } from '../engine/is-object.js';

export interface Reference {
  readonly kind: ReferenceKind;
  readonly id: string;
  /** Pointer of the id inside the object, e.g. /include/0/group/id. */
  readonly pointer: string;
}

/** Visit every reference of a group or policy body; `visit` may return an id to put in its place. */
function visitReferences(body: WireObject, visit: (ref: Reference) => string | undefined): WireObject {
  const out: WireObject = { ...body };
  for (const list of RULE_LISTS) {
    const rules = body[list];
    if (!Array.isArray(rules)) continue;
    out[list] = rules.map((rule: unknown, i) => {
      if (!isObject(rule)) return rule;
      const [selector] = Object.keys(rule);
      const spec = SELECTOR_SPECS.get(selector);
      const fields = rule[selector];
      if (spec?.reference === undefined || !isObject(fields)) return rule;
      const id = fields[spec.reference.field];
      if (typeof id !== 'string') return rule;
      const replaced = visit({ kind: spec.reference.kind, id, pointer: `/${list}/${i}/${selector}/${spec.reference.field}` });
      return replaced === undefined ? rule : { [selector]: { ...fields, [spec.reference.field]: replaced } };
    });
  }
  if (Array.isArray(body.approval_groups)) {
    out.approval_groups = body.approval_groups.map((group: unknown, i) => {
      if (!isObject(group) || typeof group.email_list_uuid !== 'string') return group;
      const replaced = visit({ kind: 'list', id: group.email_list_uuid, pointer: `/approval_groups/${i}/email_list_uuid` });
      return replaced === undefined ? group : { ...group, email_list_uuid: replaced };
    });
  }
  return out;
}

/** Every reference a group or policy body makes, in document order. */
export function referencesOf(body: WireObject): Reference[] {
  const found: Reference[] = [];
  visitReferences(body, (ref) => {
    found.push(ref);
    return undefined;
  });
  return found;
}

/** A copy of `body` with each reference's id replaced by `resolve` (undefined keeps it). */
export function rewriteReferences(body: WireObject, resolve: (kind: ReferenceKind, id: string) => string | undefined): WireObject {
  return visitReferences(body, (ref) => resolve(ref.kind, ref.id));
}

/** An identity with its IdP id (`idp.id`) replaced by `resolve` (undefined keeps it). */
export function rewriteIdentityIdp(identity: WireObject, resolve: (id: string) => string | undefined): WireObject {
  const idp = identity.idp;
  if (!isObject(idp) || typeof idp.id !== 'string') return identity;
  const replaced = resolve(idp.id);
  return replaced === undefined ? identity : { ...identity, idp: { ...idp, id: replaced } };
}
