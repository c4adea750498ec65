// The outbound guard for calls portcullis makes on behalf of policies (external evaluation).
// Policy authors choose the URLs, so every call could be an attempt to reach something only the
// server can reach (SSRF). Before connecting, the host name is resolved and EVERY address it
// resolves to must be public, unless the operator allowlisted the host or the address. The
// connection is then made to one of the addresses that were checked (a pinned `lookup`), so a DNS
// answer that changes between check and connect (rebinding) cannot redirect it. Redirects are
// never followed.

import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

// ---------------------------------------------------------------------------------------------
// Address classification (pure)

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

// ---------------------------------------------------------------------------------------------
// Allowlist (pure)

export interface Allowlist {
  /** Lower-cased host names without a trailing dot. */
  readonly hosts: ReadonlySet<string>;
  /** IPs (as /32 or /128) and CIDRs. IPv4 entries also cover the IPv4-mapped IPv6 form. */
  readonly ranges: readonly Range[];
}

const HOSTNAME_RE = /^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

function normalizeHost(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.endsWith('.')) h = h.slice(0, -1);
  return h;
}

/** IPv4-mapped IPv6 addresses compare as their IPv4 address. */
function unmap(ip: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  return ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress() ? (ip as ipaddr.IPv6).toIPv4Address() : ip;
}

/**
 * Parse allowlist entries: exact host names ("eval.internal"), exact IPs ("10.0.0.5", "::1")
 * or CIDRs ("10.0.0.0/8", "fd00::/8"). Throws a TypeError naming the first invalid entry.
 */
export function compileAllowlist(entries: readonly string[]): Allowlist {
  const hosts = new Set<string>();
  const ranges: Range[] = [];
  for (const entry of entries) {
    if (typeof entry !== 'string') throw new TypeError(`Allowlist entries must be strings, got ${typeof entry}.`);
    const text = normalizeHost(entry);
    const slash = text.indexOf('/');
    if (slash >= 0) {
      const base = text.slice(0, slash);
      const bitsText = text.slice(slash + 1);
      const ip = parseAddress(base);
      const bits = /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : NaN;
      if (ip === undefined || !(bits >= 0 && bits <= (ip.kind() === 'ipv4' ? 32 : 128))) {
        throw new TypeError(`Invalid allowlist entry ${JSON.stringify(entry)}: not a CIDR.`);
      }
      ranges.push(unmapRange(ip, bits));
      continue;
    }
    const ip = parseAddress(text);
    if (ip !== undefined) {
      ranges.push(unmapRange(ip, ip.kind() === 'ipv4' ? 32 : 128));
      continue;
    }
    if (!HOSTNAME_RE.test(text)) throw new TypeError(`Invalid allowlist entry ${JSON.stringify(entry)}: not a host name, IP or CIDR.`);
    hosts.add(text);
  }
  return { hosts, ranges };
}

function unmapRange(ip: ipaddr.IPv4 | ipaddr.IPv6, bits: number): Range {
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
    return [(ip as ipaddr.IPv6).toIPv4Address(), bits - 96];
  }
  return [ip, bits];
}

/**
 * Whether connecting to `address` (which `host` resolved to) is allowed by the operator's
 * allowlist: the host name is listed exactly, or the address equals a listed IP or lies in a
 * listed CIDR. Public addresses do not need this; see `isAddressPermitted`.
 */
export function isAllowed(host: string, address: string, allowlist: Allowlist | readonly string[]): boolean {
  const list = isAllowlist(allowlist) ? allowlist : compileAllowlist(allowlist);
  if (list.hosts.has(normalizeHost(host))) return true;
  const parsed = parseAddress(address);
  if (parsed === undefined) return false;
  const ip = unmap(parsed);
  return list.ranges.some(([base, bits]) => base.kind() === ip.kind() && ip.match(base, bits));
}

function isAllowlist(value: Allowlist | readonly string[]): value is Allowlist {
  return !Array.isArray(value);
}

/** Public, or allowlisted. */
export function isAddressPermitted(host: string, address: string, allowlist: Allowlist): boolean {
  return classifyAddress(address) === 'public' || isAllowed(host, address, allowlist);
}

// ---------------------------------------------------------------------------------------------
// URL checks, resolution and the guarded request

export type OutboundErrorCode =
  /** Not http(s), has credentials, or not a URL. */
  | 'forbidden_url'
  /** The host is or resolves to an address that is not public and not allowlisted. */
  | 'forbidden_address'
  /** The host name did not resolve. */
  | 'dns_failed'
  /** Connection or protocol failure. */
  | 'network'
  /** The response body exceeded the size limit. */
  | 'too_large'
  /** The caller's signal aborted the request. */
  | 'aborted';

export class OutboundRequestError extends Error {
  readonly code: OutboundErrorCode;
  constructor(code: OutboundErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OutboundRequestError';
    this.code = code;
  }
}

