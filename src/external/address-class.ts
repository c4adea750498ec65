// How an IP address may be used as an outbound target: public, or one of the classes only the
// server itself can reach (loopback, private, link-local, ...) that the outbound guard refuses
// unless the operator allowlisted them. Pure.

import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link_local'
  | 'unspecified'
  | 'cgnat'
  | 'multicast'
  | 'broadcast'
  /** Special-purpose space that is not globally routable: documentation, benchmarking, 240/4, ... */
  | 'reserved'
  /** Not an IP address at all. */
  | 'invalid';

type Range = readonly [ipaddr.IPv4 | ipaddr.IPv6, number];
const cidr = (text: string): Range => ipaddr.parseCIDR(text);

/** IPv4 special-purpose ranges, first match wins. Anything else is public. */
const V4_TABLE: readonly (readonly [Range, AddressClass])[] = [
  [cidr('255.255.255.255/32'), 'broadcast'],
  [cidr('0.0.0.0/8'), 'unspecified'], // "this network"; 0.0.0.0 reaches the local host
  [cidr('10.0.0.0/8'), 'private'],
  [cidr('172.16.0.0/12'), 'private'],
  [cidr('192.168.0.0/16'), 'private'],
  [cidr('100.64.0.0/10'), 'cgnat'],
  [cidr('127.0.0.0/8'), 'loopback'],
  [cidr('169.254.0.0/16'), 'link_local'],
  [cidr('192.0.0.0/24'), 'reserved'], // IETF protocol assignments
  [cidr('192.0.2.0/24'), 'reserved'], // TEST-NET-1
  [cidr('192.88.99.0/24'), 'reserved'], // deprecated 6to4 relay anycast
  [cidr('198.18.0.0/15'), 'reserved'], // benchmarking
  [cidr('198.51.100.0/24'), 'reserved'], // TEST-NET-2
  [cidr('203.0.113.0/24'), 'reserved'], // TEST-NET-3
  [cidr('224.0.0.0/4'), 'multicast'],
  [cidr('240.0.0.0/4'), 'reserved'], // future use (255.255.255.255 matched above)
];

/** How an IPv6 range is classified: a fixed class, or by the IPv4 address it embeds. */
type V6Rule = AddressClass | 'embedded_low32' | 'embedded_6to4';

/** IPv6 special-purpose ranges, first match wins. Outside these, only 2000::/3 is public. */
const V6_TABLE: readonly (readonly [Range, V6Rule])[] = [
  [cidr('::/128'), 'unspecified'],
  [cidr('::1/128'), 'loopback'],
  [cidr('::ffff:0:0/96'), 'embedded_low32'], // IPv4-mapped
  [cidr('::ffff:0:0:0/96'), 'embedded_low32'], // IPv4-translated (RFC 6145)
  [cidr('64:ff9b::/96'), 'embedded_low32'], // NAT64 well-known prefix
  [cidr('64:ff9b:1::/48'), 'private'], // NAT64 local-use prefix
  [cidr('::/8'), 'reserved'], // includes deprecated IPv4-compatible ::a.b.c.d
  [cidr('100::/64'), 'reserved'], // discard-only
  [cidr('2001::/32'), 'reserved'], // Teredo (the embedded client address is obfuscated)
  [cidr('2001:2::/48'), 'reserved'], // benchmarking
  [cidr('2001:10::/28'), 'reserved'], // ORCHID
  [cidr('2001:20::/28'), 'reserved'], // ORCHIDv2
  [cidr('2001:30::/28'), 'reserved'], // DRIP
  [cidr('2001:db8::/32'), 'reserved'], // documentation
  [cidr('2002::/16'), 'embedded_6to4'], // 6to4
  [cidr('3fff::/20'), 'reserved'], // documentation
  [cidr('fc00::/7'), 'private'], // unique local
  [cidr('fe80::/10'), 'link_local'],
  [cidr('fec0::/10'), 'private'], // deprecated site-local
  [cidr('ff00::/8'), 'multicast'],
];
const V6_GLOBAL_UNICAST = cidr('2000::/3');

function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  // net.isIP is strict (dotted-quad or RFC 4291 text, optional zone id); ipaddr.js alone would
  // also accept shorthand like "10" or "0x7f.1".
  if (isIP(text) === 0) return undefined;
  try {
    return ipaddr.parse(text);
  } catch {
    return undefined;
  }
}

function classifyV4(ip: ipaddr.IPv4): AddressClass {
  for (const [range, cls] of V4_TABLE) if (ip.match(range[0], range[1])) return cls;
  return 'public';
}

function classifyV6(ip: ipaddr.IPv6): AddressClass {
  for (const [range, rule] of V6_TABLE) {
    if (!ip.match(range[0], range[1])) continue;
    if (rule === 'embedded_low32') return classifyV4(v4FromParts(ip.parts[6], ip.parts[7]));
    if (rule === 'embedded_6to4') return classifyV4(v4FromParts(ip.parts[1], ip.parts[2]));
    return rule;
  }
  return ip.match(V6_GLOBAL_UNICAST[0], V6_GLOBAL_UNICAST[1]) ? 'public' : 'reserved';
}

function v4FromParts(hi: number, lo: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
}

/**
 * Classify an IP address for outbound use. Only 'public' may be connected to without an
 * allowlist entry. IPv6 forms that embed an IPv4 address (mapped, translated, NAT64, 6to4) are
 * classified by the embedded address.
 */
export function classifyAddress(ip: string): AddressClass {
  const parsed = parseAddress(ip);
  if (parsed === undefined) return 'invalid';
  return parsed.kind() === 'ipv4' ? classifyV4(parsed as ipaddr.IPv4) : classifyV6(parsed as ipaddr.IPv6);
}
