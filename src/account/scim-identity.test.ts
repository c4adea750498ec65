// What SCIM provisioning makes of identities (docs/identity-providers.md "SCIM provisioning"):
// a provisioned user's own identity follows every change; one a login produced changes as the
// provider's identity_update_behavior says; a later login merges with what provisioning knows.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { identityAfterScimChange, isProvisionedIdentity, mergeLoginWithScim, provisionedIdentity, withScimGroups } from './scim-identity.js';

const IDP = { id: 'idp-1', type: 'okta' };
const ENG = { id: '00gENG', name: 'Engineering' };
const OPS = { id: '00gOPS', name: 'Operations' };
const PARTS = { email: 'ada@example.com', name: 'Ada Lovelace', idp: IDP, groups: [ENG] };
const LOGIN = { email: 'ada@example.com', ip: '192.0.2.7', idp: IDP, amr: ['pwd', 'mfa'], groups: [{ id: 'claim-1', name: 'From the claim' }, ENG] };

it('a provisioned identity names the provider and the pushed groups, marked as provisioning alone', () => {
  const identity = provisionedIdentity(PARTS);
  assert.deepEqual(identity, { email: 'ada@example.com', name: 'Ada Lovelace', idp: IDP, groups: [ENG], identity_source: 'scim' });
  assert.equal(isProvisionedIdentity(identity), true);
  assert.equal(isProvisionedIdentity(null), true);
  assert.equal(isProvisionedIdentity(LOGIN), false);
});

it('a provisioned identity follows every change, whatever the behavior', () => {
  for (const behavior of ['automatic', 'reauth', 'no_action'] as const) {
    const current = provisionedIdentity(PARTS);
    const rebuilt = identityAfterScimChange(current, { providerId: IDP.id, parts: { ...PARTS, groups: [ENG, OPS] }, previous: [ENG], next: [ENG, OPS] }, behavior, false);
    assert.deepEqual(rebuilt.identity?.groups, [ENG, OPS], behavior);
    assert.equal(rebuilt.endSessions, false, `${behavior}: no login, no session to end`);
    const local = identityAfterScimChange(current, { providerId: IDP.id, previous: [ENG], next: [] }, behavior, false);
    assert.deepEqual(local.identity?.groups, [], `${behavior}: a group left`);
    assert.equal(identityAfterScimChange(current, { providerId: IDP.id, parts: PARTS, previous: [ENG], next: [ENG] }, behavior, false).identity, undefined, 'nothing changed, nothing to write');
  }
});

it("automatic: a login's identity takes the pushed groups, keeps its claims, amr and address", () => {
  const added = identityAfterScimChange(LOGIN, { providerId: IDP.id, previous: [], next: [OPS] }, 'automatic', false);
  assert.deepEqual(added.identity?.groups, [...LOGIN.groups, OPS]);
  assert.deepEqual(added.identity?.amr, ['pwd', 'mfa']);
  assert.equal(added.identity?.ip, '192.0.2.7');
  assert.equal(added.endSessions, false);
  const removed = identityAfterScimChange(LOGIN, { providerId: IDP.id, previous: [ENG], next: [] }, 'automatic', false);
  assert.deepEqual(removed.identity?.groups, [{ id: 'claim-1', name: 'From the claim' }]);
  const renamed = identityAfterScimChange(LOGIN, { providerId: IDP.id, previous: [ENG], next: [{ id: ENG.id, name: 'Platform' }] }, 'automatic', false);
  assert.deepEqual(renamed.identity?.groups, [{ id: 'claim-1', name: 'From the claim' }, { id: ENG.id, name: 'Platform' }]);
  const named = identityAfterScimChange({ ...LOGIN }, { providerId: IDP.id, parts: PARTS, previous: [ENG], next: [ENG] }, 'automatic', false);
  assert.equal(named.identity?.name, 'Ada Lovelace', 'a missing name is filled in');
});

