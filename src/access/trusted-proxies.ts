// Which peers may tell the enforcement point about the original request (X-Forwarded-Host,
// -Uri, -Proto, -For): only those, since anyone else could claim any host or client address.

import ipaddr from 'ipaddr.js';

export interface TrustedProxies {
  covers(peer: string): boolean;
}

export function parseTrustedProxies(entries: readonly string[]): TrustedProxies {
  const ranges = entries.map((entry) => {
    const text = entry.includes('/') ? entry : `${entry}/${ipaddr.parse(entry).kind() === 'ipv4' ? 32 : 128}`;
    return ipaddr.parseCIDR(text);
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
