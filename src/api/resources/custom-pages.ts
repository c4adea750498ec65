// Cloudflare's Access custom pages: /accounts/{account_id}/access/custom_pages. A page is HTML an
// administrator writes for one situation (its type); applications choose pages in `custom_pages`
// (uids) and the organization in `custom_pages.identity_denied` / `.forbidden`. Those choices are
// references in the store, so a page in use is not deleted (409, naming who uses it) and its
// app_count is the number of applications choosing it. Only a get answers with the HTML, as at
// Cloudflare. The enforcement point shows them (src/access/custom-pages.ts).

import type { ResourceRecord, ResourceRef, StoreReader } from '../../store/store.js';
import { validationError, type RequestIssue } from '../errors.js';
import { DEFAULT_LIMITS, paging, pageQueryProperties, resultInfo } from '../pagination.js';
import { defineRoute, type RouteDef } from '../route.js';
import { arr, enumOf, int, obj, str } from '../../schema/json-schema.js';
import { getOr404, newId, timestamps, assertUnused } from './common.js';

const PATH = '/accounts/{account_id}/access/custom_pages';
const ITEM = `${PATH}/{custom_page_id}`;
const TAG = 'Access custom pages';
// Custom pages are settings of the organization at Cloudflare; the same permission as the organization here.
const READ = ['Access: Organizations, Identity Providers, and Groups Read', 'Access: Organizations, Identity Providers, and Groups Write'] as const;
const WRITE = ['Access: Organizations, Identity Providers, and Groups Write'] as const;
const ID_PARAM = { custom_page_id: str({ description: 'The uid of the custom page.' }) };

export const CUSTOM_PAGE_TYPES = ['identity_denied', 'forbidden', 'login', 'interstitial'] as const;
export type CustomPageType = (typeof CUSTOM_PAGE_TYPES)[number];

const FIELDS = {
  name: str({ minLength: 1, maxLength: 255, description: 'The name of the custom page.' }),
  type: enumOf(CUSTOM_PAGE_TYPES, 'When the page is shown: identity_denied (a signed-in user the policies refuse), forbidden (a refusal by non-identity rules, such as a service token refused). login and interstitial pages are kept, but the enforcement point does not show them yet.'),
  custom_html: str({ minLength: 1, description: 'The HTML of the page, served as written.' }),
  contract_version: int({ description: 'Accepted and kept.' }),
};
const REQUEST = obj(FIELDS, { required: ['name', 'type', 'custom_html'] });

const WITHOUT_HTML_FIELDS = {
  uid: str({ description: 'The uid of the custom page.' }),
  id: str({ description: 'The uid again.' }),
  name: FIELDS.name,
  type: FIELDS.type,
  contract_version: FIELDS.contract_version,
  app_count: int({ description: 'How many applications of the account choose this page.' }),
  created_at: str({ format: 'date-time' }),
  updated_at: str({ format: 'date-time' }),
};
const REQUIRED = ['uid', 'id', 'name', 'type', 'app_count', 'created_at', 'updated_at'] as const;
const PAGE_WITHOUT_HTML = obj(WITHOUT_HTML_FIELDS, { required: [...REQUIRED], description: 'An Access custom page, without its HTML.' });
const PAGE = obj({ ...WITHOUT_HTML_FIELDS, custom_html: FIELDS.custom_html }, { required: [...REQUIRED, 'custom_html'], description: 'An Access custom page, with its HTML.' });

function withoutHtml(record: ResourceRecord, appCount: number): Record<string, unknown> {
  const { custom_html: _html, ...body } = record.body;
  return { uid: record.id, id: record.id, ...body, app_count: appCount, ...timestamps(record) };
}

const appCount = async (store: StoreReader, accountId: string, id: string): Promise<number> => (await store.referrerCounts(accountId, 'custom_page', [id], 'app')).get(id) ?? 0;

