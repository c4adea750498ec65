// A user's last seen identity as clients set it (PUT .../last_seen_identity, imports). The
// schema (IDENTITY_SCHEMA) types the known fields; here the values the engine parses are
// checked too, and the identity is tied to its user: the engine reads the user's email from
// the identity, so a missing email is filled in and a different one is refused.

import { isValidEmail, joinPointer, parseIp, quote } from '../engine/index.js';
import type { RequestIssue } from './issues.js';
import { anyObject, arr, bool, mapOf, obj, str, type Static } from './json-schema.js';

/** A user's last seen identity (docs/semantics.md "Identity model"): known fields typed, other fields kept. */
export const IDENTITY_SCHEMA = obj(
  {
    email: str({ description: 'Read by email, email_domain and email_list.' }),
    name: str(),
    idp: obj({ id: str(), type: str() }, { additional: true }),
    groups: arr(obj({ id: str(), name: str(), email: str(), teams: arr(str()) }, { additional: true })),
    amr: arr(str(), { description: 'Authentication methods (RFC 8176), read by auth_method.' }),
    auth_contexts: arr(str()),
    oidc_fields: anyObject('OIDC claims: string, number, boolean or array values.'),
    saml_attributes: anyObject('SAML attributes: string or array values.'),
    geo: obj({ country: str() }, { additional: true }),
    ip: str({ description: 'IPv4 or IPv6 address.' }),
    devicePosture: mapOf(obj({ success: bool() }, { additional: true })),
    mtls_auth: obj({ cert_presented: bool(), auth_status: str() }, { additional: true }),
    common_name: str(),
    service_token_id: str(),
    service_token_status: bool(),
    linked_app_token: obj({ app_uid: str() }, { additional: true }),
    user_risk_score: str({ description: 'low, medium or high; absent = unscored.' }),
    cloudflare_account_ids: arr(str()),
  },
  { additional: true, description: 'A last seen identity. Absent or mistyped fields make their selectors false.' },
);

export type IdentityInput = Static<typeof IDENTITY_SCHEMA>;

/** Problems of a schema-valid identity sent for the user with `userEmail`. */
export function identityIssues(identity: IdentityInput, userEmail: string, pointer: string): RequestIssue[] {
  const issues: RequestIssue[] = [];
  const { ip, email } = identity;
  if (typeof ip === 'string' && parseIp(ip) === undefined) {
    issues.push({ code: 'invalid_ip', pointer: joinPointer(pointer, 'ip'), message: `${quote(ip)} is not an IPv4 or IPv6 address.` });
  }
  if (typeof email === 'string') {
    if (!isValidEmail(email)) {
      issues.push({ code: 'invalid_email', pointer: joinPointer(pointer, 'email'), message: `${quote(email)} is not a valid email address.` });
    } else if (email.toLowerCase() !== userEmail.toLowerCase()) {
      issues.push({
        code: 'identity_email_mismatch',
        pointer: joinPointer(pointer, 'email'),
        message: `The identity's email ${quote(email)} is not the user's email ${quote(userEmail)}; leave it out or make them the same.`,
      });
    }
  }
  return issues;
}
