// IP addresses and CIDRs, parsed once into integers so that matching is a mask and a compare.
// IPv4-mapped IPv6 addresses (::ffff:0:0/96, in any spelling) are treated as the IPv4 address
// they carry; every other IPv6 address, the deprecated IPv4-compatible ::a.b.c.d included, is
// IPv6. One address decides the same however it is written.

import ipaddr from 'ipaddr.js';

export type IpAddress = { readonly v: 4; readonly n: number } | { readonly v: 6; readonly hi: bigint; readonly lo: bigint };

export interface Cidr {
  readonly v: 4 | 6;
  readonly prefix: number;
  /** IPv4: network address as an unsigned 32-bit integer, host bits cleared. */
  readonly net4: number;
  readonly mask4: number;
  /** IPv6: network address as a 128-bit integer, host bits cleared. */
  readonly net6: bigint;
  readonly mask6: bigint;
  /** Canonical text, e.g. "10.0.0.0/8". */
  readonly text: string;
  /** The input had host bits set ("10.0.0.1/8"): matched as its network, worth a lint warning. */
  readonly hostBitsSet: boolean;
}

const MASK128 = (1n << 128n) - 1n;

/**
 * A strict dotted-quad IPv4 address (no leading zeros) as an unsigned 32-bit integer, without
 * allocating; undefined for anything else, including IPv6 forms that parseIp may still accept.
 */
export function parseIpv4Fast(s: string): number | undefined {
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return undefined; // leading zero: ambiguous (octal in some parsers)
      part = part * 10 + (c - 48);
      if (part > 255 || ++digits > 3) return undefined;
    } else if (c === 46) {
      if (digits === 0 || ++dots > 3) return undefined;
      n = n * 256 + part;
      part = 0;
      digits = 0;
    } else {
      return undefined;
    }
  }
  if (dots !== 3 || digits === 0) return undefined;
  return n * 256 + part;
}

/**
 * Extra checks on IPv6 text before ipaddr.js sees it: no zone index ("fe80::1%eth0" names a
 * local interface, meaningless in a rule or an identity), and an embedded dotted quad
 * ("::ffff:1.2.3.4") must be as strict as a plain one (no leading zeros: "::ffff:01.2.3.4").
 */
function plainIpv6Text(s: string): boolean {
  if (s.includes('%')) return false;
  if (!s.includes('.')) return true;
  return parseIpv4Fast(s.slice(s.lastIndexOf(':') + 1)) !== undefined;
}

/**
 * ipaddr.js rewrites the IPv4-compatible spelling "::a.b.c.d" to the IPv4-mapped
 * "::ffff:a.b.c.d" before parsing (its "deprecatedTransitional" rule), which would make
 * "::10.1.2.3" IPv4 while "::a01:203", the same address, is IPv6. Spell the zero groups out so
 * that it is parsed as the address it writes.
 */
function withoutCompatibleRewrite(s: string): string {
  return s.startsWith('::') && s.lastIndexOf(':') === 1 && s.includes('.') ? `0:0:0:0:0:0:${s.slice(2)}` : s;
}

/** Parse IPv6 text (already checked by plainIpv6Text); undefined when it is not IPv6. */
function parseIpv6(text: string): ipaddr.IPv6 | undefined {
  const s = withoutCompatibleRewrite(text);
  if (!ipaddr.IPv6.isValid(s)) return undefined;
  try {
    return ipaddr.IPv6.parse(s);
  } catch {
    return undefined;
  }
}

function bytesToBigInt(bytes: number[]): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

function bytesToUint32(bytes: number[]): number {
  return ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
}

/** Parse an IPv4 or IPv6 address; undefined when it is not one. */
export function parseIp(text: string): IpAddress | undefined {
  const fast = parseIpv4Fast(text);
  if (fast !== undefined) return { v: 4, n: fast };
  // Only strict dotted quads are IPv4: ipaddr.js also accepts "10.1" and hex forms, which nobody means.
  const v6 = plainIpv6Text(text) ? parseIpv6(text) : undefined;
  if (v6 === undefined) return undefined;
  if (v6.isIPv4MappedAddress()) return { v: 4, n: bytesToUint32(v6.toIPv4Address().toByteArray()) };
  const big = bytesToBigInt(v6.toByteArray());
  return { v: 6, hi: big >> 64n, lo: big & ((1n << 64n) - 1n) };
}

export function ipToBigInt(ip: IpAddress): bigint {
  return ip.v === 4 ? BigInt(ip.n) : (ip.hi << 64n) | ip.lo;
}

export function formatIp(ip: IpAddress): string {
  if (ip.v === 4) return [ip.n >>> 24, (ip.n >>> 16) & 255, (ip.n >>> 8) & 255, ip.n & 255].join('.');
  const big = ipToBigInt(ip);
  const bytes: number[] = [];
  for (let i = 15; i >= 0; i--) bytes.push(Number((big >> BigInt(i * 8)) & 255n));
  return ipaddr.fromByteArray(bytes).toString();
}

