// API tokens for tests that check a route's permissions: written straight into the store, so
// that resource tests do not depend on the token API.

import { randomBytes, randomUUID } from 'node:crypto';
import { hashSecret } from '../../src/api/auth/authenticate.js';
import { accountResource, findPermissionGroup, type PermissionName } from '../../src/api/auth/permissions.js';
import { TOKENS_SCOPE, type Store, type TokenRecord } from '../../src/store/store.js';
import type { TestServer } from './server.js';

/** A token written with `fields` over an active token's defaults (no limits); returns its secret. */
export async function insertToken(store: Store, fields: Partial<TokenRecord>): Promise<string> {
  const secret = randomBytes(30).toString('base64url');
  const now = new Date().toISOString();
  await store.transaction(TOKENS_SCOPE, (tx) =>
    tx.insertToken({
      id: randomUUID().replaceAll('-', ''),
      name: 'test token',
      secretHash: hashSecret(secret),
      policies: [],
      condition: null,
      status: 'active',
      issuedOn: now,
      modifiedOn: now,
      expiresOn: null,
      notBefore: null,
      lastUsedOn: null,
      ...fields,
    }),
  );
  return secret;
}

/** A token allowed the permission groups `groups` (names) on `resources`; returns its secret. */
export function tokenWith(store: Store, groups: readonly string[], resources: Readonly<Record<string, string>>): Promise<string> {
  return insertToken(store, {
    name: `test: ${groups.join(', ')}`,
    policies: [{ effect: 'allow', permission_groups: groups.map((name) => ({ id: findPermissionGroup(name)!.id })), resources }],
  });
}

/** A token allowed `permissions` on one account; returns its secret. */
export function scopedToken(store: Store, accountId: string, permissions: readonly PermissionName[]): Promise<string> {
  return tokenWith(store, permissions, { [accountResource(accountId)]: '*' });
}

/** The status of each request, made with a token that holds only `permissions` on the account. */
export async function statusesWith(
  s: TestServer,
  accountId: string,
  permissions: readonly PermissionName[],
  requests: readonly (readonly [method: string, path: string, body?: unknown])[],
): Promise<number[]> {
  const authorization = `Bearer ${await scopedToken(s.store, accountId, permissions)}`;
  const statuses: number[] = [];
  for (const [method, path, body] of requests) statuses.push((await s.api(method, path, body, { authorization })).status);
  return statuses;
}
