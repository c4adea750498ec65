// Who is calling, and what they may do. The root credentials (the root token, or the
// configured X-Auth-Email/X-Auth-Key) may do everything on every account; an API token may
// do what its policies allow: some allow policy grants the permission on the resource and
// no deny policy takes it away (Cloudflare's token policy model).

import { findPermissionGroup, grantedBy, type PermissionScope } from './permissions.js';

export interface TokenPolicy {
  readonly effect: 'allow' | 'deny';
  readonly permission_groups: readonly { readonly id: string }[];
  readonly resources: Readonly<Record<string, unknown>>;
}

export interface Principal {
  readonly kind: 'root' | 'token';
  /** The API token's id ("root" for the root credentials). */
  readonly tokenId: string;
  /** Whether any of `permissions` is granted on `resource` (e.g. com.cloudflare.api.account.<id>). */
  can(permissions: readonly string[], resource: string): boolean;
}

export const ROOT_PRINCIPAL: Principal = { kind: 'root', tokenId: 'root', can: () => true };

/** Does a policy's resource key cover `resource`? Exact, or a `.*` wildcard of the same kind. */
function covers(key: string, resource: string): boolean {
  if (key === resource) return true;
  if (!key.endsWith('.*')) return false;
  const prefix = key.slice(0, -1); // keep the dot
  return resource.startsWith(prefix) && !resource.slice(prefix.length).includes('.');
}

function policyMatches(policy: TokenPolicy, permissions: readonly string[], resource: string): boolean {
  const resourceCovered = Object.entries(policy.resources).some(([key, value]) => (value === '*' || typeof value === 'object') && covers(key, resource));
  if (!resourceCovered) return false;
  const granted = policy.permission_groups.flatMap((g) => {
    const group = findPermissionGroup(g.id);
    return group === undefined ? [] : grantedBy(group);
  });
  return permissions.some((p) => granted.includes(p));
}

export function tokenPrincipal(tokenId: string, policies: readonly TokenPolicy[]): Principal {
  return {
    kind: 'token',
    tokenId,
    can: (permissions, resource) =>
      policies.some((p) => p.effect === 'allow' && policyMatches(p, permissions, resource)) &&
      !policies.some((p) => p.effect === 'deny' && policyMatches(p, permissions, resource)),
  };
}

export const scopeOf = (resource: string): PermissionScope => (resource.startsWith('com.cloudflare.api.user') ? 'user' : 'account');
