import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IpSet, cidrContains, formatIp, ipToBigInt, parseCidr, parseIp, type Cidr, type IpAddress } from './ip.js';

function ip(text: string): IpAddress {
  const parsed = parseIp(text);
  assert.ok(parsed !== undefined, `${text} should parse as an IP`);
  return parsed;
}

function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  assert.ok(parsed !== undefined, `${text} should parse as a CIDR`);
  return parsed;
}

function set(...texts: string[]): IpSet {
  return new IpSet(texts.map(cidr));
}

describe('parseIp', () => {
  test('dotted-quad IPv4 becomes a 32-bit unsigned integer', () => {
    assert.deepEqual(parseIp('1.2.3.4'), { v: 4, n: 0x01020304 });
    assert.deepEqual(parseIp('0.0.0.0'), { v: 4, n: 0 });
    assert.deepEqual(parseIp('255.255.255.255'), { v: 4, n: 0xffffffff });
    assert.deepEqual(parseIp('192.168.0.1'), { v: 4, n: 0xc0a80001 });
  });

  test('IPv6 becomes two 64-bit halves', () => {
    assert.deepEqual(parseIp('::1'), { v: 6, hi: 0n, lo: 1n });
    assert.deepEqual(parseIp('::'), { v: 6, hi: 0n, lo: 0n });
    assert.deepEqual(parseIp('2001:db8::1'), { v: 6, hi: 0x20010db800000000n, lo: 1n });
    assert.deepEqual(parseIp('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'), { v: 6, hi: (1n << 64n) - 1n, lo: (1n << 64n) - 1n });
  });

  test('IPv6 is case-insensitive and accepts every compression form', () => {
    assert.deepEqual(parseIp('2001:DB8::1'), parseIp('2001:db8::1'));
    assert.deepEqual(parseIp('2001:0db8:0000:0000:0000:0000:0000:0001'), parseIp('2001:db8::1'));
    assert.deepEqual(parseIp('1:2:3:4:5:6:7:8'), { v: 6, hi: 0x0001000200030004n, lo: 0x0005000600070008n });
  });

  test('IPv4-mapped IPv6 is the IPv4 address it carries', () => {
    assert.deepEqual(parseIp('::ffff:1.2.3.4'), { v: 4, n: 0x01020304 });
    assert.deepEqual(parseIp('::FFFF:1.2.3.4'), { v: 4, n: 0x01020304 });
    assert.deepEqual(parseIp('::ffff:0102:0304'), { v: 4, n: 0x01020304 });
    assert.deepEqual(parseIp('0000:0000:0000:0000:0000:ffff:0102:0304'), { v: 4, n: 0x01020304 });
    assert.deepEqual(parseIp('::ffff:0:0'), { v: 4, n: 0 });
  });

  test('other embedded-IPv4 forms stay IPv6', () => {
    assert.deepEqual(parseIp('64:ff9b::1.2.3.4'), { v: 6, hi: 0x0064ff9b00000000n, lo: 0x01020304n });
    assert.equal(parseIp('1:2:3:4:5:6:1.2.3.4')?.v, 6);
  });

  const invalid = [
    '',
    ' ',
    '1.2.3',
    '1.2.3.4.5',
    '300.1.1.1',
    '256.0.0.0',
    '01.2.3.4', // leading zeros are ambiguous (octal in some parsers)
    '1.02.3.4',
    '0.0.0.00',
    '1.2.3.',
    '.1.2.3',
    '1..2.3',
    '0x1.2.3.4',
    '0x01020304',
    '16909060', // a bare 32-bit integer
    '10.1', // ipaddr.js's short forms are refused
    '1.2.3.4 ',
    ' 1.2.3.4',
    '1.2.3.4/32', // a CIDR is not an address
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    ':::',
    '12345::',
    'g::1',
    '[::1]',
    'fe80::1%eth0', // a zone index names a local interface
    '::ffff:01.2.3.4', // embedded dotted quads are as strict as plain ones
    '::ffff:1.2.3.04',
    '::ffff:300.2.3.4',
    'localhost',
    'example.com',
  ];
  for (const text of invalid) {
    test(`refuses ${JSON.stringify(text)}`, () => {
      assert.equal(parseIp(text), undefined);
    });
  }
});