it("reauth ends the sessions on a group change and leaves the identity for the next login; no_action does neither", () => {
  assert.deepEqual(identityAfterScimChange(LOGIN, { providerId: IDP.id, previous: [], next: [OPS] }, 'reauth', false), { identity: undefined, endSessions: true });
  assert.deepEqual(identityAfterScimChange(LOGIN, { providerId: IDP.id, previous: [ENG], next: [{ id: ENG.id, name: 'Platform' }] }, 'reauth', false), { identity: undefined, endSessions: false }, 'a rename is no membership change');
  assert.deepEqual(identityAfterScimChange(LOGIN, { providerId: IDP.id, previous: [ENG], next: [] }, 'no_action', false), { identity: undefined, endSessions: false });
});

it('group_member_deprovision: a removed group leaves the identity at once and the sessions end, whatever the behavior', () => {
  for (const behavior of ['reauth', 'no_action'] as const) {
    const removed = identityAfterScimChange(LOGIN, { providerId: IDP.id, previous: [ENG], next: [] }, behavior, true);
    assert.deepEqual(removed.identity?.groups, [{ id: 'claim-1', name: 'From the claim' }], behavior);
    assert.equal(removed.endSessions, true, behavior);
    const added = identityAfterScimChange(LOGIN, { providerId: IDP.id, previous: [], next: [OPS] }, behavior, true);
    assert.equal(added.identity, undefined, `${behavior}: an added group waits for the next login`);
    assert.equal(added.endSessions, true);
  }
  assert.equal(identityAfterScimChange(LOGIN, { providerId: IDP.id, previous: [ENG], next: [] }, 'automatic', true).endSessions, true);
});

it("another provider's change leaves an identity that names this provider, or none, as it is", () => {
  for (const behavior of ['automatic', 'reauth', 'no_action'] as const) {
    for (const gmd of [false, true]) {
      for (const current of [LOGIN, { ...LOGIN, idp: undefined }, provisionedIdentity(PARTS)]) {
        assert.deepEqual(identityAfterScimChange(current, { providerId: 'idp-2', previous: [], next: [OPS] }, behavior, gmd), { identity: undefined, endSessions: false }, behavior);
        assert.deepEqual(identityAfterScimChange(current, { providerId: 'idp-2', previous: [ENG], next: [] }, behavior, gmd), { identity: undefined, endSessions: false }, behavior);
      }
    }
  }
  const pushed = identityAfterScimChange(provisionedIdentity(PARTS), { providerId: 'idp-2', parts: { ...PARTS, idp: { id: 'idp-2', type: 'okta' }, groups: [OPS] }, previous: [OPS], next: [OPS] }, 'automatic', false);
  assert.deepEqual(pushed.identity?.idp, { id: 'idp-2', type: 'okta' }, "a whole push makes a provisioned identity the pusher's");
});

it('withScimGroups replaces the pushed groups by id and keeps the others', () => {
  assert.deepEqual(withScimGroups({ groups: [ENG, { id: 'x', name: 'X' }] }, [ENG], [OPS]).groups, [{ id: 'x', name: 'X' }, OPS]);
  assert.deepEqual(withScimGroups({}, [], [ENG]).groups, [ENG]);
});

it('a later login merges with what provisioning knows only when the behavior is automatic and the login came through that provider', () => {
  const login = { email: 'ada@example.com', idp: IDP, amr: ['pwd'], groups: [{ id: 'claim-1', name: 'From the claim' }] };
  const scim = { ...PARTS, groups: [ENG, OPS] };
  assert.deepEqual(mergeLoginWithScim(login, scim, 'automatic'), { ...login, name: 'Ada Lovelace', groups: [{ id: 'claim-1', name: 'From the claim' }, ENG, OPS] });
  assert.deepEqual(mergeLoginWithScim(login, scim, 'reauth'), login);
  assert.deepEqual(mergeLoginWithScim(login, scim, 'no_action'), login);
  assert.deepEqual(mergeLoginWithScim({ ...login, idp: { id: 'other', type: 'oidc' } }, scim, 'automatic'), { ...login, idp: { id: 'other', type: 'oidc' } });
  assert.deepEqual(mergeLoginWithScim(login, undefined, 'automatic'), login);
  assert.equal(mergeLoginWithScim({ ...login, identity_source: 'scim' }, scim, 'no_action').identity_source, undefined, 'a login is never provisioning alone');
});
