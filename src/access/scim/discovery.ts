// What a SCIM client reads to learn the service (RFC 7644 §4): its configuration (PATCH and
// filters yes; bulk, sort and password changes no; ETags yes; a bearer token), its resource
// types and their schemas.

import type { ProviderScope } from './directory.js';
import { schemaDescriptions, GROUPS, USERS, ENTERPRISE_USER_SCHEMA, type ResourceTypeInfo } from './schemas.js';

/** Most resources one list answer holds (a larger `count` is lowered to it). */
export const MAX_RESULTS = 1000;
export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

export function listResponse(resources: readonly Record<string, unknown>[], totalResults: number, startIndex: number): Record<string, unknown> {
  return { schemas: [LIST_RESPONSE_SCHEMA], totalResults, startIndex, itemsPerPage: resources.length, Resources: resources };
}

export function serviceProviderConfig(scope: ProviderScope): Record<string, unknown> {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: true },
    authenticationSchemes: [
      { type: 'oauthbearertoken', name: 'OAuth Bearer Token', description: "The identity provider's SCIM secret (scim_config.secret) as an Authorization: Bearer token.", primary: true },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${scope.baseUrl}/ServiceProviderConfig` },
  };
}

function resourceType(scope: ProviderScope, type: ResourceTypeInfo): Record<string, unknown> {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
    id: type.name,
    name: type.name,
    endpoint: type.endpoint,
    description: type === USERS ? 'User Account' : 'Group',
    schema: type.schema,
    ...(type === USERS ? { schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA, required: false }] } : {}),
    meta: { resourceType: 'ResourceType', location: `${scope.baseUrl}/ResourceTypes/${type.name}` },
  };
}

export const resourceTypes = (scope: ProviderScope): Record<string, unknown>[] => [USERS, GROUPS].map((t) => resourceType(scope, t));

export const schemas = (scope: ProviderScope): Record<string, unknown>[] => schemaDescriptions(`${scope.baseUrl}/Schemas`);
