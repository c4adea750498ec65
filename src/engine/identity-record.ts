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
// the engine reads of an identity, or the layout, changes. Version 2 orders the fields from the
// most to the least often present and leaves out the absent ones at the end: a typical record is
// a fifth shorter than version 1's, which a million-user test reads, sends and parses.

import type { Identity } from './identity.js';

export const IDENTITY_RECORD_VERSION = 2;

/** How every record of the current version begins: a store may tell current records by it. */
export const IDENTITY_RECORD_PREFIX = `[${IDENTITY_RECORD_VERSION},`;

/** Elements of a record: the version, the email, then the fields below (absent ones at the end may be left out). */
const RECORD_LENGTH = 18;

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object';

/**
 * The record of an identity as stored. `email` is the identity's email as it will be read back
 * (the store adds the user's when the identity has none: storedIdentityJson). Absent fields
 * become null, which every reading of identity.ts treats as absent.
 */
export function identityRecord(identity: Identity, email: unknown = identity.email): string {
  const { idp, geo, linked_app_token: linked } = identity;
  const record: unknown[] = [
    IDENTITY_RECORD_VERSION,
    email ?? null,
    // Present for most users:
    isObject(idp) ? (idp.id ?? null) : null,
    identity.groups ?? null,
    identity.amr ?? null,
    isObject(geo) ? (geo.country ?? null) : null,
    identity.ip ?? null,
    identity.user_risk_score ?? null,
    identity.devicePosture ?? null,
    // Present for few:
    identity.auth_contexts ?? null,
    identity.oidc_fields ?? null,
    identity.saml_attributes ?? null,
    identity.mtls_auth ?? null,
    identity.common_name ?? null,
    identity.service_token_id ?? null,
    identity.service_token_status ?? null,
    isObject(linked) ? (linked.app_uid ?? null) : null,
    identity.cloudflare_account_ids ?? null,
  ];
  while (record.length > 2 && record[record.length - 1] === null) record.pop();
  return JSON.stringify(record);
}

/** The identity a record stands for (only the fields the engine reads), or undefined for a record of another version or none. */
export function identityFromRecord(text: string): Identity | undefined {
  const r = JSON.parse(text) as unknown[];
  if (!Array.isArray(r) || r[0] !== IDENTITY_RECORD_VERSION || r.length < 2 || r.length > RECORD_LENGTH) return undefined;
  // Built as one literal, so every identity from records shares one shape; elements left out are absent (null).
  const idp = r[2] ?? null;
  const country = r[5] ?? null;
  const linked = r[16] ?? null;
  return {
    email: r[1] as string,
    idp: idp === null ? undefined : { id: idp as string },
    groups: (r[3] ?? null) as Identity['groups'],
    amr: (r[4] ?? null) as string[],
    auth_contexts: (r[9] ?? null) as string[],
    oidc_fields: (r[10] ?? null) as Record<string, unknown>,
    saml_attributes: (r[11] ?? null) as Record<string, unknown>,
    geo: country === null ? undefined : { country: country as string },
    ip: (r[6] ?? null) as string,
    devicePosture: (r[8] ?? null) as Identity['devicePosture'],
    mtls_auth: (r[12] ?? null) as Identity['mtls_auth'],
    common_name: (r[13] ?? null) as string,
    service_token_id: (r[14] ?? null) as string,
    service_token_status: (r[15] ?? null) as boolean,
    linked_app_token: linked === null ? undefined : { app_uid: linked as string },
    user_risk_score: (r[7] ?? null) as string,
    cloudflare_account_ids: (r[17] ?? null) as string[],
  };
}
