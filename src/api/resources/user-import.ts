// Parsing and checking a user import (docs/extensions.md "Identities"): JSON
// `{"users": [...]}` or NDJSON (one entry a line, blank lines ignored). Each good entry is
// prepared for the store once (its identity serialized as stored) and handed on in batches as
// the entries are checked, so the store writes one batch while the next is checked. All or
// nothing: after the first bad entry nothing more is handed on, the rest are only checked, and
// the batches end by throwing ImportRefused with every problem of every entry, each with a
// pointer (/users/3/email in JSON; /line/7/email in NDJSON, whose messages also name the line):
// the store's transaction then rolls back what it wrote.

import { isUtf8 } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';
import { identityRecord, quote, storedIdentityEmail, storedIdentityJson } from '../../engine/index.js';
import type { PreparedUser } from '../../store/store.js';
import type { RequestIssue } from '../errors.js';
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
 * Whether a body that comes in chunks is UTF-8, each byte looked at once by the native check
 * (a decoder that refuses bad bytes reads plain text several times slower than one that
 * replaces them). A character cut between two chunks is checked with the next.
 */
class Utf8Check {
  private carry: Buffer = Buffer.alloc(0);

  /** Whether this chunk, after those before it, is UTF-8 so far. */
  fits(chunk: Buffer): boolean {
    const bytes = this.carry.length === 0 ? chunk : Buffer.concat([this.carry, chunk]);
    const end = wholeCharactersEnd(bytes);
    this.carry = Buffer.from(bytes.subarray(end));
    return isUtf8(bytes.subarray(0, end));
  }

  /** Whether the body ended on a whole character. */
  ended(): boolean {
    return this.carry.length === 0;
  }
}

/** Where the bytes' last character starts when it is cut short (a lead byte missing its continuation), else their length. */
function wholeCharactersEnd(bytes: Buffer): number {
  let start = bytes.length - 1;
  while (start >= 0 && bytes.length - start <= 3 && (bytes[start]! & 0xc0) === 0x80) start--;
  if (start < 0) return bytes.length;
  const lead = bytes[start]!;
  const length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return start + length > bytes.length ? start : bytes.length;
}

/** The longest NDJSON line an import reads (a user of thousands of groups takes a few hundred KiB). */
export const MAX_IMPORT_LINE_CHARS = 1 << 20;

/** Stands for a line longer than MAX_IMPORT_LINE_CHARS, of which nothing was kept. */
const OVERLONG = Symbol('overlong line');

/**
 * The lines of a body that comes in chunks. Each chunk is searched once (an unfinished line is
 * kept as its pieces, not joined again and searched at every chunk), and a line past
 * MAX_IMPORT_LINE_CHARS is kept no further: OVERLONG stands for it.
 */
class LineSplitter {
  private pieces: string[] = [];
  private held = 0;
  private overlong = false;

  /** The lines this text ends. */
  push(text: string): (string | typeof OVERLONG)[] {
    const lines: (string | typeof OVERLONG)[] = [];
    let start = 0;
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      lines.push(this.finish(text.slice(start, end)));
      start = end + 1;
    }
    const rest = start === 0 ? text : text.slice(start);
    if (this.overlong || rest === '') return lines;
    if (this.held + rest.length > MAX_IMPORT_LINE_CHARS) {
      this.overlong = true;
      this.pieces = [];
      this.held = 0;
    } else {
      this.pieces.push(rest);
      this.held += rest.length;
    }
    return lines;
  }

  /** The last line, which no newline ended. */
  end(): string | typeof OVERLONG {
    return this.finish('');
  }

  private finish(tail: string): string | typeof OVERLONG {
    const line = this.overlong || this.held + tail.length > MAX_IMPORT_LINE_CHARS ? OVERLONG : this.pieces.length === 0 ? tail : this.pieces.join('') + tail;
    // Most lines end in the chunk they began in: no new array for them.
    if (this.pieces.length > 0) this.pieces = [];
    this.held = 0;
    this.overlong = false;
    return line;
  }
}

/**
 * An `application/x-ndjson` import, one entry per line (blank lines are ignored), in checked
 * batches. The body may come in chunks (a whole string also works); past `maxUsers` entries the
 * rest is only counted, to say how many there were. Bytes that are not UTF-8 refuse the import
 * (rather than being read as U+FFFD), and so does a line past MAX_IMPORT_LINE_CHARS.
 */
export async function* ndjsonUserBatches(body: string | Iterable<string | Buffer> | AsyncIterable<string | Buffer>, maxUsers: number, batchUsers = IMPORT_BATCH_USERS): AsyncGenerator<PreparedUser[]> {
  const checker = new EntryChecker();
  let count = 0;
  let number = 0;
  const check = (line: string | typeof OVERLONG): void => {
    number++;
    if (line !== OVERLONG && line.trim() === '') return;
    if (++count > maxUsers) return;
    if (line === OVERLONG) {
      checker.addIssue({ code: 'invalid_format', pointer: `/line/${number}`, message: `Line ${number} is longer than ${MAX_IMPORT_LINE_CHARS} characters, more than any user's entry needs.` });
      return;
    }
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
  const utf8 = new Utf8Check();
  const splitter = new LineSplitter();
  // Once the bytes stop being UTF-8 nothing after them can be read: the rest of the body is
  // only let through, and the import refused.
  let undecodable = false;
  const decode = (chunk: Buffer | undefined): string => {
    if (undecodable) return '';
    if (chunk === undefined ? utf8.ended() : utf8.fits(chunk)) return chunk === undefined ? decoder.end() : decoder.write(chunk);
    undecodable = true;
    // Where in the chunk the bytes went wrong is not known: the lines read before it are.
    checker.addIssue({ code: 'invalid_format', pointer: '', message: number === 0 ? 'The body is not UTF-8.' : `The body is not UTF-8 after line ${number}.` });
    return '';
  };
  for await (const chunk of typeof body === 'string' ? [body] : body) {
    const lines = splitter.push(typeof chunk === 'string' ? chunk : decode(chunk));
    for (let i = 0; i < lines.length; i++) {
      if (i > 0 && i % ENTRIES_PER_SLICE === 0) await nextTurn();
      check(lines[i]!);
      if (checker.gathered >= batchUsers) yield checker.take();
    }
    // A chunk ends in a turn of its own too: the next may hold the first lines of a slice.
    await nextTurn();
  }
  splitter.push(decode(undefined));
  if (!undecodable) check(splitter.end());
  if (count > maxUsers) throw tooMany(count, maxUsers, '');
  yield* rest(checker);
}

async function* rest(checker: EntryChecker): AsyncGenerator<PreparedUser[]> {
  const refused = checker.refusal();
  if (refused !== undefined) throw refused;
  if (checker.gathered > 0) yield checker.take();
}
