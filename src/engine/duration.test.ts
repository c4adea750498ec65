import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { HOUR_NS, parseGoDuration } from './duration.js';

// Go's time.ParseDuration: "[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+", units ns, us, µs (U+00B5),
// μs (U+03BC), ms, s, m, h; "0" alone needs no unit; each number needs digits before or after
// the dot; the total must fit in an int64 of nanoseconds.

const SECOND = 1e9;
const MINUTE = 60 * SECOND;

describe('parseGoDuration: valid durations', () => {
  const cases: [string, number, string[]][] = [
    ['0', 0, []],
    ['+0', 0, []],
    ['-0', 0, []],
    ['300ms', 300e6, ['ms']],
    ['2h45m', 2 * HOUR_NS + 45 * MINUTE, ['h', 'm']],
    ['1.5h', 1.5 * HOUR_NS, ['h']],
    ['24h', 24 * HOUR_NS, ['h']],
    ['10µs', 10e3, ['µs']], // U+00B5 micro sign
    ['10μs', 10e3, ['μs']], // U+03BC Greek small mu
    ['10us', 10e3, ['us']],
    ['1ns', 1, ['ns']],
    ['1s', SECOND, ['s']],
    ['1m', MINUTE, ['m']],
    ['1h2m3s4ms5us6ns', HOUR_NS + 2 * MINUTE + 3 * SECOND + 4e6 + 5e3 + 6, ['h', 'm', 's', 'ms', 'us', 'ns']],
    ['1m30s', 90 * SECOND, ['m', 's']],
    ['1.h', HOUR_NS, ['h']], // digits before the dot are enough
    ['.5h', 0.5 * HOUR_NS, ['h']], // digits after the dot are enough
    ['0h', 0, ['h']],
    ['00h', 0, ['h']],
    ['0000000000000000000001h', HOUR_NS, ['h']],
    ['1h1h', 2 * HOUR_NS, ['h', 'h']], // Go neither orders nor de-duplicates units
    ['1s1h', HOUR_NS + SECOND, ['s', 'h']],
    ['+5s', 5 * SECOND, ['s']],
    ['2562047h', 2562047 * HOUR_NS, ['h']], // just under Go's maximum of 2562047h47m16.854775807s
  ];
  for (const [text, ns, units] of cases) {
    test(JSON.stringify(text), () => {
      const d = parseGoDuration(text);
      assert.ok(d !== undefined, `${text} should parse`);
      assert.equal(d.ns, ns);
      assert.deepEqual(d.units, units);
    });
  }

  test('a leading minus makes the duration negative', () => {
    assert.equal(parseGoDuration('-1h')?.ns, -HOUR_NS);
    assert.equal(parseGoDuration('-1.5h')?.ns, -1.5 * HOUR_NS);
    assert.equal(parseGoDuration('-2562047h')?.ns, -2562047 * HOUR_NS);
    assert.deepEqual(parseGoDuration('-2h45m')?.units, ['h', 'm']);
  });
});

describe('parseGoDuration: invalid durations', () => {
  const invalid = [
    '', // empty
    'h', // unit without a number
    'ms',
    '1', // number without a unit (only "0" may omit it)
    '5',
    '0.0',
    '1.',
    '.',
    '.h', // no digits on either side of the dot
    '+',
    '-',
    '--1h',
    '+-1h',
    '1d', // Go has no day unit
    '1w',
    '1y',
    '1sec',
    '1H', // units are case-sensitive
    '1MS',
    '1hh',
    '1 h', // no spaces anywhere
    ' 1h',
    '1h ',
    '1h 30m',
    '1h-1m', // a sign only at the very start
    '1e3h', // no exponents
    '1.5.5h',
    '1,5h',
    '1h1', // every number needs a unit
    '1m30',
    '\u0661h', // ARABIC-INDIC DIGIT ONE is not an ASCII digit
    'Infinityh',
    'NaNh',
    '0x10s',
    '3000000h', // overflows Go's int64 nanoseconds
    '2562048h',
    '9999999999999999999ns',
    '-3000000h',
  ];
  for (const text of invalid) {
    test(JSON.stringify(text), () => {
      assert.equal(parseGoDuration(text), undefined);
    });
  }
});
