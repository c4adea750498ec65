// API tokens: /user/tokens (+ /verify, /permission_groups, /{id}/value). A token's policies
// grant permission groups on resources (com.cloudflare.api.account.<id> or .*, and
// com.cloudflare.api.user.<id> for token management). The secret is shown once, on create
// and on roll; only its SHA-256 hash is stored.

import { randomBytes } from 'node:crypto';
import { TOKENS_SCOPE, type TokenRecord } from '../../store/store.js';
import { hashSecret, newTokenSecret, tokenLifetime } from '../auth/authenticate.js';
import { conditionIssues } from '../auth/condition.js';
import { findPermissionGroup, PERMISSION_GROUPS } from '../auth/permissions.js';
import { policyIssues } from '../auth/principal.js';
import { apiError, validationError, type RequestIssue } from '../errors.js';
import { formatInstant, instantIssue, parseInstant } from '../instant.js';
import { paging, pageQueryProperties, resultInfo } from '../pagination.js';
import { defineRoute, type RouteDef } from '../route.js';
import { anyObject, anyOf, arr, enumOf, mapOf, obj, str, type Static } from '../../schema/json-schema.js';
import { compact } from './common.js';

const PATH = '/user/tokens';
const ITEM = `${PATH}/{token_id}`;
const READ = ['API Tokens Read', 'API Tokens Write'] as const;
const WRITE = ['API Tokens Write'] as const;
const ID_PARAM = { token_id: str({ description: 'The API token id.' }) };

const TOKEN_POLICY = obj(
  {
    id: str({ description: 'Assigned by the server.' }),
    effect: enumOf(['allow', 'deny']),
    permission_groups: arr(obj({ id: str({ minLength: 1 }), name: str(), meta: anyObject() }, { required: ['id'] }), { minItems: 1 }),
    resources: mapOf(anyOf([str(), anyObject()]), { minProperties: 1, description: 'Resource names (com.cloudflare.api.account.<id>, ...) to "*".' }),
  },
  { required: ['effect', 'permission_groups', 'resources'] },
);

const CONDITION = obj({ request_ip: obj({ in: arr(str()), not_in: arr(str()) }) }, { description: 'Client IP restrictions (CIDRs).' });

const TOKEN_FIELDS = {
  name: str({ minLength: 1, maxLength: 120 }),
  policies: arr(TOKEN_POLICY, { minItems: 1 }),
  condition: CONDITION,
  expires_on: str({ format: 'date-time' }),
  not_before: str({ format: 'date-time' }),
};

const CREATE_BODY = obj(TOKEN_FIELDS, { required: ['name', 'policies'] });
const UPDATE_BODY = obj({ ...TOKEN_FIELDS, status: enumOf(['active', 'disabled', 'expired']), id: str(), issued_on: str(), modified_on: str(), last_used_on: str() }, { required: ['name', 'policies'] });

const TOKEN_RESPONSE = obj(
  {
    id: str(),
    name: str(),
    status: enumOf(['active', 'disabled', 'expired']),
    issued_on: str({ format: 'date-time' }),
    modified_on: str({ format: 'date-time' }),
    last_used_on: str({ format: 'date-time' }),
    expires_on: str({ format: 'date-time' }),
    not_before: str({ format: 'date-time' }),
    policies: arr(TOKEN_POLICY),
    condition: CONDITION,
  },
  { additional: true },
);

type TokenPolicyInput = Static<typeof TOKEN_POLICY>;

/** Resolve permission groups (by id or exact name), and check everything authentication will read. */
function normalizePolicies(policies: readonly TokenPolicyInput[]): unknown[] {
  const resolved = policies.map((policy) => ({
    id: policy.id ?? randomBytes(16).toString('hex'),
    effect: policy.effect,
    permission_groups: policy.permission_groups.map((g) => {
      const group = findPermissionGroup(g.id);
      return group === undefined ? { id: g.id } : { id: group.id, name: group.name };
    }),
    resources: policy.resources,
  }));
  const issues = resolved.flatMap((policy, i) => policyIssues(policy, `/policies/${i}`));
  if (issues.length > 0) throw validationError(issues);
  return resolved;
}

