// Custom claims (the SAML attributes and OIDC claims a provider keeps) ride in a sign-in's tokens
// only while they fit beside its SAML headers in one cookie (browsers drop cookies over 4 KiB).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { customClaims, TOKEN_EXTRAS_MAX_BYTES, type LoginIdentity } from './logins.js';

const login = (saml_attributes: Record<string, unknown>): LoginIdentity => ({ email: 'ada@example.com', groups: [], idp: { id: 'idp', type: 'saml' }, saml_attributes });

test('custom claims go in while they fit, alone or beside the SAML headers, and stay out when they would not', () => {
  const groups = Array.from({ length: 60 }, (_, i) => `grp-engineering-${String(i).padStart(3, '0')}`);
  const custom = { department: 'Engineering', groups };
  assert.deepEqual(customClaims(login(custom)), custom, 'alone they fit');
  const headers = { 'X-Groups': 'x'.repeat(1024) };
  assert.equal(customClaims(login(custom), headers), undefined, 'beside a kilobyte of headers they would not');
  assert.deepEqual(customClaims(login({ department: 'Engineering' }), headers), { department: 'Engineering' }, 'a small one still does');
  assert.equal(customClaims(login({})), undefined, 'none kept, none added');
  const exactly = { a: 'y'.repeat(TOKEN_EXTRAS_MAX_BYTES - '{"a":""}'.length) };
  assert.deepEqual(customClaims(login(exactly)), exactly, 'at the limit');
  assert.equal(customClaims(login({ a: `${exactly.a}y` })), undefined, 'past it');
});