function checkedBody(body: { name: string; type: CustomPageType; custom_html: string; contract_version?: number }): Record<string, unknown> {
  const issues: RequestIssue[] = [];
  if (body.name.trim() === '') issues.push({ code: 'empty_string', pointer: '/name', message: 'A custom page needs a name.' });
  if (body.custom_html.trim() === '') issues.push({ code: 'empty_string', pointer: '/custom_html', message: 'A custom page needs its HTML.' });
  if (issues.length > 0) throw validationError(issues);
  return { name: body.name, type: body.type, custom_html: body.custom_html, ...(body.contract_version !== undefined ? { contract_version: body.contract_version } : {}) };
}

/**
 * The problems with an application's `custom_pages`: each uid must be one of the account's pages,
 * and at most one of each type, or which one is shown would be left to chance.
 */
export async function appCustomPageIssues(reader: StoreReader, accountId: string, uids: readonly string[]): Promise<RequestIssue[]> {
  const found = new Map((await reader.getResources(accountId, 'custom_page', uids)).map((r) => [r.id, r]));
  const issues: RequestIssue[] = [];
  const typeSeen = new Map<unknown, string>();
  uids.forEach((uid, i) => {
    const page = found.get(uid);
    if (page === undefined) {
      issues.push({ code: 'unknown_custom_page', pointer: `/custom_pages/${i}`, message: `Custom page ${JSON.stringify(uid)} does not exist in this account.` });
      return;
    }
    const earlier = typeSeen.get(page.body.type);
    if (earlier !== undefined && earlier !== uid) issues.push({ code: 'duplicate_entry', pointer: `/custom_pages/${i}`, message: `Custom pages ${JSON.stringify(earlier)} and ${JSON.stringify(uid)} are both ${String(page.body.type)} pages: an application chooses one page of each type.` });
    else typeSeen.set(page.body.type, uid);
  });
  return issues;
}

/** The organization's page choices: custom_pages.identity_denied and .forbidden, each the uid of a page of that type. */
export const ORGANIZATION_PAGE_TYPES = ['identity_denied', 'forbidden'] as const;

/** The problems with an organization's `custom_pages`: each choice must be a page of the account of the type it is for. */
export async function organizationCustomPageIssues(reader: StoreReader, accountId: string, value: unknown): Promise<RequestIssue[]> {
  if (value === undefined || value === null) return [];
  if (typeof value !== 'object' || Array.isArray(value)) return [{ code: 'invalid_type', pointer: '/custom_pages', message: 'custom_pages is an object: {"identity_denied": <uid>, "forbidden": <uid>}.' }];
  const issues: RequestIssue[] = [];
  for (const [type, uid] of Object.entries(value as Record<string, unknown>)) {
    const pointer = `/custom_pages/${type}`;
    if (!(ORGANIZATION_PAGE_TYPES as readonly string[]).includes(type)) {
      issues.push({ code: 'unknown_field', pointer, message: `The organization chooses custom pages for ${ORGANIZATION_PAGE_TYPES.join(' and ')} only.` });
      continue;
    }
    if (uid === '' || uid === null) continue;
    if (typeof uid !== 'string') {
      issues.push({ code: 'invalid_type', pointer, message: 'A custom page is chosen by its uid (a string).' });
      continue;
    }
    const page = await reader.getResource(accountId, 'custom_page', uid);
    if (page === undefined) issues.push({ code: 'unknown_custom_page', pointer, message: `Custom page ${JSON.stringify(uid)} does not exist in this account.` });
    else if (page.body.type !== type) issues.push({ code: 'unknown_custom_page', pointer, message: `Custom page ${JSON.stringify(uid)} is a ${String(page.body.type)} page, not an ${type} page.` });
  }
  return issues;
}

/** The references a `custom_pages` value makes: an application's array of uids, or the organization's object. */
export function customPageRefs(value: unknown): ResourceRef[] {
  const uids = Array.isArray(value) ? value : value !== null && typeof value === 'object' ? Object.values(value) : [];
  return uids.filter((uid): uid is string => typeof uid === 'string' && uid !== '').map((id) => ({ kind: 'custom_page', id }));
}

