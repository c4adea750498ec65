// Writing a provider's SCIM Groups (RFC 7644 §3.3, §3.5, §3.6). Members are the provider's own
// SCIM Users; each write keeps the users' list of groups in step and tells each member whose
// membership (or the group's name) changed what it means for their identity (directory.ts).

import type { IdentityGroupEntry } from '../../account/scim-identity.js';
import type { ResourceRecord, StoreWriter } from '../../store/store.js';
import { timeOrderedUuid } from '../../store/time-ordered-id.js';
import { groupBody, groupChanged, identityGroup, userBody, type ProviderScope } from './directory.js';
import { badRequest } from './errors.js';
import { assertKeyFree, keyOf, ownRecordOr404 } from './records.js';
import { GROUPS, USERS, uniqueMembers } from './schemas.js';

const memberIds = (resource: Record<string, unknown>): string[] => (Array.isArray(resource.members) ? resource.members : []).map((m) => String((m as Record<string, unknown>).value));

/** The attributes with one entry per member, every member one of the provider's users. */
async function checkedMembers(tx: StoreWriter, scope: ProviderScope, attributes: Record<string, unknown>): Promise<Record<string, unknown>> {
  const members = uniqueMembers(Array.isArray(attributes.members) ? attributes.members : []);
  const nested = members.find((m) => typeof m.type === 'string' && m.type.toLowerCase() === 'group');
  if (nested !== undefined) throw badRequest('invalidValue', `Groups as members are not supported (member ${JSON.stringify(nested.value)}): push the group's users.`);
  const ids = members.map((m) => String(m.value));
  const found = new Set((await tx.getResources(scope.accountId, USERS.kind, ids)).filter((u) => u.parentId === scope.provider.id).map((u) => u.id));
  const unknown = ids.filter((id) => !found.has(id));
  if (unknown.length > 0) throw badRequest('invalidValue', `members: no User with id ${unknown.slice(0, 5).map((id) => JSON.stringify(id)).join(', ')}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ''} here.`);
  const { members: _sent, ...rest } = attributes;
  return members.length > 0 ? { ...rest, members } : rest;
}

/** Tell each user whose membership or view of the group changed, and keep their list of groups in step. */
async function membersChanged(tx: StoreWriter, scope: ProviderScope, groupId: string, before: Record<string, unknown> | undefined, after: Record<string, unknown> | undefined): Promise<void> {
  const was = new Set(before === undefined ? [] : memberIds(before));
  const is = new Set(after === undefined ? [] : memberIds(after));
  const previous: IdentityGroupEntry[] = before === undefined ? [] : [identityGroup({ id: groupId, resource: before })];
  const next: IdentityGroupEntry[] = after === undefined ? [] : [identityGroup({ id: groupId, resource: after })];
  const renamed = previous[0]?.id !== next[0]?.id || previous[0]?.name !== next[0]?.name;
  const affected = [...new Set([...was, ...is])].filter((id) => was.has(id) !== is.has(id) || renamed);
  for (const user of await tx.getResources(scope.accountId, USERS.kind, affected)) {
    if (user.parentId !== scope.provider.id) continue;
    const body = userBody(user);
    const groupIds = is.has(user.id) ? [...body.group_ids.filter((g) => g !== groupId), groupId] : body.group_ids.filter((g) => g !== groupId);
    if (was.has(user.id) !== is.has(user.id)) await tx.updateResource(scope.accountId, USERS.kind, user.id, { name: user.name, body: { ...body, group_ids: groupIds } });
    await groupChanged(tx, scope, body, was.has(user.id) ? previous : [], is.has(user.id) ? next : []);
  }
}

export async function createGroup(tx: StoreWriter, scope: ProviderScope, attributes: Record<string, unknown>): Promise<ResourceRecord> {
  await assertKeyFree(tx, scope, GROUPS, attributes);
  const resource = await checkedMembers(tx, scope, attributes);
  const record = await tx.insertResource(
    { accountId: scope.accountId, kind: GROUPS.kind, id: timeOrderedUuid(), parentId: scope.provider.id, name: keyOf(GROUPS, resource), body: { resource }, secretHash: null, createdAt: new Date().toISOString() },
    [],
  );
  await membersChanged(tx, scope, record.id, undefined, resource);
  return record;
}

/** Replace a group's attributes (PUT, or what a PATCH made of them). */
export async function replaceGroup(tx: StoreWriter, scope: ProviderScope, existing: ResourceRecord, attributes: Record<string, unknown>): Promise<ResourceRecord> {
  await assertKeyFree(tx, scope, GROUPS, attributes, existing.id);
  const resource = await checkedMembers(tx, scope, attributes);
  const record = (await tx.updateResource(scope.accountId, GROUPS.kind, existing.id, { name: keyOf(GROUPS, resource), body: { resource } }))!;
  await membersChanged(tx, scope, existing.id, groupBody(existing).resource, resource);
  return record;
}

export async function deleteGroup(tx: StoreWriter, scope: ProviderScope, id: string): Promise<void> {
  const existing = await ownRecordOr404(tx, scope, GROUPS, id);
  await tx.deleteResource(scope.accountId, GROUPS.kind, id);
  await membersChanged(tx, scope, id, groupBody(existing).resource, undefined);
}
