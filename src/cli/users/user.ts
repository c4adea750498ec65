// One user of a users file, in the shape of the server's import endpoint:
// {id?, email, name?, identity?}. A user without an identity is evaluated on {email, name}; an
// identity without an email gets the user's, and one with another email is refused, as the
// server does.

import { isValidEmail, type Identity } from '../../engine/index.js';
import { isObject } from '../shapes.js';

export interface SourceUser {
  /** The entry's "id", or its email when it has none. */
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly identity: Identity;
}

/** Receives a problem with one entry: a pointer inside the entry ("/email") and a message. */
export type EntryProblem = (pointer: string, message: string) => void;

/** Validate one entry; undefined (after reporting why) when it is not a usable user. */
export function userFromEntry(entry: unknown, report: EntryProblem): SourceUser | undefined {
  if (!isObject(entry)) {
    report('', `Each user must be a JSON object with an "email", got ${entry === null ? 'null' : Array.isArray(entry) ? 'an array' : typeof entry}.`);
    return undefined;
  }
  const { email, name, id, identity } = entry;
  let ok = true;
  if (typeof email !== 'string' || email === '') {
    report('/email', email === undefined ? 'The user has no "email".' : 'The user\'s "email" must be a non-empty string.');
    ok = false;
  } else if (!isValidEmail(email)) {
    report('/email', `${JSON.stringify(email)} is not a valid email address.`);
    ok = false;
  }
  if (name !== undefined && name !== null && typeof name !== 'string') {
    report('/name', 'The user\'s "name" must be a string.');
    ok = false;
  }
  if (id !== undefined && id !== null && (typeof id !== 'string' || id === '')) {
    report('/id', 'The user\'s "id" must be a non-empty string.');
    ok = false;
  }
  if (identity !== undefined && identity !== null && !isObject(identity)) {
    report('/identity', 'The user\'s "identity" must be an object (the last seen identity).');
    ok = false;
  } else if (isObject(identity) && identity.email !== undefined && typeof email === 'string') {
    // The server ties an identity to its user the same way (src/schema/identity.ts).
    if (typeof identity.email !== 'string') {
      report('/identity/email', 'The identity\'s "email" must be a string (or left out: it is the user\'s email).');
      ok = false;
    } else if (identity.email.toLowerCase() !== email.toLowerCase()) {
      report('/identity/email', `The identity's email ${JSON.stringify(identity.email)} is not the user's email ${JSON.stringify(email)}; leave it out or make them the same.`);
      ok = false;
    }
  }
  if (!ok) return undefined;
  const userEmail = email as string;
  const userName = typeof name === 'string' ? name : '';
  return {
    id: typeof id === 'string' ? id : userEmail,
    email: userEmail,
    name: userName,
    identity: isObject(identity) ? withEmail(identity as Identity, userEmail) : identityOf(userEmail, userName),
  };
}

/** An identity without an email is the user's, as the server stores it: selectors read the email from the identity. */
function withEmail(identity: Identity, email: string): Identity {
  return typeof identity.email === 'string' ? identity : { ...identity, email };
}

/** The identity of a user who has none: email and name only (docs/semantics.md "Identity model": absent fields are false). */
export function identityOf(email: string, name: string): Identity {
  return name === '' ? { email } : { email, name };
}
