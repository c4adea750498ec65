// Reading a provider's stored SCIM users and groups: one by id (only the provider's own), and
// the one holding a userName or displayName (unique per provider, compared case-insensitively).

import type { ResourceRecord, StoreReader } from '../../store/store.js';
import type { ProviderScope } from './directory.js';
import { conflict, notFound } from './errors.js';
import type { ResourceTypeInfo } from './schemas.js';

/** A record's stored name: the key attribute, lower-cased (SCIM compares userName and displayName case-insensitively). */
export const keyOf = (type: ResourceTypeInfo, attributes: Record<string, unknown>): string => String(attributes[type.keyAttribute]).toLowerCase();

export async function ownRecord(store: StoreReader, scope: ProviderScope, type: ResourceTypeInfo, id: string): Promise<ResourceRecord | undefined> {
  const record = await store.getResource(scope.accountId, type.kind, id);
  return record !== undefined && record.parentId === scope.provider.id ? record : undefined;
}

export async function ownRecordOr404(store: StoreReader, scope: ProviderScope, type: ResourceTypeInfo, id: string): Promise<ResourceRecord> {
  const record = await ownRecord(store, scope, type, id);
  if (record === undefined) throw notFound(`No ${type.name} with id ${JSON.stringify(id)} here.`);
  return record;
}

/** The provider's records whose key attribute equals `value`, case-insensitively. */
export async function recordsByKey(store: StoreReader, scope: ProviderScope, type: ResourceTypeInfo, value: string): Promise<ResourceRecord[]> {
  return store.allResources(scope.accountId, type.kind, { parentId: scope.provider.id, name: value.toLowerCase() });
}

/** Refuse (409 uniqueness) a key attribute another of the provider's records holds. */
export async function assertKeyFree(store: StoreReader, scope: ProviderScope, type: ResourceTypeInfo, attributes: Record<string, unknown>, self?: string): Promise<void> {
  const holder = (await recordsByKey(store, scope, type, keyOf(type, attributes))).find((r) => r.id !== self);
  if (holder !== undefined) throw conflict(`${type.keyAttribute} ${JSON.stringify(attributes[type.keyAttribute])} is already taken by the ${type.name} ${holder.id}.`);
}
