// Typed calls for each resource of the account, on one generic CRUD description, plus the
// policy tester and what-if extensions.

import type { ApiAnswer, ApiClient, Query } from './client.js';
import type {
  App,
  GatewayList,
  Group,
  Identity,
  IdentityProvider,
  ListItem,
  Policy,
  PolicyEntry,
  PolicyTestProgress,
  PolicyTestUser,
  PolicyTestUserExplained,
  PostureRule,
  ServiceToken,
  User,
  WhatIfContext,
  WhatIfResult,
  WireGroup,
  WirePolicy,
} from './types.js';

export interface Crud<T, Body> {
  list(query?: Query): Promise<ApiAnswer<T[]>>;
  all(): Promise<T[]>;
  get(id: string): Promise<ApiAnswer<T>>;
  create(body: Body): Promise<ApiAnswer<T>>;
  update(id: string, body: Body): Promise<ApiAnswer<T>>;
  remove(id: string): Promise<ApiAnswer<unknown>>;
}

function crud<T, Body>(client: ApiClient, path: string): Crud<T, Body> {
  const item = (id: string): string => `${path}/${encodeURIComponent(id)}`;
  return {
    list: (query) => client.account<T[]>('GET', path, query !== undefined ? { query } : {}),
    all: () => client.all<T>(path),
    get: (id) => client.account<T>('GET', item(id)),
    create: (body) => client.account<T>('POST', path, { body }),
    update: (id, body) => client.account<T>('PUT', item(id), { body }),
    remove: (id) => client.account<unknown>('DELETE', item(id)),
  };
}

export interface ListBody {
  name: string;
  type?: string;
  description?: string;
  items?: ListItem[];
}

export interface IdentityProviderBody {
  name: string;
  type: string;
  config: Record<string, unknown>;
}

export interface PolicyTestStart {
  policies: PolicyEntry[];
  baseline_policies?: PolicyEntry[];
}

export interface WhatIfRequest {
  policies?: PolicyEntry[];
  app_id?: string;
  user_id?: string;
  identity?: Identity;
  context?: WhatIfContext;
}

export type UsersFilter = { status?: 'success' | 'fail' | 'error'; changed?: boolean; page: number; per_page: number };

export function accountApi(client: ApiClient) {
  const tests = '/access/policy-tests';
  return {
    policies: crud<Policy, WirePolicy>(client, '/access/policies'),
    groups: crud<Group, WireGroup>(client, '/access/groups'),
    lists: {
      ...crud<GatewayList, ListBody>(client, '/gateway/lists'),
      items: (id: string) => client.all<ListItem>(`/gateway/lists/${encodeURIComponent(id)}/items`),
      patch: (id: string, body: { append?: ListItem[]; remove?: string[] }) => client.account<GatewayList>('PATCH', `/gateway/lists/${encodeURIComponent(id)}`, { body }),
    },
    identityProviders: crud<IdentityProvider, IdentityProviderBody>(client, '/access/identity_providers'),
    serviceTokens: crud<ServiceToken, { name: string }>(client, '/access/service_tokens'),
    postureRules: crud<PostureRule, Record<string, unknown>>(client, '/devices/posture'),
    apps: crud<App, Record<string, unknown>>(client, '/access/apps'),
    users: {
      ...crud<User, { email: string; name?: string }>(client, '/access/users'),
      identity: (id: string) => client.account<Identity>('GET', `/access/users/${encodeURIComponent(id)}/last_seen_identity`),
      import: (body: { users: unknown[] }) => client.account<{ created: number; updated: number }>('POST', '/access/users/import', { body }),
    },
    tests: {
      start: (body: PolicyTestStart) => client.account<{ id: string }>('POST', tests, { body }),
      progress: (id: string) => client.account<PolicyTestProgress>('GET', `${tests}/${id}`),
      users: (id: string, query: UsersFilter) => client.account<PolicyTestUser[]>('GET', `${tests}/${id}/users`, { query }),
      user: (id: string, userId: string) => client.account<PolicyTestUserExplained>('GET', `${tests}/${id}/users/${encodeURIComponent(userId)}`),
    },
    evaluate: (body: WhatIfRequest) => client.account<WhatIfResult>('POST', '/access/evaluate', { body }),
  };
}

export type AccountApi = ReturnType<typeof accountApi>;
