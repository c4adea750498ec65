import { test } from 'node:test';
import assert from 'node:assert/strict';
import { referencesOf, rewriteIdentityIdp, rewriteReferences } from './references.js';

const POLICY = {
  name: 'P',
  decision: 'allow',
  include: [{ group: { id: 'g1' } }, { email_domain: { domain: 'example.com' } }, { okta: { identity_provider_id: 'idp-okta', name: 'Eng' } }],
  require: [{ login_method: { id: 'idp-otp' } }, { ip_list: { id: 'l-ip' } }],
  exclude: [{ email_list: { id: 'l-mail' } }, { service_token: { token_id: 't1' } }, { device_posture: { integration_uid: 'pr1' } }],
  approval_groups: [{ approvals_needed: 1, email_list_uuid: 'l-approvers' }, { approvals_needed: 1, email_addresses: ['a@example.com'] }],
  session_duration: '12h',
};

test('referencesOf finds every id a rule or an approval group names, with its kind and pointer', () => {
  assert.deepEqual(referencesOf(POLICY), [
    { kind: 'group', id: 'g1', pointer: '/include/0/group/id' },
    { kind: 'identity_provider', id: 'idp-okta', pointer: '/include/2/okta/identity_provider_id' },
    { kind: 'identity_provider', id: 'idp-otp', pointer: '/require/0/login_method/id' },
    { kind: 'list', id: 'l-ip', pointer: '/require/1/ip_list/id' },
    { kind: 'list', id: 'l-mail', pointer: '/exclude/0/email_list/id' },
    { kind: 'service_token', id: 't1', pointer: '/exclude/1/service_token/token_id' },
    { kind: 'posture_rule', id: 'pr1', pointer: '/exclude/2/device_posture/integration_uid' },
    { kind: 'list', id: 'l-approvers', pointer: '/approval_groups/0/email_list_uuid' },
  ]);
});

test('rewriteReferences replaces the ids it is given and keeps everything else, without touching the original', () => {
  const map: Record<string, string> = { 'group:g1': 'G1', 'list:l-ip': 'L1', 'list:l-approvers': 'L2', 'identity_provider:idp-okta': 'I1' };
  const before = JSON.stringify(POLICY);
  const out = rewriteReferences(POLICY, (kind, id) => map[`${kind}:${id}`]);
  assert.equal(JSON.stringify(POLICY), before);
  assert.deepEqual(out.include, [{ group: { id: 'G1' } }, { email_domain: { domain: 'example.com' } }, { okta: { identity_provider_id: 'I1', name: 'Eng' } }]);
  assert.deepEqual(out.require, [{ login_method: { id: 'idp-otp' } }, { ip_list: { id: 'L1' } }]);
  assert.deepEqual(out.exclude, POLICY.exclude);
  assert.deepEqual(out.approval_groups, [{ approvals_needed: 1, email_list_uuid: 'L2' }, POLICY.approval_groups[1]]);
  assert.equal(out.session_duration, '12h');
});

test("rewriteIdentityIdp rewrites the identity's idp.id only", () => {
  const identity = { email: 'a@example.com', idp: { id: 'okta', type: 'okta' }, groups: [{ name: 'okta' }] };
  assert.deepEqual(rewriteIdentityIdp(identity, (id) => (id === 'okta' ? 'X' : undefined)), { ...identity, idp: { id: 'X', type: 'okta' } });
  assert.equal(rewriteIdentityIdp(identity, () => undefined), identity);
  assert.deepEqual(rewriteIdentityIdp({ email: 'a@example.com' }, () => 'X'), { email: 'a@example.com' });
});
