// What the SCIM service and the API's read-only SCIM listings both read of a stored SCIM User's
// attributes as the identity provider pushed them (RFC 7643 §4.1): whether it is active, and
// the name it goes by.

import { isObject } from '../engine/is-object.js';

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

/** RFC 7643 §4.1.1: a user is active unless `active` says false. */
export const isActive = (resource: Record<string, unknown>): boolean => resource.active !== false;

/** The user's name: displayName, else name.formatted, else given and family names. */
export function displayNameOf(resource: Record<string, unknown>): string | undefined {
  const name = isObject(resource.name) ? resource.name : {};
  const joined = [text(name.givenName), text(name.familyName)].filter((p) => p !== undefined).join(' ');
  return text(resource.displayName) ?? text(name.formatted) ?? (joined === '' ? undefined : joined);
}
