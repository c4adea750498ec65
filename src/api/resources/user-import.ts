// Parsing and checking a user import (docs/extensions.md "Identities"): JSON
// `{"users": [...]}` or NDJSON (one entry a line, blank lines ignored). Each good entry is
// prepared for the store once (its identity serialized as stored) and handed on in batches as
// the entries are checked, so the store writes one batch while the next is checked. All or
// nothing: after the first bad entry nothing more is handed on, the rest are only checked, and
// the batches end by throwing ImportRefused with every problem of every entry, each with a
// pointer (/users/3/email in JSON; /line/7/email in NDJSON, whose messages also name the line):
// the store's transaction then rolls back what it wrote.

import { StringDecoder } from 'node:string_decoder';
import { identityRecord, quote } from '../../engine/index.js';
import type { PreparedUser } from '../../store/store.js';
import type { RequestIssue } from '../errors.js';
import { storedIdentityEmail, storedIdentityJson } from '../../schema/identity.js';
import { entryIssues } from '../../schema/import-entry.js';
import { anyValue, arr, obj } from '../../schema/json-schema.js';
import { bodyChecker } from '../../schema/validator.js';
import { parseUntrustedJson } from '../untrusted-json.js';

/** Thrown by the batches after the last entry when any entry was bad: nothing may be written. */
export class ImportRefused extends Error {
  constructor(readonly issues: RequestIssue[]) {
    super(`the import was refused: ${issues.length} problem(s)`);
  }
}

/** Users handed on at a time: the store writes one batch while the next is checked. */
export const IMPORT_BATCH_USERS = 10_000;

/**
 * Batches an NDJSON import may check while its body still arrives (held until it has: the
 * store's transaction starts after the last byte); past them checking waits, the body still read to its end.
 */
export const IMPORT_READ_AHEAD_BATCHES = 10;

/** Where an entry sits in the request. */
interface Position {
  readonly pointer: string;
  /** How a message names it ("/users/3", "line 7"). */
  readonly label: string;
  /** Put before each of its messages. */
  readonly prefix: string;
}

/** Where entry `index` (from 0; a line number from 1 in NDJSON) sits: made only when needed, most entries being good. */
type Place = { readonly ndjson: boolean; readonly index: number };
const position = ({ ndjson, index }: Place): Position =>
  ndjson ? { pointer: `/line/${index}`, label: `line ${index}`, prefix: `Line ${index}: ` } : { pointer: `/users/${index}`, label: `/users/${index}`, prefix: '' };

// Entries are checked one by one (entryIssues), so that every bad entry is named in one answer.
const checkEnvelope = bodyChecker(obj({ users: arr(anyValue()) }, { required: ['users'] }));

function tooMany(count: number, maxUsers: number, pointer: string): ImportRefused {
  return new ImportRefused([{ code: 'max_items', pointer, message: `The import holds ${count} users; at most ${maxUsers} are accepted per request: split it into several imports.` }]);
}

/** Checks entries in order, and gathers the users to write while none has failed. */
class EntryChecker {
  private readonly issues: RequestIssue[] = [];
  private users: PreparedUser[] = [];
  /** Where each email (lower-cased) first appeared. */
  private readonly firstSeen = new Map<string, number>();

  add(value: unknown, place: Place): void {
    const { issues, entry } = entryIssues(value);
    let duplicateOf: number | undefined;
    if (entry !== undefined) {
      const key = entry.email.toLowerCase();
      duplicateOf = this.firstSeen.get(key);
      if (duplicateOf === undefined) this.firstSeen.set(key, place.index);
      if (duplicateOf === undefined && issues.length === 0) {
        // Once an entry has failed nothing will be written: the rest are only checked.
        if (this.issues.length === 0) {
          const { identity } = entry;
          this.users.push({
            email: entry.email,
            name: entry.name ?? null,
            identity: identity !== undefined ? storedIdentityJson(identity, entry.email) : null,
            identityRecord: identity !== undefined ? identityRecord(identity, storedIdentityEmail(identity, entry.email)) : null,
          });
        }
        return;
      }
    }
    const at = position(place);
    const found = issues.map((i) => ({ ...i, pointer: at.pointer + i.pointer }));
    if (duplicateOf !== undefined) {
      found.unshift({
        code: 'duplicate_entry',
        pointer: `${at.pointer}/email`,
        message: `${quote(entry!.email)} already appears at ${position({ ndjson: place.ndjson, index: duplicateOf }).label} (emails compare case-insensitively); each user may appear once per import.`,
      });
    }
    for (const issue of found) this.issues.push(at.prefix === '' ? issue : { ...issue, message: at.prefix + issue.message });
  }

