// The SCIM resource types this server keeps, User (with the enterprise extension) and Group, as
// scimmy defines them (RFC 7643): checking and normalizing what a provider pushes, applying
// PATCH operations, describing the schemas, and telling filters each attribute's rules.

import SCIMMY from 'scimmy';
import { badRequest, ScimError, type ScimType } from './errors.js';
import type { AttributeInfo, AttributeLookup } from './filter.js';
import { isObject } from '../../engine/is-object.js';

export type ScimKind = 'scim_user' | 'scim_group';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

// Once per process: Users may carry the enterprise extension (department, manager, ...), which
// Entra ID and Okta push.
if (!SCIMMY.Schemas.User.definition.attributes.some((a) => a instanceof SCIMMY.Types.SchemaDefinition && a.id === ENTERPRISE_USER_SCHEMA)) {
  // scimmy's typings ask for an instance; it takes the schema class, as its documentation shows.
  SCIMMY.Schemas.User.extend(SCIMMY.Schemas.EnterpriseUser as unknown as SCIMMY.Types.Schema, false);
}

/** Each kind as SCIM names it. */
export interface ResourceTypeInfo {
  readonly kind: ScimKind;
  /** The resource type's name and endpoint: User, /Users. */
  readonly name: 'User' | 'Group';
  readonly endpoint: '/Users' | '/Groups';
  readonly schema: string;
  /** The attribute the store indexes (the record's name, lower-cased): userName, displayName. */
  readonly keyAttribute: 'userName' | 'displayName';
  readonly definition: SCIMMY.Types.SchemaDefinition;
  readonly coerce: (data: unknown, direction: 'in' | 'out') => SCIMMY.Types.Schema;
}

export const USERS: ResourceTypeInfo = {
  kind: 'scim_user',
  name: 'User',
  endpoint: '/Users',
  schema: USER_SCHEMA,
  keyAttribute: 'userName',
  definition: SCIMMY.Schemas.User.definition,
  coerce: (data, direction) => new SCIMMY.Schemas.User(data, direction),
};

export const GROUPS: ResourceTypeInfo = {
  kind: 'scim_group',
  name: 'Group',
  endpoint: '/Groups',
  schema: GROUP_SCHEMA,
  keyAttribute: 'displayName',
  definition: SCIMMY.Schemas.Group.definition,
  coerce: (data, direction) => new SCIMMY.Schemas.Group(data, direction),
};

/** Longest userName or displayName accepted (in UTF-8, lower-cased): far beyond any real one, and cheap to index and compare. */
export const MAX_KEY_BYTES = 1024;

/** A scimmy failure as a SCIM error: its own status and keyword, or 400 invalidValue for a value its schema refuses. */
export function scimErrorOf(err: unknown): ScimError {
  if (err instanceof ScimError) return err;
  if (err instanceof SCIMMY.Types.Error) return new ScimError(err.status, (err.scimType || undefined) as ScimType | undefined, err.message);
  if (err instanceof TypeError) return badRequest('invalidValue', err.message);
  throw err;
}

/** A plain JSON copy of a scimmy resource instance, without what the server assigns (id, meta). */
function plainAttributes(instance: SCIMMY.Types.Schema): Record<string, unknown> {
  const { id: _id, meta: _meta, ...attributes } = JSON.parse(JSON.stringify(instance)) as Record<string, unknown>;
  return attributes;
}

/**
 * What a provider sent for a resource, checked against its schema and normalized (attribute
 * names as the schema spells them, read-only and write-only attributes such as groups and
 * password dropped): what is stored.
 */
export function incoming(type: ResourceTypeInfo, body: unknown): Record<string, unknown> {
  if (!isObject(body)) throw badRequest('invalidSyntax', `The request body must be a ${type.name} object.`);
  let attributes: Record<string, unknown>;
  try {
    attributes = plainAttributes(type.coerce(body, 'in'));
  } catch (err) {
    throw scimErrorOf(err);
  }
  const key = attributes[type.keyAttribute];
  if (typeof key !== 'string' || key.trim() === '') throw badRequest('invalidValue', `${type.keyAttribute} must be a non-empty string.`);
  if (Buffer.byteLength(key.toLowerCase()) > MAX_KEY_BYTES) throw badRequest('invalidValue', `${type.keyAttribute} is longer than ${MAX_KEY_BYTES} bytes.`);
  return attributes;
}

