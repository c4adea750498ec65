// What `portcullis import` reads: an export file ({policies, groups, lists, identity_providers,
// users}), an export directory (policies.json, groups.json, lists.json, idps.json, users.ndjson),
// or single files named by --policies, --groups, --lists, --idps and --users, in the formats the
// offline commands read. Every object is validated as `lint` and `test` validate it, and every
// problem of every file is reported before anything is sent. Users wait in a spool file, so a
// large directory is not held in memory.

import { StringDecoder } from 'node:string_decoder';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sourceObject, type ObjectKind, type Snapshot, type SourceObject, type TransferUser, type UserSource, type WireObject } from '../../transfer/snapshot.js';
import { parseGroupItems, parseIdpItems, parseListItems } from '../catalog.js';
import { UsageError } from '../command-kit.js';
import { fileProblem, loadJson, type JsonDocument } from '../json-source.js';
import { checkExportFiles } from './manifest.js';
import { parsePolicyItems } from '../policy-file.js';
import type { Problems } from '../../transfer/problems.js';
import { findItems, isObject, itemsOf, type Items } from '../shapes.js';
import { Spool } from '../spool.js';
import { readUsers, type UserPlace, type UsersFormat } from '../users/source.js';
import type { SourceUser } from '../users/user.js';

export interface ImportFiles {
  /** An export file or directory. */
  readonly source?: string;
  readonly policies?: string;
  readonly groups?: string;
  readonly lists?: string;
  readonly idps?: string;
  readonly users?: string;
  readonly usersFormat?: UsersFormat;
  /** false: leave users out even when the source has them. */
  readonly withUsers: boolean;
}

/** The applications file of an export directory: each application with its policies by precedence (import does not write them). */
export const APPS_FILE = 'apps.json';

/** The files of an export directory, as `portcullis export --out DIR` writes them. */
export const DIRECTORY_FILES = {
  policies: 'policies.json',
  groups: 'groups.json',
  lists: 'lists.json',
  idps: 'idps.json',
  users: ['users.ndjson', 'users.jsonl', 'users.json', 'users.csv'],
} as const;

/** Keys of an export file, and how each kind is validated. */
const KINDS: readonly { kind: ObjectKind; option: 'policies' | 'groups' | 'lists' | 'idps'; key: string; what: string; validate: (items: Items, sink: Problems) => unknown }[] = [
  { kind: 'identity_provider', option: 'idps', key: 'identity_providers', what: 'identity providers', validate: parseIdpItems },
  { kind: 'list', option: 'lists', key: 'lists', what: 'Gateway lists', validate: parseListItems },
  { kind: 'group', option: 'groups', key: 'groups', what: 'Access groups', validate: (items, sink) => parseGroupItems(items, sink) },
  { kind: 'policy', option: 'policies', key: 'policies', what: 'policies', validate: parsePolicyItems },
];

