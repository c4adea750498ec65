// Who may see the values of a directory user's identity. The users API is guarded by the
// permissions that read users; what-if answers about a directory user carry the same values
// (email, name, groups, IP, country, amr, IdP), so a caller without those permissions gets the
// decision with the values left out (docs/operations.md, "Who sees identities").

import type { Principal } from '../auth/principal.js';
import { accountResource, type PermissionName } from '../auth/permissions.js';
import { REQUEST_NOTES, type EnvelopeMessage } from '../errors.js';

/** The permissions that read Zero Trust users (the users API's read permissions). */
export const USERS_READ: readonly PermissionName[] = ['Access: Audit Logs Read', 'Zero Trust: Seats Write'];

export const mayReadUsers = (principal: Principal, accountId: string): boolean => principal.can(USERS_READ, accountResource(accountId));

/** The note an answer with redacted identity values carries in `messages`. */
export function redactedNote(fields: readonly string[]): EnvelopeMessage {
  return {
    code: REQUEST_NOTES.identity_redacted.code,
    message: `The user's identity values (${fields.join(', ')}) are left out: reading them needs the "${USERS_READ.join('" or "')}" permission.`,
  };
}