export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** Resolves a host name to every address it has. Injectable for tests. */
export type Resolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) => {
  const found = await dnsLookup(hostname, { all: true, verbatim: true });
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

export interface OutboundTarget {
  readonly url: URL;
  /** Host name or IP literal, without IPv6 brackets. */
  readonly hostname: string;
}

/** Refuse non-http(s) schemes and URLs with credentials. Throws OutboundRequestError('forbidden_url'). */
export function checkUrl(raw: string): OutboundTarget {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundRequestError('forbidden_url', `${JSON.stringify(raw)} is not a valid URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new OutboundRequestError('forbidden_url', `${url.protocol} URLs are not allowed; use http or https.`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new OutboundRequestError('forbidden_url', 'URLs with credentials are not allowed.');
  }
  let hostname = url.hostname;
  if (hostname.startsWith('[') && hostname.endsWith(']')) hostname = hostname.slice(1, -1);
  if (hostname === '') throw new OutboundRequestError('forbidden_url', `${JSON.stringify(raw)} has no host.`);
  return { url, hostname };
}

/** Reject when `signal` aborts, even if `promise` never settles (dns.lookup cannot be cancelled). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new OutboundRequestError('aborted', 'The request was aborted.', { cause: reason });
}

/**
 * Resolve the target's host and check every address. IP literals are checked as they are.
 * Returns the checked addresses, to connect to nothing else.
 */
export async function resolveTarget(
  target: OutboundTarget,
  allowlist: Allowlist,
  resolver: Resolver = systemResolver,
  signal?: AbortSignal,
): Promise<readonly ResolvedAddress[]> {
  const { hostname } = target;
  const family = isIP(hostname);
  let addresses: readonly ResolvedAddress[];
  if (family !== 0) {
    addresses = [{ address: hostname, family: family === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await abortable(resolver(hostname), signal);
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new OutboundRequestError('dns_failed', `Could not resolve ${hostname}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
    }
    if (addresses.length === 0) throw new OutboundRequestError('dns_failed', `${hostname} has no addresses.`);
  }
  for (const { address } of addresses) {
    const cls = classifyAddress(address);
    if (cls !== 'public' && !isAllowed(hostname, address, allowlist)) {
      const via = address === hostname ? '' : ` (${hostname} resolves to it)`;
      throw new OutboundRequestError(
        'forbidden_address',
        `Refusing to connect to ${address}${via}: ${cls.replace('_', '-')} addresses are not allowed unless allowlisted.`,
      );
    }
  }
  return addresses;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for http.request that answers only with addresses that were already checked. */
function pinnedLookup(addresses: readonly ResolvedAddress[]) {
  return (_hostname: string, options: { family?: number | string; all?: boolean } | number | undefined, callback: LookupCallback): void => {
    const opts = typeof options === 'object' && options !== null ? options : { family: options };
    const fam = opts.family === 'IPv4' ? 4 : opts.family === 'IPv6' ? 6 : opts.family;
    const list = fam === 4 || fam === 6 ? addresses.filter((a) => a.family === fam) : [...addresses];
    if (list.length === 0) {
      const err: NodeJS.ErrnoException = new Error(`No checked address of family ${String(fam)}.`);
      err.code = 'ENOTFOUND';
      callback(err, '', 0);
      return;
    }
    if (opts.all === true) callback(null, list.map((a) => ({ address: a.address, family: a.family })));
    else callback(null, list[0].address, list[0].family);
  };
}

export interface GuardedRequestOptions {
  readonly method?: 'GET' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  readonly signal?: AbortSignal;
  readonly allowlist: Allowlist;
  /** Response bodies longer than this are refused. */
  readonly maxResponseBytes: number;
  readonly resolver?: Resolver;
  /** Agents to reuse connections with; default: none (one connection per request). */
  readonly agents?: { readonly http?: http.Agent; readonly https?: https.Agent };
}

export interface GuardedResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

/**
 * Make one HTTP(S) request through the guard. Never follows redirects: a 3xx is returned as is.
 * Rejects with OutboundRequestError (or the signal's reason when it aborts).
 */
export async function guardedRequest(rawUrl: string, options: GuardedRequestOptions): Promise<GuardedResponse> {
  const { signal } = options;
  if (signal?.aborted) throw abortReason(signal);
  const target = checkUrl(rawUrl);
  const addresses = await resolveTarget(target, options.allowlist, options.resolver, signal);
  if (signal?.aborted) throw abortReason(signal);
  const { url } = target;
  const secure = url.protocol === 'https:';
  const transport = secure ? https : http;
  const agent = secure ? options.agents?.https : options.agents?.http;
  const body = options.body === undefined ? undefined : Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body, 'utf8');
  const headers: Record<string, string> = { ...options.headers };
  if (body !== undefined) headers['content-length'] = String(body.length);

  return new Promise<GuardedResponse>((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | undefined, value?: GuardedResponse) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (err !== undefined) {
        req.destroy();
        reject(err);
      } else resolve(value!);
    };
    const onAbort = () => finish(abortReason(signal!));

    const req = transport.request({
      protocol: url.protocol,
      hostname: target.hostname,
      port: url.port === '' ? undefined : Number(url.port),
      path: `${url.pathname}${url.search}`,
      method: options.method ?? 'GET',
      headers,
      lookup: pinnedLookup(addresses) as unknown as http.RequestOptions['lookup'],
      agent: agent ?? false,
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err) => finish(settledError(err, url)));
    req.on('response', (res) => {
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > options.maxResponseBytes) {
        res.resume();
        finish(tooLarge(url, options.maxResponseBytes));
        return;
      }
      const chunks: Buffer[] = [];
      let total = 0;
      res.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (total > options.maxResponseBytes) finish(tooLarge(url, options.maxResponseBytes));
        else chunks.push(chunk);
      });
      res.on('end', () => finish(undefined, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks, total) }));
      res.on('error', (err) => finish(settledError(err, url)));
      res.on('close', () => {
        if (!res.complete) finish(new OutboundRequestError('network', `The connection to ${url.host} closed before the response was complete.`));
      });
    });
    req.end(body);
  });
}

function tooLarge(url: URL, max: number): OutboundRequestError {
  return new OutboundRequestError('too_large', `The response from ${url.host} is larger than ${max} bytes.`);
}

function settledError(err: unknown, url: URL): Error {
  if (err instanceof OutboundRequestError) return err;
  const e = err as NodeJS.ErrnoException;
  return new OutboundRequestError('network', `Request to ${url.host} failed: ${e?.code ?? ''}${e?.code ? ' ' : ''}${e?.message ?? String(err)}`.trim(), { cause: err });
}
