// Stored SCIM users and groups as the SCIM service answers them (RFC 7643 §3.1): their schemas,
// id and attributes, a user's groups and a group's members with their references, and meta
// (resourceType, created, lastModified, location, and a version that changes with the answer).
// Also the `attributes` and `excludedAttributes` projections of RFC 7644 §3.4.2.5.

import { createHash } from 'node:crypto';
import type { ResourceRecord, StoreReader } from '../../store/store.js';
import { groupBody, userBody, type ProviderScope } from './directory.js';
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, GROUPS, USER_SCHEMA, USERS, type ResourceTypeInfo } from './schemas.js';
import { isObject } from '../../engine/is-object.js';

export const locationOf = (scope: ProviderScope, type: ResourceTypeInfo, id: string): string => `${scope.baseUrl}${type.endpoint}/${encodeURIComponent(id)}`;

/** The answer for a record, `derived` (a user's groups, a group's members) added to what was pushed. */
function represent(scope: ProviderScope, type: ResourceTypeInfo, record: ResourceRecord, attributes: Record<string, unknown>): Record<string, unknown> {
  const { schemas, ...rest } = attributes;
  const content = { schemas: Array.isArray(schemas) && schemas.length > 0 ? schemas : [type.schema], id: record.id, ...rest };
  const version = `W/"${createHash('sha256').update(JSON.stringify(content)).digest('base64url').slice(0, 22)}"`;
  return { ...content, meta: { resourceType: type.name, created: record.createdAt, lastModified: record.updatedAt, location: locationOf(scope, type, record.id), version } };
}

/** Users as answered, their groups read in one go. */
export async function presentUsers(store: StoreReader, scope: ProviderScope, records: readonly ResourceRecord[]): Promise<Record<string, unknown>[]> {
  const groupIds = [...new Set(records.flatMap((r) => userBody(r).group_ids))];
  const groups = new Map((await store.getResources(scope.accountId, 'scim_group', groupIds)).map((g) => [g.id, g]));
  return records.map((record) => {
    const body = userBody(record);
    const memberOf = body.group_ids.flatMap((id) => {
      const group = groups.get(id);
      return group === undefined ? [] : [{ value: id, $ref: locationOf(scope, GROUPS, id), display: groupBody(group).resource.displayName, type: 'direct' }];
    });
    return represent(scope, USERS, record, { ...body.resource, ...(memberOf.length > 0 ? { groups: memberOf } : {}) });
  });
}

export function presentGroup(scope: ProviderScope, record: ResourceRecord): Record<string, unknown> {
  const resource = groupBody(record).resource;
  const members = (Array.isArray(resource.members) ? resource.members : []).filter(isObject).map((m) => ({ ...m, $ref: locationOf(scope, USERS, String(m.value)), type: 'User' }));
  const { members: _stored, ...rest } = resource;
  return represent(scope, GROUPS, record, { ...rest, ...(members.length > 0 ? { members } : {}) });
}

export const presentGroups = (scope: ProviderScope, records: readonly ResourceRecord[]): Record<string, unknown>[] => records.map((r) => presentGroup(scope, r));

const SCHEMA_URNS = new Set([USER_SCHEMA, ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA].map((u) => u.toLowerCase()));

/**
 * The paths of an attribute list: "emails.value" → ["emails", "value"]; an extension's
 * attribute under its URN (the key its values sit under), and a whole schema by its URN.
 */
function attributeNames(list: string, coreSchema: string): string[][] {
  return list
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '')
    .map((a) => {
      if (SCHEMA_URNS.has(a.toLowerCase())) return [a];
      const colon = /^urn:/i.test(a) ? a.lastIndexOf(':') : -1;
      const names = (colon < 0 ? a : a.slice(colon + 1)).split('.');
      const urn = colon < 0 ? undefined : a.slice(0, colon);
      return urn === undefined || urn.toLowerCase() === coreSchema.toLowerCase() ? names : [urn, ...names];
    });
}

const keyIn = (holder: Record<string, unknown>, name: string): string | undefined => Object.keys(holder).find((k) => k.toLowerCase() === name.toLowerCase());
/** Attributes always answered, whatever is asked (RFC 7643 §2.4 "returned: always"). */
const ALWAYS = new Set(['schemas', 'id']);

/**
 * A resource with only the attributes asked for (`attributes`), or without those excluded
 * (`excludedAttributes`): top-level attributes and their sub-attributes; id and schemas always stay.
 */
export function projected(resource: Record<string, unknown>, coreSchema: string, attributes: string | undefined, excluded: string | undefined): Record<string, unknown> {
  if (attributes !== undefined && attributes.trim() !== '') {
    const wanted = attributeNames(attributes, coreSchema);
    const result: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(resource)) {
      if (ALWAYS.has(key)) result[key] = value;
      const asks = wanted.filter((w) => w[0]!.toLowerCase() === key.toLowerCase());
      if (asks.length === 0) continue;
      if (asks.some((w) => w.length === 1)) result[key] = value;
      else result[key] = subset(value, asks.map((w) => w.slice(1)));
    }
    return result;
  }
  if (excluded !== undefined && excluded.trim() !== '') {
    const result = { ...resource };
    for (const path of attributeNames(excluded, coreSchema)) {
      const key = keyIn(result, path[0]!);
      if (key === undefined || ALWAYS.has(key)) continue;
      if (path.length === 1) delete result[key];
      else result[key] = without(result[key], path.slice(1));
    }
    return result;
  }
  return resource;
}

/** Of a complex (or multi-valued complex) value, only the sub-attributes named. */
function subset(value: unknown, paths: readonly string[][]): unknown {
  if (Array.isArray(value)) return value.map((v) => subset(v, paths));
  if (!isObject(value)) return value;
  const result: Record<string, unknown> = {};
  for (const path of paths) {
    const key = keyIn(value, path[0]!);
    if (key !== undefined) result[key] = path.length === 1 ? value[key] : subset(value[key], [path.slice(1)]);
  }
  return result;
}

/** A complex (or multi-valued complex) value without the sub-attribute named. */
function without(value: unknown, path: readonly string[]): unknown {
  if (Array.isArray(value)) return value.map((v) => without(v, path));
  if (!isObject(value)) return value;
  const key = keyIn(value, path[0]!);
  if (key === undefined) return value;
  const result = { ...value };
  if (path.length === 1) delete result[key];
  else result[key] = without(result[key], path.slice(1));
  return result;
}
