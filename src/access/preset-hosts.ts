// Applications on several hosts (docs/enforcement.md "Applications on several hosts"): as at
// Cloudflare, a sign-in to an application of at most five domains sets its session on each of its
// hosts at once, through a series of redirects, so that a page on one host can call the others
// without each sending the browser to sign in. A host named with `*` is left out (which host
// would be meant is unknown) and so is any application of more than five: their other hosts get a
// session when the browser first reaches them, through the global session.

import { normalizedHost } from '../schema/destination-hosts.js';
import { parseDestination } from './app-match.js';

/** Cloudflare sets sessions in advance only for applications of this many domains or fewer. */
export const MAX_PRESET_DOMAINS = 5;

/**
 * The hosts an application's session is set on in advance: the host names of its destinations
 * that hold no `*`, once each, in their order; none when it has more than MAX_PRESET_DOMAINS
 * destinations.
 */
export function presetHosts(destinations: readonly string[]): string[] {
  const distinct = new Set(destinations.map((text) => text.trim().toLowerCase()));
  if (distinct.size > MAX_PRESET_DOMAINS) return [];
  const hosts: string[] = [];
  for (const text of distinct) {
    if (parseDestination(text) === undefined) continue;
    const host = normalizedHost(text.replace(/^https?:\/\//, '').split('/')[0]!);
    if (!host.includes('*') && !hosts.includes(host)) hosts.push(host);
  }
  return hosts;
}

/**
 * The host whose session is set after `current`'s, in a sign-in that returns to `home` (where the
 * browser signed in, and whose session is set first): the preset hosts in order, `home` left out;
 * undefined when none is left and the browser goes home. Each step moves forward in the list, so
 * the series always ends.
 */
export function nextPresetHost(hosts: readonly string[], current: string, home: string): string | undefined {
  const rest = hosts.filter((host) => host !== normalizedHost(home));
  if (normalizedHost(current) === normalizedHost(home)) return rest[0];
  const at = rest.indexOf(normalizedHost(current));
  return at < 0 ? undefined : rest[at + 1];
}
