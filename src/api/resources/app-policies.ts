// Application-scoped policies: /accounts/{account_id}/access/apps/{app_id}/policies, the
// legacy per-application policies, and make_reusable, which turns one into a reusable policy
// that the application keeps using at the same precedence.

import type { ResourceRecord, StoreWriter } from '../../store/store.js';
import { apiError, lintMessages, validationError } from '../errors.js';
import { paging, pageQueryProperties, resultInfo } from '../pagination.js';
import { defineRoute, type RouteDef } from '../route.js';
import { arr, obj, str } from '../../schema/json-schema.js';
import { APP_POLICY_REQUEST, APP_POLICY_RESPONSE, POLICY_RESPONSE } from '../../schema/policies.js';
import { appLinks, attachedPolicies, attachedResult, nextPrecedence, precedenceIssue } from './app-attachments.js';
import { APP_ID_PARAM, APPS_READ, APPS_WRITE, appRefs } from './apps.js';
import { getOr404, newId } from './common.js';
import { policyResult } from './policies.js';
import { checkPolicyInput } from './policy-input.js';

const PATH = '/accounts/{account_id}/access/apps/{app_id}/policies';
const ITEM = `${PATH}/{policy_id}`;
const PARAMS = { ...APP_ID_PARAM, policy_id: str({ description: 'The policy id.' }) };

/**
 * The application-scoped policy `policyId` of `app`. A reusable policy the application links is
 * answered by GET on the same URL but changed only at /access/policies: say so, not "not found".
 */
async function scopedOr404(tx: StoreWriter, accountId: string, app: ResourceRecord, policyId: string): Promise<ResourceRecord> {
  const record = await tx.getResource(accountId, 'app_policy', policyId);
  if (record !== undefined && record.parentId === app.id) return record;
  if (appLinks(app).some((link) => link.id === policyId)) {
    throw apiError('reusable_policy', {
      id: JSON.stringify(policyId),
      appId: JSON.stringify(app.id),
      policyPath: `/accounts/${accountId}/access/policies/${policyId}`,
      appPath: `/accounts/${accountId}/access/apps/${app.id}`,
    });
  }
  throw apiError('not_found', { what: 'Application-scoped policy', id: `${JSON.stringify(policyId)} of application ${JSON.stringify(app.id)}` });
}

/** Validate an application-scoped policy body and its precedence against the application's others. */
async function checkedScoped(tx: StoreWriter, accountId: string, app: ResourceRecord, body: unknown, id: string) {
  const checked = await checkPolicyInput(tx, accountId, body, { id, extraFields: ['precedence'] });
  if (!checked.ok) throw validationError(checked.issues);
  const requested = (body as { precedence?: unknown }).precedence;
  const badPrecedence = precedenceIssue(requested, '/precedence');
  if (badPrecedence !== undefined) throw validationError([badPrecedence]);
  const others = (await attachedPolicies(tx, accountId, app)).filter((a) => a.record.id !== id);
  const precedence = typeof requested === 'number' ? requested : (await tx.getResource(accountId, 'app_policy', id))?.body.precedence ?? (await nextPrecedence(tx, accountId, app));
  const clash = others.find((a) => a.precedence === precedence);
  if (clash !== undefined) {
    throw validationError([
      { code: 'duplicate_entry', pointer: '/precedence', message: `Precedence ${String(precedence)} is taken by policy ${JSON.stringify(clash.record.name)} (${clash.record.id}) in this application.` },
    ]);
  }
  return { ...checked.value, body: { ...checked.value.body, precedence: Number(precedence) } };
}

