// Typed calls for the account's resources, the policy tester and what-if. Methods, paths and
// types all come from operations.ts, generated from the server's route table, so a call the
// server would not accept, or an answer read as something it is not, does not compile.

import { ApiClient, type ApiAnswer } from './client.js';
import { OPERATIONS, type Account, type OperationId, type Operations } from './operations.js';

export type * from './operations.js';

export type Params<K extends OperationId> = Operations[K]['params'];
export type QueryOf<K extends OperationId> = Operations[K]['query'];
export type Body<K extends OperationId> = Operations[K]['body'];
export type Result<K extends OperationId> = Operations[K]['result'];

/** What a call sends: the path parameters and the body when the operation has them, and a query. */
export type CallArgs<K extends OperationId> = { readonly query?: QueryOf<K> } & (Params<K> extends Record<string, never> ? { readonly params?: undefined } : { readonly params: Params<K> }) &
  (Body<K> extends undefined ? { readonly body?: undefined } : { readonly body: Body<K> });

/** The operation's path with the account and the parameters filled in. */
function pathOf(client: ApiClient, id: OperationId, params: Readonly<Record<string, string>>): string {
  const values: Readonly<Record<string, string>> = { ...params, account_id: client.credentials.accountId };
  return OPERATIONS[id].path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? ''));
}

function send<K extends OperationId>(client: ApiClient, id: K, params: Readonly<Record<string, string>>, options: { body?: unknown; query?: QueryOf<K> } = {}): Promise<ApiAnswer<Result<K>>> {
  return client.request<Result<K>>(OPERATIONS[id].method, pathOf(client, id, params), options);
}

/** Call an operation by its operationId. */
export function call<K extends OperationId>(client: ApiClient, id: K, args: CallArgs<K>): Promise<ApiAnswer<Result<K>>> {
  return send(client, id, args.params ?? {}, { body: args.body, ...(args.query !== undefined ? { query: args.query } : {}) });
}

/** The name of an item's path parameter (its last one, e.g. policy_id). */
const itemParam = (id: OperationId): string => [...OPERATIONS[id].path.matchAll(/\{([^}]+)\}/g)].at(-1)?.[1] ?? '';

/** Resources with list, get, create, update and delete operations named `<prefix>-<verb>`. */
type CrudPrefix = { [K in OperationId]: K extends `${infer P}-list` ? (`${P}-${'get' | 'create' | 'update' | 'delete'}` extends OperationId ? P : never) : never }[OperationId];

type Item<P extends CrudPrefix> = Result<`${P}-get`>;

export interface Crud<P extends CrudPrefix> {
  list(query?: QueryOf<`${P}-list`>): Promise<ApiAnswer<Result<`${P}-list`>>>;
  all(): Promise<Item<P>[]>;
  get(id: string): Promise<ApiAnswer<Item<P>>>;
  create(body: Body<`${P}-create`>): Promise<ApiAnswer<Result<`${P}-create`>>>;
  update(id: string, body: Body<`${P}-update`>): Promise<ApiAnswer<Result<`${P}-update`>>>;
  remove(id: string): Promise<ApiAnswer<unknown>>;
}

function crud<P extends CrudPrefix>(client: ApiClient, prefix: P): Crud<P> {
  const op = <V extends string>(verb: V) => `${prefix}-${verb}` as const;
  const item = (id: string) => ({ [itemParam(op('get'))]: id });
  return {
    list: (query) => send(client, op('list'), {}, query !== undefined ? { query } : {}),
    all: () => client.all<Item<P>>(pathOf(client, op('list'), {})),
    get: (id) => send(client, op('get'), item(id)),
    create: (body) => send(client, op('create'), {}, { body }),
    update: (id, body) => send(client, op('update'), item(id), { body }),
    remove: (id) => send(client, op('delete'), item(id)),
  };
}

