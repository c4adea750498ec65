// Writing a provider's SCIM Users (RFC 7644 §3.3, §3.5, §3.6), each inside the account's
// transaction with what it does to the directory (directory.ts): created active, a user becomes
// a directory user; deactivated or deleted, they are deprovisioned as configured; deleted, they
// also leave every group they were in.

import type { ResourceRecord, StoreWriter } from '../../store/store.js';
import { timeOrderedUuid } from '../../store/time-ordered-id.js';
import { deprovision, groupBody, groupChanged, identityGroup, isActive, linkUser, userBody, type ProviderScope, type ScimUserBody } from './directory.js';
import { assertKeyFree, keyOf, ownRecordOr404 } from './records.js';
import { USERS } from './schemas.js';

export async function createUser(tx: StoreWriter, scope: ProviderScope, attributes: Record<string, unknown>): Promise<ResourceRecord> {
  await assertKeyFree(tx, scope, USERS, attributes);
  const userId = isActive(attributes) ? await linkUser(tx, scope, attributes, [], null) : null;
  const body: ScimUserBody = { resource: attributes, user_id: userId, group_ids: [] };
  return tx.insertResource(
    { accountId: scope.accountId, kind: USERS.kind, id: timeOrderedUuid(), parentId: scope.provider.id, name: keyOf(USERS, attributes), body: { ...body }, secretHash: null, createdAt: new Date().toISOString() },
    [],
  );
}

/** Replace a user's attributes (PUT, or what a PATCH made of them). */
export async function replaceUser(tx: StoreWriter, scope: ProviderScope, existing: ResourceRecord, attributes: Record<string, unknown>): Promise<ResourceRecord> {
  await assertKeyFree(tx, scope, USERS, attributes, existing.id);
  const before = userBody(existing);
  let userId = before.user_id;
  if (isActive(attributes)) userId = await linkUser(tx, scope, attributes, before.group_ids, userId);
  else if (isActive(before.resource)) userId = await deprovision(tx, scope, userId);
  const body: ScimUserBody = { ...before, resource: attributes, user_id: userId };
  return (await tx.updateResource(scope.accountId, USERS.kind, existing.id, { name: keyOf(USERS, attributes), body: { ...body } }))!;
}

export async function deleteUser(tx: StoreWriter, scope: ProviderScope, id: string): Promise<void> {
  const existing = await ownRecordOr404(tx, scope, USERS, id);
  const body = userBody(existing);
  for (const group of await tx.getResources(scope.accountId, 'scim_group', body.group_ids)) {
    const resource = groupBody(group).resource;
    const members = (Array.isArray(resource.members) ? resource.members : []) as Record<string, unknown>[];
    await tx.updateResource(scope.accountId, 'scim_group', group.id, { name: group.name, body: { resource: { ...resource, members: members.filter((m) => m.value !== id) } } });
    await groupChanged(tx, scope, body, [identityGroup({ id: group.id, resource })], []);
  }
  await deprovision(tx, scope, body.user_id);
  await tx.deleteResource(scope.accountId, USERS.kind, id);
}
