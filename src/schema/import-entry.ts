// The check of one user of an import (docs/extensions.md "Identities"): the entry's schema,
// a usable email, and its identity tied to it. The server checks every entry with it, and
// `portcullis import` checks users before sending them, so both report the same problems.

import { isValidEmail, quote } from '../engine/index.js';
import { identityIssues } from './identity.js';
import type { RequestIssue } from './issues.js';
import type { Static } from './json-schema.js';
import { IMPORT_ENTRY } from './users.js';
import { bodyChecker } from './validator.js';

export type ImportEntry = Static<typeof IMPORT_ENTRY>;

const checkEntry = bodyChecker(IMPORT_ENTRY);

/**
 * The problems of one entry on its own (pointers inside the entry: "/email", "/identity/ip"),
 * and the entry when its email is usable (to find duplicates, which depend on the others).
 */
export function entryIssues(value: unknown): { readonly issues: RequestIssue[]; readonly entry?: ImportEntry } {
  const checked = checkEntry(value);
  if (!checked.ok) return { issues: checked.issues };
  const entry = checked.value;
  if (!isValidEmail(entry.email)) return { issues: [{ code: 'invalid_email', pointer: '/email', message: `${quote(entry.email)} is not a valid email address.` }] };
  return { issues: entry.identity !== undefined ? identityIssues(entry.identity, entry.email, '/identity') : [], entry };
}
