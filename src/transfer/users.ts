// Users and their last seen identities. Cloudflare's API reads them (users, then each user's
// last_seen_identity); only portcullis can write them, through its import extension
// (POST .../access/users/import, NDJSON, by email), which import uses in batches.

import { createHash } from 'node:crypto';
import Cloudflare from 'cloudflare';
import type { AccountApi, IdentityPage, ImportAnswer } from './account-api.js';
import type { ProgressSink } from './apply.js';
import type { IdMap } from './id-map.js';
import { rewriteIdentityIdp } from './references.js';
import { calling } from './api-failures.js';
import { RemoteError } from './remote-error.js';
import type { TransferUser, UserSource, WireObject } from './snapshot.js';
import { storedIdentityJson } from '../engine/index.js';

/** A target without the user import extension (Cloudflare): everything but the users was imported. */
class NoUserImport extends RemoteError {}

/** Users per import request: a few MB of NDJSON, far below the server's limits. */
export const USERS_PER_BATCH = 5000;
/** last_seen_identity requests in flight at once while reading users. */
const IDENTITY_READS_AT_ONCE = 8;
/** Users per page of portcullis's bulk identity read. */
const IDENTITY_PAGE = 10_000;

/** The users an import created, changed and left unchanged: the import's answers added up. */
export type UserCounts = ImportAnswer;

/** One NDJSON line of the import body; the identity's IdP id is the target's. */
function importLine(user: TransferUser, ids: IdMap): string {
  const identity = user.identity === undefined ? undefined : rewriteIdentityIdp(user.identity, (id) => ids.get('identity_provider', id));
  return JSON.stringify({ email: user.email, ...(user.name !== undefined && user.name !== '' ? { name: user.name } : {}), ...(identity !== undefined ? { identity } : {}) });
}

/**
 * Importing users stopped part way: a batch the target failed to take (not a target without the
 * import extension, which says so itself), or the source of the users (a sync's other server)
 * failing to give the rest. `imported` users, those of the batches before, stay on the target.
 */
export class UserBatchFailed extends Error {
  constructor(
    readonly failure: unknown,
    readonly imported: number,
    /** Whether a batch was being sent (and may have been imported) when it failed. */
    readonly sending: boolean,
  ) {
    super(failure instanceof Error ? failure.message : String(failure));
    this.name = 'UserBatchFailed';
  }
}

async function sendBatch(api: AccountApi, lines: readonly string[]): Promise<ImportAnswer> {
  try {
    return await api.importUsers(lines.join('\n') + '\n');
  } catch (err) {
    if (err instanceof Cloudflare.NotFoundError) {
      throw new NoUserImport([
        `${api.endpoint.url} has no user import (POST .../access/users/import answered 404): users and identities can only be imported into a portcullis server. ` +
          'Everything else was imported; run again with --no-users to leave the users out.',
      ]);
    }
    throw err;
  }
}

/** Create or update every user of `source` by email, USERS_PER_BATCH at a time. */
export async function importUsers(api: AccountApi, source: UserSource, ids: IdMap, onProgress: ProgressSink = () => {}, batchSize = USERS_PER_BATCH): Promise<UserCounts> {
  let created = 0;
  let updated = 0;
  let unchanged = 0;
  let done = 0;
  let batch: string[] = [];
  let sending = false;
  const flush = async () => {
    if (batch.length === 0) return;
    const lines = batch;
    batch = [];
    sending = true;
    const counts = await calling(api.endpoint, 'importing users', () => sendBatch(api, lines));
    sending = false;
    created += counts.created;
    updated += counts.updated;
    unchanged += counts.unchanged ?? 0;
    done += lines.length;
    onProgress('Users', done, source.total);
  };
  try {
    for await (const user of source.users()) {
      batch.push(importLine(user, ids));
      if (batch.length >= batchSize) await flush();
    }
    await flush();
  } catch (err) {
    if (err instanceof NoUserImport) throw err;
    throw new UserBatchFailed(err, done, sending);
  }
  return { created, updated, unchanged };
}

/**
 * What a dry run says of the users: the counts the import would answer. `unchanged` is undefined
 * where the target cannot say (an API without the bulk identity read, Cloudflare's): there users
 * are matched by email only, and every one the target has counts as updated.
 */
export interface UserPlan {
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number | undefined;
}

/** 96 bits: a digest is compared with one other, never looked up among many. */
const DIGEST_BYTES = 12;

/** A short digest of a text, for comparing it with another without keeping either: one character a byte. */
const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();
const digest = (text: string): string => sha256(text).toString('latin1', 0, DIGEST_BYTES);

/** Whether a target user has an identity, and a sign-in time with it (the first character of a TargetUser). */
const NO_IDENTITY = '-';
const NOT_SIGNED_IN = 'n';
const SIGNED_IN = 's';

/**
 * What a dry run keeps of a target user, compact for a million of them (about 120 bytes a user
 * with its email): whether it has an identity and a sign-in time, then the digests of its name
 * and of its identity as stored, in one flat string (a concatenation or a slice would keep its parts).
 */
type TargetUser = string;

function targetUser(user: IdentityPage['users'][number]): TargetUser {
  const hasIdentity = user.identity !== null;
  const out = Buffer.allocUnsafe(1 + DIGEST_BYTES * (hasIdentity ? 2 : 1));
  // An older server does not send the login time: taken as signed in, which every imported or logged-in user is.
  out.write(!hasIdentity ? NO_IDENTITY : user.last_successful_login === null ? NOT_SIGNED_IN : SIGNED_IN, 0, 'latin1');
  sha256(user.name).copy(out, 1, 0, DIGEST_BYTES);
  // The page's identity is the stored JSON text, parsed: serialized again it is that text.
  if (hasIdentity) sha256(JSON.stringify(user.identity)).copy(out, 1 + DIGEST_BYTES, 0, DIGEST_BYTES);
  return out.toString('latin1');
}


