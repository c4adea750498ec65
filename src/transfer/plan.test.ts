import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planImport, type Inventory } from './plan.js';
import { sourceObject, type ObjectKind, type Snapshot, type WireObject } from './snapshot.js';

const at = (file: string) => (pointer: string, code: string, message: string) => ({ file, pointer, code, message });
const object = (kind: ObjectKind, value: WireObject) => sourceObject(kind, value, at(`${kind}:${String(value.name)}`));

const SNAPSHOT: Snapshot = {
  identityProviders: [object('identity_provider', { id: 'okta', name: 'Okta', type: 'okta' })],
  lists: [object('list', { id: 'ips', name: 'Office', type: 'IP', items: ['192.0.2.0/24'] })],
  groups: [
    object('group', { id: 'outer', name: 'Outer', include: [{ group: { id: 'inner' } }] }),
    object('group', { id: 'inner', name: 'Inner', include: [{ okta: { identity_provider_id: 'okta', name: 'Eng' } }, { ip_list: { id: 'ips' } }] }),
  ],
  policies: [object('policy', { name: 'P', decision: 'allow', include: [{ group: { id: 'outer' } }] })],
};

const EMPTY: Inventory = { identity_provider: [], list: [], group: [], policy: [] };

test('an empty target: everything is created, groups after the groups they name', () => {
  const plan = planImport(SNAPSHOT, EMPTY);
  assert.deepEqual(plan.problems, []);
  assert.deepEqual(plan.writes.group.map((w) => [w.object.id, w.targetId]), [['inner', undefined], ['outer', undefined]]);
  assert.equal(plan.writes.policy[0].targetId, undefined);
});

test('objects are matched by name with the target: a match is updated in place', () => {
  const plan = planImport(SNAPSHOT, { ...EMPTY, group: [{ id: 'T-outer', name: 'Outer' }, { id: 'T-other', name: 'Other' }], policy: [{ id: 'T-p', name: 'P' }] });
  assert.deepEqual(plan.problems, []);
  assert.deepEqual(plan.writes.group.map((w) => w.targetId), [undefined, 'T-outer']);
  assert.equal(plan.writes.policy[0].targetId, 'T-p');
});

test('a reference may lead to an object already on the target, but not to nothing', () => {
  const snapshot: Snapshot = { ...SNAPSHOT, identityProviders: [], lists: [] };
  const plan = planImport(snapshot, { ...EMPTY, identity_provider: [{ id: 'okta', name: 'Okta there', type: 'okta' }] });
  assert.deepEqual(plan.problems.map((p) => [p.file, p.pointer, p.code]), [['group:Inner', '/include/1/ip_list/id', 'unknown_list']]);
});

test('names that do not pick one object, a list type that would change, and cycles are problems', () => {
  const snapshot: Snapshot = {
    ...SNAPSHOT,
    groups: [...SNAPSHOT.groups, object('group', { id: 'a', name: 'A', include: [{ group: { id: 'b' } }] }), object('group', { id: 'b', name: 'B', include: [{ group: { id: 'a' } }] })],
    policies: [...SNAPSHOT.policies, object('policy', { name: 'P', decision: 'deny', include: [{ everyone: {} }] })],
  };
  const plan = planImport(snapshot, { ...EMPTY, list: [{ id: 'T-l', name: 'Office', type: 'EMAIL' }], group: [{ id: 'x', name: 'Inner' }, { id: 'y', name: 'Inner' }] });
  assert.deepEqual(plan.problems.map((p) => [p.file, p.code]).sort(), [
    ['group:A', 'group_cycle'],
    ['group:B', 'group_cycle'],
    ['group:Inner', 'ambiguous_name'],
    ['list:Office', 'list_type_changed'],
    ['policy:P', 'duplicate_name'],
  ]);
});

test('service tokens, device posture rules and applications named but not on the target are problems, when the target was read for them', () => {
  const snapshot: Snapshot = {
    ...SNAPSHOT,
    policies: [object('policy', { name: 'Linked', decision: 'non_identity', include: [{ linked_app_token: { app_uid: 'app-1' } }, { linked_app_token: { app_uid: 'app-gone' } }] })],
  };
  const plan = planImport(snapshot, { ...EMPTY, unmoved: { app: new Set(['app-1']) } });
  assert.deepEqual(plan.problems.map((p) => [p.file, p.pointer, p.code]), [['policy:Linked', '/include/1/linked_app_token/app_uid', 'unknown_app']]);
  assert.deepEqual(planImport(snapshot, EMPTY).problems, [], 'not read: left to the target');
});
