// Parsing and checking a user import (docs/extensions.md "Identities"): JSON
// `{"users": [...]}` or NDJSON (one entry a line, blank lines ignored). All or nothing, so every problem of every entry is
// collected, each with a pointer: /users/3/email in JSON; /line/7/email in NDJSON, whose
// messages also name the line.

import { isValidEmail, quote } from '../../engine/index.js';
import type { UserUpsert } from '../../store/store.js';
import type { RequestIssue } from '../errors.js';
import { arr, obj } from '../schema/json-schema.js';
import { IMPORT_ENTRY } from '../schema/users.js';
import { bodyValidator } from '../schema/body-validator.js';
import { parseUntrustedJson } from '../untrusted-json.js';
import { identityIssues, identityToStore } from './user-identity.js';

export type ImportCheck = { readonly ok: true; readonly users: UserUpsert[] } | { readonly ok: false; readonly issues: RequestIssue[] };

/** Where an entry sits in the request. */
interface Position {
  readonly pointer: string;
  /** How a message names it ("/users/3", "line 7"). */
  readonly label: string;
  /** Put before each of its messages. */
  readonly prefix: string;
}

export interface Entry {
  readonly email: string;
  readonly name?: string;
  readonly identity?: Record<string, unknown>;
}

const validateEntry = bodyValidator(IMPORT_ENTRY);
// Entries are validated one by one below, so that every bad entry is named in one answer.
const validateEnvelope = bodyValidator(obj({ users: arr({}) }, { required: ['users'] }));

function tooMany(count: number, maxUsers: number, pointer: string): ImportCheck {
  return {
    ok: false,
    issues: [{ code: 'max_items', pointer, message: `The import holds ${count} users; at most ${maxUsers} are accepted per request: split it into several imports.` }],
  };
}

/**
 * The problems of one entry on its own (pointers inside the entry: "/email", "/identity/ip"),
 * and the entry when its email is usable (to find duplicates, which depend on the others).
 * Clients check users with it before sending them (portcullis import).
 */
export function entryIssues(value: unknown): { readonly issues: RequestIssue[]; readonly entry?: Entry } {
  const issues = validateEntry(value);
  if (issues.length > 0) return { issues };
  const entry = value as Entry;
  if (!isValidEmail(entry.email)) return { issues: [{ code: 'invalid_email', pointer: '/email', message: `${quote(entry.email)} is not a valid email address.` }] };
  return { issues: entry.identity !== undefined ? identityIssues(entry.identity, entry.email, '/identity') : [], entry };
}

/** Checks entries in order, and gathers the users to write while none has failed. */
class EntryChecker {
  private readonly issues: RequestIssue[] = [];
  private readonly users: UserUpsert[] = [];
  private readonly firstSeen = new Map<string, string>();

  add(value: unknown, at: Position): void {
    const { issues, entry } = entryIssues(value);
    const found = issues.map((i) => ({ ...i, pointer: at.pointer + i.pointer }));
    if (entry !== undefined) {
      const key = entry.email.toLowerCase();
      const first = this.firstSeen.get(key);
      if (first !== undefined) {
        found.unshift({
          code: 'duplicate_entry',
          pointer: `${at.pointer}/email`,
          message: `${quote(entry.email)} already appears at ${first} (emails compare case-insensitively); each user may appear once per import.`,
        });
      } else {
        this.firstSeen.set(key, at.label);
      }
      if (found.length === 0 && this.issues.length === 0) {
        this.users.push({
          email: entry.email,
          ...(entry.name !== undefined ? { name: entry.name } : {}),
          ...(entry.identity !== undefined ? { identity: identityToStore(entry.identity, entry.email) } : {}),
        });
      }
    }
    for (const issue of found) this.issues.push(at.prefix === '' ? issue : { ...issue, message: at.prefix + issue.message });
  }

  addIssue(issue: RequestIssue): void {
    this.issues.push(issue);
  }

  result(): ImportCheck {
    return this.issues.length === 0 ? { ok: true, users: this.users } : { ok: false, issues: this.issues };
  }
}

/** An `application/json` import: `{"users": [{email, name?, identity?}, ...]}`. */
export function checkJsonImport(body: unknown, maxUsers: number): ImportCheck {
  const issues = validateEnvelope(body);
  if (issues.length > 0) return { ok: false, issues };
  const users = (body as { users: unknown[] }).users;
  if (users.length > maxUsers) return tooMany(users.length, maxUsers, '/users');
  const checker = new EntryChecker();
  users.forEach((value, i) => checker.add(value, { pointer: `/users/${i}`, label: `/users/${i}`, prefix: '' }));
  return checker.result();
}

/** An `application/x-ndjson` import: one entry per line; blank lines are ignored. */
export function checkNdjsonImport(text: string, maxUsers: number): ImportCheck {
  const checker = new EntryChecker();
  const lines = text.split('\n');
  let count = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    if (++count > maxUsers) return tooMany(lines.filter((l) => l.trim() !== '').length, maxUsers, '');
    const number = i + 1;
    const at: Position = { pointer: `/line/${number}`, label: `line ${number}`, prefix: `Line ${number}: ` };
    let value: unknown;
    try {
      value = parseUntrustedJson(line);
    } catch (err) {
      checker.addIssue({ code: 'invalid_format', pointer: at.pointer, message: `Line ${number} is not valid JSON: ${(err as Error).message}` });
      continue;
    }
    checker.add(value, at);
  }
  return checker.result();
}
