// Routes for account resources that are plain JSON documents with no rules of their own
// (identity providers, service tokens, mTLS certificates, posture rules): list, get, create,
// update and delete built from one description, so each resource module says only how a
// request becomes a stored body and how a stored record becomes an answer.

import type { ResourceFilter, ResourceKind, ResourceRecord, StoreWriter } from '../../store/store.js';
import type { PermissionName } from '../auth/permissions.js';
import { paging, pageQueryProperties, resultInfo, singlePageInfo, type PageLimits } from '../pagination.js';
import { defineRoute, type ApiContext, type BodyOf, type HandlerInput, type HandlerOutput, type HttpMethod, type RouteDef } from '../route.js';
import { arr, obj, str, type Properties, type TSchema } from '../../schema/json-schema.js';
import { compact, deleteUnused, getOr404, newId } from './common.js';

export interface JsonResource {
  readonly kind: ResourceKind;
  /** The collection below /client/v4, e.g. /accounts/{account_id}/access/certificates. */
  readonly path: string;
  /** The path parameter that names one item, e.g. certificate_id. */
  readonly idParam: string;
  /** operationIds are this prefix and -list, -get, -create, -update, -delete or the action's name. */
  readonly operationPrefix: string;
  readonly tag: string;
  /** How summaries name one item and several: "an mTLS certificate", "mTLS certificates". */
  readonly one: string;
  readonly many: string;
  readonly read: readonly PermissionName[];
  readonly write: readonly PermissionName[];
  /** Schema of one item in answers. */
  readonly response: TSchema;
  /** The API object of a stored record (write-only secrets left out). */
  readonly present: (record: ResourceRecord) => Record<string, unknown>;
  /**
   * Instead of `present`, when answers need what the account says (an identity provider's
   * scim_base_url needs the organization's auth domain): read once per request, then present.
   */
  readonly presenter?: (ctx: ApiContext, accountId: string) => Promise<(record: ResourceRecord) => Record<string, unknown>>;
}

/** What a create or update stores. */
export interface Draft {
  /** The stored document; its `name` is also the record's name. */
  readonly body: Record<string, unknown> & { readonly name: string };
  /** Hash of a newly generated secret, replacing the stored one. */
  readonly secretHash?: string;
  /**
   * Fields shown in this one answer and never stored as shown (a new secret); an object here
   * adds its fields to the object of the same name in the answer (`{scim_config: {secret}}`).
   */
  readonly once?: Record<string, unknown>;
}

export interface WriteContext {
  readonly tx: StoreWriter;
  readonly accountId: string;
  /** The time of this write, RFC 3339 (a new record's created_at). */
  readonly now: string;
}

/** How a write is documented and validated: B is its body schema, O whether the body may be left out. */
interface Documented<B extends TSchema | undefined, O extends boolean | undefined> {
  readonly summary?: string;
  readonly description?: string;
  /** Validated by Ajv before the handler runs; `build` gets it typed. */
  readonly body?: B;
  /** Documented only: `build` validates the body itself. */
  readonly documentedBody?: TSchema;
  readonly bodyRequired?: O;
  /** Schema of the answer when it is not the plain item (one with a new secret). */
  readonly result?: TSchema;
}

export interface CreateOp<B extends TSchema | undefined = TSchema | undefined, O extends boolean | undefined = undefined> extends Documented<B, O> {
  readonly status: 200 | 201;
  readonly build: (input: BodyOf<B, O>, w: WriteContext) => Draft | Promise<Draft>;
}

/** An update of one existing item: PUT on the item, or a POST action below it (rotate, refresh). */
export interface ChangeOp<B extends TSchema | undefined = TSchema | undefined, O extends boolean | undefined = undefined> extends Documented<B, O> {
  readonly build: (input: BodyOf<B, O>, existing: ResourceRecord, w: WriteContext) => Draft | Promise<Draft>;
}

export interface ListOp {
  /** Paged with page/per_page, or always one page holding everything (Cloudflare's SinglePage lists). */
  readonly paging: PageLimits | 'single';
  /** Accept Cloudflare's `name` (exact) and `search` (substring) filters. */
  readonly nameFilters?: boolean;
  /** Further filters: their query parameters, and the store filter a validated query asks for. */
  readonly filters?: { readonly query: Properties; readonly toFilter: (query: Readonly<Record<string, unknown>>) => ResourceFilter };
}

