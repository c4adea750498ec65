// What every login records (the development login, identity providers, one-time PINs): the user,
// created on their first login, and their last seen identity, the one the policies and the
// policy tester evaluate (docs/identity-providers.md "What a login records").

import { timeOrderedUuid } from '../store/time-ordered-id.js';
import type { Store, UserRecord } from '../store/store.js';
import { loginIdentityWithScim } from './scim/provisioned.js';

export interface LoginIdentity {
  readonly email: string;
  readonly name?: string;
  readonly ip?: string | undefined;
  /** Group names (or ids, as the identity provider sends them). */
  readonly groups: readonly string[];
  readonly idp: { readonly id: string; readonly type: string };
  /** How the person authenticated (the ID token's amr; "pwd" for the development login). */
  readonly amr?: readonly string[];
  /** Azure AD authentication contexts (the ID token's acrs). */
  readonly auth_contexts?: readonly string[];
  /** The OIDC claims the provider's config keeps (config.claims). */
  readonly oidc_fields?: Readonly<Record<string, unknown>>;
  /** The SAML attributes the provider's config keeps (config.attributes). */
  readonly saml_attributes?: Readonly<Record<string, unknown>>;
  /**
   * Request headers for the application (a SAML provider's header_attributes): carried by the
   * session's token to the forward-auth answer, not recorded in the identity.
   */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * What the custom claims and the SAML headers may take of a token together, as JSON: a token rides
 * in a cookie, and browsers drop a cookie over 4 KiB (leaving the user without a session they
 * cannot see why). The headers have a budget of their own of about this much, so custom claims
 * that would not fit beside them stay out.
 */
export const TOKEN_EXTRAS_MAX_BYTES = 2_048;

/**
 * The claims a login adds to its tokens as `custom`, as Cloudflare adds the SAML attributes and
 * OIDC claims a provider's config keeps to its JWT: undefined when it keeps none, or when they
 * would not fit beside the sign-in's `headers` (saml_headers) in one cookie.
 */
export function customClaims(login: LoginIdentity, headers?: Readonly<Record<string, string>>): Readonly<Record<string, unknown>> | undefined {
  const custom = { ...login.oidc_fields, ...login.saml_attributes };
  if (Object.keys(custom).length === 0) return undefined;
  const beside = headers === undefined ? 0 : Buffer.byteLength(JSON.stringify(headers));
  return Buffer.byteLength(JSON.stringify(custom)) + beside <= TOKEN_EXTRAS_MAX_BYTES ? custom : undefined;
}

export function identityOf(login: LoginIdentity): Record<string, unknown> {
  return {
    email: login.email,
    ...(login.name !== undefined ? { name: login.name } : {}),
    ...(login.ip !== undefined ? { ip: login.ip } : {}),
    groups: login.groups.map((name) => ({ id: name, name })),
    idp: { id: login.idp.id, type: login.idp.type },
    amr: [...(login.amr ?? [])],
    ...(login.auth_contexts !== undefined ? { auth_contexts: [...login.auth_contexts] } : {}),
    ...(login.oidc_fields !== undefined ? { oidc_fields: { ...login.oidc_fields } } : {}),
    ...(login.saml_attributes !== undefined ? { saml_attributes: { ...login.saml_attributes } } : {}),
  };
}

export async function recordLogin(store: Store, accountId: string, login: LoginIdentity): Promise<UserRecord> {
  // Merged with what the provider pushes by SCIM, as its identity_update_behavior says.
  const identity = await loginIdentityWithScim(store.read, accountId, { ...identityOf(login), email: login.email, idp: login.idp });
  return store.transaction(accountId, async (tx) => {
    const existing = await tx.getUserByEmail(accountId, login.email);
    if (existing !== undefined) return (await tx.updateUser(accountId, existing.id, { identity: { ...identity, email: existing.email }, ...(login.name !== undefined ? { name: login.name } : {}) }))!;
    const created = await tx.insertUser({ accountId, id: timeOrderedUuid(), email: login.email, name: login.name ?? login.email.split('@')[0]!, identity: null });
    return (await tx.updateUser(accountId, created.id, { identity }))!;
  });
}
