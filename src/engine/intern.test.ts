import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Interner, NO_KEY } from './intern.js';

describe('Interner', () => {
  test('equal strings get one key and one canonical string; different strings different keys', () => {
    const table = new Interner(10);
    const a = table.key('example.com');
    assert.equal(table.key(['example', 'com'].join('.')), a);
    assert.notEqual(table.key('other.org'), a);
    const built = ['example', 'com'].join('.');
    assert.equal(table.intern(built), 'example.com');
    assert.ok(a >= 0 && Number.isSafeInteger(a));
  });

  test('once full, new values get NO_KEY and stay themselves; known values keep their keys', () => {
    const table = new Interner(2);
    const a = table.key('a');
    const b = table.key('b');
    assert.equal(table.key('c'), NO_KEY);
    assert.equal(table.intern('c'), 'c');
    assert.equal(table.key('c'), NO_KEY, 'a full table never makes room');
    assert.equal(table.key('a'), a);
    assert.equal(table.key('b'), b);
    assert.equal(table.size, 2);
  });

  test('NO_KEY is never a real key', () => {
    const table = new Interner(100);
    for (let i = 0; i < 100; i++) assert.notEqual(table.key(`v${i}`), NO_KEY);
  });

  test('keys are small integers in first-seen order (they are spliced into generated code)', () => {
    const table = new Interner(5);
    assert.deepEqual(['x', 'y', 'x', 'z'].map((v) => table.key(v)), [0, 1, 0, 2]);
  });

  test('values that look like Object.prototype members are ordinary values', () => {
    const table = new Interner(5);
    assert.equal(table.key('__proto__'), 0);
    assert.equal(table.key('constructor'), 1);
    assert.equal(table.key('__proto__'), 0);
  });
});
