// A user's last seen identity as clients set it (PUT .../last_seen_identity, imports). The
// schema (IDENTITY_SCHEMA) types the known fields; here the values the engine parses are
// checked too, and the identity is tied to its user: the engine reads the user's email from
// the identity, so a missing email is filled in and a different one is refused.

import { isValidEmail, joinPointer, parseIp, quote } from '../../engine/index.js';
import type { RequestIssue } from '../errors.js';

/** Problems of a schema-valid identity sent for the user with `userEmail`. */
export function identityIssues(identity: Readonly<Record<string, unknown>>, userEmail: string, pointer: string): RequestIssue[] {
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

/** The identity to store: as sent, with the user's email when it has none. */
export function identityToStore(identity: Readonly<Record<string, unknown>>, userEmail: string): Record<string, unknown> {
  return typeof identity.email === 'string' ? { ...identity } : { ...identity, email: userEmail };
}
