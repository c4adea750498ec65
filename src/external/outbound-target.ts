// Which addresses an outbound call may connect to. The URL must be http(s) without credentials;
// its host is resolved and EVERY address it resolves to must be public, unless the operator
// allowlisted the host or the address (a single private answer among public ones would let a
// policy author reach what only the server can reach: SSRF).

import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { classifyAddress } from './address-class.js';
import { isAllowed, type Allowlist } from './allowlist.js';
import { abortable, OutboundRequestError } from './outbound-error.js';

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