/**
 * The import's rule (store/sql/user-import-writer.ts CHANGED_BY) for one entry and the target
 * user of its email: changed when it gives a name other than the user's, or an identity other
 * than the user's (as stored text), or an identity to a user who has none or has not signed in.
 */
function changes(user: TransferUser, identity: WireObject | undefined, target: TargetUser): boolean {
  if (user.name !== undefined && user.name !== '' && digest(user.name) !== target.slice(1, 1 + DIGEST_BYTES)) return true;
  if (identity === undefined) return false;
  if (target[0] !== SIGNED_IN) return true;
  return digest(storedIdentityJson(identity, user.email)) !== target.slice(1 + DIGEST_BYTES);
}

/**
 * What importing `source` would do, by the import's own rule: users whose email the target lacks
 * are created; the others are updated when their entry changes them, else left unchanged (their
 * identities' IdPs named by the target's ids, `ids`, as the import will send them). From an API
 * without the bulk identity read, users are matched by email only (UserPlan).
 */
export async function planUsers(api: AccountApi, source: UserSource, ids: IdMap): Promise<UserPlan> {
  const first = await calling(api.endpoint, 'reading users with their identities', () => api.identityPage(undefined, IDENTITY_PAGE));
  if (first === undefined) return planByEmail(api, source);
  const existing = new Map<string, TargetUser>();
  for await (const page of identityPages(api, first)) for (const user of page.users) existing.set(user.email.toLowerCase(), targetUser(user));
  let created = 0;
  let updated = 0;
  let unchanged = 0;
  for await (const user of source.users()) {
    const target = existing.get(user.email.toLowerCase());
    if (target === undefined) {
      created++;
      continue;
    }
    const identity = user.identity === undefined ? undefined : rewriteIdentityIdp(user.identity, (id) => ids.get('identity_provider', id));
    if (changes(user, identity, target)) updated++;
    else unchanged++;
  }
  return { created, updated, unchanged };
}

async function planByEmail(api: AccountApi, source: UserSource): Promise<UserPlan> {
  const existing = new Set<string>();
  await calling(api.endpoint, 'listing the users', async () => {
    for await (const page of api.userPages()) for (const user of page.users) existing.add(String(user.email).toLowerCase());
  });
  let created = 0;
  let updated = 0;
  for await (const user of source.users()) {
    if (existing.has(user.email.toLowerCase())) updated++;
    else created++;
  }
  return { created, updated, unchanged: undefined };
}

async function withIdentity(api: AccountApi, user: WireObject): Promise<TransferUser> {
  const id = String(user.id);
  const identity = await api.lastSeenIdentity(id);
  return {
    id,
    email: String(user.email),
    ...(typeof user.name === 'string' && user.name !== '' ? { name: user.name } : {}),
    ...(identity !== undefined ? { identity } : {}),
  };
}

/**
 * The users of an account with their last seen identities, read as they are consumed: from a
 * portcullis server in pages of users with identities (one request per 10,000 users); from an
 * API without that extension (Cloudflare), a page of users, then their identities a few at a time.
 */
export async function accountUsers(api: AccountApi): Promise<UserSource> {
  const first = await calling(api.endpoint, 'reading users with their identities', () => api.identityPage(undefined, IDENTITY_PAGE));
  return first === undefined ? usersOneIdentityAtATime(api) : usersInBulk(api, first);
}

function fromIdentityPage(user: IdentityPage['users'][number]): TransferUser {
  return { id: user.id, email: user.email, ...(user.name !== '' ? { name: user.name } : {}), ...(user.identity !== null ? { identity: user.identity } : {}) };
}

function usersInBulk(api: AccountApi, first: IdentityPage): UserSource {
  return {
    total: first.total_count,
    async *users() {
      for await (const page of identityPages(api, first)) for (const user of page.users) yield fromIdentityPage(user);
    },
  };
}

/** The pages of the bulk identity read, from `first` on, read as they are consumed. */
async function* identityPages(api: AccountApi, first: IdentityPage): AsyncGenerator<IdentityPage> {
  // A cursor that comes round again would page forever (a faulty or hostile source).
  const cursors = new Set<string>();
  for (let page: IdentityPage | undefined = first; page !== undefined; ) {
    yield page;
    const cursor: string | null = page.next_cursor;
    if (cursor !== null && cursors.has(cursor)) {
      throw new RemoteError([`${api.endpoint.url} answered a users page cursor it had answered before (${JSON.stringify(cursor.slice(0, 40))}): its paging goes round in circles, so the users were not read to the end.`]);
    }
    if (cursor !== null) cursors.add(cursor);
    page = cursor === null ? undefined : await calling(api.endpoint, 'reading users with their identities', () => api.identityPage(cursor, IDENTITY_PAGE));
  }
}

async function usersOneIdentityAtATime(api: AccountApi): Promise<UserSource> {
  const pages = api.userPages()[Symbol.asyncIterator]();
  const nextPage = () => calling(api.endpoint, 'listing the users', () => pages.next());
  // The first page is read now: it says how many users there are.
  const first = await nextPage();
  return {
    total: first.done === true ? 0 : first.value.total,
    async *users() {
      for (let page = first; page.done !== true; page = await nextPage()) {
        const users = page.value.users;
        for (let i = 0; i < users.length; i += IDENTITY_READS_AT_ONCE) {
          const slice = users.slice(i, i + IDENTITY_READS_AT_ONCE);
          yield* await calling(api.endpoint, 'reading last seen identities', () => Promise.all(slice.map((u) => withIdentity(api, u))));
        }
      }
    },
  };
}
