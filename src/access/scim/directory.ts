// How SCIM changes reach the account's directory (docs/identity-providers.md "SCIM
// provisioning"): an active provisioned user is a directory user, found or created by email,
// whose identity names the provider and the pushed groups (account/scim-identity.ts decides
// what a change does to an identity a login produced); a deactivated or deleted one loses their
// sessions and their seat as the provider's scim_config says.

import { revokeSessionsIn } from '../../account/organization.js';
import { identityAfterScimChange, isProvisionedIdentity, type IdentityGroupEntry, type ScimIdentityChange } from '../../account/scim-identity.js';
import type { ScimSettings } from '../../account/scim-provisioning.js';
import type { ResourceRecord, StoreWriter } from '../../store/store.js';
import { timeOrderedUuid } from '../../store/time-ordered-id.js';
import { displayNameOf, isActive } from '../../account/scim-attributes.js';
import { isObject } from '../../engine/is-object.js';

export { displayNameOf, isActive };

/** The provider a request pushes for, and where its SCIM service is. */
export interface ProviderScope {
  readonly accountId: string;
  readonly provider: { readonly id: string; readonly type: string };
  readonly settings: ScimSettings;
  /** The provider's scim_base_url: resources' meta.location starts with it. */
  readonly baseUrl: string;
}

/** A stored SCIM User: its attributes as pushed, the directory user it is, the groups it is in. */
export interface ScimUserBody {
  readonly resource: Record<string, unknown>;
  /** The directory user (null while there is none: no email, inactive, or their seat removed). */
  readonly user_id: string | null;
  readonly group_ids: readonly string[];
}

/** A stored SCIM Group: its attributes as pushed (members are SCIM User ids). */
export interface ScimGroupBody {
  readonly resource: Record<string, unknown>;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);
const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** The user's email: the primary one, else the work one, else the first, else a userName that is one. */
export function emailOf(resource: Record<string, unknown>): string | undefined {
  const emails = (Array.isArray(resource.emails) ? resource.emails : []).filter(isObject).filter((e) => text(e.value) !== undefined && EMAIL.test(text(e.value)!));
  const chosen = emails.find((e) => e.primary === true) ?? emails.find((e) => String(e.type).toLowerCase() === 'work') ?? emails[0];
  if (chosen !== undefined) return text(chosen.value);
  const userName = text(resource.userName);
  return userName !== undefined && EMAIL.test(userName) ? userName : undefined;
}

/** A pushed group as identities carry it: the provider's own id for it when it sent one (externalId), and its name. */
export function identityGroup(group: { readonly id: string; readonly resource: Record<string, unknown> }): IdentityGroupEntry {
  return { id: text(group.resource.externalId) ?? group.id, name: String(group.resource.displayName ?? '') };
}

export const userBody = (record: ResourceRecord): ScimUserBody => record.body as unknown as ScimUserBody;
export const groupBody = (record: ResourceRecord): ScimGroupBody => record.body as unknown as ScimGroupBody;

async function identityGroupsOf(tx: StoreWriter, scope: ProviderScope, groupIds: readonly string[]): Promise<IdentityGroupEntry[]> {
  const groups = await tx.getResources(scope.accountId, 'scim_group', groupIds);
  return groups.filter((g) => g.parentId === scope.provider.id).map((g) => identityGroup({ id: g.id, resource: groupBody(g).resource }));
}

/**
 * Make an active provisioned user a directory user, or bring the one they are up to date: the
 * one already linked, else the one with their email, else a new one. Answers the directory
 * user's id, or null for a user without an email.
 */
export async function linkUser(tx: StoreWriter, scope: ProviderScope, resource: Record<string, unknown>, groupIds: readonly string[], linkedUserId: string | null): Promise<string | null> {
  const { accountId } = scope;
  let directory = linkedUserId === null ? undefined : await tx.getUser(accountId, linkedUserId);
  const email = emailOf(resource);
  if (directory === undefined && email !== undefined) directory = await tx.getUserByEmail(accountId, email);
  if (directory === undefined && email === undefined) return null;
  const groups = await identityGroupsOf(tx, scope, groupIds);
  const name = displayNameOf(resource);
  const parts = { email: directory?.email ?? email!, ...(name !== undefined ? { name } : {}), idp: scope.provider, groups };
  const change: ScimIdentityChange = { providerId: scope.provider.id, parts, previous: groups, next: groups };
  const outcome = identityAfterScimChange(directory?.identity ?? null, change, scope.settings.identityUpdateBehavior, scope.settings.groupMemberDeprovision);
  if (directory === undefined) {
    const created = await tx.insertUser({ accountId, id: timeOrderedUuid(), email: email!, name: name ?? email!.split('@')[0]!, identity: outcome.identity ?? null, signedIn: false });
    return created.id;
  }
  // The directory's name follows the provider's while provisioning alone speaks for the user.
  const rename = name !== undefined && name !== directory.name && isProvisionedIdentity(directory.identity);
  if (outcome.identity !== undefined || rename) await tx.updateUser(accountId, directory.id, { ...(rename ? { name } : {}), ...(outcome.identity !== undefined ? { identity: outcome.identity, signedIn: false } : {}) });
  if (outcome.endSessions) await revokeSessionsIn(tx, accountId, directory.id);
  return directory.id;
}

/**
 * A provisioned user deactivated or deleted: with user_deprovision their sessions end, and with
 * seat_deprovision too they leave the directory. Answers the directory user still linked.
 */
export async function deprovision(tx: StoreWriter, scope: ProviderScope, userId: string | null): Promise<string | null> {
  if (userId === null || !scope.settings.userDeprovision) return userId;
  if ((await tx.getUser(scope.accountId, userId)) === undefined) return null;
  await revokeSessionsIn(tx, scope.accountId, userId);
  if (!scope.settings.seatDeprovision) return userId;
  await tx.deleteUser(scope.accountId, userId);
  return null;
}

/** A member's identity after one group changed for them: `previous` what the group was to them, `next` what it is (empty: not a member). */
export async function groupChanged(tx: StoreWriter, scope: ProviderScope, member: ScimUserBody, previous: readonly IdentityGroupEntry[], next: readonly IdentityGroupEntry[]): Promise<void> {
  if (member.user_id === null || !isActive(member.resource)) return;
  const directory = await tx.getUser(scope.accountId, member.user_id);
  if (directory === undefined) return;
  const outcome = identityAfterScimChange(directory.identity, { providerId: scope.provider.id, previous, next }, scope.settings.identityUpdateBehavior, scope.settings.groupMemberDeprovision);
  if (outcome.identity !== undefined) await tx.updateUser(scope.accountId, directory.id, { identity: outcome.identity, signedIn: false });
  if (outcome.endSessions) await revokeSessionsIn(tx, scope.accountId, directory.id);
}
