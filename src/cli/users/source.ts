// Reading a users file of any supported format, one user at a time: NDJSON (streamed), a JSON
// array, import body ({"users": [...]}) or API list response ({"result": [...]}) parsed whole,
// or CSV (streamed). Every entry is checked; problems are collected with their line or pointer
// and reading goes on, so one run reports every bad entry. Emails must be unique
// (case-insensitively), as in the server's store.

import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { fileProblem, loadJson } from '../json-source.js';
import type { Problem, Problems } from '../../transfer/problems.js';
import { findItems } from '../shapes.js';
import { streamCsv } from './csv.js';
import { EmailIndex } from './email-index.js';
import { streamNdjson } from './ndjson.js';
import { userFromEntry, type SourceUser } from './user.js';

export const USERS_FORMATS = ['ndjson', 'json', 'csv'] as const;
export type UsersFormat = (typeof USERS_FORMATS)[number];

export interface ReadUsersOptions {
  /** Force a format instead of detecting it. */
  readonly format?: UsersFormat;
  /** Called as the file is read: bytes so far and the file's size. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Places a problem of one user at its line (or pointer) in the file; `pointer` is inside the entry. */
export type UserPlace = (pointer: string, code: string, message: string) => Problem;

export interface UsersRead {
  readonly format: UsersFormat;
  /** Users passed to onUser (valid and not duplicated). */
  readonly count: number;
}

/** Size of a readable users file, or undefined (and a problem) when it cannot be read. */
export function checkReadable(file: string, problems: Problems): number | undefined {
  try {
    const stat = statSync(file);
    if (stat.isDirectory()) {
      problems.add({ file, code: 'file_unreadable', message: 'This is a directory, not a file.' });
      return undefined;
    }
    closeSync(openSync(file, 'r'));
    return stat.size;
  } catch (err) {
    problems.add(fileProblem(file, err));
    return undefined;
  }
}

/**
 * The format of a users file: by extension (.csv, .ndjson, .jsonl), else by its first bytes:
 * "[", or an object whose first key is "users" (the import body), another key of an export
 * file, or a key of the API's envelope (a list response of GET .../access/users, whatever the
 * order of its keys), is one JSON document; anything else NDJSON.
 */
export function detectFormat(file: string): UsersFormat {
  const ext = extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.ndjson' || ext === '.jsonl') return 'ndjson';
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(4096);
    const n = readSync(fd, head, 0, head.length, 0);
    const text = head.subarray(0, n).toString('utf8').replace(/^\uFEFF/, '');
    return /^\s*(\[|\{\s*"(users|policies|groups|lists|identity_providers|apps|result|result_info|success|errors|messages)"\s*:)/.test(text) ? 'json' : 'ndjson';
  } finally {
    closeSync(fd);
  }
}

/**
 * Read every user of `file`, calling `onUser` for each valid one in file order. Problems go to
 * `problems`; the caller decides what to do with them once the whole file has been read.
 */
export async function readUsers(
  file: string,
  problems: Problems,
  onUser: (user: SourceUser, place: UserPlace) => void,
  options: ReadUsersOptions = {},
): Promise<UsersRead> {
  const size = checkReadable(file, problems);
  if (size === undefined) return { format: options.format ?? 'ndjson', count: 0 };
  const format = options.format ?? detectFormat(file);
  const progress = options.onProgress === undefined ? undefined : (done: number) => options.onProgress!(done, size);
  // Where each email was first seen: a line number, or an index for JSON arrays.
  const emails = new EmailIndex();
  let jsonBase = '';
  let count = 0;
  const accept = (user: SourceUser, where: number, place: UserPlace): void => {
    const first = emails.seen(user.email, where);
    if (first !== undefined) {
      problems.add(place('/email', 'duplicate_user', `The email ${user.email} already appears ${format === 'json' ? `at ${jsonBase}/${first}` : `on line ${first}`}.`));
      return;
    }
    count++;
    onUser(user, place);
  };

  if (format === 'csv') {
    // A CSV problem names the line; the pointer inside the entry means nothing there.
    await streamCsv(file, problems, (user, line) => accept(user, line, (_pointer, code, message) => ({ file, line, code, message })), progress);
  } else if (format === 'ndjson') {
    await streamNdjson(file, problems, (entry, line) => {
      const user = userFromEntry(entry, (pointer, message) => problems.add({ file, line, pointer, code: 'invalid_user', message }));
      if (user !== undefined) accept(user, line, (pointer, code, message) => ({ file, line, pointer, code, message }));
    }, progress);
  } else {
    const doc = loadJson(file, problems);
    if (doc === undefined) return { format, count: 0 };
    const items = findItems(doc, ['users', 'result']);
    if (items === undefined) {
      problems.add(doc.problem('', 'invalid_shape', 'Expected a JSON array of users, or an object with a "users" array (the import body) or a "result" array (an API list response).'));
      return { format, count: 0 };
    }
    jsonBase = items.base;
    items.values.forEach((entry, i) => {
      const at = `${items.base}/${i}`;
      const user = userFromEntry(entry, (pointer, message) => problems.add(doc.problem(at + pointer, 'invalid_user', message)));
      if (user !== undefined) accept(user, i, (pointer, code, message) => doc.problem(at + pointer, code, message));
      if (i % 10_000 === 0) progress?.(Math.round((i / items.values.length) * size));
    });
  }
  return { format, count };
}
