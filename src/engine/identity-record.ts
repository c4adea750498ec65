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

/**
 * Where each field sits in a record (0 is the version). Version 2 orders them from the most to
 * the least often present, so that the absent ones at the end can be left out. The reader and
 * the record's length come from this list, the writer's literal follows it.
 */
const AT = {
  email: 1,
  // Present for most users:
  idpId: 2,
  groups: 3,
  amr: 4,
  country: 5,
  ip: 6,
  userRiskScore: 7,
  devicePosture: 8,
  // Present for few:
  authContexts: 9,
  oidcFields: 10,
  samlAttributes: 11,
  mtlsAuth: 12,
  commonName: 13,
  serviceTokenId: 14,
  serviceTokenStatus: 15,
  linkedAppUid: 16,
  cloudflareAccountIds: 17,
} as const;

/** Elements of a full record: the version and every field. */
const RECORD_LENGTH = Object.keys(AT).length + 1;

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object';

/**
 * The record of an identity as stored. `email` is the identity's email as it will be read back
 * (the store adds the user's when the identity has none: storedIdentityJson). Absent fields
 * become null, which every reading of identity.ts treats as absent.
 */
export function identityRecord(identity: Identity, email: unknown = identity.email): string {
  const { idp, geo, linked_app_token: linked } = identity;
  // In AT's order, written out as one literal (half the time of filling an array by index, and
  // the import makes a million); the differential test in identity-record.test.ts fails when
  // this order and the reader's positions part.
  const record: unknown[] = [
    IDENTITY_RECORD_VERSION,
    email ?? null,
    isObject(idp) ? (idp.id ?? null) : null,
    identity.groups ?? null,
    identity.amr ?? null,
    isObject(geo) ? (geo.country ?? null) : null,
    identity.ip ?? null,
    identity.user_risk_score ?? null,
    identity.devicePosture ?? null,
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
  const idp = r[AT.idpId] ?? null;
  const country = r[AT.country] ?? null;
  const linked = r[AT.linkedAppUid] ?? null;
  return {
    email: r[AT.email] as string,
    idp: idp === null ? undefined : { id: idp as string },
    groups: (r[AT.groups] ?? null) as Identity['groups'],
    amr: (r[AT.amr] ?? null) as string[],
    auth_contexts: (r[AT.authContexts] ?? null) as string[],
    oidc_fields: (r[AT.oidcFields] ?? null) as Record<string, unknown>,
    saml_attributes: (r[AT.samlAttributes] ?? null) as Record<string, unknown>,
    geo: country === null ? undefined : { country: country as string },
    ip: (r[AT.ip] ?? null) as string,
    devicePosture: (r[AT.devicePosture] ?? null) as Identity['devicePosture'],
    mtls_auth: (r[AT.mtlsAuth] ?? null) as Identity['mtls_auth'],
    common_name: (r[AT.commonName] ?? null) as string,
    service_token_id: (r[AT.serviceTokenId] ?? null) as string,
    service_token_status: (r[AT.serviceTokenStatus] ?? null) as boolean,
    linked_app_token: linked === null ? undefined : { app_uid: linked as string },
    user_risk_score: (r[AT.userRiskScore] ?? null) as string,
    cloudflare_account_ids: (r[AT.cloudflareAccountIds] ?? null) as string[],
  };
}
