// Gateway lists: /accounts/{account_id}/gateway/lists. Named sets of entries that ip_list and
// email_list rules (and approval groups) reference. Entries are checked against the list's
// type; a list still referenced cannot be deleted.

import type { ListItemRecord, ResourceRecord, Store, StoreReader, StoreWriter } from '../../store/store.js';
import { validationError } from '../errors.js';
import { paging, pageQueryProperties, resultInfo, singlePageInfo, type PageLimits } from '../pagination.js';
import { defineRoute, type HandlerOutput, type RouteDef } from '../route.js';
import { anyObject, arr, obj, str } from '../../schema/json-schema.js';
import {
  LIST_CREATE_REQUEST,
  LIST_CREATE_RESPONSE,
  LIST_ITEM,
  LIST_PATCH_REQUEST,
  LIST_RESPONSE,
  LIST_UPDATE_REQUEST,
  MAX_ITEMS_PER_REQUEST,
  type ListItemInput,
  type ListTypeName,
} from '../../schema/lists.js';
import { compact, deleteUnused, getOr404, newId, timestamps } from './common.js';
import { changeItems, itemValueIssues, replaceItems } from './list-items.js';
import { LIST_QUERY, selectLists } from './list-query.js';

const PATH = '/accounts/{account_id}/gateway/lists';
const ITEM = `${PATH}/{list_id}`;
const READ = ['Zero Trust Read'] as const;
const WRITE = ['Zero Trust Write'] as const;
const TAG = 'Gateway lists';
const ID_PARAM = { list_id: str({ description: 'The list id.' }) };
/** Cloudflare pages list items 50 at a time. */
const ITEM_LIMITS: PageLimits = { defaultPerPage: 50, maxPerPage: 1000 };
const LIMITS_NOTE = `At most ${MAX_ITEMS_PER_REQUEST} entries per request.`;
const VALUES_NOTE =
  'Entries are checked against the list type: IP lists hold IPv4/IPv6 addresses and CIDR ranges, EMAIL lists email addresses (compared case-insensitively), DOMAIN lists domain names.';

const listType = (record: ResourceRecord): ListTypeName => record.body.type as ListTypeName;

function listBody(name: string, type: ListTypeName, description: string | undefined): Record<string, unknown> {
  return compact({ name, type, description });
}

function listFields(record: ResourceRecord): Record<string, unknown> {
  return { id: record.id, ...record.body, ...timestamps(record) };
}

export function listResult(record: ResourceRecord, count: number): Record<string, unknown> {
  return { ...listFields(record), count };
}

function itemResult(item: ListItemRecord): Record<string, unknown> {
  return compact({ value: item.value, description: item.description ?? undefined, created_at: item.createdAt });
}

function assertValidItems(type: ListTypeName, items: readonly ListItemInput[] | undefined, pointer: string): void {
  const issues = itemValueIssues(type, items ?? [], pointer);
  if (issues.length > 0) throw validationError(issues);
}

async function itemCount(store: StoreReader, accountId: string, listId: string): Promise<number> {
  return (await store.listItemCounts(accountId, [listId])).get(listId) ?? 0;
}

/** Load a list, let `change` edit its entries and say its new name and body, save, answer it. */
async function changeList(
  store: Store,
  accountId: string,
  listId: string,
  change: (tx: StoreWriter, current: ResourceRecord, type: ListTypeName) => Promise<{ name: string; body: Record<string, unknown> }>,
): Promise<HandlerOutput> {
  const { record, count } = await store.transaction(accountId, async (tx) => {
    const current = await getOr404(tx, accountId, 'list', listId);
    const next = await change(tx, current, listType(current));
    const record = await tx.updateResource(accountId, 'list', current.id, next, []);
    return { record: record!, count: await itemCount(tx, accountId, current.id) };
  });
  return { result: listResult(record, count) };
}

