// Zero Trust users: /accounts/{account_id}/access/users, the user base the policy tester runs
// against, with each user's last seen identity. portcullis adds two writes Cloudflare lacks
// (docs/extensions.md "Identities"): setting one identity, and a bulk import by email.

import { identityToStore, isValidEmail, quote } from '../../engine/index.js';
import type { PreparedUser, StoreReader, UserRecord } from '../../store/store.js';
import { apiError, validationError } from '../errors.js';
import { paging, pageQueryProperties, resultInfo } from '../pagination.js';
import { defineRoute, type RouteDef } from '../route.js';
import { IDENTITY_SCHEMA, identityIssues } from '../../schema/identity.js';
import { arr, nullOnly, str, type Static } from '../../schema/json-schema.js';
import { IMPORT_REQUEST, IMPORT_RESPONSE, USER_CREATE_REQUEST, USER_IDENTITIES_QUERY, USER_IDENTITIES_RESPONSE, USER_RESPONSE, USER_UPDATE_REQUEST } from '../../schema/users.js';
import { DEFAULT_SETTINGS, JSON_IMPORT_LIMIT_BYTES } from '../settings.js';
import { compact, newId } from './common.js';
import { ImportRefused, IMPORT_READ_AHEAD_BATCHES, jsonUserBatches, ndjsonUserBatches } from './user-import.js';
import { aheadOfArrival } from './read-ahead.js';
import type { FastifyRequest } from 'fastify';
import type { ImportSlots } from '../import-slots.js';
import { countedBatches } from '../import-garbage.js';
import { NdjsonBody, type ReceivedBody } from '../ndjson-body.js';
import { clientGone } from '../transport-errors.js';

const PATH = '/accounts/{account_id}/access/users';
const ITEM = `${PATH}/{user_id}`;
const IDENTITY = `${ITEM}/last_seen_identity`;
const WRITE = ['Zero Trust: Seats Write'] as const;
const READ = ['Access: Audit Logs Read', ...WRITE] as const;
const TAG = 'Zero Trust users';
const ID_PARAM = { user_id: str({ description: 'The user id.' }) };

export function userResult(user: UserRecord): Static<typeof USER_RESPONSE> {
  return {
    id: user.id,
    uid: user.id,
    seat_uid: user.id,
    email: user.email,
    name: user.name,
    access_seat: user.identity !== null,
    gateway_seat: false,
    active_device_count: 0,
    ...(user.lastSeenAt !== null ? { last_successful_login: user.lastSeenAt } : {}),
    created_at: user.createdAt,
    updated_at: user.updatedAt,
  };
}

export async function getUserOr404(store: StoreReader, accountId: string, id: string): Promise<UserRecord> {
  const user = await store.getUser(accountId, id);
  if (user === undefined) throw apiError('not_found', { what: 'Zero Trust user', id: JSON.stringify(id) });
  return user;
}

function assertValidEmail(email: string): void {
  if (!isValidEmail(email)) throw validationError([{ code: 'invalid_email', pointer: '/email', message: `${quote(email)} is not a valid email address.` }]);
}

