// Which peers may tell portcullis about the original request (X-Forwarded-Host, -Uri, -Proto,
// -For): only those, since anyone else could claim any host or client address. The enforcement
// point believes them about the whole request, the API about the client's address.

import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';
import ipaddr from 'ipaddr.js';
import { apiError } from './errors.js';

/** PORTCULLIS_TRUSTED_PROXIES when unset: a proxy on the same machine. */
export const DEFAULT_TRUSTED_PROXIES: readonly string[] = ['127.0.0.1/8', '::1/128'];

export interface TrustedProxies {
  covers(peer: string): boolean;
}

/**
 * The entries of a PORTCULLIS_TRUSTED_PROXIES value (comma-separated, blanks ignored; unset means
 * DEFAULT_TRUSTED_PROXIES), each checked as parseTrustedProxies checks it, so that a bad one
 * stops the server at start-up rather than when the routes are registered.
 */
export function trustedProxyList(text: string | undefined): string[] {
  const entries = (text ?? DEFAULT_TRUSTED_PROXIES.join(',')).split(',').map((e) => e.trim()).filter((e) => e !== '');
  entries.forEach(checkTrustedProxy);
  return entries;
}

/**
 * Throws unless `entry` is an IP address, or one with /BITS within its family's width. Node's
 * isIP decides what an address is: ipaddr.js alone would also take 127.1 or 2130706433.
 */
function checkTrustedProxy(entry: string): void {
  const [address, bits, ...rest] = entry.split('/');
  const family = isIP(address ?? '');
  const valid = rest.length === 0 && family !== 0 && (bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128)));
  if (!valid) throw new Error(`PORTCULLIS_TRUSTED_PROXIES: ${JSON.stringify(entry)} is not an IP address or CIDR range.`);
}

export function parseTrustedProxies(entries: readonly string[]): TrustedProxies {
  entries.forEach(checkTrustedProxy);
  const ranges = entries.map((entry): [ipaddr.IPv4 | ipaddr.IPv6, number] => {
    const text = entry.includes('/') ? entry : `${entry}/${ipaddr.parse(entry).kind() === 'ipv4' ? 32 : 128}`;
    const [range, bits] = ipaddr.parseCIDR(text);
    // Peers of the IPv4-mapped block are compared as IPv4 (below), so such an entry is made one:
    // kept as IPv6 it would never match anyone.
    if (range.kind() === 'ipv6' && bits >= 96 && (range as ipaddr.IPv6).isIPv4MappedAddress()) return [(range as ipaddr.IPv6).toIPv4Address(), bits - 96];
    return [range, bits];
  });
  const covers = (peer: string): boolean => {
    if (!ipaddr.isValid(peer)) return false;
    let address = ipaddr.parse(peer);
    // An IPv4 peer on a dual-stack socket arrives as ::ffff:a.b.c.d.
    if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) address = (address as ipaddr.IPv6).toIPv4Address();
    return ranges.some(([range, bits]) => range.kind() === address.kind() && address.match(range, bits));
  };
  // Asked for every forward-auth request, nearly always about the same few proxies.
  const answers = new Map<string, boolean>();
  return {
    covers(peer) {
      let answer = answers.get(peer);
      if (answer === undefined) {
        answer = covers(peer);
        if (answers.size >= MAX_REMEMBERED_PEERS) answers.clear();
        answers.set(peer, answer);
      }
      return answer;
    },
  };
}

const MAX_REMEMBERED_PEERS = 1024;

/**
 * The client's address: the peer's own, unless the peer is a trusted proxy, which names the
 * client in X-Forwarded-For (its last entry, the one the proxy added: earlier entries are
 * whatever the client sent) or else X-Real-IP. A trusted proxy's header that names no address is
 * refused (400): taking the proxy for the client instead would let every request through it pass
 * an IP check the proxy's own address passes.
 */
export function clientAddress(request: FastifyRequest, trusted: TrustedProxies): string | undefined {
  const peer = request.socket.remoteAddress || undefined;
  if (peer === undefined || !trusted.covers(peer)) return peer;
  // An empty header names no one, as no header does: the peer is then the client.
  const forwardedFor = headerText(request, 'x-forwarded-for');
  if (forwardedFor !== '') return namedAddress('X-Forwarded-For', forwardedFor.split(',').at(-1)!.trim());
  const realIp = headerText(request, 'x-real-ip');
  if (realIp !== '') return namedAddress('X-Real-IP', realIp);
  return peer;
}

/** A header's value, trimmed ('' when absent); Node joins repeated lines of it with ", ". */
function headerText(request: FastifyRequest, name: string): string {
  const value = request.headers[name];
  return (Array.isArray(value) ? value.join(', ') : (value ?? '')).trim();
}

/** An address as a proxy writes it, bare or with a port (`192.0.2.7:4711`, `[2001:db8::7]:4711`, as some balancers do). */
function namedAddress(header: string, entry: string): string {
  const address = /^(\d+\.\d+\.\d+\.\d+):\d{1,5}$/.exec(entry)?.[1] ?? /^\[([^\]]+)\](?::\d{1,5})?$/.exec(entry)?.[1] ?? entry;
  if (isIP(address) === 0) throw apiError('bad_request', { detail: `the ${header} header from a trusted proxy names ${JSON.stringify(entry.slice(0, 100))}, which is not an IP address` });
  return address;
}