export const customPageRoutes: RouteDef[] = [
  defineRoute({
    method: 'GET',
    path: PATH,
    operationId: 'access-custom-pages-list-custom-pages',
    summary: 'List Access custom pages',
    description: 'Without their HTML: get a page for it.',
    tag: TAG,
    permissions: [...READ],
    query: pageQueryProperties(DEFAULT_LIMITS),
    status: 200,
    paged: true,
    result: arr(PAGE_WITHOUT_HTML),
    handler: async ({ accountId, query, ctx }) => {
      const p = paging(query, DEFAULT_LIMITS);
      const page = await ctx.store.read.listResources(accountId, 'custom_page', p);
      const counts = await ctx.store.read.referrerCounts(accountId, 'custom_page', page.items.map((r) => r.id), 'app');
      return { result: page.items.map((r) => withoutHtml(r, counts.get(r.id) ?? 0)), resultInfo: resultInfo(p, page.items.length, page.total) };
    },
  }),
  defineRoute({
    method: 'GET',
    path: ITEM,
    params: ID_PARAM,
    operationId: 'access-custom-pages-get-a-custom-page',
    summary: 'Get an Access custom page',
    description: 'With its HTML.',
    tag: TAG,
    permissions: [...READ],
    status: 200,
    result: PAGE,
    handler: async ({ accountId, params, ctx }) => {
      const record = await getOr404(ctx.store.read, accountId, 'custom_page', params.custom_page_id);
      return { result: { ...withoutHtml(record, await appCount(ctx.store.read, accountId, record.id)), custom_html: record.body.custom_html } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: PATH,
    operationId: 'access-custom-pages-create-a-custom-page',
    summary: 'Create an Access custom page',
    description: 'Answers without the HTML.',
    tag: TAG,
    permissions: [...WRITE],
    body: REQUEST,
    status: 201,
    result: PAGE_WITHOUT_HTML,
    handler: async ({ accountId, body, ctx }) => {
      const page = checkedBody(body);
      const record = await ctx.store.transaction(accountId, (tx) =>
        tx.insertResource({ accountId, kind: 'custom_page', id: newId(), parentId: null, name: body.name, body: page, secretHash: null, createdAt: new Date().toISOString() }, []),
      );
      return { result: withoutHtml(record, 0) };
    },
  }),
  defineRoute({
    method: 'PUT',
    path: ITEM,
    params: ID_PARAM,
    operationId: 'access-custom-pages-update-a-custom-page',
    summary: 'Replace an Access custom page',
    description: 'Answers without the HTML. Its type changes only while no application or organization chooses it (409 otherwise).',
    tag: TAG,
    permissions: [...WRITE],
    body: REQUEST,
    status: 200,
    result: PAGE_WITHOUT_HTML,
    handler: async ({ accountId, params, body, ctx }) => {
      const page = checkedBody(body);
      const record = await ctx.store.transaction(accountId, async (tx) => {
        const existing = await getOr404(tx, accountId, 'custom_page', params.custom_page_id);
        // Its users chose it for its type: another type would break their choice.
        if (existing.body.type !== page.type) await assertUnused(tx, accountId, 'custom_page', existing.id);
        return (await tx.updateResource(accountId, 'custom_page', existing.id, { name: body.name, body: page }))!;
      });
      return { result: withoutHtml(record, await appCount(ctx.store.read, accountId, record.id)) };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: ITEM,
    params: ID_PARAM,
    operationId: 'access-custom-pages-delete-a-custom-page',
    summary: 'Delete an Access custom page',
    description: 'Refused (409) while an application or the organization chooses it.',
    tag: TAG,
    permissions: [...WRITE],
    status: 202,
    result: obj({ id: str() }, { required: ['id'] }),
    handler: async ({ accountId, params, ctx }) => {
      await ctx.store.transaction(accountId, async (tx) => {
        await getOr404(tx, accountId, 'custom_page', params.custom_page_id);
        await assertUnused(tx, accountId, 'custom_page', params.custom_page_id);
        await tx.deleteResource(accountId, 'custom_page', params.custom_page_id);
      });
      return { result: { id: params.custom_page_id } };
    },
  }),
];