interface TokenTimes {
  readonly expiresOn: string | null;
  readonly notBefore: string | null;
}

/**
 * expires_on and not_before as UTC instants, or a 400 naming the field: a time authentication
 * could not read (a leap second, say) would otherwise be stored and never compared.
 */
function tokenTimes(body: { expires_on?: string; not_before?: string }): TokenTimes {
  const issues: RequestIssue[] = [];
  const read = (field: 'expires_on' | 'not_before'): number | undefined => {
    const text = body[field];
    if (text === undefined) return undefined;
    const issue = instantIssue(text, `/${field}`);
    const ms = parseInstant(text);
    // Stored as UTC text, which must read back as the same instant (years 0000 to 9999).
    if (issue === undefined && ms !== undefined && parseInstant(formatInstant(ms)) === ms) return ms;
    issues.push(issue ?? { code: 'invalid_format', pointer: `/${field}`, message: `${JSON.stringify(text)} is outside the years 0000 to 9999 in UTC.` });
    return undefined;
  };
  const expires = read('expires_on');
  const notBefore = read('not_before');
  if (issues.length > 0) throw validationError(issues);
  if (expires !== undefined && notBefore !== undefined && expires <= notBefore) {
    throw validationError([{ code: 'invalid_format', pointer: '/expires_on', message: 'expires_on must come after not_before.' }]);
  }
  return { expiresOn: expires === undefined ? null : formatInstant(expires), notBefore: notBefore === undefined ? null : formatInstant(notBefore) };
}

/** The condition, or a 400 naming each CIDR or field authentication could not read. */
function checkedCondition(condition: Record<string, unknown> | undefined): Record<string, unknown> | null {
  if (condition === undefined) return null;
  const issues = conditionIssues(condition, '/condition');
  if (issues.length > 0) throw validationError(issues);
  return condition;
}

export function tokenResult(token: TokenRecord): Record<string, unknown> {
  return compact({
    id: token.id,
    name: token.name,
    status: token.status === 'active' && ['expired', 'unreadable'].includes(tokenLifetime(token, Date.now())) ? 'expired' : token.status,
    issued_on: token.issuedOn,
    modified_on: token.modifiedOn,
    last_used_on: token.lastUsedOn ?? undefined,
    expires_on: token.expiresOn ?? undefined,
    not_before: token.notBefore ?? undefined,
    policies: token.policies,
    condition: token.condition ?? undefined,
  });
}

async function tokenOr404(read: { getToken(id: string): Promise<TokenRecord | undefined> }, id: string): Promise<TokenRecord> {
  const token = await read.getToken(id);
  if (token === undefined) throw apiError('not_found', { what: 'API token', id: JSON.stringify(id) });
  return token;
}