export interface DeleteOp {
  readonly status: 200 | 202;
  /** Answer with `{id}` or with the deleted item. */
  readonly answer: 'id' | 'item';
  /** A body Cloudflare declares for the delete; accepted when sent, never required. */
  readonly acceptedBody?: TSchema;
  readonly description?: string;
  /** What goes with the item, deleted in the same transaction (an identity provider's SCIM users and groups). */
  readonly cascade?: (tx: StoreWriter, accountId: string, record: ResourceRecord) => Promise<void>;
}

export interface CrudOps<CB extends TSchema | undefined, UB extends TSchema | undefined> {
  readonly list: ListOp;
  readonly create: CreateOp<CB>;
  readonly update: ChangeOp<UB>;
  readonly delete: DeleteOp;
}

const itemPath = (r: JsonResource): string => `${r.path}/{${r.idParam}}`;
const idParams = (r: JsonResource) => ({ [r.idParam]: str({ description: `The id of ${r.one}.` }) });
const capitalized = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);
/** A filter of the query, which only some lists declare. */
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function bodyOptions<B extends TSchema | undefined, O extends boolean | undefined>(op: Documented<B, O>) {
  return compact({ body: op.body, documentedBody: op.documentedBody, bodyRequired: op.bodyRequired, description: op.description });
}