export const userRoutes: RouteDef[] = [
  defineRoute({
    method: 'GET',
    path: PATH,
    operationId: 'access-users-list',
    summary: 'List Zero Trust users',
    description: 'In creation order. `email` matches exactly (case-insensitively), `name` exactly, `search` any part of the email or name.',
    tag: TAG,
    permissions: [...READ],
    query: {
      ...pageQueryProperties(),
      email: str({ description: 'Only the user with this email (case-insensitive).' }),
      name: str({ description: 'Only users with exactly this name.' }),
      search: str({ description: 'Only users whose email or name contains this text (case-insensitive).' }),
    },
    status: 200,
    paged: true,
    result: arr(USER_RESPONSE),
    handler: async ({ accountId, query, ctx }) => {
      const p = paging(query);
      const filter = compact({ email: query.email, name: query.name, search: query.search });
      const page = await ctx.store.read.listUsers(accountId, p, filter);
      return { result: page.items.map(userResult), resultInfo: resultInfo(p, page.items.length, page.total) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: PATH,
    operationId: 'access-users-create',
    summary: 'Create a Zero Trust user',
    description: 'Refused (409) when a user with the same email (in any case) exists.',
    tag: TAG,
    permissions: [...WRITE],
    body: USER_CREATE_REQUEST,
    status: 201,
    result: USER_RESPONSE,
    handler: async ({ accountId, body, ctx }) => {
      assertValidEmail(body.email);
      const user = await ctx.store.transaction(accountId, async (tx) => {
        const existing = await tx.getUserByEmail(accountId, body.email);
        if (existing !== undefined) {
          throw apiError('already_exists', { detail: `A Zero Trust user with the email ${quote(existing.email)} already exists (${existing.id}); emails compare case-insensitively.` });
        }
        return tx.insertUser({ accountId, id: newId(), email: body.email, name: body.name ?? '', identity: null });
      });
      return { result: userResult(user) };
    },
  }),
  defineRoute({
    method: 'GET',
    path: ITEM,
    operationId: 'access-users-get',
    summary: 'Get a Zero Trust user',
    tag: TAG,
    permissions: [...READ],
    params: ID_PARAM,
    status: 200,
    result: USER_RESPONSE,
    handler: async ({ accountId, params, ctx }) => ({ result: userResult(await getUserOr404(ctx.store.read, accountId, params.user_id)) }),
  }),
  defineRoute({
    method: 'PUT',
    path: ITEM,
    operationId: 'access-users-update',
    summary: 'Rename a Zero Trust user',
    description: 'The email is required as a confirmation and must be the current one (in any case): it cannot change.',
    tag: TAG,
    permissions: [...WRITE],
    params: ID_PARAM,
    body: USER_UPDATE_REQUEST,
    status: 200,
    result: USER_RESPONSE,
    handler: async ({ accountId, params, body, ctx }) => {
      const user = await ctx.store.transaction(accountId, async (tx) => {
        const current = await getUserOr404(tx, accountId, params.user_id);
        if (body.email.toLowerCase() !== current.email.toLowerCase()) {
          throw validationError([
            { code: 'immutable_field', pointer: '/email', message: `A user's email cannot change: send the current email ${quote(current.email)}, got ${quote(body.email)}.` },
          ]);
        }
        return (await tx.updateUser(accountId, current.id, { name: body.name }))!;
      });
      return { result: userResult(user) };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: ITEM,
    operationId: 'access-users-delete',
    summary: 'Delete a Zero Trust user',
    description: 'Answers 202 with a null result, as Cloudflare documents.',
    tag: TAG,
    permissions: [...WRITE],
    params: ID_PARAM,
    status: 202,
    result: nullOnly('Always null.'),
    handler: async ({ accountId, params, ctx }) => {
      await ctx.store.transaction(accountId, async (tx) => {
        await getUserOr404(tx, accountId, params.user_id);
        await tx.deleteUser(accountId, params.user_id);
      });
      return { result: null };
    },
  }),
  defineRoute({
    method: 'GET',
    path: `${PATH}/identities`,
    operationId: 'access-users-identities',
    summary: 'Read users with their last seen identities, in bulk',
    description:
      'A portcullis extension for exports: users in creation order with their identities, up to 10,000 a page, paged by cursor (as fast on the last page as on the first), instead of one last_seen_identity request per user.',
    tag: TAG,
    permissions: [...READ],
    extension: true,
    query: USER_IDENTITIES_QUERY,
    status: 200,
    result: USER_IDENTITIES_RESPONSE,
    handler: async ({ accountId, query, ctx }) => {
      const limit = query.limit ?? 1000;
      const after = query.cursor === undefined ? 0 : Number(query.cursor);
      const users = await ctx.store.read.usersAfter(accountId, after, limit);
      const last = users.at(-1);
      return {
        result: {
          users: users.map((u) => ({ id: u.id, email: u.email, name: u.name, identity: u.identity, last_successful_login: u.lastSeenAt })),
          next_cursor: users.length === limit && last !== undefined ? String(last.seq) : null,
          ...(query.cursor === undefined ? { total_count: await ctx.store.read.countUsers(accountId) } : {}),
        },
      };
    },
  }),
  defineRoute({
    method: 'GET',
    path: IDENTITY,
    operationId: 'access-users-last-seen-identity-get',
    summary: 'Get a user\'s last seen identity',
    description: 'The identity the policy tester evaluates for this user (docs/semantics.md, "Identity model"); 404 while the user has none.',
    tag: TAG,
    permissions: [...READ],
    params: ID_PARAM,
    status: 200,
    result: IDENTITY_SCHEMA,
    handler: async ({ accountId, params, ctx }) => {
      const user = await getUserOr404(ctx.store.read, accountId, params.user_id);
      if (user.identity === null) throw apiError('identity_not_found', { id: `${JSON.stringify(user.id)} (${user.email})` });
      return { result: user.identity };
    },
  }),
  defineRoute({
    method: 'PUT',
    path: IDENTITY,
    operationId: 'access-users-last-seen-identity-set',
    summary: 'Set a user\'s last seen identity',
    description:
      'A portcullis extension (Cloudflare records identities at login). Known fields are typed, `ip` must be an IP address, and `email`, when present, must be the user\'s (it is filled in when left out); other fields are kept as sent.',
    tag: TAG,
    permissions: [...WRITE],
    params: ID_PARAM,
    body: IDENTITY_SCHEMA,
    status: 200,
    result: IDENTITY_SCHEMA,
    extension: true,
    handler: async ({ accountId, params, body, ctx }) => {
      const user = await ctx.store.transaction(accountId, async (tx) => {
        const current = await getUserOr404(tx, accountId, params.user_id);
        const issues = identityIssues(body, current.email, '');
        if (issues.length > 0) throw validationError(issues);
        return (await tx.updateUser(accountId, current.id, { identity: identityToStore(body, current.email) }))!;
      });
      return { result: user.identity };
    },
  }),
  defineRoute({
    method: 'POST',
    path: `${PATH}/import`,
    operationId: 'access-users-import',
    summary: 'Import users',
    description:
      'A portcullis extension: create or update users by email (case-insensitive), as `application/json` `{"users": [{email, name?, identity?}]}` or as `application/x-ndjson`, one such object per line (blank lines ignored). ' +
      'All or nothing: any invalid entry refuses the whole import (400) naming every bad entry, by pointer (`/users/3/email`, or `/line/7/email` with the line in the message); an email may appear once. ' +
      `An entry without \`name\` or \`identity\` keeps the stored one. At most the server's import limits per request: ${DEFAULT_SETTINGS.importMaxUsers} users and ${DEFAULT_SETTINGS.importBodyLimitBytes} bytes by default (a JSON body at most ${JSON_IMPORT_LIMIT_BYTES} bytes; NDJSON is checked as it arrives). A server runs ${DEFAULT_SETTINGS.importConcurrency} imports at once by default; later ones wait their turn (an NDJSON body unread meanwhile).`,
    tag: TAG,
    permissions: [...WRITE],
    documentedBody: IMPORT_REQUEST,
    contentTypes: ['application/json', 'application/x-ndjson'],
    // The limit fastify applies to the bodies it reads (JSON); an NDJSON body is read by the
    // handler, to settings.importBodyLimitBytes (see ndjson-body.ts).
    bodyLimit: (settings) => Math.min(settings.importBodyLimitBytes, JSON_IMPORT_LIMIT_BYTES),
    status: 200,
    result: IMPORT_RESPONSE,
    extension: true,
    handler: async ({ accountId, body, request, ctx }) => {
      const max = ctx.settings.importMaxUsers;
      // The first entries are checked as they arrive, but the whole body has arrived before the
      // transaction starts (a slow client never holds the writer); then each batch of entries is
      // checked while the store writes the one before, giving other requests their turn between
      // slices. A bad entry anywhere means nothing is written: the batches end by throwing
      // ImportRefused and the transaction rolls back. Readers see none of the import until it commits.
      // Past the server's import limit an import waits here (an NDJSON body not yet read).
      const release = await importSlot(ctx.importSlots, request);
      const read = { entries: 0 };
      let received: ReceivedBody | undefined;
      try {
        let batches: AsyncIterable<PreparedUser[]>;
        if (body instanceof NdjsonBody) {
          received = body.receive();
          batches = aheadOfArrival(ndjsonUserBatches(received, max), received.arrived, IMPORT_READ_AHEAD_BATCHES);
        } else {
          batches = jsonUserBatches(body, max);
        }
        return { result: await ctx.store.importUsers(accountId, countedBatches(batches, read), newId) };
      } catch (err) {
        if (err instanceof ImportRefused) throw validationError(err.issues);
        throw err;
      } finally {
        release();
        // Not awaited: what is left of the body (a refused import's) may still be arriving.
        void received?.discard();
        ctx.importGarbage.importEnded(read.entries);
      }
    },
  }),
];

/** An import slot for this request; a client that hangs up while waiting leaves the queue. */
async function importSlot(slots: ImportSlots, request: FastifyRequest): Promise<() => void> {
  const socket = request.raw.socket;
  const hungUp = new AbortController();
  const onClose = () => hungUp.abort(clientGone());
  if (socket.destroyed) onClose();
  else socket.once('close', onClose);
  try {
    return await slots.acquire(hungUp.signal);
  } finally {
    socket.off('close', onClose);
  }
}