export const userTokenRoutes: RouteDef[] = [
  defineRoute({
    method: 'GET',
    path: `${PATH}/permission_groups`,
    operationId: 'user-tokens-permission-groups',
    summary: 'List the permission groups a token can be given',
    tag: 'API tokens',
    permissions: [...READ],
    status: 200,
    result: arr(obj({ id: str(), name: str(), description: str(), scopes: arr(str()) })),
    handler: async () => ({
      result: PERMISSION_GROUPS.map((g) => ({ id: g.id, name: g.name, description: g.description, scopes: [g.scope === 'user' ? 'com.cloudflare.api.user' : 'com.cloudflare.api.account'] })),
    }),
  }),
  defineRoute({
    method: 'GET',
    path: `${PATH}/verify`,
    operationId: 'user-tokens-verify',
    summary: 'Verify the token making the request',
    tag: 'API tokens',
    permissions: [],
    status: 200,
    result: obj({ id: str(), status: str(), expires_on: str(), not_before: str() }),
    handler: async ({ principal, ctx }) => {
      if (principal.kind === 'root') return { result: { id: 'root', status: 'active' } };
      const token = await tokenOr404(ctx.store.read, principal.tokenId);
      return { result: compact({ id: token.id, status: 'active', expires_on: token.expiresOn ?? undefined, not_before: token.notBefore ?? undefined }) };
    },
  }),
  defineRoute({
    method: 'GET',
    path: PATH,
    operationId: 'user-tokens-list',
    summary: 'List API tokens',
    tag: 'API tokens',
    permissions: [...READ],
    query: pageQueryProperties(),
    status: 200,
    paged: true,
    result: arr(TOKEN_RESPONSE),
    handler: async ({ query, ctx }) => {
      const p = paging(query);
      const page = await ctx.store.read.listTokens(p);
      return { result: page.items.map(tokenResult), resultInfo: resultInfo(p, page.items.length, page.total) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: PATH,
    operationId: 'user-tokens-create',
    summary: 'Create an API token',
    description: 'The answer carries the secret in `value`, once; only its hash is stored.',
    tag: 'API tokens',
    permissions: [...WRITE],
    body: CREATE_BODY,
    status: 200,
    result: obj({ ...TOKEN_RESPONSE.properties, value: str({ description: 'The secret, shown only now.' }) }, { additional: true }),
    handler: async ({ body: input, ctx }) => {
      const times = tokenTimes(input);
      const policies = normalizePolicies(input.policies);
      const condition = checkedCondition(input.condition);
      const secret = newTokenSecret();
      const now = new Date().toISOString();
      const token: TokenRecord = {
        id: randomBytes(16).toString('hex'),
        name: input.name,
        secretHash: hashSecret(secret),
        policies,
        condition,
        status: 'active',
        issuedOn: now,
        modifiedOn: now,
        ...times,
        lastUsedOn: null,
      };
      await ctx.store.transaction(TOKENS_SCOPE, (tx) => tx.insertToken(token));
      return { result: { ...tokenResult(token), value: secret } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: ITEM,
    operationId: 'user-tokens-get',
    summary: 'Get an API token',
    tag: 'API tokens',
    permissions: [...READ],
    params: ID_PARAM,
    status: 200,
    result: TOKEN_RESPONSE,
    handler: async ({ params, ctx }) => ({ result: tokenResult(await tokenOr404(ctx.store.read, params.token_id)) }),
  }),
  defineRoute({
    method: 'PUT',
    path: ITEM,
    operationId: 'user-tokens-update',
    summary: 'Change an API token',
    tag: 'API tokens',
    permissions: [...WRITE],
    params: ID_PARAM,
    body: UPDATE_BODY,
    status: 200,
    result: TOKEN_RESPONSE,
    handler: async ({ params, body: input, ctx }) => {
      const times = tokenTimes(input);
      const policies = normalizePolicies(input.policies);
      const condition = checkedCondition(input.condition);
      const updated = await ctx.store.transaction(TOKENS_SCOPE, async (tx) => {
        await tokenOr404(tx, params.token_id);
        return tx.updateToken(params.token_id, {
          name: input.name,
          policies,
          condition,
          ...times,
          ...(input.status !== undefined ? { status: input.status } : {}),
        });
      });
      return { result: tokenResult(updated!) };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: ITEM,
    operationId: 'user-tokens-delete',
    summary: 'Delete an API token',
    tag: 'API tokens',
    permissions: [...WRITE],
    params: ID_PARAM,
    status: 200,
    result: obj({ id: str() }, { required: ['id'] }),
    handler: async ({ params, ctx }) => {
      await ctx.store.transaction(TOKENS_SCOPE, async (tx) => {
        await tokenOr404(tx, params.token_id);
        await tx.deleteToken(params.token_id);
      });
      return { result: { id: params.token_id } };
    },
  }),
  defineRoute({
    method: 'PUT',
    path: `${ITEM}/value`,
    operationId: 'user-tokens-roll',
    summary: "Roll an API token's secret",
    description: 'The old secret stops working at once; the answer is the new secret, shown only now.',
    tag: 'API tokens',
    permissions: [...WRITE],
    params: ID_PARAM,
    bodyRequired: false,
    documentedBody: obj({}),
    status: 200,
    result: str({ description: 'The new secret.' }),
    handler: async ({ params, ctx }) => {
      const secret = newTokenSecret();
      await ctx.store.transaction(TOKENS_SCOPE, async (tx) => {
        await tokenOr404(tx, params.token_id);
        await tx.updateToken(params.token_id, { secretHash: hashSecret(secret) });
      });
      return { result: secret };
    },
  }),
];
