// Which of a user row's forms a chunk is decided from: the identity when the store sent one, the
// record when it did not and the record is of the engine's version, the directory's email and
// name when neither stands for the user; a current record that does not read makes its user
// unknown rather than decided on less than it says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BLOCKED, compilePolicySet, GRANTED, IDENTITY_RECORD_PREFIX, identityRecord, UNKNOWN_ACCESS } from '../engine/index.js';
import type { UserRow } from '../store/store.js';
import { parseTestPolicies } from './definition.js';
import { evaluateChunk } from './evaluate-chunk.js';
import type { ResultRow } from './results.js';

// Germans, and whoever's email is at example.com, are let in.
const compiled = {
  current: compilePolicySet(
    parseTestPolicies([
      { body: { name: 'Germany', decision: 'allow', include: [{ geo: { country_code: 'DE' } }] } },
      { body: { name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] } },
    ]),
  ),
};

const german = { email: 'hans@elsewhere.org', geo: { country: 'DE' } };
const french = { email: 'anne@elsewhere.org', geo: { country: 'FR' } };

test('a chunk is decided from the identity, else a current record, else the email and name', () => {
  const rows: UserRow[] = [
    // An identity sent beside an older record: the identity decides (the record would say Germany).
    ['u1', 'anne@elsewhere.org', 'Anne', JSON.stringify(french), `[0,${JSON.stringify(german)}]`],
    // No identity beside a current record: the record decides.
    ['u2', 'hans@elsewhere.org', 'Hans', null, identityRecord(german)],
    // No identity, an older record (it stands for nothing): the directory's email decides.
    ['u3', 'bob@example.com', 'Bob', null, '[0,"bob@elsewhere.org"]'],
    // Neither: the directory's email decides.
    ['u4', 'eve@example.com', 'Eve', null, null],
    ['u5', 'zoe@elsewhere.org', 'Zoe', null, null],
    // A record of the engine's version that does not read: unknown, never decided on the email alone.
    ['u6', 'kim@example.com', 'Kim', null, `${IDENTITY_RECORD_PREFIX}"kim@example.com"`],
    // An identity that is not JSON: unknown.
    ['u7', 'lou@example.com', 'Lou', '{not json', null],
  ];
  const outcome = evaluateChunk(compiled, rows);
  const access = (JSON.parse(outcome.results) as ResultRow[]).map((r) => [r[0], r[3]]);
  assert.deepEqual(access, [
    ['u1', BLOCKED],
    ['u2', GRANTED],
    ['u3', GRANTED],
    ['u4', GRANTED],
    ['u5', BLOCKED],
    ['u6', UNKNOWN_ACCESS],
    ['u7', UNKNOWN_ACCESS],
  ]);
  assert.deepEqual([outcome.approved, outcome.blocked, outcome.errored], [3, 2, 2]);
});
