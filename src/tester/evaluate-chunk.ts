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

/** The identity of a user row (the row's identity is JSON text or null): from its record when no identity came with it and the record is current. */
function identityOfRow(row: UserRow): Identity {
  const record = row[4];
  // The store sends no identity beside a record of the engine's version: one that then does not
  // read is damaged, and its user is reported unknown (evaluateChunk). A record of another
  // version without an identity stands for nothing.
  if (row[3] === null && record != null && record.startsWith(IDENTITY_RECORD_PREFIX)) {
    const identity = identityFromRecord(record);
    if (identity === undefined) throw new Error('unreadable identity record');
    return identity;
  }
  return identityOf({ email: row[1], name: row[2], identity: row[3] });
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
