import { test } from 'node:test';
import assert from 'node:assert/strict';
import { timeOrderedUuid } from './time-ordered-id.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('is a version 7 UUID whose first 48 bits are the time in milliseconds', () => {
  const at = Date.UTC(2026, 11, 2, 8, 0, 0, 123);
  const id = timeOrderedUuid(at);
  assert.match(id, UUID_V7);
  assert.equal(parseInt(id.replace(/-/g, '').slice(0, 12), 16), at);
});

test('ids of later milliseconds sort after earlier ones, and ids never repeat', () => {
  const ids = Array.from({ length: 2000 }, (_, i) => timeOrderedUuid(1_700_000_000_000 + Math.floor(i / 10)));
  for (let i = 10; i < ids.length; i += 10) assert.ok(ids[i - 10] < ids[i], `${ids[i - 10]} < ${ids[i]}`);
  assert.equal(new Set(ids).size, ids.length);
  assert.ok(ids.every((id) => UUID_V7.test(id)));
});