export const appPolicyRoutes: RouteDef[] = [
  defineRoute({
    method: 'GET',
    path: PATH,
    operationId: 'access-app-policies-list',
    summary: "List an application's policies",
    description: 'Reusable and application-scoped policies, by precedence.',
    tag: 'Access application policies',
    permissions: [...APPS_READ],
    params: APP_ID_PARAM,
    query: pageQueryProperties(),
    status: 200,
    paged: true,
    result: arr(APP_POLICY_RESPONSE),
    handler: async ({ accountId, params, query, ctx }) => {
      const app = await getOr404(ctx.store.read, accountId, 'app', params.app_id);
      const all = await attachedPolicies(ctx.store.read, accountId, app);
      const p = paging(query);
      const items = all.slice(p.offset, p.offset + p.limit).map(attachedResult);
      return { result: items, resultInfo: resultInfo(p, items.length, all.length) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: PATH,
    operationId: 'access-app-policies-create',
    summary: 'Create an application-scoped policy',
    tag: 'Access application policies',
    permissions: [...APPS_WRITE],
    params: APP_ID_PARAM,
    documentedBody: APP_POLICY_REQUEST,
    status: 201,
    result: APP_POLICY_RESPONSE,
    handler: async ({ accountId, params, body, ctx }) => {
      const id = newId();
      const out = await ctx.store.transaction(accountId, async (tx) => {
        const app = await getOr404(tx, accountId, 'app', params.app_id);
        const checked = await checkedScoped(tx, accountId, app, body, id);
        const record = await tx.insertResource(
          { accountId, kind: 'app_policy', id, parentId: app.id, name: checked.policy.name, body: checked.body, secretHash: null, createdAt: new Date().toISOString() },
          checked.refs,
        );
        return { record, warnings: checked.warnings };
      });
      return { result: attachedResult({ record: out.record, precedence: Number(out.record.body.precedence), reusable: false }), messages: lintMessages(out.warnings) };
    },
  }),
  defineRoute({
    method: 'GET',
    path: ITEM,
    operationId: 'access-app-policies-get',
    summary: 'Get a policy of an application',
    tag: 'Access application policies',
    permissions: [...APPS_READ],
    params: PARAMS,
    status: 200,
    result: APP_POLICY_RESPONSE,
    handler: async ({ accountId, params, ctx }) => {
      const app = await getOr404(ctx.store.read, accountId, 'app', params.app_id);
      const found = (await attachedPolicies(ctx.store.read, accountId, app)).find((a) => a.record.id === params.policy_id);
      if (found === undefined) throw apiError('not_found', { what: 'Policy', id: `${JSON.stringify(params.policy_id)} of application ${JSON.stringify(app.id)}` });
      return { result: attachedResult(found) };
    },
  }),
  defineRoute({
    method: 'PUT',
    path: ITEM,
    operationId: 'access-app-policies-update',
    summary: 'Replace an application-scoped policy',
    description: 'Reusable policies are changed at /access/policies/{policy_id}.',
    tag: 'Access application policies',
    permissions: [...APPS_WRITE],
    params: PARAMS,
    documentedBody: APP_POLICY_REQUEST,
    status: 200,
    result: APP_POLICY_RESPONSE,
    handler: async ({ accountId, params, body, ctx }) => {
      const out = await ctx.store.transaction(accountId, async (tx) => {
        const app = await getOr404(tx, accountId, 'app', params.app_id);
        await scopedOr404(tx, accountId, app, params.policy_id);
        const checked = await checkedScoped(tx, accountId, app, body, params.policy_id);
        const record = await tx.updateResource(accountId, 'app_policy', params.policy_id, { name: checked.policy.name, body: checked.body }, checked.refs);
        return { record: record!, warnings: checked.warnings };
      });
      return { result: attachedResult({ record: out.record, precedence: Number(out.record.body.precedence), reusable: false }), messages: lintMessages(out.warnings) };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: ITEM,
    operationId: 'access-app-policies-delete',
    summary: 'Delete an application-scoped policy',
    tag: 'Access application policies',
    permissions: [...APPS_WRITE],
    params: PARAMS,
    status: 202,
    result: obj({ id: str() }, { required: ['id'] }),
    handler: async ({ accountId, params, ctx }) => {
      await ctx.store.transaction(accountId, async (tx) => {
        const app = await getOr404(tx, accountId, 'app', params.app_id);
        await scopedOr404(tx, accountId, app, params.policy_id);
        await tx.deleteResource(accountId, 'app_policy', params.policy_id);
      });
      return { result: { id: params.policy_id } };
    },
  }),
  defineRoute({
    method: 'PUT',
    path: `${ITEM}/make_reusable`,
    operationId: 'access-app-policies-make-reusable',
    summary: 'Turn an application-scoped policy into a reusable policy',
    description: 'The policy keeps its id; the application keeps using it at the same precedence. Change it afterwards at /access/policies/{policy_id}.',
    tag: 'Access application policies',
    permissions: [...APPS_WRITE],
    params: PARAMS,
    status: 200,
    paged: true,
    result: arr(POLICY_RESPONSE),
    handler: async ({ accountId, params, ctx }) => {
      const record = await ctx.store.transaction(accountId, async (tx) => {
        const app = await getOr404(tx, accountId, 'app', params.app_id);
        const scoped = await scopedOr404(tx, accountId, app, params.policy_id);
        const { precedence, ...body } = scoped.body;
        const checked = await checkPolicyInput(tx, accountId, body, { id: scoped.id });
        if (!checked.ok) throw validationError(checked.issues);
        await tx.deleteResource(accountId, 'app_policy', scoped.id);
        const reusable = await tx.insertResource(
          { accountId, kind: 'policy', id: scoped.id, parentId: null, name: scoped.name, body: checked.value.body, secretHash: null, createdAt: scoped.createdAt },
          checked.value.refs,
        );
        const links = [...appLinks(app), { id: scoped.id, precedence: Number(precedence) }].sort((a, b) => a.precedence - b.precedence);
        await tx.updateResource(accountId, 'app', app.id, { name: app.name, body: { ...app.body, policies: links } }, appRefs(app.body, links));
        return reusable;
      });
      const result = [policyResult(record, 1)];
      return { result, resultInfo: { page: 1, per_page: 1, count: 1, total_count: 1, total_pages: 1 } };
    },
  }),
];