  addIssue(issue: RequestIssue): void {
    this.issues.push(issue);
  }

  /** Users gathered since the last take (none once an entry has failed). */
  get gathered(): number {
    return this.issues.length === 0 ? this.users.length : 0;
  }

  take(): PreparedUser[] {
    const users = this.users;
    this.users = [];
    return users;
  }

  /** After the last entry: the refusal, when any entry was bad. */
  refusal(): ImportRefused | undefined {
    return this.issues.length === 0 ? undefined : new ImportRefused(this.issues);
  }
}

/** Entries checked between two turns of the event loop: a big import must not stall other requests. */
const ENTRIES_PER_SLICE = 250;
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** An `application/json` import, `{"users": [{email, name?, identity?}, ...]}`, in checked batches. */
export async function* jsonUserBatches(body: unknown, maxUsers: number, batchUsers = IMPORT_BATCH_USERS): AsyncGenerator<PreparedUser[]> {
  const envelope = checkEnvelope(body);
  if (!envelope.ok) throw new ImportRefused(envelope.issues);
  const { users } = envelope.value;
  if (users.length > maxUsers) throw tooMany(users.length, maxUsers, '/users');
  const checker = new EntryChecker();
  for (let i = 0; i < users.length; i++) {
    if (i > 0 && i % ENTRIES_PER_SLICE === 0) await nextTurn();
    checker.add(users[i], { ndjson: false, index: i });
    if (checker.gathered >= batchUsers) yield checker.take();
  }
  yield* rest(checker);
}

/**
 * An `application/x-ndjson` import, one entry per line (blank lines are ignored), in checked
 * batches. The body may come in chunks (a whole string also works); past `maxUsers` entries the
 * rest is only counted, to say how many there were.
 */
export async function* ndjsonUserBatches(body: string | Iterable<string | Buffer> | AsyncIterable<string | Buffer>, maxUsers: number, batchUsers = IMPORT_BATCH_USERS): AsyncGenerator<PreparedUser[]> {
  const checker = new EntryChecker();
  let count = 0;
  let number = 0;
  const check = (line: string): void => {
    number++;
    if (line.trim() === '') return;
    if (++count > maxUsers) return;
    let value: unknown;
    try {
      value = parseUntrustedJson(line);
    } catch (err) {
      checker.addIssue({ code: 'invalid_format', pointer: `/line/${number}`, message: `Line ${number} is not valid JSON: ${(err as Error).message}` });
      return;
    }
    checker.add(value, { ndjson: true, index: number });
  };
  const decoder = new StringDecoder('utf8');
  let partial = '';
  for await (const chunk of typeof body === 'string' ? [body] : body) {
    const lines = (partial + (typeof chunk === 'string' ? chunk : decoder.write(chunk))).split('\n');
    partial = lines.pop()!;
    for (let i = 0; i < lines.length; i++) {
      if (i > 0 && i % ENTRIES_PER_SLICE === 0) await nextTurn();
      check(lines[i]!);
      if (checker.gathered >= batchUsers) yield checker.take();
    }
    // A chunk ends in a turn of its own too: the next may hold the first lines of a slice.
    await nextTurn();
  }
  check(partial + decoder.end());
  if (count > maxUsers) throw tooMany(count, maxUsers, '');
  yield* rest(checker);
}

async function* rest(checker: EntryChecker): AsyncGenerator<PreparedUser[]> {
  const refused = checker.refusal();
  if (refused !== undefined) throw refused;
  if (checker.gathered > 0) yield checker.take();
}
