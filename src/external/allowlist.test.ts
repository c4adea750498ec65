import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileAllowlist, isAddressPermitted, isAllowed } from './allowlist.js';

describe('allowlist', () => {
  test('exact host names match case-insensitively and ignore a trailing dot', () => {
    const list = compileAllowlist(['Eval.Internal.']);
    assert.equal(isAllowed('eval.internal', '10.0.0.5', list), true);
    assert.equal(isAllowed('EVAL.internal.', '10.0.0.5', list), true);
    assert.equal(isAllowed('other.internal', '10.0.0.5', list), false);
    assert.equal(isAllowed('x.eval.internal', '10.0.0.5', list), false, 'no implicit subdomains');
  });

  test('exact IPs match only that address', () => {
    const list = compileAllowlist(['127.0.0.1', '::1']);
    assert.equal(isAllowed('whatever', '127.0.0.1', list), true);
    assert.equal(isAllowed('whatever', '127.0.0.2', list), false);
    assert.equal(isAllowed('whatever', '::1', list), true);
    assert.equal(isAllowed('whatever', '::2', list), false);
  });

  test('CIDRs match membership, per family', () => {
    const list = compileAllowlist(['10.0.0.0/8', 'fd00::/8']);
    assert.equal(isAllowed('h', '10.200.3.4', list), true);
    assert.equal(isAllowed('h', '11.0.0.1', list), false);
    assert.equal(isAllowed('h', 'fd12::1', list), true);
    assert.equal(isAllowed('h', 'fc00::1', list), false);
  });

  test('IPv4 entries also cover the IPv4-mapped IPv6 form, and vice versa', () => {
    assert.equal(isAllowed('h', '::ffff:127.0.0.1', ['127.0.0.1']), true);
    assert.equal(isAllowed('h', '::ffff:10.9.9.9', ['10.0.0.0/8']), true);
    assert.equal(isAllowed('h', '127.0.0.1', ['::ffff:127.0.0.1']), true);
    assert.equal(isAllowed('h', '10.1.1.1', ['::ffff:10.0.0.0/104']), true);
    assert.equal(isAllowed('h', '11.1.1.1', ['::ffff:10.0.0.0/104']), false);
  });

  test('bracketed IPv6 entries are accepted', () => {
    assert.equal(isAllowed('h', '::1', ['[::1]']), true);
  });

  test('an empty allowlist allows nothing', () => {
    assert.equal(isAllowed('localhost', '127.0.0.1', []), false);
  });

  test('invalid entries are refused when compiled', () => {
    for (const bad of ['10.0.0.0/33', '::/129', '10.0.0.0/x', '10.0.0.0/08', 'fe80::1%eth0', 'not a host', 'http://example.com', '*.example.com', '']) {
      assert.throws(() => compileAllowlist([bad]), TypeError, bad);
    }
  });

  test('isAddressPermitted: public always, others only when allowlisted', () => {
    const list = compileAllowlist(['192.168.0.0/16']);
    assert.equal(isAddressPermitted('h', '8.8.8.8', list), true);
    assert.equal(isAddressPermitted('h', '192.168.4.4', list), true);
    assert.equal(isAddressPermitted('h', '10.0.0.1', list), false);
    assert.equal(isAddressPermitted('h', 'garbage', list), false);
  });
});
