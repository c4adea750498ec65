import { test } from 'node:test';
import assert from 'node:assert/strict';
import { orderGroups } from './group-order.js';
import { sourceObject, type SourceObject } from './snapshot.js';

const group = (id: string, ...names: string[]): SourceObject =>
  sourceObject('group', { id, name: id.toUpperCase(), include: names.length === 0 ? [{ everyone: {} }] : names.map((n) => ({ group: { id: n } })) }, (pointer, code, message) => ({
    file: id,
    pointer,
    code,
    message,
  }));

test('orderGroups puts every group after the groups it names, however deep', () => {
  const groups = [group('a', 'b', 'c'), group('b', 'c'), group('c', 'd'), group('d'), group('e', 'elsewhere')];
  const { ordered, cyclic } = orderGroups(groups);
  const ids = ordered.map((g) => g.id);
  assert.deepEqual(cyclic, []);
  assert.equal(ids.length, 5);
  for (const [before, after] of [['d', 'c'], ['c', 'b'], ['b', 'a'], ['c', 'a']]) assert.ok(ids.indexOf(before) < ids.indexOf(after), `${before} before ${after}: ${ids}`);
});

test('orderGroups reports the groups of a cycle, and orders the rest', () => {
  const { ordered, cyclic } = orderGroups([group('a', 'b'), group('b', 'c'), group('c', 'a'), group('self', 'self'), group('free')]);
  assert.deepEqual(cyclic.map((g) => g.id).sort(), ['a', 'b', 'c', 'self']);
  assert.ok(ordered.some((g) => g.id === 'free'));
});
