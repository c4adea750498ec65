// The differential property (differential.support.ts) with the intern tables (intern.ts) almost
// full: the first few dozen distinct values seen get keys, later ones do not, so rules and
// identities mix keyed comparisons with the string fallback, in both orders of first sight.
// This file runs in its own process, so filling the tables here affects no other test.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { checkCompiledAgreesWithInterpreter } from '../../test/engine/differential.support.js';
import { GROUP_NAMES, Interner, NO_KEY, VALUES } from './intern.js';

const RUNS = Number(process.env.DIFFERENTIAL_RUNS ?? 12_000) / 3;
/** Room left in each table: fewer than the distinct values the generators draw from (arbitraries.ts). */
const VALUES_ROOM = 12;
const GROUP_NAMES_ROOM = 5;

function fillLeaving(table: Interner, room: number): void {
  for (let i = 0; table.size < table.limit - room; i++) table.key(`\u0000filler ${i}`);
}

test(`compiled evaluator agrees with the interpreter with the intern tables nearly full (${RUNS} random cases)`, () => {
  fillLeaving(VALUES, VALUES_ROOM);
  fillLeaving(GROUP_NAMES, GROUP_NAMES_ROOM);
  checkCompiledAgreesWithInterpreter(RUNS);
  // Both kinds of comparison really happened: some values got keys, the tables then ran out.
  assert.equal(VALUES.size, VALUES.limit);
  assert.equal(GROUP_NAMES.size, GROUP_NAMES.limit);
  assert.equal(VALUES.key('\u0000a value never seen'), NO_KEY);
});
