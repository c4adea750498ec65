// API tokens: /user/tokens (+ /verify, /permission_groups, /{id}/value). A token's policies
// grant permission groups on resources (com.cloudflare.api.account.<id> or .*, and
// com.cloudflare.api.user.<id> for token management). The secret is shown once, on create
// and on roll; only its SHA-256 hash is stored.

import { randomBytes } from 'node:crypto';
import { TOKENS_SCOPE, type TokenRecord } from '../../store/store.js';
import { hashSecret, newTokenSecret } from '../auth/authenticate.js';
import { findPermissionGroup, PERMISSION_GROUPS, USER_ID } from '../auth/permissions.js';
import { apiError, validationError, type RequestIssue } from '../errors.js';
import { paging, pageQueryProperties, resultInfo } from '../pagination.js';
import { defineRoute, type RouteDef } from '../route.js';
import { anyObject, anyOf, arr, enumOf, mapOf, obj, str, type Static } from '../../schema/json-schema.js';
import { compact } from './common.js';

const PATH = '/user/tokens';
const ITEM = `${PATH}/{token_id}`;
const READ = ['API Tokens Read', 'API Tokens Write'] as const;
const WRITE = ['API Tokens Write'] as const;
const ID_PARAM = { token_id: str({ description: 'The API token id.' }) };
const RESOURCE_KEY = /^com\.cloudflare\.api\.(account\.([0-9a-f]{32}|\*)|user\.([A-Za-z0-9_-]+|\*))$/;

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

/** Resolve permission groups (by id or exact name) and check resource names. */
function normalizePolicies(policies: readonly TokenPolicyInput[]): unknown[] {
  const issues: RequestIssue[] = [];
  const normalized = policies.map((policy, i) => {
    const groups = policy.permission_groups.map((g, j) => {
      const group = findPermissionGroup(g.id);
      if (group === undefined) {
        issues.push({ code: 'unknown_permission_group', pointer: `/policies/${i}/permission_groups/${j}/id`, message: `No permission group has the id or name ${JSON.stringify(g.id)}; GET /user/tokens/permission_groups lists them.` });
        return { id: g.id };
      }
      return { id: group.id, name: group.name };
    });
    for (const key of Object.keys(policy.resources)) {
      if (!RESOURCE_KEY.test(key)) {
        issues.push({
          code: 'invalid_format',
          pointer: `/policies/${i}/resources/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`,
          message: `${JSON.stringify(key)} is not a resource name; use com.cloudflare.api.account.<account id> (or .*), or com.cloudflare.api.user.${USER_ID}.`,
        });
      }
    }
    return { id: policy.id ?? randomBytes(16).toString('hex'), effect: policy.effect, permission_groups: groups, resources: policy.resources };
  });
  if (issues.length > 0) throw validationError(issues);
  return normalized;
}

function checkValidity(body: { expires_on?: string; not_before?: string }): void {
  if (body.expires_on !== undefined && body.not_before !== undefined && Date.parse(body.expires_on) <= Date.parse(body.not_before)) {
    throw validationError([{ code: 'invalid_format', pointer: '/expires_on', message: 'expires_on must come after not_before.' }]);
  }
}

export function tokenResult(token: TokenRecord): Record<string, unknown> {
  return compact({
    id: token.id,
    name: token.name,
    status: token.status !== 'active' || token.expiresOn === null || Date.parse(token.expiresOn) > Date.now() ? token.status : 'expired',
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
      checkValidity(input);
      const secret = newTokenSecret();
      const now = new Date().toISOString();
      const token: TokenRecord = {
        id: randomBytes(16).toString('hex'),
        name: input.name,
        secretHash: hashSecret(secret),
        policies: normalizePolicies(input.policies),
        condition: input.condition ?? null,
        status: 'active',
        issuedOn: now,
        modifiedOn: now,
        expiresOn: input.expires_on ?? null,
        notBefore: input.not_before ?? null,
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
      checkValidity(input);
      const policies = normalizePolicies(input.policies);
      const updated = await ctx.store.transaction(TOKENS_SCOPE, async (tx) => {
        await tokenOr404(tx, params.token_id);
        return tx.updateToken(params.token_id, {
          name: input.name,
          policies,
          condition: input.condition ?? null,
          expiresOn: input.expires_on ?? null,
          notBefore: input.not_before ?? null,
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
