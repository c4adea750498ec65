// API token permission groups, named as Cloudflare names them. Ids are stable (derived from the
// name), so a token request may name a group by id (as the SDK does) or by its exact name.
// A Write group includes the Read group of the same name.

import { createHash } from 'node:crypto';

export type PermissionScope = 'account' | 'user';

export interface PermissionGroup {
  readonly id: string;
  readonly name: PermissionName;
  readonly description: string;
  readonly scope: PermissionScope;
}

// `as const`, so that PermissionName is the union of these names and a route naming any other
// permission does not compile.
const GROUPS = [
  ['Access: Apps and Policies Read', 'account', 'Read Access applications, reusable and app-scoped policies.'],
  ['Access: Apps and Policies Write', 'account', 'Create, change and delete Access applications and policies.'],
  ['Access: Apps and Policies Revoke', 'account', "Revoke Access applications' tokens (end their sessions)."],
  ['Access: Organizations, Identity Providers, and Groups Read', 'account', 'Read Access groups and identity providers.'],
  ['Access: Organizations, Identity Providers, and Groups Write', 'account', 'Create, change and delete Access groups and identity providers.'],
  ['Access: Service Tokens Read', 'account', 'Read Access service tokens (never their secrets).'],
  ['Access: Service Tokens Write', 'account', 'Create, rotate and delete Access service tokens.'],
  ['Access: Mutual TLS Certificates Read', 'account', 'Read mTLS CA certificates.'],
  ['Access: Mutual TLS Certificates Write', 'account', 'Upload, change and delete mTLS CA certificates.'],
  ['Access: Device Posture Read', 'account', 'Read device posture rules.'],
  ['Access: Device Posture Write', 'account', 'Create, change and delete device posture rules.'],
  ['Zero Trust Read', 'account', 'Read Gateway lists and their items.'],
  ['Zero Trust Write', 'account', 'Create, change and delete Gateway lists and their items.'],
  ['Access: Policy Test Read', 'account', 'Read policy tests, their results, and evaluate what-if questions.'],
  ['Access: Policy Test Write', 'account', 'Start policy tests.'],
  ['Access: Audit Logs Read', 'account', 'Read Zero Trust users, their last seen identities, and the audit log.'],
  ['Zero Trust: Seats Write', 'account', 'Create, rename, import and delete Zero Trust users and set their identities.'],
  ['API Tokens Read', 'user', 'Read API tokens.'],
  ['API Tokens Write', 'user', 'Create, change and delete API tokens.'],
] as const satisfies readonly (readonly [string, PermissionScope, string])[];

const idOf = (name: string): string => createHash('md5').update(`portcullis permission group: ${name}`).digest('hex');

export const PERMISSION_GROUPS: readonly PermissionGroup[] = GROUPS.map(([name, scope, description]) => ({ id: idOf(name), name, scope, description }));

export type PermissionName = (typeof GROUPS)[number][0];

const BY_ID = new Map(PERMISSION_GROUPS.map((g) => [g.id, g]));
const BY_NAME = new Map<string, PermissionGroup>(PERMISSION_GROUPS.map((g) => [g.name, g]));

/** Every account-scoped permission: holding any of them on an account reaches the account. */
export const ACCOUNT_PERMISSIONS: readonly PermissionName[] = PERMISSION_GROUPS.filter((g) => g.scope === 'account').map((g) => g.name);

export function findPermissionGroup(idOrName: string): PermissionGroup | undefined {
  return BY_ID.get(idOrName) ?? BY_NAME.get(idOrName);
}

/** The permission names a group grants: itself, and for a Write group its Read twin. */
export function grantedBy(group: PermissionGroup): string[] {
  return group.name.endsWith(' Write') ? [group.name, group.name.slice(0, -' Write'.length) + ' Read'] : [group.name];
}

/** The single user of a portcullis installation owns every token. */
export const USER_ID = 'portcullis';
export const accountResource = (accountId: string): string => `com.cloudflare.api.account.${accountId}`;
export const userResource = (): string => `com.cloudflare.api.user.${USER_ID}`;
