// What `portcullis export` writes: one export file {policies, groups, lists, identity_providers,
// users} (to a .json path, or to stdout), or a directory of the files the offline commands read
// (policies.json, groups.json, lists.json, idps.json, users.ndjson). Objects keep their ids, so
// references between them hold; server-managed fields (timestamps, counts) are left out, so two
// exports of the same account are the same text. Users are written as they are read.

import { once } from 'node:events';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Snapshot, SourceObject, TransferUser, WireObject } from '../../transfer/snapshot.js';
import { write } from '../command-kit.js';
import { DIRECTORY_FILES } from './read-files.js';

export type ExportDestination = { readonly kind: 'stdout' } | { readonly kind: 'file'; readonly path: string } | { readonly kind: 'directory'; readonly path: string };

/** `-` or nothing: stdout; a path ending in .json: one file; anything else: a directory. */
export function exportDestination(out: string | undefined): ExportDestination {
  if (out === undefined || out === '-') return { kind: 'stdout' };
  return out.toLowerCase().endsWith('.json') ? { kind: 'file', path: out } : { kind: 'directory', path: out };
}

export interface ExportCounts {
  readonly identity_providers: number;
  readonly lists: number;
  readonly list_entries: number;
  readonly groups: number;
  readonly policies: number;
  /** null when users were left out. */
  readonly users: number | null;
  readonly identities: number | null;
}

/** Fields put first, in this order, so that a reader sees what an object is before its rules. */
const LEADING_FIELDS = ['name', 'type', 'decision'];

/** An object as export files hold it: its id, its leading fields, the rest (and a list's entries). */
function fileShape(object: SourceObject): WireObject {
  const leading = Object.fromEntries(LEADING_FIELDS.filter((f) => f in object.body).map((f) => [f, object.body[f]]));
  const shaped = { ...(object.id !== undefined ? { id: object.id } : {}), ...leading, ...object.body };
  return object.kind === 'list' ? { ...shaped, items: object.entries ?? [] } : shaped;
}

function userShape(user: TransferUser): WireObject {
  return { ...(user.id !== undefined ? { id: user.id } : {}), email: user.email, ...(user.name !== undefined ? { name: user.name } : {}), ...(user.identity !== undefined ? { identity: user.identity } : {}) };
}

/** A text sink with backpressure: a file, or stdout. */
interface Sink {
  write(text: string): Promise<void>;
  close(): Promise<void>;
}

function fileSink(path: string): Sink {
  const stream = createWriteStream(path);
  const failed = new Promise<never>((_, reject) => stream.once('error', reject));
  failed.catch(() => {});
  return {
    write: async (text) => {
      if (!stream.write(text)) await Promise.race([once(stream, 'drain'), failed]);
    },
    close: async () => {
      stream.end();
      await Promise.race([once(stream, 'finish'), failed]);
    },
  };
}

const stdoutSink: Sink = { write, close: async () => {} };

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

/** Write the snapshot; returns what was written. */
export async function writeExport(snapshot: Snapshot, destination: ExportDestination, onUser: (done: number, total: number | undefined) => void): Promise<ExportCounts> {
  const objects = {
    policies: snapshot.policies.map(fileShape),
    groups: snapshot.groups.map(fileShape),
    lists: snapshot.lists.map(fileShape),
    identity_providers: snapshot.identityProviders.map(fileShape),
  };
  let written = { users: 0, identities: 0 };
  if (destination.kind === 'directory') {
    mkdirSync(destination.path, { recursive: true });
    const files: [string, unknown][] = [
      [DIRECTORY_FILES.policies, objects.policies],
      [DIRECTORY_FILES.groups, objects.groups],
      [DIRECTORY_FILES.lists, objects.lists],
      [DIRECTORY_FILES.idps, objects.identity_providers],
    ];
    for (const [name, value] of files) {
      const sink = fileSink(join(destination.path, name));
      await sink.write(JSON.stringify(value, null, 2) + '\n');
      await sink.close();
    }
    if (snapshot.users !== undefined) {
      const sink = fileSink(join(destination.path, DIRECTORY_FILES.users[0]));
      written = await writeUsers(snapshot, sink, { before: '', between: '\n' }, onUser);
      if (written.users > 0) await sink.write('\n');
      await sink.close();
    }
  } else {
    const sink = destination.kind === 'file' ? fileSink(destination.path) : stdoutSink;
    const head = JSON.stringify(objects, null, 2);
    if (snapshot.users === undefined) await sink.write(head + '\n');
    else {
      // The users array is streamed: one user a line, indented as JSON.stringify would place it.
      await sink.write(head.slice(0, -2) + ',\n  "users": [');
      written = await writeUsers(snapshot, sink, { before: '\n    ', between: ',\n    ' }, onUser);
      await sink.write(written.users > 0 ? '\n  ]\n}\n' : ']\n}\n');
    }
    await sink.close();
  }
  const withUsers = snapshot.users !== undefined;
  return {
    identity_providers: objects.identity_providers.length,
    lists: objects.lists.length,
    list_entries: snapshot.lists.reduce((n, l) => n + (l.entries?.length ?? 0), 0),
    groups: objects.groups.length,
    policies: objects.policies.length,
    users: withUsers ? written.users : null,
    identities: withUsers ? written.identities : null,
  };
}
