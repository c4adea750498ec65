// What `portcullis export` writes: one export file {policies, groups, lists, identity_providers,
// apps, users} (to a .json path, or to stdout), or a directory of the files the offline commands
// read (policies.json, groups.json, lists.json, idps.json, apps.json, users.ndjson) with a
// manifest.json that vouches for them. Objects keep their ids, so references between them hold;
// server-managed fields (timestamps, counts) are left out, so two exports of the same account are
// the same text. Users are written as they are read.
//
// Nothing is written in place: files go to temporary names beside their destination and are
// renamed once all of them are complete (the manifest first, so that a directory never holds a
// mix of two exports that the manifest does not refuse). An interrupted export (Ctrl-C, a lost
// server) removes its temporary files and leaves the destination as it was.

import { once } from 'node:events';
import { closeSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, openSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { requestBody, type Snapshot, type SourceObject, type TransferUser, type WireObject } from '../../transfer/snapshot.js';
import { UsageError, write } from '../command-kit.js';
import { Digest, inProgressManifest, MANIFEST_FILE, manifestOf, type Manifest, type ManifestEntry } from './manifest.js';
import { APPS_FILE, DIRECTORY_FILES } from './read-files.js';

export { APPS_FILE };

export type ExportDestination = { readonly kind: 'stdout' } | { readonly kind: 'file'; readonly path: string } | { readonly kind: 'directory'; readonly path: string };

/** `-` or nothing: stdout; a path ending in .json: one file; anything else: a directory. */
export function exportDestination(out: string | undefined): ExportDestination {
  if (out === undefined || out === '-') return { kind: 'stdout' };
  return out.toLowerCase().endsWith('.json') ? { kind: 'file', path: out } : { kind: 'directory', path: out };
}

/**
 * Make sure the export can be written there before anything is read from the server (a large
 * account takes a while): the directory made (owner only), a file's folder present, and a
 * trial file created and removed. A place that will not do is a UsageError naming why.
 */
export function checkExportDestination(destination: ExportDestination): void {
  if (destination.kind === 'stdout') return;
  const folder = destination.kind === 'directory' ? destination.path : dirname(destination.path);
  const why = (err: unknown): string => {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') return 'a part of the path is a file, not a directory';
    if (code === 'ENOENT') return 'its folder does not exist';
    if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
    if (code === 'EROFS') return 'the file system is read-only';
    if (code === 'ENOSPC') return 'the disk is full';
    return (err as Error).message;
  };
  try {
    if (destination.kind === 'directory') mkdirSync(folder, { recursive: true, mode: 0o700 });
    if (destination.kind === 'file' && existsSync(destination.path) && statSync(destination.path).isDirectory()) {
      throw new UsageError(`Cannot write the export to ${destination.path}: it is a directory (name a directory without .json to export into it).`);
    }
    const trial = join(folder, `.portcullis-export-${randomBytes(4).toString('hex')}`);
    closeSync(openSync(trial, 'wx', 0o600));
    rmSync(trial, { force: true });
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`Cannot write the export to ${destination.path}: ${why(err)}.`);
  }
}

export interface ExportCounts {
  readonly identity_providers: number;
  readonly lists: number;
  readonly list_entries: number;
  readonly groups: number;
  readonly policies: number;
  readonly apps: number;
  /** null when users were left out. */
  readonly users: number | null;
  readonly identities: number | null;
}

/** Where an export comes from, for the manifest. */
export type ExportSource = Manifest['source'];

/** Fields put first, in this order, so that a reader sees what an object is before its rules. */
const LEADING_FIELDS = ['name', 'type', 'decision'];

const leadingFirst = (body: WireObject): WireObject => ({ ...Object.fromEntries(LEADING_FIELDS.filter((f) => f in body).map((f) => [f, body[f]])), ...body });

/** An object as export files hold it: its id, its leading fields, the rest (and a list's entries). */
function fileShape(object: SourceObject): WireObject {
  const shaped = { ...(object.id !== undefined ? { id: object.id } : {}), ...leadingFirst(object.body) };
  return object.kind === 'list' ? { ...shaped, items: object.entries ?? [] } : shaped;
}