/** Entra ID's spellings that RFC 7644 does not have: operation names in any case, and "True"/"False" strings for active. */
function normalizedOperations(operations: unknown): unknown {
  if (!Array.isArray(operations)) return operations;
  return operations.map((operation) => {
    if (!isObject(operation)) return operation;
    const op = typeof operation.op === 'string' ? operation.op.toLowerCase() : operation.op;
    let value = operation.value;
    const path = typeof operation.path === 'string' ? operation.path.toLowerCase() : undefined;
    if (path === 'active') value = booleanText(value);
    else if (path === undefined && isObject(value)) value = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k.toLowerCase() === 'active' ? booleanText(v) : v]));
    return { ...operation, op, ...(value !== undefined ? { value } : {}) };
  });
}

const booleanText = (value: unknown): unknown => (typeof value === 'string' && /^(true|false)$/i.test(value) ? value.toLowerCase() === 'true' : value);

/**
 * A PatchOp request (RFC 7644 §3.5.2) applied to a resource's stored attributes: the attributes
 * after it, checked against the schema. Member lists keep one entry per value.
 */
export async function patched(type: ResourceTypeInfo, id: string, current: Record<string, unknown>, body: unknown): Promise<Record<string, unknown>> {
  if (!isObject(body)) throw badRequest('invalidSyntax', 'The request body must be a PatchOp message.');
  const schemas = body.schemas;
  if (!Array.isArray(schemas) || !schemas.includes(PATCH_SCHEMA)) throw badRequest('invalidSyntax', `A PATCH body must say "schemas": ["${PATCH_SCHEMA}"].`);
  if (!Array.isArray(body.Operations) || body.Operations.length === 0) throw badRequest('invalidValue', 'A PATCH body needs "Operations", at least one.');
  let result: Record<string, unknown>;
  try {
    const message = new SCIMMY.Messages.PatchOp({ schemas: [PATCH_SCHEMA], Operations: normalizedOperations(body.Operations) as SCIMMY.Messages.PatchOp.PatchOpOperation[] });
    const instance = type.coerce({ ...current, id }, 'out');
    // scimmy answers nothing when the operations changed nothing.
    const after = await message.apply(instance, async (changed) => changed as unknown as Record<string, unknown>);
    result = after === undefined ? current : plainAttributes(after);
  } catch (err) {
    throw scimErrorOf(err);
  }
  if (Array.isArray(result.members)) result = { ...result, members: uniqueMembers(result.members) };
  return incoming(type, result);
}

/** Members with one entry per value (an "add" of a present member adds nothing). */
export function uniqueMembers(members: readonly unknown[]): Record<string, unknown>[] {
  const seen = new Set<unknown>();
  return members.filter(isObject).filter((m) => !seen.has(m.value) && seen.add(m.value));
}

/** How filters see each attribute of a resource type. */
export function attributeLookup(type: ResourceTypeInfo): AttributeLookup {
  const cache = new Map<string, AttributeInfo | undefined>();
  return (name) => {
    if (!cache.has(name)) {
      let info: AttributeInfo | undefined;
      try {
        const attribute = type.definition.attribute(name);
        if (attribute instanceof SCIMMY.Types.Attribute) {
          info = { type: attribute.type, caseExact: attribute.config.caseExact === true, multiValued: attribute.config.multiValued === true };
        }
      } catch {
        info = undefined;
      }
      cache.set(name, info);
    }
    return cache.get(name);
  };
}

/** The schema documents /Schemas serves. */
export const schemaDescriptions = (schemasUrl: string): Record<string, unknown>[] =>
  [SCIMMY.Schemas.User.definition, SCIMMY.Schemas.EnterpriseUser.definition, SCIMMY.Schemas.Group.definition].map((d) => {
    const described = d.describe(schemasUrl) as unknown as Record<string, unknown>;
    return { ...described, attributes: (described.attributes as Record<string, unknown>[]).filter((a) => !String(a.name).startsWith('urn:')) };
  });
