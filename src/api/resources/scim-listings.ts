// Cloudflare's read-only listings of what an identity provider provisioned by SCIM:
// GET /accounts/{account_id}/access/identity_providers/{identity_provider_id}/scim/users and
// .../scim/groups (docs/identity-providers.md "What was provisioned"). They answer the SCIM
// Users and Groups the provider pushed to this server's SCIM service (access/scim), in
// Cloudflare's shape, paged (100 a page at most), filtered by Cloudflare's query parameters.

import type { PageOf, ResourceFilter, ResourceRecord, StoreReader } from '../../store/store.js';
import { displayNameOf, isActive } from '../../account/scim-attributes.js';
import { paging, pageQueryProperties, resultInfo, type PageLimits, type Paging } from '../pagination.js';
import { defineRoute, type RouteDef } from '../route.js';
import { arr, bool, obj, str, type Properties } from '../../schema/json-schema.js';
import { compact, getOr404 } from './common.js';
import { isObject } from '../../engine/is-object.js';

const PROVIDERS = '/accounts/{account_id}/access/identity_providers/{identity_provider_id}';
/** Cloudflare's: 100 a page by default, and at most. */
const LIMITS: PageLimits = { defaultPerPage: 100, maxPerPage: 100 };
const PERMISSIONS = ['Access: Organizations, Identity Providers, and Groups Read', 'Access: Organizations, Identity Providers, and Groups Write'] as const;

const resourceOf = (record: ResourceRecord): Record<string, unknown> => (isObject(record.body.resource) ? record.body.resource : {});
const textOf = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const sameText = (a: unknown, b: string): boolean => typeof a === 'string' && a.toLowerCase() === b.toLowerCase();

const META = obj(
  {
    created: str({ format: 'date-time', description: 'When the SCIM resource was created.' }),
    lastModified: str({ format: 'date-time', description: 'When the SCIM resource was last modified.' }),
  },
  { description: 'The metadata of the SCIM resource.' },
);

const COMMON = {
  id: str({ description: 'The id this server gave the SCIM resource (its SCIM id; cf_resource_id filters by it).' }),
  externalId: str({ description: "The identity provider's own id for the SCIM resource (idp_resource_id filters by it)." }),
  meta: META,
  schemas: arr(str(), { description: 'The SCIM schemas of the resource, as pushed.' }),
};

const SCIM_USER = obj(
  {
    ...COMMON,
    active: bool('Whether the SCIM User is active.'),
    displayName: str({ description: 'The name of the SCIM User: displayName, else name.formatted, else given and family names.' }),
    emails: arr(
      obj({
        primary: bool('Whether it is the primary email address.'),
        type: str({ description: 'The type of the email address (work, home, ...).' }),
        value: str({ description: 'The email address.' }),
      }),
      { description: 'The email addresses of the SCIM User.' },
    ),
  },
  { description: 'A SCIM User the identity provider provisioned.' },
);

const SCIM_GROUP = obj({ ...COMMON, displayName: str({ description: 'The display name of the SCIM Group.' }) }, { description: 'A SCIM Group the identity provider provisioned.' });

const common = (record: ResourceRecord, resource: Record<string, unknown>): Record<string, unknown> => ({
  id: record.id,
  externalId: textOf(resource.externalId),
  meta: { created: record.createdAt, lastModified: record.updatedAt },
  schemas: Array.isArray(resource.schemas) ? resource.schemas.filter((s) => typeof s === 'string') : undefined,
});

export function scimUserResult(record: ResourceRecord): Record<string, unknown> {
  const resource = resourceOf(record);
  const emails = (Array.isArray(resource.emails) ? resource.emails : []).filter(isObject).map((e) => compact({ primary: typeof e.primary === 'boolean' ? e.primary : undefined, type: textOf(e.type), value: textOf(e.value) }));
  return compact({ ...common(record, resource), active: isActive(resource), displayName: displayNameOf(resource), emails: emails.length > 0 ? emails : undefined });
}

export function scimGroupResult(record: ResourceRecord): Record<string, unknown> {
  const resource = resourceOf(record);
  return compact({ ...common(record, resource), displayName: textOf(resource.displayName) });
}

/** A filter the store cannot apply: checked on each record of the provider. */
type Test = (record: ResourceRecord, resource: Record<string, unknown>) => boolean;

/**
 * One page of a provider's SCIM records of `kind`: the store pages them itself when only what it
 * indexes is asked (the record's name: a userName or group displayName, lower-cased as stored);
 * other filters are applied to the provider's records, then paged.
 */
