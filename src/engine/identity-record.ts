// An identity's record: only what the engine reads of it (identity.ts), as a JSON array in a
// fixed order, written beside the identity when a user is stored. A policy test decides a
// million users from these: an array without keys, the fields no selector reads (the name, the
// identity provider's type, claims kept only for show) left out, parses in about half the time
// of the identity, and the database sends less. Deciding a user from the record must give what
// deciding from the identity gives: identity-record.test.ts checks it on random identities
// and policies.
//
// The first element is the layout's version. A record of another version is not read (the
// identity is, as for users stored before records existed); change the version whenever what
// the engine reads of an identity changes.

import type { Identity } from './identity.js';

export const IDENTITY_RECORD_VERSION = 1;

/** How every record of the current version begins: a store may tell current records by it. */
export const IDENTITY_RECORD_PREFIX = `[${IDENTITY_RECORD_VERSION},`;

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object';

/**
 * The record of an identity as stored. `email` is the identity's email as it will be read back
 * (the store adds the user's when the identity has none: storedIdentityJson). Absent fields
 * become null, which every reading of identity.ts treats as absent.
 */
export function identityRecord(identity: Identity, email: unknown = identity.email): string {
  const { idp, geo, linked_app_token: linked } = identity;
  return JSON.stringify([
    IDENTITY_RECORD_VERSION,
    email,
    isObject(idp) ? idp.id : null,
    identity.groups,
    identity.amr,
    identity.auth_contexts,
    identity.oidc_fields,
    identity.saml_attributes,
    isObject(geo) ? geo.country : null,
    identity.ip,
    identity.devicePosture,
    identity.mtls_auth,
    identity.common_name,
    identity.service_token_id,
    identity.service_token_status,
    isObject(linked) ? linked.app_uid : null,
    identity.user_risk_score,
    identity.cloudflare_account_ids,
  ]);
}

/** The identity a record stands for (only the fields the engine reads), or undefined for a record of another version or none. */
export function identityFromRecord(text: string): Identity | undefined {
  const r = JSON.parse(text) as unknown[];
  if (!Array.isArray(r) || r[0] !== IDENTITY_RECORD_VERSION || r.length !== 18) return undefined;
  // Built as one literal, so every identity from records shares one shape.
  return {
    email: r[1] as string,
    idp: r[2] === null ? undefined : { id: r[2] as string },
    groups: r[3] as Identity['groups'],
    amr: r[4] as string[],
    auth_contexts: r[5] as string[],
    oidc_fields: r[6] as Record<string, unknown>,
    saml_attributes: r[7] as Record<string, unknown>,
    geo: r[8] === null ? undefined : { country: r[8] as string },
    ip: r[9] as string,
    devicePosture: r[10] as Identity['devicePosture'],
    mtls_auth: r[11] as Identity['mtls_auth'],
    common_name: r[12] as string,
    service_token_id: r[13] as string,
    service_token_status: r[14] as boolean,
    linked_app_token: r[15] === null ? undefined : { app_uid: r[15] as string },
    user_risk_score: r[16] as string,
    cloudflare_account_ids: r[17] as string[],
  };
}
