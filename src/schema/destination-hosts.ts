// The hosts an Access application's destinations cover, as the enforcement point matches a
// request's host with them (src/access/app-match.ts, docs/enforcement.md "Hostnames with `*`").
// Pure and below the API, so that the API refuses an application on another account's auth
// domain (and an auth domain on another account's application host) with the very matching that
// routes requests.

import { HOST_APP_TYPES } from './apps.js';

/**
 * Whether `text` is `parts` joined by runs of any characters (a `*` pattern split at its stars:
 * one part means no star). Decided in one left-to-right pass, each part at the first place it
 * fits, which is where a match can always put it: no backtracking, so no destination, however
 * many stars it has, can make a request (its path or host chosen by whoever sends it) cost more
 * than a few searches of it. A regular expression (`a.*b.*c`) backtracked polynomially: one
 * 8 KB path against `/*` `/*` `/*.php` held the event loop, every application's requests, 18 s.
 */
export function wildcardMatches(parts: readonly string[], text: string): boolean {
  const first = parts[0]!;
  if (parts.length === 1) return text === first;
  const last = parts[parts.length - 1]!;
  if (text.length < first.length + last.length || !text.startsWith(first) || !text.endsWith(last)) return false;
  let at = first.length;
  const end = text.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i]!;
    const found = text.indexOf(part, at);
    if (found < 0 || found + part.length > end) return false;
    at = found + part.length;
  }
  return true;
}

/**
 * Whether a destination's hostname covers a (normalized) host: a label that is just `*` is one
 * label of any characters, a `*` within a label any run of characters of that label (none too);
 * a `*` never reaches across a dot, nor takes in a slash.
 */
export function hostWildcardMatcher(host: string): (requestHost: string) => boolean {
  const labels = host.split('.').map((label) => (label === '*' ? undefined : label.split('*')));
  return (requestHost) => {
    const given = requestHost.split('.');
    if (given.length !== labels.length) return false;
    return labels.every((parts, i) => {
      const label = given[i]!;
      if (parts === undefined) return label !== '' && !label.includes('/');
      return (parts.length === 1 || !label.includes('/')) && wildcardMatches(parts, label);
    });
  };
}

/**
 * A host as destinations are compared with it: lower case, without port or trailing dot. Whatever
 * follows the host's colon is its port, digits or not (`wiki.example.com:`, `:+443`): proxies read
 * a Host header so (Caddy's site matching, through Go's net.SplitHostPort), and serve the host's
 * site for it; read as another host, it would be no application's.
 */
export const normalizedHost = (host: string): string => host.toLowerCase().replace(/^(\[[^\]]*\]|[^:[]*):.*$/s, '$1').replace(/\.$/, '');

/**
 * A destination's hostname and path as they are matched: lower case, without http:// or https://,
 * the path without trailing slashes; undefined when it names no hostname.
 */
export function destinationParts(text: string): { readonly host: string; readonly path: string } | undefined {
  const trimmed = text.trim().toLowerCase().replace(/^https?:\/\//, '');
  const slash = trimmed.indexOf('/');
  const host = slash < 0 ? trimmed : trimmed.slice(0, slash);
  const path = slash < 0 ? '' : trimmed.slice(slash).replace(/\/+$/, '');
  if (host === '' || /\s/.test(host)) return undefined;
  return { host, path };
}

/** Whether the destination `text` covers requests to `host`, on any of its paths and ports. */
export function destinationCoversHost(text: string, host: string): boolean {
  const parts = destinationParts(text);
  return parts !== undefined && hostWildcardMatcher(parts.host)(normalizedHost(host));
}

/** An application as stored or sent: its fields. */
interface AppFields {
  readonly body: Readonly<Record<string, unknown>>;
}

/**
 * Every self-hosted destination of an application by the JSON pointer of the field naming it: its
 * domain, and its destinations' uri or, without destinations, its self_hosted_domains (Cloudflare:
 * "If destinations are provided, then self_hosted_domains will be ignored").
 */
export function destinationEntries(app: AppFields): [pointer: string, text: string][] {
  const body = app.body as { domain?: unknown; self_hosted_domains?: unknown; destinations?: unknown };
  const out: [string, string][] = [];
  if (typeof body.domain === 'string') out.push(['/domain', body.domain]);
  if (Array.isArray(body.destinations) && body.destinations.length > 0) {
    body.destinations.forEach((d: unknown, i) => {
      if (typeof d === 'object' && d !== null && typeof (d as { uri?: unknown }).uri === 'string') out.push([`/destinations/${i}/uri`, (d as { uri: string }).uri]);
    });
  } else if (Array.isArray(body.self_hosted_domains)) {
    body.self_hosted_domains.forEach((d: unknown, i) => {
      if (typeof d === 'string') out.push([`/self_hosted_domains/${i}`, d]);
    });
  }
  return out;
}

/** Every self-hosted destination of an application (destinationEntries without the pointers). */
export function destinationsOf(app: AppFields): string[] {
  return destinationEntries(app).map(([, text]) => text);
}

/**
 * The destinations Access enforces for an application, by pointer: every one for the types that
 * protect hosts (HOST_APP_TYPES); none for the others, such as a bookmark (a link the App
 * Launcher shows to a site Access does not protect) or the App Launcher (on the auth domain),
 * whose domain must not cover, or out-rank, an application's host or path.
 */
export function enforcedDestinationEntries(app: AppFields): [pointer: string, text: string][] {
  return HOST_APP_TYPES.has(String(app.body.type)) ? destinationEntries(app) : [];
}

/** The destinations Access enforces for an application (enforcedDestinationEntries without the pointers). */
export function enforcedDestinationsOf(app: AppFields): string[] {
  return enforcedDestinationEntries(app).map(([, text]) => text);
}
