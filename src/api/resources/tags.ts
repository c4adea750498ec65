// Cloudflare's Access tags: /accounts/{account_id}/access/tags, named by their name. Applications
// carry tag names in `tags` (Cloudflare's App Launcher filters by them); a tag's app_count is how
// many applications of the account carry its name. A tag is stored with its name as its id, so
// names are unique; a rename moves it and keeps its created_at.

import type { StoreReader } from '../../store/store.js';
import { apiError, validationError } from '../errors.js';
import { DEFAULT_LIMITS, paging, pageQueryProperties, resultInfo } from '../pagination.js';
import { defineRoute, type RouteDef } from '../route.js';
import { int, obj, str, arr } from '../../schema/json-schema.js';

const PATH = '/accounts/{account_id}/access/tags';
const ITEM = `${PATH}/{tag_name}`;
const TAG = 'Access tags';
const READ = ['Access: Apps and Policies Read', 'Access: Apps and Policies Write'] as const;
const WRITE = ['Access: Apps and Policies Write'] as const;
const NAME = str({ minLength: 1, maxLength: 255, description: 'The name of the tag.' });
const NAME_PARAM = { tag_name: str({ description: 'The name of the tag.' }) };

const TAG_RESPONSE = obj(
  {
    name: NAME,
    app_count: int({ description: 'How many applications of the account carry this tag.' }),
    created_at: str({ format: 'date-time' }),
    updated_at: str({ format: 'date-time' }),
  },
  { required: ['name', 'app_count', 'created_at', 'updated_at'], description: 'An Access tag.' },
);

interface TagRecord {
  readonly id: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** How many applications carry each tag name. */
async function appCounts(store: StoreReader, accountId: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const app of await store.allResources(accountId, 'app')) {
    const tags: unknown = app.body.tags;
    if (!Array.isArray(tags)) continue;
    for (const name of new Set(tags.filter((t): t is string => typeof t === 'string'))) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

function tagResult(record: TagRecord, counts: ReadonlyMap<string, number>): Record<string, unknown> {
  return { name: record.id, app_count: counts.get(record.id) ?? 0, created_at: record.createdAt, updated_at: record.updatedAt };
}

function checkedName(name: string): string {
  if (name.trim() === '') throw validationError([{ code: 'empty_string', pointer: '/name', message: 'A tag needs a name.' }]);
  return name;
}

const notFound = (name: string) => apiError('not_found', { what: 'Access tag', id: JSON.stringify(name) });
const taken = (name: string) => apiError('already_exists', { detail: `A tag named ${JSON.stringify(name)} already exists.` });

export const tagRoutes: RouteDef[] = [
  defineRoute({
    method: 'GET',
    path: PATH,
    operationId: 'access-tags-list-tags',
    summary: 'List Access tags',
    tag: TAG,
    permissions: [...READ],
    query: pageQueryProperties(DEFAULT_LIMITS),
    status: 200,
    paged: true,
    result: arr(TAG_RESPONSE),
    handler: async ({ accountId, query, ctx }) => {
      const p = paging(query, DEFAULT_LIMITS);
      const page = await ctx.store.read.listResources(accountId, 'tag', p);
      const counts = await appCounts(ctx.store.read, accountId);
      return { result: page.items.map((r) => tagResult(r, counts)), resultInfo: resultInfo(p, page.items.length, page.total) };
    },
  }),
  defineRoute({
    method: 'GET',
    path: ITEM,
    params: NAME_PARAM,
    operationId: 'access-tags-get-a-tag',
    summary: 'Get an Access tag',
    tag: TAG,
    permissions: [...READ],
    status: 200,
    result: TAG_RESPONSE,
    handler: async ({ accountId, params, ctx }) => {
      const record = await ctx.store.read.getResource(accountId, 'tag', params.tag_name);
      if (record === undefined) throw notFound(params.tag_name);
      return { result: tagResult(record, await appCounts(ctx.store.read, accountId)) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: PATH,
    operationId: 'access-tags-create-tag',
    summary: 'Create an Access tag',
    tag: TAG,
    permissions: [...WRITE],
    body: obj({ name: NAME }, { required: ['name'] }),
    status: 201,
    result: TAG_RESPONSE,
    handler: async ({ accountId, body, ctx }) => {
      const name = checkedName(body.name);
      const record = await ctx.store.transaction(accountId, async (tx) => {
        if ((await tx.getResource(accountId, 'tag', name)) !== undefined) throw taken(name);
        await tx.insertResource({ accountId, kind: 'tag', id: name, parentId: null, name, body: { name }, secretHash: null, createdAt: new Date().toISOString() }, []);
        return (await tx.getResource(accountId, 'tag', name))!;
      });
      return { result: tagResult(record, await appCounts(ctx.store.read, accountId)) };
    },
  }),
  defineRoute({
    method: 'PUT',
    path: ITEM,
    params: NAME_PARAM,
    operationId: 'access-tags-update-a-tag',
    summary: 'Rename an Access tag',
    description: 'Applications keep the tag names they carry: rename them in the applications too.',
    tag: TAG,
    permissions: [...WRITE],
    body: obj({ name: NAME }, { required: ['name'] }),
    status: 200,
    result: TAG_RESPONSE,
    handler: async ({ accountId, params, body, ctx }) => {
      const name = checkedName(body.name);
      const record = await ctx.store.transaction(accountId, async (tx) => {
        const existing = await tx.getResource(accountId, 'tag', params.tag_name);
        if (existing === undefined) throw notFound(params.tag_name);
        if (name === existing.id) {
          await tx.updateResource(accountId, 'tag', name, { name, body: { name } });
        } else {
          if ((await tx.getResource(accountId, 'tag', name)) !== undefined) throw taken(name);
          await tx.deleteResource(accountId, 'tag', existing.id);
          await tx.insertResource({ accountId, kind: 'tag', id: name, parentId: null, name, body: { name }, secretHash: null, createdAt: existing.createdAt }, []);
        }
        return (await tx.getResource(accountId, 'tag', name))!;
      });
      return { result: tagResult(record, await appCounts(ctx.store.read, accountId)) };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: ITEM,
    params: NAME_PARAM,
    operationId: 'access-tags-delete-a-tag',
    summary: 'Delete an Access tag',
    description: 'Answers with the name of the deleted tag. Applications keep the name in their tags.',
    tag: TAG,
    permissions: [...WRITE],
    status: 202,
    result: obj({ name: NAME }, { required: ['name'] }),
    handler: async ({ accountId, params, ctx }) => {
      await ctx.store.transaction(accountId, async (tx) => {
        if (!(await tx.deleteResource(accountId, 'tag', params.tag_name))) throw notFound(params.tag_name);
      });
      return { result: { name: params.tag_name } };
    },
  }),
];
