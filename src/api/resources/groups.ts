// Access groups: /accounts/{account_id}/access/groups. Named rule sets that policies (and other
// groups) use through `group` rules. A write that would close a reference cycle, or bring an
// identity selector into a bypass policy through the group, is refused.

import { endpointCountIssue } from './external-endpoints.js';
import { checkReferences, findIdentitySelector, GroupGraph, lintGroup, MAX_GROUP_DEPTH, parseGroup, type Group, type Issue } from '../../engine/index.js';
import type { Referrer, ResourceRecord, StoreWriter } from '../../store/store.js';
import { lintMessages, validationError, type RequestIssue } from '../errors.js';
import { paging, pageQueryProperties, resultInfo } from '../pagination.js';
import { defineRoute, type RouteDef } from '../route.js';
import { arr, obj, str } from '../../schema/json-schema.js';
import { GROUP_REQUEST, GROUP_RESPONSE } from '../../schema/policies.js';
import { compact, deleteUnused, getOr404, newId, sameNameNotes, timestamps } from './common.js';
import { ruleSetBody } from './policy-input.js';
import { loadAccountReferences, ruleSetReferences } from '../../account/rule-references.js';

const PATH = '/accounts/{account_id}/access/groups';
const ITEM = `${PATH}/{group_id}`;
const READ = ['Access: Organizations, Identity Providers, and Groups Read'] as const;
const WRITE = ['Access: Organizations, Identity Providers, and Groups Write'] as const;
const ID_PARAM = { group_id: str({ description: 'The Access group id.' }) };

export function groupResult(record: ResourceRecord): Record<string, unknown> {
  return { id: record.id, ...record.body, ...timestamps(record) };
}

function groupBody(group: Group): Record<string, unknown> {
  return compact({ name: group.name, ...ruleSetBody(group), is_default: group.isDefault });
}

/** Bypass policies (reusable or app-scoped) that use `groupId`, directly or through other groups. */
async function bypassPoliciesUsing(tx: StoreWriter, accountId: string, groupId: string): Promise<Referrer[]> {
  const seen = new Set([groupId]);
  const policies: Referrer[] = [];
  let frontier = [groupId];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const r of await tx.referrers(accountId, 'group', id)) {
        if (r.kind === 'group' && !seen.has(r.id)) {
          seen.add(r.id);
          next.push(r.id);
        } else if (r.kind === 'policy' || r.kind === 'app_policy') policies.push(r);
      }
    }
    frontier = next;
  }
  const bypass: Referrer[] = [];
  for (const p of policies) if ((await tx.getResource(accountId, p.kind, p.id))?.body.decision === 'bypass') bypass.push(p);
  return bypass;
}

/**
 * How many levels of groups sit above `groupId` (groups that reference it, groups that reference
 * those, ...), along the longest path; counting stops past MAX_GROUP_DEPTH.
 */
