// Who is calling, and what they may do. The root credentials (the root token, or the
// configured X-Auth-Email/X-Auth-Key) may do everything on every account; an API token may
// do what its policies allow: some allow policy grants the permission on the resource and
// no deny policy takes it away (Cloudflare's token policy model).
//
// A token's policies are checked when the token is written (policyIssues) and read again, by
// the same rules, each time it is used: a stored policy that cannot be read (written before a
// check existed, or by hand) fails closed. An unreadable allow policy grants nothing; an
// unreadable deny policy, or one whose effect cannot be read, takes away everything.

import { joinPointer, quote } from '../../engine/index.js';
import type { RequestIssue } from '../errors.js';
import { findPermissionGroup, grantedBy, USER_ID, type PermissionScope } from './permissions.js';
import { isObject } from '../../engine/is-object.js';

/** The resource names a token policy may name: an account (or every account), the user (or every user). */
export const RESOURCE_KEY = /^com\.cloudflare\.api\.(account\.([0-9a-f]{32}|\*)|user\.([A-Za-z0-9_-]+|\*))$/;

export interface Principal {
  readonly kind: 'root' | 'token';
  /** The API token's id ("root" for the root credentials). */
  readonly tokenId: string;
  /** Whether any of `permissions` is granted on `resource` (e.g. com.cloudflare.api.account.<id>). */
  can(permissions: readonly string[], resource: string): boolean;
}

export const ROOT_PRINCIPAL: Principal = { kind: 'root', tokenId: 'root', can: () => true };

/** Why a token policy (sent or stored) cannot be read; pointers start at `at`. Empty when it can. */
export function policyIssues(policy: unknown, at: string): RequestIssue[] {
  if (!isObject(policy)) return [{ code: 'invalid_type', pointer: at, message: 'A token policy must be an object with effect, permission_groups and resources.' }];
  const issues: RequestIssue[] = [];
  if (policy.effect !== 'allow' && policy.effect !== 'deny') {
    issues.push({ code: 'invalid_enum', pointer: joinPointer(at, 'effect'), message: `effect must be "allow" or "deny", got ${quote(policy.effect)}.` });
  }
  const groups = policy.permission_groups;
  if (!Array.isArray(groups) || groups.length === 0) {
    issues.push({ code: Array.isArray(groups) ? 'min_items' : 'invalid_type', pointer: joinPointer(at, 'permission_groups'), message: 'permission_groups must list at least one permission group.' });
  } else {
    groups.forEach((group: unknown, j) => {
      const id = isObject(group) ? group.id : undefined;
      if (typeof id === 'string' && findPermissionGroup(id) !== undefined) return;
      issues.push(
        typeof id === 'string'
          ? { code: 'unknown_permission_group', pointer: joinPointer(at, 'permission_groups', j, 'id'), message: `No permission group has the id or name ${quote(id)}; GET /user/tokens/permission_groups lists them.` }
          : { code: 'invalid_type', pointer: joinPointer(at, 'permission_groups', j), message: 'A permission group must be an object with an id.' },
      );
    });
  }
  const resources = policy.resources;
  if (!isObject(resources) || Object.keys(resources).length === 0) {
    issues.push({ code: isObject(resources) ? 'min_items' : 'invalid_type', pointer: joinPointer(at, 'resources'), message: 'resources must be an object naming at least one resource.' });
  } else {
    for (const [key, value] of Object.entries(resources)) {
      const pointer = joinPointer(at, 'resources', key);
      if (!RESOURCE_KEY.test(key)) {
        issues.push({ code: 'invalid_format', pointer, message: `${quote(key)} is not a resource name; use com.cloudflare.api.account.<account id> (or .*), or com.cloudflare.api.user.${USER_ID}.` });
      } else if (value !== '*' && !isObject(value)) {
        issues.push({ code: 'invalid_format', pointer, message: `The value of resource ${quote(key)} must be "*" or an object, got ${quote(value)}.` });
      }
    }
  }
  return issues;
}

/** Does a policy's resource key cover `resource`? Exact, or a `.*` wildcard of the same kind. */
function covers(key: string, resource: string): boolean {
  if (key === resource) return true;
  if (!key.endsWith('.*')) return false;
  const prefix = key.slice(0, -1); // keep the dot
  return resource.startsWith(prefix) && !resource.slice(prefix.length).includes('.');
}

/** A policy as evaluation needs it: the permissions it grants (or takes away) and on what. */
interface ReadPolicy {
  readonly effect: 'allow' | 'deny';
  readonly permissions: readonly string[];
  readonly resources: readonly string[];
}

/** A stored policy read for evaluation; undefined when any part of it cannot be read. */
function readPolicy(policy: unknown): ReadPolicy | undefined {
  if (policyIssues(policy, '').length > 0) return undefined;
  const p = policy as { effect: 'allow' | 'deny'; permission_groups: { id: string }[]; resources: Record<string, unknown> };
  return {
    effect: p.effect,
    permissions: p.permission_groups.flatMap((g) => grantedBy(findPermissionGroup(g.id)!)),
    // An object value narrows the resource to what it names inside it (zones of the account, at
    // Cloudflare), which portcullis does not hold: such an allow grants nothing here, and such a
    // deny, failing closed, takes the whole resource away.
    resources: Object.entries(p.resources).flatMap(([key, value]) => (value === '*' || p.effect === 'deny' ? [key] : [])),
  };
}

const matches = (policy: ReadPolicy, permissions: readonly string[], resource: string): boolean =>
  policy.resources.some((key) => covers(key, resource)) && permissions.some((p) => policy.permissions.includes(p));

/** The principal of an API token with these stored policies. */
export function tokenPrincipal(tokenId: string, policies: unknown): Principal {
  const read = Array.isArray(policies) ? policies.map((raw) => ({ raw, policy: readPolicy(raw) })) : [];
  const allows = read.flatMap(({ policy }) => (policy?.effect === 'allow' ? [policy] : []));
  const denies = read.flatMap(({ policy }) => (policy?.effect === 'deny' ? [policy] : []));
  // An unreadable policy that is, or may be, a deny takes away everything.
  const deniesEverything = read.some(({ raw, policy }) => policy === undefined && !(isObject(raw) && raw.effect === 'allow'));
  return {
    kind: 'token',
    tokenId,
    can: (permissions, resource) =>
      !deniesEverything && allows.some((p) => matches(p, permissions, resource)) && !denies.some((p) => matches(p, permissions, resource)),
  };
}

export const scopeOf = (resource: string): PermissionScope => (resource.startsWith('com.cloudflare.api.user') ? 'user' : 'account');