const isFile = (path: string): boolean => {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

/** Where each part comes from: a file of its own, or a key of the export file. */
interface Sources {
  readonly exportDoc?: JsonDocument;
  readonly files: Partial<Record<'policies' | 'groups' | 'lists' | 'idps' | 'users', string>>;
  /** The export file holds the users (under "users"). */
  readonly usersInExport: boolean;
}

function locateSources(files: ImportFiles, problems: Problems): Sources {
  const own = { policies: files.policies, groups: files.groups, lists: files.lists, idps: files.idps, users: files.users };
  const given = Object.fromEntries(Object.entries(own).filter(([, f]) => f !== undefined)) as Sources['files'];
  if (files.source === undefined) {
    if (Object.keys(given).length === 0) throw new UsageError('Give an export file or directory, or at least one of --policies, --groups, --lists, --idps and --users.');
    return { files: given, usersInExport: false };
  }
  let directory: boolean;
  try {
    directory = statSync(files.source).isDirectory();
  } catch (err) {
    problems.add(fileProblem(files.source, err));
    return { files: given, usersInExport: false };
  }
  if (directory) {
    const found: Sources['files'] = {};
    for (const option of ['policies', 'groups', 'lists', 'idps'] as const) {
      const path = join(files.source, DIRECTORY_FILES[option]);
      if (isFile(path)) found[option] = path;
    }
    const users = DIRECTORY_FILES.users.map((name) => join(files.source!, name)).find(isFile);
    if (users !== undefined) found.users = users;
    if (Object.keys(found).length === 0) {
      problems.add({ file: files.source, code: 'file_not_found', message: `The directory holds none of ${[...Object.values(DIRECTORY_FILES).flat()].join(', ')}.` });
    }
    return { files: { ...found, ...given }, usersInExport: false };
  }
  const doc = loadJson(files.source, problems);
  if (doc === undefined) return { files: given, usersInExport: false };
  const keys = [...KINDS.map((k) => k.key), 'users'];
  if (!isObject(doc.value) || !keys.some((key) => Array.isArray((doc.value as WireObject)[key]))) {
    problems.add(
      doc.problem('', 'invalid_shape', `An export file is an object with ${keys.map((k) => `"${k}"`).join(', ')} arrays (any of them); name a file of one kind with --policies, --groups, --lists, --idps or --users.`),
    );
    return { files: given, usersInExport: false };
  }
  return { exportDoc: doc, files: given, usersInExport: given.users === undefined && Array.isArray(doc.value.users) };
}

/** The objects of one kind, validated; problems go to `problems`. */
function readKind(spec: (typeof KINDS)[number], sources: Sources, problems: Problems): SourceObject[] {
  const file = sources.files[spec.option];
  let items: Items | undefined;
  if (file !== undefined) {
    const doc = loadJson(file, problems);
    items = doc && itemsOf(doc, spec.key, spec.what, problems);
  } else if (sources.exportDoc !== undefined) {
    items = findItems(sources.exportDoc, [spec.key]);
  }
  if (items === undefined) return [];
  const before = problems.count;
  spec.validate(items, problems);
  if (problems.count > before) return [];
  const { doc, base } = items;
  return items.values.map((value, i) => sourceObject(spec.kind, value as WireObject, (pointer, code, message) => doc.problem(`${base}/${i}${pointer}`, code, message)));
}

/** An identity holding only the user's email and name decides like none: it is left out. */
function transferUser(user: SourceUser): TransferUser {
  const bare = Object.keys(user.identity).every((key) => key === 'email' || key === 'name');
  return { email: user.email, ...(user.name !== '' ? { name: user.name } : {}), ...(bare ? {} : { identity: user.identity as WireObject }) };
}

/** Users read from the spool, one NDJSON line each. */
export function spooledUsers(spool: Spool, total: number): UserSource {
  return {
    total,
    async *users() {
      let rest = '';
      // A character may be cut between two chunks: the decoder keeps its first bytes for the next.
      const decoder = new StringDecoder('utf8');
      for await (const chunk of spool.chunks()) {
        const lines = (rest + decoder.write(chunk)).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) if (line !== '') yield JSON.parse(line) as TransferUser;
      }
      rest += decoder.end();
      if (rest !== '') yield JSON.parse(rest) as TransferUser;
    },
  };
}

export interface ReadSnapshot {
  readonly snapshot: Snapshot;
  /** Applications the source holds (an export file's "apps", an export directory's apps.json), which import does not write. */
  readonly appsNotImported: number;
  /** Remove the users' spool. */
  dispose(): void;
}

/** Read and validate everything to import; throws an InputError naming every problem. */
export async function readImportFiles(files: ImportFiles, problems: Problems): Promise<ReadSnapshot> {
  const sources = locateSources(files, problems);
  // Files of an export directory must be those its manifest vouches for: a partial export is not imported.
  checkExportFiles([...Object.values(sources.files), ...(sources.exportDoc !== undefined ? [files.source] : [])], problems);
  const [identityProviders, lists, groups, policies] = KINDS.map((spec) => readKind(spec, sources, problems));
  const usersFile = sources.files.users ?? (sources.usersInExport ? files.source : undefined);
  let users: UserSource | undefined;
  let spool: Spool | undefined;
  if (files.withUsers && usersFile !== undefined) {
    // The server's own check of an import entry (types of identity fields, IP addresses, ...),
    // so that a user it would refuse is reported here, at its line, before anything is written.
    // Loaded only when there are users: it compiles the entry's schema.
    const { entryIssues } = await import('../../schema/import-entry.js');
    spool = new Spool();
    const into = spool;
    const format = sources.files.users !== undefined ? files.usersFormat : 'json';
    const onUser = (user: SourceUser, place: UserPlace) => {
      const entry = transferUser(user);
      for (const issue of entryIssues(entry).issues) problems.add(place(issue.pointer, issue.code, issue.message));
      into.append(JSON.stringify(entry) + '\n');
    };
    const read = await readUsers(usersFile, problems, onUser, format !== undefined ? { format } : {});
    users = spooledUsers(into, read.count);
  }
  try {
    problems.throwIfAny();
  } catch (err) {
    spool?.dispose();
    throw err;
  }
  const snapshot: Snapshot = { identityProviders, lists, groups, policies, ...(users !== undefined ? { users } : {}) };
  return { snapshot, appsNotImported: appsIn(files.source, sources), dispose: () => spool?.dispose() };
}

/** How many applications the source holds; import does not write them, and says so. */
function appsIn(source: string | undefined, sources: Sources): number {
  const fromExport = sources.exportDoc !== undefined && isObject(sources.exportDoc.value) ? sources.exportDoc.value.apps : undefined;
  if (Array.isArray(fromExport)) return fromExport.length;
  if (source === undefined || sources.exportDoc !== undefined) return 0;
  const path = join(source, APPS_FILE);
  if (!isFile(path)) return 0;
  try {
    const apps: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return Array.isArray(apps) ? apps.length : 0;
  } catch {
    return 0;
  }
}