describe('formatIp', () => {
  test('IPv4 dotted quad, including the extremes', () => {
    assert.equal(formatIp({ v: 4, n: 0 }), '0.0.0.0');
    assert.equal(formatIp({ v: 4, n: 0xffffffff }), '255.255.255.255');
    assert.equal(formatIp({ v: 4, n: 0x0a000001 }), '10.0.0.1');
    assert.equal(formatIp({ v: 4, n: 0x80000000 }), '128.0.0.0');
  });

  test('IPv6 lower-case, compressed (RFC 5952)', () => {
    assert.equal(formatIp(ip('2001:0DB8:0000:0000:0000:0000:0000:0001')), '2001:db8::1');
    assert.equal(formatIp(ip('1:0:0:1:0:0:0:1')), '1:0:0:1::1'); // the longest run of zeros
    assert.equal(formatIp(ip('0:0:0:0:0:0:0:0')), '::');
    assert.equal(formatIp(ip('2001:db8::')), '2001:db8::');
    assert.equal(formatIp({ v: 6, hi: 0n, lo: 1n }), '::1');
  });

  test('mapped addresses print as IPv4', () => {
    assert.equal(formatIp(ip('::ffff:10.1.2.3')), '10.1.2.3');
  });

  test('parse → format → parse is stable for random addresses', () => {
    fc.assert(
      fc.property(fc.oneof(arbIpv4(), arbIpv6()), (addr) => {
        const text = formatIp(addr);
        const again = parseIp(text);
        assert.ok(again !== undefined, text);
        assert.equal(formatIp(again), text);
        if (addr.v === 4 || !isMapped(addr)) assert.deepEqual(again, addr);
      }),
    );
  });
});

describe('ipToBigInt', () => {
  test('IPv4 and IPv6', () => {
    assert.equal(ipToBigInt(ip('1.2.3.4')), 0x01020304n);
    assert.equal(ipToBigInt(ip('2001:db8::1')), 0x20010db8000000000000000000000001n);
  });
});

describe('parseCidr', () => {
  test('IPv4 CIDR: network, mask, canonical text', () => {
    const c = cidr('10.0.0.0/8');
    assert.equal(c.v, 4);
    assert.equal(c.prefix, 8);
    assert.equal(c.net4, 0x0a000000);
    assert.equal(c.mask4, 0xff000000);
    assert.equal(c.text, '10.0.0.0/8');
    assert.equal(c.hostBitsSet, false);
  });

  test('a bare IPv4 address means /32', () => {
    const c = cidr('192.0.2.7');
    assert.equal(c.prefix, 32);
    assert.equal(c.mask4, 0xffffffff);
    assert.equal(c.net4, 0xc0000207);
    assert.equal(c.text, '192.0.2.7/32');
  });

  test('IPv4 /0 and /32', () => {
    const all = cidr('0.0.0.0/0');
    assert.equal(all.mask4, 0);
    assert.equal(all.net4, 0);
    assert.equal(all.text, '0.0.0.0/0');
    const host = cidr('1.2.3.4/32');
    assert.equal(host.mask4, 0xffffffff);
    assert.equal(host.text, '1.2.3.4/32');
    assert.equal(host.hostBitsSet, false);
  });

  test('host bits are cleared and flagged', () => {
    const c = cidr('10.0.0.1/8');
    assert.equal(c.net4, 0x0a000000);
    assert.equal(c.text, '10.0.0.0/8');
    assert.equal(c.hostBitsSet, true);
    const any = cidr('1.2.3.4/0');
    assert.equal(any.text, '0.0.0.0/0');
    assert.equal(any.hostBitsSet, true);
    const v6 = cidr('2001:db8::1/32');
    assert.equal(v6.text, '2001:db8::/32');
    assert.equal(v6.hostBitsSet, true);
    assert.equal(cidr('2001:db8::/32').hostBitsSet, false);
  });

  test('IPv6 CIDR: network, mask, canonical text', () => {
    const c = cidr('2001:DB8::/32');
    assert.equal(c.v, 6);
    assert.equal(c.prefix, 32);
    assert.equal(c.net6, 0x20010db8n << 96n);
    assert.equal(c.mask6, 0xffffffffn << 96n);
    assert.equal(c.text, '2001:db8::/32');
  });

  test('IPv6 /0 and /128, and a bare IPv6 address means /128', () => {
    const all = cidr('::/0');
    assert.equal(all.mask6, 0n);
    assert.equal(all.net6, 0n);
    assert.equal(all.text, '::/0');
    const host = cidr('::1/128');
    assert.equal(host.mask6, (1n << 128n) - 1n);
    assert.equal(host.text, '::1/128');
    assert.equal(cidr('2001:db8::5').text, '2001:db8::5/128');
    assert.equal(cidr('2001:db8::5').prefix, 128);
  });

  test('IPv4-mapped IPv6 CIDRs of /96 or longer become IPv4 CIDRs', () => {
    const c = cidr('::ffff:10.0.0.0/104');
    assert.equal(c.v, 4);
    assert.equal(c.prefix, 8);
    assert.equal(c.text, '10.0.0.0/8');
    assert.equal(cidr('::ffff:1.2.3.4').text, '1.2.3.4/32');
    assert.equal(cidr('::ffff:1.2.3.4/120').text, '1.2.3.0/24');
    // ::ffff:0:0/96 is every mapped address, i.e. all of IPv4.
    assert.equal(cidr('::ffff:0:0/96').text, '0.0.0.0/0');
  });

  const invalid = [
    '10.0.0.0/33',
    '300.1.1.1',
    '10.0.0.0/-1',
    '1.2.3',
    '::1/129',
    '01.2.3.4',
    '01.2.3.4/8',
    '10.0.0.0/',
    '/8',
    '10.0.0.0/08', // leading zero in the prefix
    '10.0.0.0/+8',
    '10.0.0.0/8.0',
    '10.0.0.0/ 8',
    '10.0.0.0 /8',
    '10.0.0.0/8/8',
    '10.0.0.0/1000',
    '10.0.0.0-10.0.0.255', // ranges are not CIDRs
    '10.0.0.*',
    '',
    '::1/0128',
    '1::2::3/64',
    'fe80::1%eth0/64',
    '::ffff:01.2.3.4/128',
    'example.com/24',
  ];
  for (const text of invalid) {
    test(`refuses ${JSON.stringify(text)}`, () => {
      assert.equal(parseCidr(text), undefined);
    });
  }

  test('canonical text parses back to the same range', () => {
    fc.assert(
      fc.property(arbCidr(), (c) => {
        const again = parseCidr(c.text);
        assert.ok(again !== undefined, c.text);
        assert.equal(again.text, c.text);
        assert.equal(again.hostBitsSet, false);
        assert.equal(again.v, c.v);
        assert.equal(again.prefix, c.prefix);
        assert.equal(again.net4, c.net4);
        assert.equal(again.net6, c.net6);
      }),
    );
  });
});