async function pageOf(read: StoreReader, accountId: string, kind: 'scim_user' | 'scim_group', p: Paging, filter: ResourceFilter, id: string | undefined, tests: readonly Test[]): Promise<PageOf<ResourceRecord>> {
  if (id !== undefined) {
    const record = await read.getResource(accountId, kind, id);
    const matches = record !== undefined && record.parentId === filter.parentId && (filter.name === undefined || record.name === filter.name) && tests.every((t) => t(record, resourceOf(record)));
    return { items: matches && p.offset === 0 ? [record] : [], total: matches ? 1 : 0 };
  }
  if (tests.length === 0) return read.listResources(accountId, kind, p, filter);
  const matching = (await read.allResources(accountId, kind, filter)).filter((r) => tests.every((t) => t(r, resourceOf(r))));
  return { items: matching.slice(p.offset, p.offset + p.limit), total: matching.length };
}

const filterText = (description: string) => str({ description });

function listing(what: 'users' | 'groups', summary: string, description: string, filters: Properties, result: typeof SCIM_USER | typeof SCIM_GROUP): RouteDef {
  const kind = what === 'users' ? 'scim_user' : 'scim_group';
  return defineRoute({
    method: 'GET',
    path: `${PROVIDERS}/scim/${what}`,
    operationId: `access-identity-providers-list-scim-${what === 'users' ? 'user' : 'group'}-resources`,
    summary,
    description,
    tag: 'Access identity providers',
    permissions: [...PERMISSIONS],
    params: { identity_provider_id: str({ description: 'The id of an identity provider.' }) },
    query: { ...filters, ...pageQueryProperties(LIMITS) },
    status: 200,
    paged: true,
    result: arr(result),
    handler: async ({ accountId, params, query, ctx }) => {
      const provider = await getOr404(ctx.store.read, accountId, 'identity_provider', params.identity_provider_id);
      const q = query as Record<string, unknown>;
      const text = (name: string): string | undefined => (typeof q[name] === 'string' ? (q[name] as string) : undefined);
      const p = paging(query, LIMITS);
      // The record's name is the userName (users) or displayName (groups), lower-cased.
      const keyFilter = what === 'users' ? text('username') : text('name');
      const tests: Test[] = [];
      const externalId = text('idp_resource_id');
      if (externalId !== undefined) tests.push((_r, resource) => resource.externalId === externalId);
      if (what === 'users') {
        const email = text('email');
        if (email !== undefined) tests.push((_r, resource) => (Array.isArray(resource.emails) ? resource.emails : []).some((e: unknown) => isObject(e) && sameText(e.value, email)));
        const name = text('name');
        if (name !== undefined) tests.push((_r, resource) => sameText(displayNameOf(resource), name));
      }
      const filter: ResourceFilter = compact({ parentId: provider.id, name: keyFilter?.toLowerCase() });
      const page = await pageOf(ctx.store.read, accountId, kind, p, filter, text('cf_resource_id'), tests);
      return { result: page.items.map(what === 'users' ? scimUserResult : scimGroupResult), resultInfo: resultInfo(p, page.items.length, page.total) };
    },
  });
}

const FILTER_NOTE = 'Text filters match whole values, ignoring case; ids match exactly. Filters combine: an item must match all of them.';

export const scimListingRoutes: RouteDef[] = [
  listing(
    'users',
    'List SCIM User resources',
    `The SCIM Users the identity provider provisioned through this server's SCIM service, in the order they were first pushed. ${FILTER_NOTE}`,
    {
      cf_resource_id: filterText('Only the SCIM User with this id (its SCIM id here).'),
      idp_resource_id: filterText("Only SCIM Users with this externalId (the identity provider's id)."),
      username: filterText('Only the SCIM User with this userName.'),
      email: filterText('Only SCIM Users with this email address (any of their emails).'),
      name: filterText('Only SCIM Users with this name (displayName, else name.formatted, else given and family names).'),
    },
    SCIM_USER,
  ),
  listing(
    'groups',
    'List SCIM Group resources',
    `The SCIM Groups the identity provider provisioned through this server's SCIM service, in the order they were first pushed. ${FILTER_NOTE}`,
    {
      cf_resource_id: filterText('Only the SCIM Group with this id (its SCIM id here).'),
      idp_resource_id: filterText("Only SCIM Groups with this externalId (the identity provider's id)."),
      name: filterText('Only the SCIM Group with this displayName.'),
    },
    SCIM_GROUP,
  ),
];
