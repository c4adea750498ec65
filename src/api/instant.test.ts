// RFC 3339 date-times read strictly into instants, and written back as UTC (src/api/instant.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatInstant, instantIssue, parseInstant, readInstant } from './instant.js';

const FIRST = new Date('0000-01-01T00:00:00Z').getTime();
const LAST = new Date('9999-12-31T23:59:59.999Z').getTime();

describe('RFC 3339 instants', () => {
  it('reads any offset, T or t, Z or z, and fractions, as the same instant', () => {
    const at = Date.parse('2026-12-03T07:00:00Z');
    for (const text of ['2026-12-03T07:00:00Z', '2026-12-03t07:00:00z', '2026-12-03 07:00:00Z', '2026-12-03T08:00:00+01:00', '2026-12-03T08:00:00+0100', '2026-12-02T21:30:00-09:30', '2026-12-03T07:00:00.000Z', '2026-12-03T07:00:00.0009Z']) {
      assert.equal(parseInstant(text), at, text);
    }
    assert.equal(parseInstant('2026-12-03T07:00:00.25Z'), at + 250);
    assert.equal(parseInstant('2026-12-03T07:00:00.123456789Z'), at + 123);
  });

  it('refuses leap seconds, impossible dates and times, and what is not RFC 3339', () => {
    assert.deepEqual(readInstant('2016-12-31T23:59:60Z'), { ok: false, leapSecond: true });
    assert.deepEqual(readInstant('2017-01-01T00:59:60+01:00'), { ok: false, leapSecond: true });
    for (const text of ['2026-02-29T00:00:00Z', '2026-13-01T00:00:00Z', '2026-00-01T00:00:00Z', '2026-04-31T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T00:60:00Z', '2026-01-01T00:00:61Z', '2026-01-01T00:00:00+24:00', '2026-01-01T00:00:00+01', '2026-01-01T00:00:00', '2026-01-01', '2026-01-01T00:00Z', ' 2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z ', '+002026-01-01T00:00:00Z', 'yesterday', '']) {
      assert.equal(parseInstant(text), undefined, text);
      assert.equal(instantIssue(text, '/x')?.pointer, '/x', text);
    }
    assert.equal(parseInstant('2024-02-29T00:00:00Z'), Date.parse('2024-02-29T00:00:00Z'));
    assert.equal(parseInstant('2000-02-29T00:00:00Z'), Date.parse('2000-02-29T00:00:00Z'));
    assert.equal(parseInstant('1900-02-29T00:00:00Z'), undefined);
    assert.match(instantIssue('2016-12-31T23:59:60Z', '/expires_on')!.message, /leap second/);
  });

  it('reads the first centuries as themselves (not as 1900-1999)', () => {
    assert.equal(parseInstant('0000-01-01T00:00:00Z'), FIRST);
    assert.equal(formatInstant(parseInstant('0099-03-01T00:00:00Z')!), '0099-03-01T00:00:00Z');
    assert.equal(formatInstant(parseInstant('0000-02-29T12:00:00Z')!), '0000-02-29T12:00:00Z');
  });

  it('formats to the second, with milliseconds when there are some, and reads its own text back', () => {
    assert.equal(formatInstant(Date.parse('2030-01-01T00:00:00Z')), '2030-01-01T00:00:00Z');
    assert.equal(formatInstant(Date.parse('2030-01-01T00:00:00.5Z')), '2030-01-01T00:00:00.500Z');
    fc.assert(
      fc.property(fc.integer({ min: FIRST, max: LAST }), (ms) => {
        const text = formatInstant(ms);
        assert.equal(parseInstant(text), ms, text);
        assert.equal(Date.parse(text), ms, text);
      }),
      { numRuns: 2000 },
    );
  });
});
