// PORTCULLIS_TRUSTED_PROXIES read once, by one parser: what the server's configuration refuses
// at start-up is what the enforcement point, the API and SCIM refuse when handed the same entries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_TRUSTED_PROXIES, parseTrustedProxies, trustedProxyList } from './trusted-proxies.js';

const refused = (entry: string) => `PORTCULLIS_TRUSTED_PROXIES: ${JSON.stringify(entry)} is not an IP address or CIDR range.`;

test('a list is comma-separated, blanks ignored, and unset is loopback', () => {
  assert.deepEqual(trustedProxyList(' 10.0.0.1 ,, 2001:db8::/32 '), ['10.0.0.1', '2001:db8::/32']);
  assert.deepEqual(trustedProxyList(undefined), [...DEFAULT_TRUSTED_PROXIES]);
  assert.deepEqual(trustedProxyList(''), [], 'set but empty: no proxy is trusted');
});

test('an entry that is not an IP address or CIDR range is refused with one message, wherever it is read', () => {
  // ipaddr.js alone would take 127.1 or 2130706433 for 127.0.0.1; Node's isIP (the start-up check) does not.
  for (const entry of ['10.0.0.1/33', '::1/129', '127.1', '2130706433', '0x7f.0.0.1', 'proxy.internal', '10.0.0.0/8/8', '10.0.0.0/x']) {
    assert.throws(() => trustedProxyList(entry), { message: refused(entry) }, entry);
    assert.throws(() => parseTrustedProxies([entry]), { message: refused(entry) }, entry);
  }
});

test('addresses and ranges of both families cover their peers, IPv4 ones also as ::ffff:a.b.c.d', () => {
  const trusted = parseTrustedProxies(trustedProxyList('10.0.0.0/8, 192.0.2.7, 2001:db8::/32'));
  for (const peer of ['10.1.2.3', '::ffff:10.1.2.3', '192.0.2.7', '2001:db8::1']) assert.equal(trusted.covers(peer), true, peer);
  for (const peer of ['11.0.0.1', '192.0.2.8', '2001:db9::1', 'not an address']) assert.equal(trusted.covers(peer), false, peer);
});

test('an IPv4 entry written as IPv4-mapped IPv6 (::ffff:a.b.c.d, with /96 or more) covers the IPv4 peers it names, which arrive as IPv4', () => {
  const trusted = parseTrustedProxies(trustedProxyList('::ffff:10.0.0.0/104, ::ffff:192.0.2.7'));
  for (const peer of ['10.1.2.3', '::ffff:10.1.2.3', '192.0.2.7', '::ffff:192.0.2.7']) assert.equal(trusted.covers(peer), true, peer);
  for (const peer of ['11.0.0.1', '192.0.2.8', '::ffff:11.0.0.1']) assert.equal(trusted.covers(peer), false, peer);
  // A range wider than the mapped block (under /96) reaches beyond IPv4: it stays IPv6.
  const wide = parseTrustedProxies(trustedProxyList('::/64'));
  assert.equal(wide.covers('::1'), true);
});
