// SCIM provisioning of an identity provider (docs/identity-providers.md "SCIM provisioning"):
// its settings as Cloudflare's `scim_config` holds them, the bearer secret the provider pushes
// with, and where this server serves the provider's SCIM endpoints. Read by the API (which
// answers `scim_base_url` and makes the secret) and by the SCIM endpoints themselves.

import { randomBytes } from 'node:crypto';
import { IDENTITY_UPDATE_BEHAVIORS } from '../schema/identity-providers.js';
import { isObject } from '../engine/is-object.js';

export { IDENTITY_UPDATE_BEHAVIORS };

/** Where an identity provider's SCIM endpoints are mounted on this server. */
export const SCIM_MOUNT = '/scim/v2';

/** The path of one provider's SCIM service: SCIM clients append /Users, /Groups, ... */
export const scimBasePath = (accountId: string, identityProviderId: string): string => `${SCIM_MOUNT}/${accountId}/${identityProviderId}`;

/** The `scim_base_url` of a provider: the account's auth domain URL (organization.ts authDomainOr) and its SCIM path. */
export const scimBaseUrl = (authDomainUrl: string, accountId: string, identityProviderId: string): string =>
  `${authDomainUrl.replace(/\/+$/, '')}${scimBasePath(accountId, identityProviderId)}`;

/**
 * How a SCIM change reaches the identity of a user who has logged in: `automatic` writes it into
 * that identity, `reauth` ends the user's sessions on a group change so the next login brings
 * it, `no_action` leaves the identity alone. (An identity provisioning made alone, before any
 * login, always follows SCIM: see scim-identity.ts.)
 */
export type IdentityUpdateBehavior = (typeof IDENTITY_UPDATE_BEHAVIORS)[number];

/** What `scim_config` says, with Cloudflare's defaults (everything off) for fields left out. */
export interface ScimSettings {
  readonly enabled: boolean;
  /** End a user's sessions when the provider deactivates or deletes them. */
  readonly userDeprovision: boolean;
  /** Also remove the user from the directory (their seat); only with userDeprovision. */
  readonly seatDeprovision: boolean;
  /** End a user's sessions when their group membership changes, and drop a removed group from their identity at once. */
  readonly groupMemberDeprovision: boolean;
  readonly identityUpdateBehavior: IdentityUpdateBehavior;
  /** The bearer secret the provider pushes with; undefined until SCIM is first enabled. */
  readonly secret: string | undefined;
}

/** The SCIM settings of a stored identity provider body. */
export function scimSettings(providerBody: Record<string, unknown>): ScimSettings {
  const config = isObject(providerBody.scim_config) ? providerBody.scim_config : {};
  const behavior = IDENTITY_UPDATE_BEHAVIORS.find((b) => b === config.identity_update_behavior) ?? 'no_action';
  return {
    enabled: config.enabled === true,
    userDeprovision: config.user_deprovision === true,
    // Cloudflare refuses the one without the other; a stored pair that disagrees removes no seat.
    seatDeprovision: config.seat_deprovision === true && config.user_deprovision === true,
    groupMemberDeprovision: config.group_member_deprovision === true,
    identityUpdateBehavior: behavior,
    secret: typeof config.secret === 'string' && config.secret !== '' ? config.secret : undefined,
  };
}

/** A new bearer secret for a provider's SCIM pushes: 256 random bits, URL-safe. */
export const newScimSecret = (): string => randomBytes(32).toString('base64url');
