import { test } from 'node:test';
import assert from 'node:assert/strict';
import { amrBit, amrMask } from './amr.js';

test('registered RFC 8176 values each have their own bit, within a small integer', () => {
  const values = ['face', 'fpt', 'geo', 'hwk', 'iris', 'kba', 'mca', 'mfa', 'otp', 'pin', 'pop', 'pwd', 'rba', 'retina', 'sc', 'sms', 'swk', 'tel', 'user', 'vbm', 'wia'];
  const bits = values.map(amrBit);
  assert.equal(new Set(bits).size, values.length);
  for (const bit of bits) assert.ok(bit > 0 && bit < 2 ** 30 && (bit & (bit - 1)) === 0, String(bit));
});

test('unregistered values, other cases and prototype names have no bit', () => {
  for (const v of ['MFA', 'Mfa', 'mfa ', '', 'webauthn', '__proto__', 'constructor', 'toString']) assert.equal(amrBit(v), 0, v);
});

test('a mask holds exactly the registered values of the list', () => {
  assert.equal(amrMask([]), 0);
  assert.equal(amrMask(['pwd', 'mfa']), amrBit('pwd') | amrBit('mfa'));
  assert.equal(amrMask(['pwd', 'custom']), amrBit('pwd'));
  assert.equal(amrMask(['mfa', 'mfa']), amrBit('mfa'));
});
