// Reusable Access policies: /accounts/{account_id}/access/policies (the seed of portcullis).
// Validated by the engine (every issue with its code and pointer), references checked against
// the account, lint warnings returned in `messages`, app_count from the applications using it.

import type { ResourceRecord, StoreReader } from '../../store/store.js';
import { lintMessages, validationError } from '../errors.js';
import { paging, pageQueryProperties, resultInfo } from '../pagination.js';
import { defineRoute, type RouteDef } from '../route.js';
import { arr, obj, str } from '../../schema/json-schema.js';
import { POLICY_REQUEST, POLICY_RESPONSE } from '../../schema/policies.js';
import { compact, deleteUnused, getOr404, newId, sameNameNotes, timestamps } from './common.js';
import { checkPolicyInput, type CheckedPolicy } from './policy-input.js';

const PATH = '/accounts/{account_id}/access/policies';
const ITEM = `${PATH}/{policy_id}`;
const READ = ['Access: Apps and Policies Read'] as const;
const WRITE = ['Access: Apps and Policies Write'] as const;
const LIMITS = { defaultPerPage: 100, maxPerPage: 1000 };
const ID_PARAM = { policy_id: str({ description: 'The policy id.' }) };

/** What Cloudflare returns for settings a policy leaves out. */
export const POLICY_DEFAULTS = {
  approval_required: false,
  purpose_justification_required: false,
  isolation_required: false,
  session_duration: '24h',
} as const;

export function policyResult(record: ResourceRecord, appCount: number): Record<string, unknown> {
  return { id: record.id, ...POLICY_DEFAULTS, ...record.body, ...timestamps(record), app_count: appCount, reusable: true };
}

async function appCounts(store: StoreReader, accountId: string, ids: readonly string[]): Promise<Map<string, number>> {
  return store.referrerCounts(accountId, 'policy', ids, 'app');
}

async function checked(store: StoreReader, accountId: string, body: unknown, id: string): Promise<CheckedPolicy> {
  const result = await checkPolicyInput(store, accountId, body, { id });
  if (!result.ok) throw validationError(result.issues);
  return result.value;
}

export const policyRoutes: RouteDef[] = [
  defineRoute({
    method: 'GET',
    path: PATH,
    operationId: 'access-policies-list',
    summary: 'List reusable policies',
    tag: 'Access policies',
    permissions: [...READ, ...WRITE],
    query: {
      ...pageQueryProperties(LIMITS),
      name: str({ description: 'Extension: only the policy with exactly this name.' }),
      search: str({ description: 'Extension: policies whose name contains this text.' }),
    },
    status: 200,
    paged: true,
    keep: 'account',
    result: arr(POLICY_RESPONSE),
    handler: async ({ accountId, query, ctx }) => {
      const p = paging(query, LIMITS);
      const page = await ctx.store.read.listResources(accountId, 'policy', p, compact({ name: query.name, search: query.search }));
      const counts = await appCounts(ctx.store.read, accountId, page.items.map((r) => r.id));
      return { result: page.items.map((r) => policyResult(r, counts.get(r.id) ?? 0)), resultInfo: resultInfo(p, page.items.length, page.total) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: PATH,
    operationId: 'access-policies-create',
    summary: 'Create a reusable policy',
    description: 'The engine validates the policy and every reference it makes; lint warnings come back in `messages`.',
    tag: 'Access policies',
    permissions: [...WRITE],
    documentedBody: POLICY_REQUEST,
    status: 201,
    result: POLICY_RESPONSE,
    handler: async ({ accountId, body, ctx }) => {
      const id = newId();
      const { record, warnings, sameName } = await ctx.store.transaction(accountId, async (tx) => {
        const policy = await checked(tx, accountId, body, id);
        const now = new Date().toISOString();
        const record = await tx.insertResource(
          { accountId, kind: 'policy', id, parentId: null, name: policy.policy.name, body: policy.body, secretHash: null, createdAt: now },
          policy.refs,
        );
        return { record, warnings: policy.warnings, sameName: await sameNameNotes(tx, accountId, 'policy', record.name, id) };
      });
      return { result: policyResult(record, 0), messages: [...lintMessages(warnings), ...sameName] };
    },
  }),
  defineRoute({
    method: 'GET',
    path: ITEM,
    operationId: 'access-policies-get',
    summary: 'Get a reusable policy',
    tag: 'Access policies',
    permissions: [...READ, ...WRITE],
    params: ID_PARAM,
    status: 200,
    keep: 'account',
    result: POLICY_RESPONSE,
    handler: async ({ accountId, params, ctx }) => {
      const record = await getOr404(ctx.store.read, accountId, 'policy', params.policy_id);
      const counts = await appCounts(ctx.store.read, accountId, [record.id]);
      return { result: policyResult(record, counts.get(record.id) ?? 0) };
    },
  }),
  defineRoute({
    method: 'PUT',
    path: ITEM,
    operationId: 'access-policies-update',
    summary: 'Replace a reusable policy',
    tag: 'Access policies',
    permissions: [...WRITE],
    params: ID_PARAM,
    documentedBody: POLICY_REQUEST,
    status: 200,
    result: POLICY_RESPONSE,
    handler: async ({ accountId, params, body, ctx }) => {
      const { record, warnings, count, sameName } = await ctx.store.transaction(accountId, async (tx) => {
        await getOr404(tx, accountId, 'policy', params.policy_id);
        const policy = await checked(tx, accountId, body, params.policy_id);
        const record = await tx.updateResource(accountId, 'policy', params.policy_id, { name: policy.policy.name, body: policy.body }, policy.refs);
        const counts = await appCounts(tx, accountId, [params.policy_id]);
        return { record: record!, warnings: policy.warnings, count: counts.get(params.policy_id) ?? 0, sameName: await sameNameNotes(tx, accountId, 'policy', record!.name, params.policy_id) };
      });
      return { result: policyResult(record, count), messages: [...lintMessages(warnings), ...sameName] };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: ITEM,
    operationId: 'access-policies-delete',
    summary: 'Delete a reusable policy',
    description: 'Refused (409) while an application uses the policy.',
    tag: 'Access policies',
    permissions: [...WRITE],
    params: ID_PARAM,
    status: 202,
    result: obj({ id: str() }, { required: ['id'] }),
    handler: async ({ accountId, params, ctx }) => {
      await ctx.store.transaction(accountId, (tx) => deleteUnused(tx, accountId, 'policy', params.policy_id));
      return { result: { id: params.policy_id } };
    },
  }),
];
