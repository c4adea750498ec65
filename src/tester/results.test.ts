// Finding one user's row in a chunk's results text agrees with decoding the chunk, whatever
// the names and emails hold (quotes, brackets, backslashes, ids inside other users' names).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { findResultRow, type ResultRow } from './results.js';

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