function mask4(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

function mask6(prefix: number): bigint {
  return prefix === 0 ? 0n : (MASK128 << BigInt(128 - prefix)) & MASK128;
}

function cidr4(n: number, prefix: number): Cidr {
  const m = mask4(prefix);
  const net = (n & m) >>> 0;
  return {
    v: 4,
    prefix,
    net4: net,
    mask4: m,
    net6: 0n,
    mask6: 0n,
    text: `${formatIp({ v: 4, n: net })}/${prefix}`,
    hostBitsSet: net !== n,
  };
}

function cidr6(big: bigint, prefix: number): Cidr {
  const m = mask6(prefix);
  const net = big & m;
  const addr: IpAddress = { v: 6, hi: net >> 64n, lo: net & ((1n << 64n) - 1n) };
  return { v: 6, prefix, net4: 0, mask4: 0, net6: net, mask6: m, text: `${formatIp(addr)}/${prefix}`, hostBitsSet: net !== big };
}

/** Parse "a.b.c.d/n", "x::y/n" or a bare address (meaning /32 or /128). */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const prefixText = slash < 0 ? undefined : text.slice(slash + 1);
  if (prefixText !== undefined && !/^(0|[1-9][0-9]{0,2})$/.test(prefixText)) return undefined;
  let prefix = prefixText === undefined ? undefined : Number(prefixText);
  const fast = parseIpv4Fast(addrText);
  if (fast !== undefined) {
    prefix ??= 32;
    return prefix > 32 ? undefined : cidr4(fast, prefix);
  }
  const v6 = plainIpv6Text(addrText) ? parseIpv6(addrText) : undefined;
  if (v6 === undefined) return undefined;
  prefix ??= 128;
  if (prefix > 128) return undefined;
  if (v6.isIPv4MappedAddress() && prefix >= 96) {
    return cidr4(bytesToUint32(v6.toIPv4Address().toByteArray()), prefix - 96);
  }
  return cidr6(bytesToBigInt(v6.toByteArray()), prefix);
}

export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  if (cidr.v === 4) return ip.v === 4 && ((ip.n & cidr.mask4) >>> 0) === cidr.net4;
  return ip.v === 6 && (((ip.hi << 64n) | ip.lo) & cidr.mask6) === cidr.net6;
}

/**
 * A set of CIDRs (a Gateway IP list) answering membership in O(log n): ranges are merged
 * into sorted, disjoint [start, end] intervals per family.
 */
export class IpSet {
  private readonly starts4: Float64Array;
  private readonly ends4: Float64Array;
  private readonly starts6: bigint[];
  private readonly ends6: bigint[];
  readonly size: number;

  constructor(cidrs: readonly Cidr[]) {
    this.size = cidrs.length;
    const r4: [number, number][] = [];
    const r6: [bigint, bigint][] = [];
    for (const c of cidrs) {
      if (c.v === 4) r4.push([c.net4, c.net4 + (2 ** (32 - c.prefix) - 1)]);
      else r6.push([c.net6, c.net6 | (~c.mask6 & MASK128)]);
    }
    const m4 = mergeRanges(r4, (a, b) => a - b, (end, start) => start <= end + 1);
    const m6 = mergeRanges(r6, (a, b) => (a < b ? -1 : a > b ? 1 : 0), (end, start) => start <= end + 1n);
    this.starts4 = Float64Array.from(m4, (r) => r[0]);
    this.ends4 = Float64Array.from(m4, (r) => r[1]);
    this.starts6 = m6.map((r) => r[0]);
    this.ends6 = m6.map((r) => r[1]);
  }

  has(ip: IpAddress): boolean {
    if (ip.v === 4) return this.hasV4(ip.n);
    const v = (ip.hi << 64n) | ip.lo;
    const s = this.starts6;
    let lo = 0;
    let hi = s.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (s[mid] <= v) lo = mid + 1;
      else hi = mid - 1;
    }
    return hi >= 0 && v <= this.ends6[hi];
  }

  /** Membership of an IPv4 address given as an unsigned 32-bit integer (no address object). */
  hasV4(n: number): boolean {
    const s = this.starts4;
    let lo = 0;
    let hi = s.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (s[mid] <= n) lo = mid + 1;
      else hi = mid - 1;
    }
    return hi >= 0 && n <= this.ends4[hi];
  }
}

function mergeRanges<T>(
  ranges: [T, T][],
  compare: (a: T, b: T) => number,
  adjacent: (end: T, start: T) => boolean,
): [T, T][] {
  ranges.sort((a, b) => compare(a[0], b[0]));
  const out: [T, T][] = [];
  for (const r of ranges) {
    const last = out[out.length - 1];
    if (last !== undefined && adjacent(last[1], r[0])) {
      if (compare(r[1], last[1]) > 0) last[1] = r[1];
    } else {
      out.push([r[0], r[1]]);
    }
  }
  return out;
}
