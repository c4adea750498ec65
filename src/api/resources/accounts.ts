// Accounts: GET /accounts lists the ones the credentials reach, GET /accounts/{account_id} reads
// one, and POST /accounts (the root credentials only) creates one. Everything else lives inside
// an account, and a request naming an id that was never created is refused (403, 9109), as
// Cloudflare refuses an account the credentials cannot reach.

import { randomBytes } from 'node:crypto';
import type { AccountRecord } from '../../store/store.js';
import { ACCOUNT_PERMISSIONS, accountResource } from '../auth/permissions.js';
import { DEFAULT_LIMITS, pageQueryProperties, paging, resultInfo } from '../pagination.js';
import { defineRoute, type RouteDef } from '../route.js';
import { arr, bool, enumOf, obj, str } from '../../schema/json-schema.js';

const TAG = 'Accounts';

const ACCOUNT = obj(
  {
    id: str({ description: 'The account id: 32 hexadecimal characters.' }),
    name: str({ description: 'The account name.' }),
    type: enumOf(['standard'], 'Always "standard".'),
    settings: obj({ enforce_twofactor: bool('Always false: portcullis has no account members to hold to it.') }, { required: ['enforce_twofactor'] }),
    created_on: str({ format: 'date-time', description: 'When the account was created.' }),
  },
  { required: ['id', 'name', 'type', 'settings', 'created_on'], description: 'An account.' },
);

export function accountResult(account: AccountRecord): Record<string, unknown> {
  return { id: account.id, name: account.name, type: 'standard', settings: { enforce_twofactor: false }, created_on: account.createdAt };
}

export const accountRoutes: RouteDef[] = [
  defineRoute({
    method: 'GET',
    path: '/accounts',
    operationId: 'accounts-list-accounts',
    summary: 'List accounts',
    description: 'The accounts these credentials hold any permission on (every account for the root credentials), oldest first.',
    tag: TAG,
    permissions: [],
    query: pageQueryProperties(DEFAULT_LIMITS),
    status: 200,
    result: arr(ACCOUNT),
    paged: true,
    handler: async ({ query, principal, ctx }) => {
      const reachable = (await ctx.store.read.listAccounts()).filter((a) => principal.can(ACCOUNT_PERMISSIONS, accountResource(a.id)));
      const p = paging(query, DEFAULT_LIMITS);
      const page = reachable.slice(p.offset, p.offset + p.limit);
      return { result: page.map(accountResult), resultInfo: resultInfo(p, page.length, reachable.length) };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/accounts/{account_id}',
    operationId: 'accounts-account-details',
    summary: 'Account details',
    tag: TAG,
    permissions: ACCOUNT_PERMISSIONS,
    status: 200,
    result: ACCOUNT,
    handler: async ({ accountId, ctx }) => {
      const account = await ctx.store.read.getAccount(accountId);
      // An open server (settings.openAccounts) serves ids it never created: answer them as they are used.
      return { result: accountResult(account ?? { id: accountId, name: `Account ${accountId.slice(0, 8)}`, createdAt: new Date(0).toISOString() }) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/accounts',
    operationId: 'account-creation',
    summary: 'Create an account',
    description: 'Only the root credentials may create accounts. The id is chosen by the server; `type` is accepted for compatibility ("standard").',
    tag: TAG,
    permissions: [],
    rootOnly: true,
    body: obj({ name: str({ minLength: 1, maxLength: 100, description: 'The account name.' }), type: enumOf(['standard', 'enterprise'], 'Accepted for compatibility; every account is "standard".') }, { required: ['name'] }),
    status: 200,
    result: ACCOUNT,
    handler: async ({ body, ctx }) => {
      const account: AccountRecord = { id: randomBytes(16).toString('hex'), name: body.name, createdAt: new Date().toISOString() };
      await ctx.accounts.create(account);
      return { result: accountResult(account) };
    },
  }),
];