describe('cidrContains', () => {
  test('IPv4', () => {
    const c = cidr('10.0.0.0/8');
    assert.equal(cidrContains(c, ip('10.0.0.0')), true);
    assert.equal(cidrContains(c, ip('10.255.255.255')), true);
    assert.equal(cidrContains(c, ip('11.0.0.0')), false);
    assert.equal(cidrContains(c, ip('9.255.255.255')), false);
  });

  test('IPv4 /0 contains every IPv4 address and no IPv6 address', () => {
    const c = cidr('0.0.0.0/0');
    assert.equal(cidrContains(c, ip('0.0.0.0')), true);
    assert.equal(cidrContains(c, ip('255.255.255.255')), true);
    assert.equal(cidrContains(c, ip('::1')), false);
  });

  test('/32 and /128 contain exactly one address', () => {
    assert.equal(cidrContains(cidr('1.2.3.4/32'), ip('1.2.3.4')), true);
    assert.equal(cidrContains(cidr('1.2.3.4/32'), ip('1.2.3.5')), false);
    assert.equal(cidrContains(cidr('2001:db8::1/128'), ip('2001:db8::1')), true);
    assert.equal(cidrContains(cidr('2001:db8::1/128'), ip('2001:db8::2')), false);
  });

  test('IPv6', () => {
    const c = cidr('2001:db8::/32');
    assert.equal(cidrContains(c, ip('2001:db8::1')), true);
    assert.equal(cidrContains(c, ip('2001:db8:ffff:ffff:ffff:ffff:ffff:ffff')), true);
    assert.equal(cidrContains(c, ip('2001:db9::')), false);
    assert.equal(cidrContains(c, ip('2001:db7:ffff::')), false);
  });

  test('IPv6 /0 contains every IPv6 address and no IPv4 address', () => {
    const c = cidr('::/0');
    assert.equal(cidrContains(c, ip('::')), true);
    assert.equal(cidrContains(c, ip('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')), true);
    assert.equal(cidrContains(c, ip('1.2.3.4')), false);
  });

  test('families never cross: an IPv4 CIDR does not contain an IPv6 address', () => {
    assert.equal(cidrContains(cidr('0.0.0.0/0'), ip('::')), false);
    assert.equal(cidrContains(cidr('0.0.0.0/0'), ip('2001:db8::1')), false);
  });

  test('mapped IPv6 identities match IPv4 CIDRs and mapped CIDRs match IPv4 identities', () => {
    assert.equal(cidrContains(cidr('10.0.0.0/8'), ip('::ffff:10.9.8.7')), true);
    assert.equal(cidrContains(cidr('::ffff:10.0.0.0/104'), ip('10.9.8.7')), true);
    assert.equal(cidrContains(cidr('::ffff:10.0.0.0/104'), ip('11.0.0.0')), false);
  });

  test('a CIDR given with host bits matches as its network', () => {
    const c = cidr('10.1.2.3/16');
    assert.equal(cidrContains(c, ip('10.1.0.0')), true);
    assert.equal(cidrContains(c, ip('10.1.255.255')), true);
    assert.equal(cidrContains(c, ip('10.2.0.0')), false);
  });

  test('every prefix length of IPv4 bounds the range exactly', () => {
    const base = ip('200.100.50.25');
    assert.equal(base.v, 4);
    for (let prefix = 0; prefix <= 32; prefix++) {
      const c = cidr(`200.100.50.25/${prefix}`);
      const size = 2 ** (32 - prefix);
      const first = c.net4;
      const last = first + size - 1;
      assert.equal(cidrContains(c, { v: 4, n: first }), true, `/${prefix} first`);
      assert.equal(cidrContains(c, { v: 4, n: last }), true, `/${prefix} last`);
      assert.equal(cidrContains(c, base), true, `/${prefix} base`);
      if (first > 0) assert.equal(cidrContains(c, { v: 4, n: first - 1 }), false, `/${prefix} before`);
      if (last < 0xffffffff) assert.equal(cidrContains(c, { v: 4, n: last + 1 }), false, `/${prefix} after`);
    }
  });

  test('every prefix length of IPv6 bounds the range exactly', () => {
    const base = 0x20010db8aaaabbbbccccddddeeeeffffn;
    const max = (1n << 128n) - 1n;
    const v6 = (big: bigint): IpAddress => ({ v: 6, hi: big >> 64n, lo: big & ((1n << 64n) - 1n) });
    for (let prefix = 0; prefix <= 128; prefix++) {
      const c = cidr(`${formatIp(v6(base))}/${prefix}`);
      const first = c.net6;
      const last = first + (1n << BigInt(128 - prefix)) - 1n;
      assert.equal(cidrContains(c, v6(first)), true, `/${prefix} first`);
      assert.equal(cidrContains(c, v6(last)), true, `/${prefix} last`);
      assert.equal(cidrContains(c, v6(base)), true, `/${prefix} base`);
      if (first > 0n) assert.equal(cidrContains(c, v6(first - 1n)), false, `/${prefix} before`);
      if (last < max) assert.equal(cidrContains(c, v6(last + 1n)), false, `/${prefix} after`);
    }
  });
});