export const listRoutes: RouteDef[] = [
  defineRoute({
    method: 'GET',
    path: PATH,
    operationId: 'gateway-lists-list',
    summary: 'List Gateway lists',
    description: 'Every list of the account on one page, optionally filtered (`type`, `search`, `filter`) and ordered (`order_by`, `direction`) as Cloudflare documents.',
    tag: TAG,
    permissions: [...READ, ...WRITE],
    query: LIST_QUERY,
    status: 200,
    paged: true,
    result: arr(LIST_RESPONSE),
    handler: async ({ accountId, query, ctx }) => {
      const all = await ctx.store.read.allResources(accountId, 'list');
      const counts = await ctx.store.read.listItemCounts(accountId, all.map((r) => r.id));
      const lists = selectLists(all.map((record) => ({ record, count: counts.get(record.id) ?? 0 })), query);
      return {
        result: lists.map((l) => listResult(l.record, l.count)),
        resultInfo: singlePageInfo(lists.length),
      };
    },
  }),
  defineRoute({
    method: 'POST',
    path: PATH,
    operationId: 'gateway-lists-create',
    summary: 'Create a Gateway list',
    description: `${VALUES_NOTE} ${LIMITS_NOTE} Answers 200, as Cloudflare does, with the entries as stored.`,
    tag: TAG,
    permissions: [...WRITE],
    body: LIST_CREATE_REQUEST,
    status: 200,
    result: LIST_CREATE_RESPONSE,
    handler: async ({ accountId, body: input, ctx }) => {
      assertValidItems(input.type, input.items, '/items');
      const id = newId();
      const { record, items } = await ctx.store.transaction(accountId, async (tx) => {
        const record = await tx.insertResource(
          { accountId, kind: 'list', id, parentId: null, name: input.name, body: listBody(input.name, input.type, input.description), secretHash: null, createdAt: new Date().toISOString() },
          [],
        );
        await replaceItems(tx, accountId, id, input.type, input.items ?? []);
        const count = (input.items ?? []).length;
        const items = count === 0 ? [] : (await tx.listItems(accountId, id, { offset: 0, limit: count })).items;
        return { record, items };
      });
      return { result: { ...listFields(record), items: items.map(itemResult) } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: ITEM,
    operationId: 'gateway-lists-get',
    summary: 'Get a Gateway list',
    description: 'The list without its entries; `count` says how many it holds.',
    tag: TAG,
    permissions: [...READ, ...WRITE],
    params: ID_PARAM,
    status: 200,
    result: LIST_RESPONSE,
    handler: async ({ accountId, params, ctx }) => {
      const record = await getOr404(ctx.store.read, accountId, 'list', params.list_id);
      return { result: listResult(record, await itemCount(ctx.store.read, accountId, record.id)) };
    },
  }),
  defineRoute({
    method: 'PUT',
    path: ITEM,
    operationId: 'gateway-lists-update',
    summary: 'Update a Gateway list',
    description: `Replaces name and description; the type never changes (a different \`type\` is refused). Non-empty \`items\` replace every entry, as the current SDK documents; otherwise the entries stay. ${LIMITS_NOTE}`,
    tag: TAG,
    permissions: [...WRITE],
    params: ID_PARAM,
    body: LIST_UPDATE_REQUEST,
    status: 200,
    result: LIST_RESPONSE,
    handler: async ({ accountId, params, body: input, ctx }) => {
      return changeList(ctx.store, accountId, params.list_id, async (tx, current, type) => {
        if (input.type !== undefined && input.type !== type) {
          throw validationError([{ code: 'immutable_field', pointer: '/type', message: `A list's type cannot change: this list is ${type}, the request says ${input.type}.` }]);
        }
        if (input.items !== undefined && input.items.length > 0) {
          assertValidItems(type, input.items, '/items');
          await replaceItems(tx, accountId, current.id, type, input.items);
        }
        return { name: input.name, body: listBody(input.name, type, input.description) };
      });
    },
  }),
  defineRoute({
    method: 'PATCH',
    path: ITEM,
    operationId: 'gateway-lists-patch',
    summary: 'Add and remove Gateway list entries',
    description: `Removes the \`remove\` values, then adds the \`append\` entries; an entry already present keeps its description. Removing a value the list does not hold is not an error. ${VALUES_NOTE} ${LIMITS_NOTE}`,
    tag: TAG,
    permissions: [...WRITE],
    params: ID_PARAM,
    body: LIST_PATCH_REQUEST,
    status: 200,
    result: LIST_RESPONSE,
    handler: async ({ accountId, params, body: patch, ctx }) => {
      return changeList(ctx.store, accountId, params.list_id, async (tx, current, type) => {
        assertValidItems(type, patch.append, '/append');
        await changeItems(tx, accountId, current.id, type, patch);
        // The same name and body: rewriting them records the change in updated_at.
        return { name: current.name, body: current.body };
      });
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: ITEM,
    operationId: 'gateway-lists-delete',
    summary: 'Delete a Gateway list',
    description: 'Refused (409) while a policy or group rule (ip_list, email_list) or an approval group uses the list. Cloudflare declares a JSON body here: `{}` is accepted, and so is no body.',
    tag: TAG,
    permissions: [...WRITE],
    params: ID_PARAM,
    body: anyObject('Ignored.'),
    bodyRequired: false,
    status: 200,
    result: obj({}),
    handler: async ({ accountId, params, ctx }) => {
      await ctx.store.transaction(accountId, async (tx) => {
        await deleteUnused(tx, accountId, 'list', params.list_id);
        await tx.deleteListItems(accountId, params.list_id);
      });
      return { result: {} };
    },
  }),
  defineRoute({
    method: 'GET',
    path: `${ITEM}/items`,
    operationId: 'gateway-list-items-list',
    summary: 'List the entries of a Gateway list',
    description:
      'A page of entries (`result` is a flat array of `{value, description, created_at}`, as Cloudflare answers and the SDK reads it, though the 2024 spec describes an array of arrays); past the last page, an empty page.',
    tag: TAG,
    permissions: [...READ, ...WRITE],
    params: ID_PARAM,
    query: pageQueryProperties(ITEM_LIMITS),
    status: 200,
    paged: true,
    result: arr(LIST_ITEM),
    handler: async ({ accountId, params, query, ctx }) => {
      const record = await getOr404(ctx.store.read, accountId, 'list', params.list_id);
      const p = paging(query, ITEM_LIMITS);
      const page = await ctx.store.read.listItems(accountId, record.id, p);
      return { result: page.items.map(itemResult), resultInfo: resultInfo(p, page.items.length, page.total) };
    },
  }),
];