/**
 * An application as apps.json holds it: its id, name, domain and type, and its policies by
 * precedence: a reusable one as a link to policies.json ({id, precedence, reusable: true, name}),
 * an application-scoped one whole (with "reusable": false), since it is nowhere else.
 */
export function appShape(app: WireObject, reusableIds: ReadonlySet<string>): WireObject {
  const policies = (Array.isArray(app.policies) ? (app.policies as WireObject[]) : [])
    .map((policy, i) => ({ policy, precedence: typeof policy.precedence === 'number' ? policy.precedence : i + 1 }))
    .sort((a, b) => a.precedence - b.precedence)
    .map(({ policy, precedence }) => {
      const id = String(policy.id);
      if (policy.reusable === true || reusableIds.has(id)) return { id, precedence, reusable: true, name: policy.name };
      return { id, ...leadingFirst(requestBody(policy)), precedence, reusable: false };
    });
  const fields = Object.fromEntries(['id', 'name', 'domain', 'type'].filter((f) => app[f] !== undefined).map((f) => [f, app[f]]));
  return { ...fields, policies };
}

function userShape(user: TransferUser): WireObject {
  return { ...(user.id !== undefined ? { id: user.id } : {}), email: user.email, ...(user.name !== undefined ? { name: user.name } : {}), ...(user.identity !== undefined ? { identity: user.identity } : {}) };
}

/** A text sink with backpressure: a file, or stdout. */
interface Sink {
  write(text: string): Promise<void>;
  close(): Promise<void>;
}

/** A file sink that also digests what goes through it (for the manifest). */
interface FileSink extends Sink {
  readonly digest: Digest;
}

function fileSink(path: string, replacing = false): FileSink {
  // Owner only, as the server's database: an export holds every user's identity. A new file
  // unless it replaces one of ours (never one planted where the export writes).
  const stream = createWriteStream(path, { mode: 0o600, flags: replacing ? 'w' : 'wx' });
  const failed = new Promise<never>((_, reject) => stream.once('error', reject));
  failed.catch(() => {});
  const digest = new Digest();
  return {
    digest,
    write: async (text) => {
      const bytes = Buffer.from(text, 'utf8');
      digest.update(bytes);
      if (!stream.write(bytes)) await Promise.race([once(stream, 'drain'), failed]);
    },
    close: async () => {
      stream.end();
      await Promise.race([once(stream, 'finish'), failed]);
    },
  };
}

const stdoutSink: Sink = { write, close: async () => {} };

/**
 * Run `work` with `path` (a temporary file or folder) removed if it fails or the process is
 * interrupted meanwhile (Ctrl-C: exit 130, SIGTERM: 143, as a shell reports them).
 */