async function levelsAbove(tx: StoreWriter, accountId: string, groupId: string): Promise<{ levels: number; top: string | undefined }> {
  let level = new Set([groupId]);
  let levels = 0;
  let top: string | undefined;
  while (levels <= MAX_GROUP_DEPTH) {
    const next = new Set<string>();
    for (const id of level) for (const r of await tx.referrers(accountId, 'group', id)) if (r.kind === 'group' && r.id !== groupId) next.add(r.id);
    if (next.size === 0) break;
    levels++;
    top = next.values().next().value;
    level = next;
  }
  return { levels, top };
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Validate a group body against the account; returns what to store and the lint findings. */
async function checkedGroup(tx: StoreWriter, accountId: string, body: unknown, id: string, existing: boolean) {
  const parsed = parseGroup(body, { id });
  if (!parsed.ok) throw validationError(parsed.issues);
  const group = parsed.value;
  const account = await loadAccountReferences(tx, accountId, [group]);
  const issues: (Issue | RequestIssue)[] = checkReferences(group, account.catalog, { groupId: id });
  const endpoints = isRecord(body) ? endpointCountIssue(body, '') : undefined;
  if (endpoints !== undefined) issues.push(endpoints);
  if (issues.length === 0 && existing) {
    // Groups that reference this one nest it deeper: the whole chain must stay within the limit.
    const above = await levelsAbove(tx, accountId, id);
    const below = new GroupGraph((gid) => (gid === id ? group : account.groups.get(gid))).depth(id);
    if (above.levels + below > MAX_GROUP_DEPTH) {
      const topName = above.top === undefined ? undefined : (await tx.getResource(accountId, 'group', above.top))?.name;
      issues.push({
        code: 'group_too_deep',
        pointer: '',
        message: `This change would nest Access groups ${above.levels + below} deep, more than the ${MAX_GROUP_DEPTH} allowed: ${above.levels} level${above.levels === 1 ? '' : 's'} of groups reference this one (from ${JSON.stringify(topName ?? above.top)}) and it now nests ${below} deep itself.`,
      });
    }
  }
  if (issues.length === 0 && existing) {
    const lookup = (gid: string) => (gid === id ? group : account.groups.get(gid));
    const found = findIdentitySelector(id, lookup);
    if (found !== undefined) {
      const bypass = await bypassPoliciesUsing(tx, accountId, id);
      if (bypass.length > 0) {
        issues.push({
          code: 'selector_not_allowed_in_bypass',
          pointer: '',
          message: `This change brings the identity selector "${found.selector}" into the bypass polic${bypass.length === 1 ? 'y' : 'ies'} ${bypass
            .map((p) => JSON.stringify(p.name))
            .join(', ')}, which skip login, so there is no identity to test. Remove the group from those policies first, or keep identity selectors out of it.`,
        });
      }
    }
  }
  if (issues.length > 0) throw validationError(issues);
  return { group, body: groupBody(group), refs: ruleSetReferences([group]), warnings: lintGroup(group, account.lint) };
}

export const groupRoutes: RouteDef[] = [
  defineRoute({
    method: 'GET',
    path: PATH,
    operationId: 'access-groups-list',
    summary: 'List Access groups',
    tag: 'Access groups',
    permissions: [...READ, ...WRITE],
    query: { ...pageQueryProperties(), name: str({ description: 'Only the group with exactly this name.' }), search: str({ description: 'Groups whose name contains this text.' }) },
    status: 200,
    paged: true,
    result: arr(GROUP_RESPONSE),
    handler: async ({ accountId, query, ctx }) => {
      const p = paging(query);
      const page = await ctx.store.read.listResources(accountId, 'group', p, compact({ name: query.name, search: query.search }));
      return { result: page.items.map(groupResult), resultInfo: resultInfo(p, page.items.length, page.total) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: PATH,
    operationId: 'access-groups-create',
    summary: 'Create an Access group',
    tag: 'Access groups',
    permissions: [...WRITE],
    documentedBody: GROUP_REQUEST,
    status: 201,
    result: GROUP_RESPONSE,
    handler: async ({ accountId, body, ctx }) => {
      const id = newId();
      const { record, warnings, sameName } = await ctx.store.transaction(accountId, async (tx) => {
        const checked = await checkedGroup(tx, accountId, body, id, false);
        const record = await tx.insertResource(
          { accountId, kind: 'group', id, parentId: null, name: checked.group.name, body: checked.body, secretHash: null, createdAt: new Date().toISOString() },
          checked.refs,
        );
        return { record, warnings: checked.warnings, sameName: await sameNameNotes(tx, accountId, 'group', record.name, id) };
      });
      return { result: groupResult(record), messages: [...lintMessages(warnings), ...sameName] };
    },
  }),
  defineRoute({
    method: 'GET',
    path: ITEM,
    operationId: 'access-groups-get',
    summary: 'Get an Access group',
    tag: 'Access groups',
    permissions: [...READ, ...WRITE],
    params: ID_PARAM,
    status: 200,
    result: GROUP_RESPONSE,
    handler: async ({ accountId, params, ctx }) => ({ result: groupResult(await getOr404(ctx.store.read, accountId, 'group', params.group_id)) }),
  }),
  defineRoute({
    method: 'PUT',
    path: ITEM,
    operationId: 'access-groups-update',
    summary: 'Replace an Access group',
    description: 'Refused when it would make groups reference each other in a cycle, or bring an identity selector into a bypass policy.',
    tag: 'Access groups',
    permissions: [...WRITE],
    params: ID_PARAM,
    documentedBody: GROUP_REQUEST,
    status: 200,
    result: GROUP_RESPONSE,
    handler: async ({ accountId, params, body, ctx }) => {
      const id = params.group_id;
      const { record, warnings, sameName } = await ctx.store.transaction(accountId, async (tx) => {
        await getOr404(tx, accountId, 'group', id);
        const checked = await checkedGroup(tx, accountId, body, id, true);
        const record = await tx.updateResource(accountId, 'group', id, { name: checked.group.name, body: checked.body }, checked.refs);
        return { record: record!, warnings: checked.warnings, sameName: await sameNameNotes(tx, accountId, 'group', record!.name, id) };
      });
      return { result: groupResult(record), messages: [...lintMessages(warnings), ...sameName] };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: ITEM,
    operationId: 'access-groups-delete',
    summary: 'Delete an Access group',
    description: 'Refused (409) while a policy or another group uses it.',
    tag: 'Access groups',
    permissions: [...WRITE],
    params: ID_PARAM,
    status: 202,
    result: obj({ id: str() }, { required: ['id'] }),
    handler: async ({ accountId, params, ctx }) => {
      await ctx.store.transaction(accountId, (tx) => deleteUnused(tx, accountId, 'group', params.group_id));
      return { result: { id: params.group_id } };
    },
  }),
];