export function accountApi(client: ApiClient) {
  return {
    policies: crud(client, 'access-policies'),
    groups: crud(client, 'access-groups'),
    lists: {
      ...crud(client, 'gateway-lists'),
      items: (id: string) => client.all<Result<'gateway-list-items-list'>[number]>(pathOf(client, 'gateway-list-items-list', { list_id: id })),
      patch: (id: string, body: Body<'gateway-lists-patch'>) => call(client, 'gateway-lists-patch', { params: { list_id: id }, body }),
    },
    identityProviders: crud(client, 'access-identity-providers'),
    serviceTokens: {
      ...crud(client, 'access-service-tokens'),
      /** A new client secret (in this answer only); the previous one works until `previous_client_secret_expires_at`, when given and in the future. */
      rotate: (id: string, body: Body<'access-service-tokens-rotate'>) => call(client, 'access-service-tokens-rotate', { params: { service_token_id: id }, body }),
      /** The token's validity starts again: it expires one duration from now. */
      refresh: (id: string) => call(client, 'access-service-tokens-refresh', { params: { service_token_id: id } }),
    },
    /** Access custom pages: the list leaves out each page's HTML, a get has it. */
    customPages: {
      all: () => client.all<Result<'access-custom-pages-list-custom-pages'>[number]>(pathOf(client, 'access-custom-pages-list-custom-pages', {})),
      get: (id: string) => call(client, 'access-custom-pages-get-a-custom-page', { params: { custom_page_id: id } }),
      create: (body: Body<'access-custom-pages-create-a-custom-page'>) => call(client, 'access-custom-pages-create-a-custom-page', { body }),
      update: (id: string, body: Body<'access-custom-pages-update-a-custom-page'>) => call(client, 'access-custom-pages-update-a-custom-page', { params: { custom_page_id: id }, body }),
      remove: (id: string) => call(client, 'access-custom-pages-delete-a-custom-page', { params: { custom_page_id: id } }),
    },
    postureRules: crud(client, 'device-posture-rules'),
    apps: {
      ...crud(client, 'access-apps'),
      /** End every session of the application: tokens issued for it before now stop working. */
      revokeTokens: (id: string) => call(client, 'access-applications-revoke-service-tokens', { params: { app_id: id } }),
    },
    users: {
      ...crud(client, 'access-users'),
      identity: (id: string) => call(client, 'access-users-last-seen-identity-get', { params: { user_id: id } }),
      /** Users as the person wrote them: the server checks every entry and names each problem. */
      import: (body: { readonly users: readonly unknown[] }) => send(client, 'access-users-import', {}, { body }),
    },
    tests: {
      start: (body: Body<'access-policy-tests-start'>) => call(client, 'access-policy-tests-start', { body }),
      progress: (id: string) => call(client, 'access-policy-tests-get', { params: { policy_test_id: id } }),
      users: (id: string, query: QueryOf<'access-policy-tests-users'>) => call(client, 'access-policy-tests-users', { params: { policy_test_id: id }, query }),
      user: (id: string, userId: string) => call(client, 'access-policy-tests-user', { params: { policy_test_id: id, user_id: userId } }),
      recent: (count: number) => call(client, 'access-policy-tests-list', { query: { per_page: count } }),
    },
    /** The Zero Trust organization: its name, auth domain and session settings. */
    organization: {
      get: () => call(client, 'zero-trust-organization-get-your-zero-trust-organization', {}),
      update: (body: Body<'zero-trust-organization-update-your-zero-trust-organization'>) => call(client, 'zero-trust-organization-update-your-zero-trust-organization', { body }),
    },
    /** The keys that sign application tokens: their rotation settings, and a rotation now. */
    signingKeys: {
      get: () => call(client, 'access-key-configuration-get-the-access-key-configuration', {}),
      update: (body: Body<'access-key-configuration-update-the-access-key-configuration'>) => call(client, 'access-key-configuration-update-the-access-key-configuration', { body }),
      rotate: () => call(client, 'access-key-configuration-rotate-access-keys', {}),
    },
    /** The enforcement point's sign-ins and refused requests, a page at a time. */
    accessLog: (query: QueryOf<'access-authentication-logs-get-access-authentication-logs'>) => call(client, 'access-authentication-logs-get-access-authentication-logs', { query }),
    /** The newest changes of the account (its audit log). */
    recentChanges: (count: number) => call(client, 'audit-logs-list', { query: { per_page: count, direction: 'desc' } }),
    evaluate: (body: Body<'access-evaluate'>) => call(client, 'access-evaluate', { body }),
  };
}

export type AccountApi = ReturnType<typeof accountApi>;

/** The accounts a token reaches (before any account is chosen: the sign-in form asks with the token alone). */
export function reachableAccounts(token: string): Promise<Account[]> {
  return new ApiClient({ token, accountId: '' }).all<Account>(OPERATIONS['accounts-list-accounts'].path);
}