async function removedUnlessDone<T>(path: string, work: () => Promise<T>): Promise<T> {
  const remove = () => rmSync(path, { recursive: true, force: true });
  const onSignal = (signal: NodeJS.Signals) => {
    remove();
    process.stderr.write(`${process.stderr.isTTY ? '\n' : ''}portcullis: ${signal}: the export stopped; nothing was written.\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await work();
  } catch (err) {
    remove();
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Write each user as one line of JSON: `before` the first, `between` the others. */
async function writeUsers(
  snapshot: Snapshot,
  sink: Sink,
  layout: { readonly before: string; readonly between: string },
  onUser: (done: number, total: number | undefined) => void,
): Promise<{ users: number; identities: number }> {
  let users = 0;
  let identities = 0;
  for await (const user of snapshot.users!.users()) {
    await sink.write((users === 0 ? layout.before : layout.between) + JSON.stringify(userShape(user)));
    users++;
    if (user.identity !== undefined) identities++;
    onUser(users, snapshot.users!.total);
  }
  return { users, identities };
}

interface ExportObjects {
  readonly policies: WireObject[];
  readonly groups: WireObject[];
  readonly lists: WireObject[];
  readonly identity_providers: WireObject[];
  readonly apps: WireObject[];
}

type Written = { users: number; identities: number };

/** The directory: every file into a temporary folder inside it, then renamed into place, the manifest first. */
async function writeDirectory(objects: ExportObjects, snapshot: Snapshot, dir: string, source: ExportSource, onUser: (done: number, total: number | undefined) => void): Promise<Written> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const staging = mkdtempSync(join(dir, '.export-'));
  return removedUnlessDone(staging, async () => {
    // Until the real one replaces it, this manifest says that the folder's files are incomplete.
    writeFileSync(join(staging, MANIFEST_FILE), JSON.stringify(inProgressManifest(source), null, 2) + '\n', { mode: 0o600 });
    const entries: Record<string, ManifestEntry> = {};
    const files: [string, WireObject[]][] = [
      [DIRECTORY_FILES.policies, objects.policies],
      [DIRECTORY_FILES.groups, objects.groups],
      [DIRECTORY_FILES.lists, objects.lists],
      [DIRECTORY_FILES.idps, objects.identity_providers],
      [APPS_FILE, objects.apps],
    ];
    for (const [name, value] of files) {
      const sink = fileSink(join(staging, name));
      await sink.write(JSON.stringify(value, null, 2) + '\n');
      await sink.close();
      entries[name] = sink.digest.entry(value.length);
    }
    let written: Written = { users: 0, identities: 0 };
    if (snapshot.users !== undefined) {
      const name = DIRECTORY_FILES.users[0];
      const sink = fileSink(join(staging, name));
      written = await writeUsers(snapshot, sink, { before: '', between: '\n' }, onUser);
      if (written.users > 0) await sink.write('\n');
      await sink.close();
      entries[name] = sink.digest.entry(written.users);
    }
    const manifest = fileSink(join(staging, MANIFEST_FILE), true);
    await manifest.write(JSON.stringify(manifestOf(source, entries), null, 2) + '\n');
    await manifest.close();
    // Synchronous from here on: no signal handler runs between these renames.
    for (const name of [MANIFEST_FILE, ...Object.keys(entries)]) renameSync(join(staging, name), join(dir, name));
    rmSync(staging, { recursive: true, force: true });
    return written;
  });
}

/** One export file: written under a temporary name beside it, renamed when complete. */
async function writeFile(objects: ExportObjects, snapshot: Snapshot, sink: Sink, onUser: (done: number, total: number | undefined) => void): Promise<Written> {
  const head = JSON.stringify(objects, null, 2);
  let written: Written = { users: 0, identities: 0 };
  if (snapshot.users === undefined) await sink.write(head + '\n');
  else {
    // The users array is streamed: one user a line, indented as JSON.stringify would place it.
    await sink.write(head.slice(0, -2) + ',\n  "users": [');
    written = await writeUsers(snapshot, sink, { before: '\n    ', between: ',\n    ' }, onUser);
    await sink.write(written.users > 0 ? '\n  ]\n}\n' : ']\n}\n');
  }
  await sink.close();
  return written;
}

/** Write the snapshot and the applications (as the API answers them); returns what was written. */
export async function writeExport(
  snapshot: Snapshot,
  apps: readonly WireObject[],
  destination: ExportDestination,
  source: ExportSource,
  onUser: (done: number, total: number | undefined) => void,
): Promise<ExportCounts> {
  const reusable = new Set(snapshot.policies.map((p) => p.id).filter((id): id is string => id !== undefined));
  const objects: ExportObjects = {
    policies: snapshot.policies.map(fileShape),
    groups: snapshot.groups.map(fileShape),
    lists: snapshot.lists.map(fileShape),
    identity_providers: snapshot.identityProviders.map(fileShape),
    apps: apps.map((app) => appShape(app, reusable)),
  };
  let written: Written;
  if (destination.kind === 'directory') written = await writeDirectory(objects, snapshot, destination.path, source, onUser);
  else if (destination.kind === 'stdout') written = await writeFile(objects, snapshot, stdoutSink, onUser);
  else {
    const { path } = destination;
    const partial = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.partial`);
    written = await removedUnlessDone(partial, async () => {
      const done = await writeFile(objects, snapshot, fileSink(partial), onUser);
      renameSync(partial, path);
      return done;
    });
  }
  const withUsers = snapshot.users !== undefined;
  return {
    identity_providers: objects.identity_providers.length,
    lists: objects.lists.length,
    list_entries: snapshot.lists.reduce((n, l) => n + (l.entries?.length ?? 0), 0),
    groups: objects.groups.length,
    policies: objects.policies.length,
    apps: objects.apps.length,
    users: withUsers ? written.users : null,
    identities: withUsers ? written.identities : null,
  };
}
