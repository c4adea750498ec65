// The operator's allowlist of outbound targets that are not public: exact host names, IPs and
// CIDRs. Addresses and CIDRs are parsed and matched by the engine's IP module, the one the
// `ip` and Gateway list selectors use, so an entry means here what it means in a rule. Pure.

import { cidrContains, parseCidr, parseIp, type Cidr } from '../engine/ip.js';
import { classifyAddress } from './address-class.js';

export interface Allowlist {
  /** Lower-cased host names without a trailing dot. */
  readonly hosts: ReadonlySet<string>;
  /** IPs (as /32 or /128) and CIDRs. IPv4-mapped IPv6 entries are kept as their IPv4 form. */
  readonly ranges: readonly Cidr[];
}

const HOSTNAME_RE = /^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

function normalizeHost(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.endsWith('.')) h = h.slice(0, -1);
  return h;
}

/**
 * Parse allowlist entries: exact host names ("eval.internal"), exact IPs ("10.0.0.5", "::1")
 * or CIDRs ("10.0.0.0/8", "fd00::/8"). Throws a TypeError naming the first invalid entry.
 */
export function compileAllowlist(entries: readonly string[]): Allowlist {
  const hosts = new Set<string>();
  const ranges: Cidr[] = [];
  for (const entry of entries) {
    if (typeof entry !== 'string') throw new TypeError(`Allowlist entries must be strings, got ${typeof entry}.`);
    const text = normalizeHost(entry);
    const range = parseCidr(text);
    if (range !== undefined) {
      ranges.push(range);
      continue;
    }
    if (text.includes('/')) throw new TypeError(`Invalid allowlist entry ${JSON.stringify(entry)}: not a CIDR.`);
    if (!HOSTNAME_RE.test(text)) throw new TypeError(`Invalid allowlist entry ${JSON.stringify(entry)}: not a host name, IP or CIDR.`);
    hosts.add(text);
  }
  return { hosts, ranges };
}

/**
 * Whether connecting to `address` (which `host` resolved to) is allowed by the operator's
 * allowlist: the host name is listed exactly, or the address equals a listed IP or lies in a
 * listed CIDR (an IPv4-mapped IPv6 address counts as its IPv4 address). Public addresses do
 * not need this; see `isAddressPermitted`.
 */
export function isAllowed(host: string, address: string, allowlist: Allowlist | readonly string[]): boolean {
  const list = isAllowlist(allowlist) ? allowlist : compileAllowlist(allowlist);
  if (list.hosts.has(normalizeHost(host))) return true;
  const ip = parseIp(address);
  return ip !== undefined && list.ranges.some((range) => cidrContains(range, ip));
}

function isAllowlist(value: Allowlist | readonly string[]): value is Allowlist {
  return !Array.isArray(value);
}

/** Public, or allowlisted. */
export function isAddressPermitted(host: string, address: string, allowlist: Allowlist): boolean {
  return classifyAddress(address) === 'public' || isAllowed(host, address, allowlist);
}
