import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkReferences, findIdentitySelector, type ReferenceCatalog } from './references.js';
import { parseGroup, parsePolicy } from './validate.js';
import type { Group, Policy } from './rules.js';

function policy(wire: unknown): Policy {
  const r = parsePolicy(wire);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.issues));
  return r.value;
}

function group(id: string, wire: unknown): Group {
  const r = parseGroup(wire, { id });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.issues));
  return r.value;
}

const groups = new Map<string, Group>([
  ['g-net', group('g-net', { name: 'Office network', include: [{ ip: { ip: '10.0.0.0/8' } }] })],
  ['g-eng', group('g-eng', { name: 'Engineers', include: [{ email_domain: { domain: 'example.com' } }] })],
  ['g-outer', group('g-outer', { name: 'Outer', include: [{ group: { id: 'g-eng' } }] })],
  ['g-a', group('g-a', { name: 'A', include: [{ group: { id: 'g-b' } }] })],
  ['g-b', group('g-b', { name: 'B', include: [{ everyone: {} }] })],
]);

const catalog: ReferenceCatalog = {
  group: (id) => groups.get(id),
  listType: (id) => ({ 'l-ip': 'IP', 'l-mail': 'EMAIL' })[id],
  identityProviderExists: (id) => id === 'idp-okta',
  serviceTokenExists: (id) => id === 'tok-1',
  postureRuleExists: (id) => id === 'posture-1',
  appExists: (id) => id === 'app-1',
};

describe('checkReferences', () => {
  test('accepts a policy whose references all exist', () => {
    const p = policy({
      name: 'ok',
      decision: 'allow',
      include: [{ group: { id: 'g-eng' } }, { email_list: { id: 'l-mail' } }, { okta: { identity_provider_id: 'idp-okta', name: 'eng' } }],
      require: [{ ip_list: { id: 'l-ip' } }, { device_posture: { integration_uid: 'posture-1' } }],
      exclude: [{ service_token: { token_id: 'tok-1' } }],
    });
    assert.deepEqual(checkReferences(p, catalog), []);
  });

  test('names every missing object with a pointer to the field', () => {
    const p = policy({
      name: 'broken',
      decision: 'non_identity',
      include: [
        { group: { id: 'nope' } },
        { ip_list: { id: 'gone' } },
        { login_method: { id: 'idp-x' } },
        { service_token: { token_id: 'tok-x' } },
        { device_posture: { integration_uid: 'p-x' } },
        { linked_app_token: { app_uid: 'app-x' } },
      ],
    });
    const issues = checkReferences(p, catalog, { pointer: '/policies/2' });
    assert.deepEqual(
      issues.map((i) => [i.code, i.pointer]),
      [
        ['unknown_group', '/policies/2/include/0/group/id'],
        ['unknown_list', '/policies/2/include/1/ip_list/id'],
        ['unknown_identity_provider', '/policies/2/include/2/login_method/id'],
        ['unknown_service_token', '/policies/2/include/3/service_token/token_id'],
        ['unknown_posture_rule', '/policies/2/include/4/device_posture/integration_uid'],
        ['unknown_app', '/policies/2/include/5/linked_app_token/app_uid'],
      ],
    );
    assert.match(issues[0].message, /"nope"/);
  });

  test('refuses a list of the wrong type', () => {
    const p = policy({ name: 'x', decision: 'allow', include: [{ email_list: { id: 'l-ip' } }, { ip_list: { id: 'l-mail' } }] });
    const issues = checkReferences(p, catalog);
    assert.deepEqual(issues.map((i) => i.code), ['list_type_mismatch', 'list_type_mismatch']);
    assert.match(issues[0].message, /type IP.*EMAIL/);
  });

  test('skips kinds whose lookup is not supplied', () => {
    const p = policy({ name: 'x', decision: 'allow', include: [{ group: { id: 'nope' } }, { login_method: { id: 'idp-x' } }] });
    assert.deepEqual(checkReferences(p, {}), []);
  });

  test('bypass may reference a group of non-identity selectors only', () => {
    const ok = policy({ name: 'b', decision: 'bypass', include: [{ group: { id: 'g-net' } }] });
    assert.deepEqual(checkReferences(ok, catalog, { decision: 'bypass' }), []);
    const bad = policy({ name: 'b', decision: 'bypass', include: [{ everyone: {} }], exclude: [{ group: { id: 'g-outer' } }] });
    const issues = checkReferences(bad, catalog, { decision: 'bypass' });
    assert.equal(issues.length, 1);
    assert.equal(issues[0].code, 'selector_not_allowed_in_bypass');
    assert.equal(issues[0].pointer, '/exclude/0/group/id');
    assert.match(issues[0].message, /"Outer" → "Engineers".*email_domain/);
  });

  test('detects a cycle the write would create, and a self-reference', () => {
    // Making B reference A closes A → B → A.
    const newB = group('g-b', { name: 'B', include: [{ group: { id: 'g-a' } }] });
    const issues = checkReferences(newB, catalog, { groupId: 'g-b' });
    assert.deepEqual(issues.map((i) => [i.code, i.pointer]), [['group_cycle', '/include/0/group/id']]);
    assert.match(issues[0].message, /"B" → "A" → "B"/);
    const self = group('g-new', { name: 'Self', include: [{ group: { id: 'g-new' } }] });
    assert.deepEqual(checkReferences(self, catalog, { groupId: 'g-new' }).map((i) => i.code), ['group_cycle']);
    // Re-writing A unchanged is fine.
    assert.deepEqual(checkReferences(groups.get('g-a')!, catalog, { groupId: 'g-a' }), []);
  });

  test('findIdentitySelector sees through nested groups and survives cycles', () => {
    assert.deepEqual(findIdentitySelector('g-outer', (id) => groups.get(id)), { selector: 'email_domain', path: ['Outer', 'Engineers'] });
    assert.equal(findIdentitySelector('g-net', (id) => groups.get(id)), undefined);
    const loop = new Map<string, Group>([
      ['x', group('x', { name: 'X', include: [{ group: { id: 'y' } }] })],
      ['y', group('y', { name: 'Y', include: [{ group: { id: 'x' } }] })],
    ]);
    assert.equal(findIdentitySelector('x', (id) => loop.get(id)), undefined);
  });
});
