// Parameter sets sent to a SQLite statement worker as one text: what goes in comes out, and
// anything the text cannot say is left to JSON rather than said wrong.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { packedParams, unpackParams } from './packed-params.js';

describe('packed statement parameters', () => {
  it('carries strings and nulls, empty strings and non-ASCII text included', () => {
    const sets = [
      ['a', null, '', 'Zoë 😀', '{"email":"x@example.com"}'],
      [null, null, 'line\nbreak\ttab', ' ', 'last'],
    ];
    assert.deepEqual(unpackParams(packedParams(sets)!), sets);
  });

  it('leaves to JSON what it cannot say', () => {
    for (const sets of [[[1, 'a']], [['a', true]], [['a', undefined]], [['a\u0000b']], [['\u0001']], [['\u0001x']], [['a', 'b'], ['c']], [], [[]]]) {
      assert.equal(packedParams(sets as unknown[][]), undefined, JSON.stringify(sets));
    }
  });

  it('refuses a text whose values do not fill whole sets', () => {
    assert.throws(() => unpackParams('2\u0000a\u0000b\u0000c'), /do not divide/);
    assert.throws(() => unpackParams('0\u0000a'), /do not divide/);
    assert.throws(() => unpackParams('x\u0000a'), /do not divide/);
  });
});
