// Zero Trust seats: PATCH /accounts/{account_id}/access/seats, the SDK's zeroTrust.seats.edit.
// A seat is a Zero Trust user's (seat_uid is the user's id). A user holds an Access seat from
// their first login, which records their last seen identity; portcullis has no Gateway, so no
// Gateway seats. Setting both false removes the user from their seat, as at Cloudflare: the user
// stays, without an identity, and their sessions end, so the next login takes a seat again.
// All or nothing: an unknown seat, or one a request asks to give, refuses the whole edit.

import type { StoreWriter, UserRecord } from '../../store/store.js';
import { arr, bool, obj, str } from '../../schema/json-schema.js';
import { revokeSessionsIn } from '../../account/organization.js';
import { apiError, validationError, type RequestIssue } from '../errors.js';
import { defineRoute, type RouteDef } from '../route.js';

const PATH = '/accounts/{account_id}/access/seats';
const WRITE = ['Zero Trust: Seats Write'] as const;

const SEAT_UID = str({ minLength: 1, maxLength: 36, description: "The seat's id: the id of its Zero Trust user." });
const SEAT_EDIT = obj(
  {
    seat_uid: SEAT_UID,
    access_seat: bool('True to keep the Access seat the user holds; false removes it.'),
    gateway_seat: bool('Always false here: portcullis has no Gateway seats.'),
  },
  { required: ['seat_uid', 'access_seat', 'gateway_seat'] },
);
const SEAT = obj(
  {
    seat_uid: SEAT_UID,
    access_seat: bool('True while the user holds an Access seat (has signed in since the seat was last removed).'),
    gateway_seat: bool('Always false: portcullis has no Gateway seats.'),
    created_at: str({ format: 'date-time' }),
    updated_at: str({ format: 'date-time' }),
  },
  { required: ['seat_uid', 'access_seat', 'gateway_seat', 'created_at', 'updated_at'] },
);

type SeatEdit = { seat_uid: string; access_seat: boolean; gateway_seat: boolean };

export function seatResult(user: UserRecord): Record<string, unknown> {
  return { seat_uid: user.id, access_seat: user.identity !== null, gateway_seat: false, created_at: user.createdAt, updated_at: user.updatedAt };
}

/** What the edit cannot do, by pointer: the same seat twice, or a seat given rather than kept or removed. */
function seatIssues(edits: readonly SeatEdit[], users: readonly UserRecord[]): RequestIssue[] {
  const issues: RequestIssue[] = [];
  const seen = new Set<string>();
  edits.forEach((edit, i) => {
    if (seen.has(edit.seat_uid)) issues.push({ code: 'duplicate_entry', pointer: `/${i}/seat_uid`, message: `Seat ${JSON.stringify(edit.seat_uid)} appears more than once.` });
    seen.add(edit.seat_uid);
    if (edit.gateway_seat) issues.push({ code: 'seat_not_given', pointer: `/${i}/gateway_seat`, message: 'portcullis has no Gateway seats: send gateway_seat false.' });
    if (edit.access_seat && users[i]!.identity === null) {
      issues.push({ code: 'seat_not_given', pointer: `/${i}/access_seat`, message: `${users[i]!.email} holds no Access seat, and a seat cannot be given: the user takes one by signing in.` });
    }
  });
  return issues;
}

async function editSeats(tx: StoreWriter, accountId: string, edits: readonly SeatEdit[]): Promise<UserRecord[]> {
  // One at a time: a transaction is one connection, which runs one query at a time.
  const found: (UserRecord | undefined)[] = [];
  for (const edit of edits) found.push(await tx.getUser(accountId, edit.seat_uid));
  const unknown = edits.filter((_, i) => found[i] === undefined).map((edit) => JSON.stringify(edit.seat_uid));
  if (unknown.length > 0) throw apiError('not_found', { what: unknown.length === 1 ? 'Zero Trust seat' : 'Zero Trust seats', id: unknown.join(', ') });
  const users = found as UserRecord[];
  const issues = seatIssues(edits, users);
  if (issues.length > 0) throw validationError(issues);
  const edited: UserRecord[] = [];
  for (const [i, edit] of edits.entries()) {
    const user = users[i]!;
    if (edit.access_seat || user.identity === null) {
      edited.push(user);
      continue;
    }
    await revokeSessionsIn(tx, accountId, user.id);
    edited.push((await tx.updateUser(accountId, user.id, { identity: null }))!);
  }
  return edited;
}

export const seatRoutes: RouteDef[] = [
  defineRoute({
    method: 'PATCH',
    path: PATH,
    operationId: 'zero-trust-seats-update-a-user-seat',
    summary: 'Update user seats',
    description:
      'Removes users from their Zero Trust seats: an entry with access_seat and gateway_seat false removes the Access seat (the user keeps their record, loses their last seen identity, and their sessions end; the next login takes a seat again). ' +
      'access_seat true keeps a seat the user holds. All or nothing: an unknown seat_uid is 404, a seat given (access_seat true for a user without one, or any gateway_seat true) is 400, and nothing is written. Answers the seats as they now are.',
    tag: 'Zero Trust seats',
    permissions: [...WRITE],
    body: arr(SEAT_EDIT, { minItems: 1, maxItems: 1000 }),
    status: 200,
    result: arr(SEAT),
    handler: async ({ accountId, body, ctx }) => {
      const users = await ctx.store.transaction(accountId, (tx) => editSeats(tx, accountId, body));
      return { result: users.map(seatResult) };
    },
  }),
];