describe('IpSet', () => {
  test('an empty set contains nothing', () => {
    const s = new IpSet([]);
    assert.equal(s.size, 0);
    assert.equal(s.has(ip('0.0.0.0')), false);
    assert.equal(s.has(ip('::')), false);
  });

  test('size counts the CIDRs given, before merging', () => {
    assert.equal(set('10.0.0.0/25', '10.0.0.128/25', '2001:db8::/32').size, 3);
  });

  test('single IPv4 range: inside, at both ends, outside', () => {
    const s = set('10.0.0.0/24');
    assert.equal(s.has(ip('10.0.0.0')), true);
    assert.equal(s.has(ip('10.0.0.255')), true);
    assert.equal(s.has(ip('10.0.0.77')), true);
    assert.equal(s.has(ip('9.255.255.255')), false);
    assert.equal(s.has(ip('10.0.1.0')), false);
  });

  test('adjacent ranges merge with no gap and no spill-over', () => {
    const s = set('10.0.0.128/25', '10.0.0.0/25');
    assert.equal(s.has(ip('10.0.0.127')), true);
    assert.equal(s.has(ip('10.0.0.128')), true);
    assert.equal(s.has(ip('10.0.0.0')), true);
    assert.equal(s.has(ip('10.0.0.255')), true);
    assert.equal(s.has(ip('10.0.1.0')), false);
    assert.equal(s.has(ip('9.255.255.255')), false);
  });

  test('overlapping and nested ranges, in any order', () => {
    const s = set('10.1.0.0/16', '10.0.0.0/8', '10.200.0.0/16', '192.168.1.0/24', '192.168.0.0/23');
    assert.equal(s.has(ip('10.1.2.3')), true);
    assert.equal(s.has(ip('10.255.255.255')), true);
    assert.equal(s.has(ip('11.0.0.0')), false);
    assert.equal(s.has(ip('192.168.0.5')), true);
    assert.equal(s.has(ip('192.168.1.255')), true);
    assert.equal(s.has(ip('192.168.2.0')), false);
    // A short range after a longer one that swallows it must not shorten the merged end.
    const t = set('10.0.0.0/8', '10.0.0.0/24');
    assert.equal(t.has(ip('10.200.0.1')), true);
  });

  test('disjoint ranges keep their gaps', () => {
    const s = set('1.0.0.0/24', '3.0.0.0/24', '5.0.0.0/24', '1.2.3.4');
    assert.equal(s.has(ip('1.0.0.9')), true);
    assert.equal(s.has(ip('2.0.0.0')), false);
    assert.equal(s.has(ip('3.0.0.255')), true);
    assert.equal(s.has(ip('4.0.0.0')), false);
    assert.equal(s.has(ip('5.0.0.0')), true);
    assert.equal(s.has(ip('1.2.3.4')), true);
    assert.equal(s.has(ip('1.2.3.5')), false);
    assert.equal(s.has(ip('0.255.255.255')), false);
    assert.equal(s.has(ip('6.0.0.0')), false);
  });

  test('IPv4 /0 and ranges at the top of the space', () => {
    const all = set('0.0.0.0/0');
    assert.equal(all.has(ip('0.0.0.0')), true);
    assert.equal(all.has(ip('255.255.255.255')), true);
    assert.equal(all.has(ip('::1')), false);
    const top = set('255.255.255.255/32', '255.255.255.254/32');
    assert.equal(top.has(ip('255.255.255.255')), true);
    assert.equal(top.has(ip('255.255.255.254')), true);
    assert.equal(top.has(ip('255.255.255.253')), false);
  });

  test('/32 and /128 single addresses', () => {
    const s = set('1.2.3.4/32', '2001:db8::1/128');
    assert.equal(s.has(ip('1.2.3.4')), true);
    assert.equal(s.has(ip('1.2.3.3')), false);
    assert.equal(s.has(ip('1.2.3.5')), false);
    assert.equal(s.has(ip('2001:db8::1')), true);
    assert.equal(s.has(ip('2001:db8::')), false);
    assert.equal(s.has(ip('2001:db8::2')), false);
  });

  test('IPv6 ranges merge, including adjacency', () => {
    const s = set('2001:db8::/33', '2001:db8:8000::/33', '2001:db9::/48');
    assert.equal(s.has(ip('2001:db8:7fff:ffff:ffff:ffff:ffff:ffff')), true);
    assert.equal(s.has(ip('2001:db8:8000::')), true);
    assert.equal(s.has(ip('2001:db9::1')), true);
    assert.equal(s.has(ip('2001:db9:1::')), false);
    assert.equal(s.has(ip('2001:db7:ffff:ffff:ffff:ffff:ffff:ffff')), false);
  });

  test('IPv6 /0 and the top of the space', () => {
    const all = set('::/0');
    assert.equal(all.has(ip('::')), true);
    assert.equal(all.has(ip('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')), true);
    assert.equal(all.has(ip('1.2.3.4')), false);
    const top = set('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00/120');
    assert.equal(top.has(ip('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')), true);
    assert.equal(top.has(ip('ffff:ffff:ffff:ffff:ffff:ffff:ffff:feff')), false);
  });

  test('families are kept apart in a mixed set', () => {
    const s = set('10.0.0.0/8', '2001:db8::/32');
    assert.equal(s.has(ip('10.1.1.1')), true);
    assert.equal(s.has(ip('2001:db8::1')), true);
    // ::a00:0 has the same low 32 bits as 10.0.0.0 but is IPv6.
    assert.equal(s.has(ip('::a00:1')), false);
    assert.equal(s.has(ip('11.0.0.0')), false);
  });

  test('mapped IPv6 addresses and mapped CIDRs behave as IPv4', () => {
    const s = set('::ffff:10.0.0.0/104');
    assert.equal(s.has(ip('10.2.3.4')), true);
    assert.equal(s.has(ip('::ffff:10.2.3.4')), true);
    assert.equal(s.has(ip('11.0.0.0')), false);
    const t = set('10.0.0.0/8');
    assert.equal(t.has(ip('::ffff:10.2.3.4')), true);
  });

  test('CIDRs given with host bits cover their whole network', () => {
    const s = set('10.0.0.77/24', '2001:db8::77/64');
    assert.equal(s.has(ip('10.0.0.0')), true);
    assert.equal(s.has(ip('10.0.0.255')), true);
    assert.equal(s.has(ip('2001:db8::')), true);
    assert.equal(s.has(ip('2001:db8::ffff:ffff:ffff:ffff')), true);
    assert.equal(s.has(ip('2001:db8:0:1::')), false);
  });

  test('property: has(ip) equals "some CIDR contains ip" (IPv4 and IPv6)', () => {
    fc.assert(
      fc.property(fc.array(arbCidr(), { maxLength: 12 }), fc.array(arbProbe(), { minLength: 1, maxLength: 20 }), (cidrs, probes) => {
        const s = new IpSet(cidrs);
        // Also probe the edges of every range, where merging mistakes show.
        const edges: IpAddress[] = [];
        for (const c of cidrs) edges.push(...rangeEdges(c));
        for (const p of [...probes, ...edges]) {
          const expected = cidrs.some((c) => cidrContains(c, p));
          assert.equal(s.has(p), expected, `${formatIp(p)} in [${cidrs.map((c) => c.text).join(', ')}]`);
        }
      }),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------- arbitraries

const MAX64 = (1n << 64n) - 1n;

function arbIpv4(): fc.Arbitrary<IpAddress> {
  return fc.oneof(
    fc.integer({ min: 0, max: 0xffffffff }),
    // A small neighbourhood so that random ranges and probes collide often.
    fc.integer({ min: 0x0a000000, max: 0x0a0001ff }),
    fc.constantFrom(0, 0xffffffff),
  ).map((n): IpAddress => ({ v: 4, n }));
}

function arbIpv6(): fc.Arbitrary<IpAddress> {
  const small = fc.bigInt({ min: 0n, max: 0x3ffn }).map((x) => (0x20010db8n << 96n) | x);
  return fc
    .oneof(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), small, fc.constantFrom(0n, (1n << 128n) - 1n))
    .filter((big) => !isMappedBig(big))
    .map((big): IpAddress => ({ v: 6, hi: big >> 64n, lo: big & MAX64 }));
}

function isMappedBig(big: bigint): boolean {
  return big >> 32n === 0xffffn;
}

function isMapped(addr: IpAddress): boolean {
  return addr.v === 6 && isMappedBig(ipToBigInt(addr));
}

function arbProbe(): fc.Arbitrary<IpAddress> {
  return fc.oneof(arbIpv4(), arbIpv6());
}

function arbCidr(): fc.Arbitrary<Cidr> {
  const v4 = fc.tuple(arbIpv4(), fc.oneof(fc.integer({ min: 0, max: 32 }), fc.integer({ min: 22, max: 32 })));
  const v6 = fc.tuple(arbIpv6(), fc.oneof(fc.integer({ min: 0, max: 128 }), fc.integer({ min: 118, max: 128 })));
  return fc.oneof(v4, v6).map(([addr, prefix]) => {
    const c = parseCidr(`${formatIp(addr)}/${prefix}`);
    assert.ok(c !== undefined);
    return c;
  });
}

/** The first and last address of a range and their outside neighbours (where they exist). */
function rangeEdges(c: Cidr): IpAddress[] {
  if (c.v === 4) {
    const first = c.net4;
    const last = first + 2 ** (32 - c.prefix) - 1;
    return [first - 1, first, last, last + 1].filter((n) => n >= 0 && n <= 0xffffffff).map((n) => ({ v: 4, n }));
  }
  const first = c.net6;
  const last = first + (1n << BigInt(128 - c.prefix)) - 1n;
  return [first - 1n, first, last, last + 1n]
    .filter((n) => n >= 0n && n <= (1n << 128n) - 1n)
    .map((n) => ({ v: 6, hi: n >> 64n, lo: n & MAX64 }));
}
