// The identities SCIM provisioning gives directory users (docs/identity-providers.md "SCIM
// provisioning"), as pure functions: the identity of a user who was provisioned but has not
// logged in, what a SCIM change makes of an identity a login produced (as the provider's
// identity_update_behavior says), and how a later login merges with what provisioning knows.

import type { IdentityUpdateBehavior } from './scim-provisioning.js';
import { isObject } from '../engine/is-object.js';

/** A group as identities carry it: the provider's id for it (its externalId, else the SCIM id) and its name. */
export interface IdentityGroupEntry {
  readonly id: string;
  readonly name: string;
}

/** What provisioning knows of a user, for their identity. */
export interface ScimIdentityParts {
  readonly email: string;
  readonly name?: string;
  readonly idp: { readonly id: string; readonly type: string };
  /** The pushed groups the user is a member of. */
  readonly groups: readonly IdentityGroupEntry[];
}

/** Marks an identity that provisioning wrote alone (no login since): SCIM keeps it current whatever the behavior. */
export const PROVISIONED_SOURCE = 'scim';

/** The identity of a provisioned user who has not logged in. */
export function provisionedIdentity(parts: ScimIdentityParts): Record<string, unknown> {
  return {
    email: parts.email,
    ...(parts.name !== undefined ? { name: parts.name } : {}),
    idp: { id: parts.idp.id, type: parts.idp.type },
    groups: parts.groups.map((g) => ({ id: g.id, name: g.name })),
    identity_source: PROVISIONED_SOURCE,
  };
}

/** Whether provisioning wrote this identity alone (true for none at all: there is nothing a login said to keep). */
export const isProvisionedIdentity = (identity: Record<string, unknown> | null): boolean => identity === null || identity.identity_source === PROVISIONED_SOURCE;

function groupsOf(identity: Record<string, unknown>): Record<string, unknown>[] {
  return Array.isArray(identity.groups) ? identity.groups.filter(isObject) : [];
}

/** `groups` with `extra` appended, those whose id is already there left out. */
function unionById(groups: readonly Record<string, unknown>[], extra: readonly IdentityGroupEntry[]): Record<string, unknown>[] {
  const seen = new Set(groups.map((g) => g.id));
  return [...groups, ...extra.filter((g) => !seen.has(g.id)).map((g) => ({ id: g.id, name: g.name }))];
}

/**
 * `identity` with the pushed groups `previous` replaced by `next`, by id; its other groups (the
 * claims of a login, groups of another provider) stay.
 */
export function withScimGroups(identity: Record<string, unknown>, previous: readonly IdentityGroupEntry[], next: readonly IdentityGroupEntry[]): Record<string, unknown> {
  const replaced = new Set([...previous, ...next].map((g) => g.id));
  return { ...identity, groups: unionById(groupsOf(identity).filter((g) => !replaced.has(g.id as string)), next) };
}

/** A change provisioning made to one user, as their identity sees it. */
export interface ScimIdentityChange {
  /** The id of the identity provider that pushed the change. */
  readonly providerId: string;
  /** Everything provisioning knows of the user now; left out when only group entries changed. */
  readonly parts?: ScimIdentityParts;
  /** The pushed groups the change concerns, as they were and as they are now (the user's groups, or one changed group). */
  readonly previous: readonly IdentityGroupEntry[];
  readonly next: readonly IdentityGroupEntry[];
}

export interface ScimIdentityOutcome {
  /** The identity to store, or undefined to leave the stored one as it is. */
  readonly identity: Record<string, unknown> | undefined;
  /** The user's sessions end (their next login brings the new identity). */
  readonly endSessions: boolean;
}

const removedGroups = (change: ScimIdentityChange): IdentityGroupEntry[] => change.previous.filter((p) => !change.next.some((n) => n.id === p.id));
const membershipChanged = (change: ScimIdentityChange): boolean =>
  removedGroups(change).length > 0 || change.next.some((n) => !change.previous.some((p) => p.id === n.id));

/**
 * What a SCIM change makes of a directory user's stored identity. One provisioning wrote alone
 * follows the change. One a login produced changes as `behavior` says: `automatic` takes the
 * change (the pushed groups replace those pushed before, the name fills a missing one), `reauth`
 * ends the sessions when the user's groups changed, `no_action` keeps it; and with
 * `groupMemberDeprovision` a removed group leaves the identity at once and the sessions end on
 * any group change, whatever the behavior.
 */
export function identityAfterScimChange(current: Record<string, unknown> | null, change: ScimIdentityChange, behavior: IdentityUpdateBehavior, groupMemberDeprovision: boolean): ScimIdentityOutcome {
  // Group rules (okta, azureAD, ...) are scoped by the identity's idp: groups another provider
  // pushed, written into an identity that names this one, would count as this provider's, so
  // one provider's SCIM secret could make a user a member of (or take them out of) another
  // provider's groups. Only a whole push (parts) replaces a provisioned identity with its own.
  const fromThisProvider = current !== null && isObject(current.idp) && current.idp.id === change.providerId;
  if (isProvisionedIdentity(current)) {
    const next = change.parts !== undefined ? provisionedIdentity(change.parts) : current === null || !fromThisProvider ? undefined : withScimGroups(current, change.previous, change.next);
    return { identity: changedOrUndefined(current, next), endSessions: false };
  }
  // An identity a login through another provider (or the users API, naming none) produced is not this provider's to change.
  if (!fromThisProvider) return { identity: undefined, endSessions: false };
  const login = current!;
  const groupsChanged = membershipChanged(change);
  let next: Record<string, unknown> | undefined;
  if (behavior === 'automatic') {
    next = withScimGroups(login, change.previous, change.next);
    if (next.name === undefined && change.parts?.name !== undefined) next = { ...next, name: change.parts.name };
  } else if (groupMemberDeprovision && removedGroups(change).length > 0) {
    next = withScimGroups(login, removedGroups(change), []);
  }
  return { identity: changedOrUndefined(login, next), endSessions: groupsChanged && (behavior === 'reauth' || groupMemberDeprovision) };
}

function changedOrUndefined(current: Record<string, unknown> | null, next: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  return next === undefined || JSON.stringify(next) === JSON.stringify(current) ? undefined : next;
}

/**
 * The identity a login records, merged with what provisioning knows of the user (`scim`, when
 * the provider the user logged in through provisions them): with `automatic` the identity gains
 * the pushed groups it lacks and a missing name; otherwise the login's identity stands alone
 * (`reauth` promises exactly that; `no_action` never lets SCIM touch an identity).
 */
export function mergeLoginWithScim(login: Record<string, unknown>, scim: ScimIdentityParts | undefined, behavior: IdentityUpdateBehavior): Record<string, unknown> {
  const { identity_source: _source, ...identity } = login;
  const loginIdp = isObject(login.idp) ? login.idp.id : undefined;
  if (scim === undefined || behavior !== 'automatic' || loginIdp !== scim.idp.id) return identity;
  return { ...identity, ...(identity.name === undefined && scim.name !== undefined ? { name: scim.name } : {}), groups: unionById(groupsOf(identity), scim.groups) };
}
