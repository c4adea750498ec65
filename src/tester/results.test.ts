// Finding one user's row in a chunk's results text agrees with decoding the chunk, whatever
// the names and emails hold (quotes, brackets, backslashes, ids inside other users' names);
// progress percentages are the exact integer answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { findResultRow, percentOf, percentProcessed, type ResultRow } from './results.js';

const tricky = fc.oneof(fc.string(), fc.constantFrom('"', '\\', '[', ']', '],[', '\\"]', '["', '","'), fc.string({ unit: 'grapheme' }));

test('findResultRow finds exactly the row decoding would, and nothing for an id not in the chunk', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(tricky, tricky, fc.constantFrom(0, 1, 2), fc.integer({ min: -1, max: 9 }), fc.constantFrom(null, 0, 1)), { minLength: 1, maxLength: 30 }), fc.nat(), (entries, pick) => {
      const rows: ResultRow[] = entries.map(([email, name, access, deciding, baseline]) => [randomUUID(), email, name, access, deciding, baseline]);
      // Another user's name holding a row's id must not be taken for that row.
      if (rows.length > 1) rows[1]![2] = `["${rows[0]![0]}",`;
      const text = JSON.stringify(rows);
      const wanted = rows[pick % rows.length]!;
      assert.deepEqual(findResultRow(text, wanted[0]), wanted);
      assert.equal(findResultRow(text, randomUUID()), undefined);
    }),
    { numRuns: 300 },
  );
  assert.equal(findResultRow('[]', 'x'), undefined);
});

test('percentages are exact: halves round up and whole numbers stay whole, whatever floating point does to part / total', () => {
  assert.deepEqual([percentOf(23, 40), percentOf(29, 200), percentOf(1, 8), percentOf(1, 3), percentOf(0, 0)], [58, 15, 13, 33, 0]);
  assert.deepEqual([percentProcessed(29, 50), percentProcessed(29, 100), percentProcessed(999, 1000), percentProcessed(0, 0)], [58, 29, 99, 100]);
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 10_000_000 }), fc.nat(), (total, n) => {
      const part = n % (total + 1);
      // The integer answers: floor(part * 100 / total), and that plus one when the remainder is at least half.
      const floor = Math.floor((part * 100) / total);
      const remainder = part * 100 - floor * total;
      assert.equal(percentProcessed(part, total), floor);
      assert.equal(percentOf(part, total), 2 * remainder >= total ? floor + 1 : floor);
    }),
    { numRuns: 2000 },
  );
});
