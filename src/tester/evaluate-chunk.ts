// Decide every user of a chunk: parse each identity, prepare it once, run the compiled policy
// set (and the baseline's), and summarize. Pure: the runner does the I/O around it.

import { IDENTITY_RECORD_PREFIX, identityFromRecord, prepareIdentity, resultAccess, resultDecidingIndex, UNKNOWN_ACCESS, BLOCKED, GRANTED, type CompiledPolicySet, type ExternalAnswers, type Identity } from '../engine/index.js';
import type { ChunkOutcome, UserRow } from '../store/store.js';
import { rowKeys, type ResultRow } from './results.js';

export interface CompiledTest {
  readonly current: CompiledPolicySet;
  readonly baseline?: CompiledPolicySet;
}

const ACCESS_CODE = { blocked: BLOCKED, granted: GRANTED, unknown: UNKNOWN_ACCESS } as const;

/** The identity a user is evaluated on: the last seen identity, or only what the directory knows. */
export function identityOf(user: { email: string; name: string; identity: string | Record<string, unknown> | null }): Identity {
  if (user.identity === null) return { email: user.email, name: user.name };
  const identity = typeof user.identity === 'string' ? (JSON.parse(user.identity) as unknown) : user.identity;
  return identity !== null && typeof identity === 'object' && !Array.isArray(identity) ? (identity as Identity) : { email: user.email, name: user.name };
}

/** External answers for one user, when the sets have external evaluation rules. */
export type ExternalLookup = (index: number) => { current?: ExternalAnswers; baseline?: ExternalAnswers } | undefined;

/** The identity of a user row (as identityOf; the row's identity is JSON text or null), from its record when no identity came with it. */
function identityOfRow(row: UserRow): Identity {
  const text = row[3];
  if (text !== null) {
    const identity = JSON.parse(text) as unknown;
    return identity !== null && typeof identity === 'object' && !Array.isArray(identity) ? (identity as Identity) : { email: row[1], name: row[2] };
  }
  // No identity: the store sent none because the record is of the engine's version (one that
  // then does not read is damaged, and its user is reported unknown by evaluateChunk), or the
  // user has no identity at all (and a record, if any, of another version stands for nothing).
  const record = row[4];
  if (record == null || !record.startsWith(IDENTITY_RECORD_PREFIX)) return { email: row[1], name: row[2] };
  const identity = identityFromRecord(record);
  if (identity === undefined) throw new Error('unreadable identity record');
  return identity;
}

export function evaluateChunk(test: CompiledTest, users: readonly UserRow[], external?: ExternalLookup): ChunkOutcome {
  const rows: ResultRow[] = new Array(users.length);
  const counts: Record<string, number> = {};
  let approved = 0;
  let blocked = 0;
  let errored = 0;
  let changed = 0;
  for (let i = 0; i < users.length; i++) {
    const user = users[i];
    let current: number;
    let baseline: number | null = null;
    let deciding: number;
    try {
      const prepared = prepareIdentity(identityOfRow(user));
      const answers = external?.(i);
      const packed = test.current.evaluate(prepared, answers?.current);
      current = ACCESS_CODE[resultAccess(packed)];
      deciding = resultDecidingIndex(packed);
      if (test.baseline !== undefined) baseline = ACCESS_CODE[resultAccess(test.baseline.evaluate(prepared, answers?.baseline))];
    } catch {
      // An identity that is not JSON at all: nothing can be decided about this user.
      current = UNKNOWN_ACCESS;
      deciding = -1;
      if (test.baseline !== undefined) baseline = UNKNOWN_ACCESS;
    }
    const row: ResultRow = [user[0], user[1], user[2], current, deciding, baseline];
    rows[i] = row;
    if (current === GRANTED) approved++;
    else if (current === BLOCKED) blocked++;
    else errored++;
    if (baseline !== null && baseline !== current) changed++;
    for (const key of rowKeys(row)) counts[key] = (counts[key] ?? 0) + 1;
  }
  return { processed: users.length, approved, blocked, errored, changed, counts, results: JSON.stringify(rows) };
}