/** How this request presents records of `r`. */
const presenterOf = (r: JsonResource, ctx: ApiContext, accountId: string): Promise<(record: ResourceRecord) => Record<string, unknown>> =>
  r.presenter !== undefined ? r.presenter(ctx, accountId) : Promise.resolve(r.present);

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The answer `presented` with the one-time fields added (an object's fields into the object of that name). */
function withOnce(presented: Record<string, unknown>, once: Record<string, unknown> | undefined): Record<string, unknown> {
  if (once === undefined) return presented;
  const answer = { ...presented };
  for (const [name, value] of Object.entries(once)) answer[name] = isPlainObject(value) && isPlainObject(answer[name]) ? { ...answer[name], ...value } : value;
  return answer;
}

/** Run `write` in the account's transaction and answer with the item it wrote (and any one-time fields). */
async function answerWrite(r: JsonResource, input: Pick<HandlerInput, 'accountId' | 'ctx'>, write: (w: WriteContext) => Promise<{ record: ResourceRecord; once?: Record<string, unknown> }>): Promise<HandlerOutput> {
  const { accountId, ctx } = input;
  const { record, once } = await ctx.store.transaction(accountId, (tx) => write({ tx, accountId, now: new Date().toISOString() }));
  return { result: withOnce((await presenterOf(r, ctx, accountId))(record), once) };
}

function listRoute(r: JsonResource, op: ListOp): RouteDef {
  const filters: Properties = {
    ...(op.nameFilters === true ? { name: str({ description: `Only ${r.many} with exactly this name.` }), search: str({ description: `${capitalized(r.many)} whose name contains this text.` }) } : {}),
    ...op.filters?.query,
  };
  const limits = op.paging;
  return defineRoute({
    method: 'GET',
    path: r.path,
    operationId: `${r.operationPrefix}-list`,
    summary: `List ${r.many}`,
    tag: r.tag,
    permissions: [...r.read, ...r.write],
    ...(limits === 'single' ? {} : { query: { ...pageQueryProperties(limits), ...filters } }),
    status: 200,
    paged: true,
    result: arr(r.response),
    handler: async ({ accountId, query, ctx }) => {
      const present = await presenterOf(r, ctx, accountId);
      if (limits === 'single') {
        const all = await ctx.store.read.allResources(accountId, r.kind);
        return { result: all.map(present), resultInfo: singlePageInfo(all.length) };
      }
      const p = paging(query, limits);
      const filter = { ...compact({ name: text(query.name), search: text(query.search) }), ...op.filters?.toFilter(query) };
      const page = await ctx.store.read.listResources(accountId, r.kind, p, filter);
      return { result: page.items.map(present), resultInfo: resultInfo(p, page.items.length, page.total) };
    },
  });
}

function getRoute(r: JsonResource): RouteDef {
  return defineRoute({
    method: 'GET',
    path: itemPath(r),
    operationId: `${r.operationPrefix}-get`,
    summary: `Get ${r.one}`,
    tag: r.tag,
    permissions: [...r.read, ...r.write],
    params: idParams(r),
    status: 200,
    result: r.response,
    handler: async ({ accountId, params, ctx }) => ({ result: (await presenterOf(r, ctx, accountId))(await getOr404(ctx.store.read, accountId, r.kind, params[r.idParam])) }),
  });
}

function createRoute<B extends TSchema | undefined>(r: JsonResource, op: CreateOp<B>): RouteDef {
  return defineRoute({
    method: 'POST',
    path: r.path,
    operationId: `${r.operationPrefix}-create`,
    summary: op.summary ?? `Create ${r.one}`,
    tag: r.tag,
    permissions: [...r.write],
    ...bodyOptions(op),
    status: op.status,
    result: op.result ?? r.response,
    handler: (input) =>
      answerWrite(r, input, async (w) => {
        const draft = await op.build(input.body, w);
        const record = await w.tx.insertResource(
          { accountId: w.accountId, kind: r.kind, id: newId(), parentId: null, name: draft.body.name, body: draft.body, secretHash: draft.secretHash ?? null, createdAt: w.now },
          [],
        );
        return { record, once: draft.once };
      }),
  });
}

/**
 * A change to one existing item: PUT on the item (`action` undefined), or POST to an action
 * below it, e.g. `rotate` → POST .../{id}/rotate with operationId <prefix>-rotate
 * (`refresh_scim_secret` → <prefix>-refresh-scim-secret).
 */
export function changeRoute<B extends TSchema | undefined = undefined, const O extends boolean | undefined = undefined>(r: JsonResource, op: ChangeOp<B, O> & { readonly action?: string }): RouteDef {
  const method: HttpMethod = op.action === undefined ? 'PUT' : 'POST';
  return defineRoute({
    method,
    path: op.action === undefined ? itemPath(r) : `${itemPath(r)}/${op.action}`,
    operationId: `${r.operationPrefix}-${op.action?.replaceAll('_', '-') ?? 'update'}`,
    summary: op.summary ?? `Update ${r.one}`,
    tag: r.tag,
    permissions: [...r.write],
    params: idParams(r),
    ...bodyOptions(op),
    status: 200,
    result: op.result ?? r.response,
    handler: (input) =>
      answerWrite(r, input, async (w) => {
        const id = input.params[r.idParam];
        const existing = await getOr404(w.tx, w.accountId, r.kind, id);
        const draft = await op.build(input.body, existing, w);
        const update = { name: draft.body.name, body: draft.body, ...(draft.secretHash !== undefined ? { secretHash: draft.secretHash } : {}) };
        const record = await w.tx.updateResource(w.accountId, r.kind, id, update, []);
        return { record: record!, once: draft.once };
      }),
  });
}

function deleteRoute(r: JsonResource, op: DeleteOp): RouteDef {
  return defineRoute({
    method: 'DELETE',
    path: itemPath(r),
    operationId: `${r.operationPrefix}-delete`,
    summary: `Delete ${r.one}`,
    description: op.description ?? `Refused (409) while a rule of a policy or group names it.`,
    tag: r.tag,
    permissions: [...r.write],
    params: idParams(r),
    body: op.acceptedBody,
    bodyRequired: op.acceptedBody !== undefined ? false : undefined,
    status: op.status,
    result: op.answer === 'id' ? obj({ id: str() }, { required: ['id'] }) : r.response,
    handler: async ({ accountId, params, ctx }) => {
      const record = await ctx.store.transaction(accountId, async (tx) => {
        const deleted = await deleteUnused(tx, accountId, r.kind, params[r.idParam]);
        await op.cascade?.(tx, accountId, deleted);
        return deleted;
      });
      return { result: op.answer === 'id' ? { id: record.id } : (await presenterOf(r, ctx, accountId))(record) };
    },
  });
}

/** The five routes of a JSON resource, in the order the OpenAPI document lists them. */
export function crudRoutes<CB extends TSchema | undefined = undefined, UB extends TSchema | undefined = undefined>(r: JsonResource, ops: CrudOps<CB, UB>): RouteDef[] {
  return [listRoute(r, ops.list), createRoute(r, ops.create), getRoute(r), changeRoute(r, ops.update), deleteRoute(r, ops.delete)];
}

/** The API object of a record whose body holds its fields as the API names them. */
export const presentBody = (record: ResourceRecord): Record<string, unknown> => ({ id: record.id, ...record.body });
