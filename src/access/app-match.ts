// Which Access application covers a request, by its host and path. An application names what
// it protects as `domain` and `self_hosted_domains` (docs/enforcement.md "Which application"):
// a hostname, optionally followed by a path. In the hostname a `*` stays within one label, as
// Cloudflare's "Application paths" has it: `*.example.com` covers `alpha.example.com`, neither
// `example.com` nor `foo.bar.example.com`, and `*test.example.com` covers `test.example.com`
// and `alphatest.example.com`. In the path a `*` is any run of characters, none too. A path
// without one covers itself and everything below it; `example.com/alpha/*` covers what is below
// /alpha but not /alpha itself (while `example.com/*` covers the root too). The most specific
// destination wins: more literal characters in the hostname first, then in the path.

import { destinationParts, hostWildcardMatcher, normalizedHost, wildcardMatches } from '../schema/destination-hosts.js';

/** Whether a (normalized) host or path is covered. */
export interface Matcher {
  test(text: string): boolean;
}

export interface Destination {
  readonly host: Matcher;
  readonly path: Matcher;
  /** Literal (non-wildcard) characters of the hostname and of the path: the more, the more specific. */
  readonly hostWeight: number;
  readonly pathWeight: number;
}

/** A destination from its text ("app.example.com", "*.example.com/admin", "example.com/docs/*"); undefined when it has no hostname. */
export function parseDestination(text: string): Destination | undefined {
  const parts = destinationParts(text);
  if (parts === undefined) return undefined;
  const { host } = parts;
  // A destination's own segment parameters go as a request's do, so that it still covers what it names.
  const path = withoutPathParameters(parts.path).replace(/\/+$/, '');
  // "/docs/*" is "/docs/" and anything after it: below /docs, not /docs itself (Cloudflare's
  // "Application paths"); "/*" so covers the root "/" too.
  // The path itself, or anything below it: `path` or `path/*`.
  const itself = path.split('*');
  const below = `${path}/*`.split('*');
  return {
    host: { test: hostWildcardMatcher(host) },
    path: { test: (requestPath) => wildcardMatches(itself, requestPath) || wildcardMatches(below, requestPath) },
    hostWeight: host.replaceAll('*', '').length,
    pathWeight: path.replaceAll('*', '').length,
  };
}

/** Parsed destinations by their text: a decision matches on every request, parsing once each. */
const parsedDestinations = new Map<string, Destination | undefined>();
const MAX_PARSED = 10_000;

function destination(text: string): Destination | undefined {
  if (parsedDestinations.has(text)) return parsedDestinations.get(text);
  const parsed = parseDestination(text);
  if (parsedDestinations.size >= MAX_PARSED) parsedDestinations.delete(parsedDestinations.keys().next().value!);
  parsedDestinations.set(text, parsed);
  return parsed;
}

export interface Candidate<T> {
  readonly value: T;
  readonly destinations: readonly string[];
}

/** Characters RFC 3986 calls unreserved: percent-encoding one of them changes nothing. */
const UNRESERVED = /^[A-Za-z0-9._~-]$/;

/**
 * A path without its segments' parameters (`/admin;jsessionid=1/users` is `/admin/users`), taken
 * off before dot segments as Java servlet containers do: they serve `/admin;x` and `/..;/admin`
 * as `/admin`, so matching them as written would let such a spelling past an application on
 * `/admin` to a less strict one. An encoded `;` (`%3B`) is no parameter, for them or here.
 */
const withoutPathParameters = (path: string): string => (path.includes(';') ? path.replace(/;[^/]*/g, '') : path);

/** RFC 3986's "remove dot segments" (5.2.4) on an absolute path. */
function withoutDotSegments(path: string): string {
  const segments = path.split('/');
  const kept: string[] = [];
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const last = i === segments.length - 1;
    if (segment === '.' || segment === '..') {
      if (segment === '..' && kept.length > 1) kept.pop();
      // "/a/." and "/a/b/.." name a directory: the path keeps its trailing slash.
      if (last) kept.push('');
      continue;
    }
    kept.push(segment);
  }
  return kept.join('/');
}

/**
 * A request's path (what the proxy forwarded: X-Forwarded-Uri, or Envoy's path) as Cloudflare's
 * default URL normalization leaves it before Access sees it: no query, unreserved
 * characters percent-decoded (`/%61dmin` is `/admin`) and other escapes in upper case, backslashes
 * as slashes, runs of slashes as one, and dot segments removed (`/x/../admin` is `/admin`).
 * Matching the raw text instead would let `/%61dmin/` past an application on `/admin` to a less
 * strict one on the whole host, while the application behind the proxy reads it as `/admin/`.
 * Encoded slashes (`%2F`) stay encoded, as Cloudflare leaves them. An absolute URI (a proxy
 * request line) counts by its path.
 */
export function normalizedRequestPath(raw: string): string {
  let path = raw;
  // No fragment reaches here (forwarded() refuses a path with a raw '#').
  const end = path.indexOf('?');
  if (end >= 0) path = path.slice(0, end);
  const absolute = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(path);
  if (absolute !== null) path = path.slice(absolute[0].length);
  if (!path.startsWith('/') && !path.startsWith('\\')) path = `/${path}`;
  // Most paths need none of it: a forward-auth request is answered from memory in microseconds.
  if (!/[%\\;]|\/\/|\/\.\.?(?:\/|$)/.test(path)) return path;
  path = path.replace(/%([0-9a-fA-F]{2})/g, (_escape, hex: string) => {
    const character = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(character) ? character : `%${hex.toUpperCase()}`;
  });
  return withoutDotSegments(withoutPathParameters(path.replace(/\\/g, '/')).replace(/\/{2,}/g, '/'));
}

/**
 * A request's path with its encoded slashes (`%2F`) and encoded backslashes (`%5C`) read as
 * slashes, as some applications behind a proxy read them (WSGI's PATH_INFO decodes `%2F`; a
 * server on Windows, IIS or Kestrel say, takes a decoded `\` for a separator); undefined when it
 * holds neither. Matching keeps them encoded, as Cloudflare does; the enforcement point refuses a
 * path whose application would change with this reading (enforced-accounts.ts).
 */
export function slashesDecoded(path: string): string | undefined {
  // Nearly every path holds no escape at all: forward auth asks this of every request.
  if (!path.includes('%')) return undefined;
  const query = path.indexOf('?');
  const beforeQuery = query < 0 ? path : path.slice(0, query);
  return /%2f|%5c/i.test(beforeQuery) ? beforeQuery.replace(/%2f|%5c/gi, '/') : undefined;
}

/**
 * The host and path as destinations are compared with them: lower case, no port, no trailing
 * dot. The path keeps a trailing slash: `/docs/` is below /docs for `example.com/docs/*`, which
 * does not cover `/docs` (a destination without `*` covers both alike).
 */
function normalized(host: string, path: string): { readonly host: string; readonly path: string } {
  return { host: normalizedHost(host), path: normalizedRequestPath(path).toLowerCase() };
}

/**
 * The cookie path of a destination (an application's `path_cookie_attribute`): its path as
 * written, up to the last slash before a `*` (a browser sends a cookie of Path=/docs to /docs and
 * below, never to /docsx), without a trailing slash; `/` for a destination without a path.
 */
export function cookiePathOf(text: string): string {
  const trimmed = text.trim().replace(/^https?:\/\//i, '');
  const slash = trimmed.indexOf('/');
  if (slash < 0) return '/';
  let path = trimmed.slice(slash);
  const star = path.indexOf('*');
  if (star >= 0) path = path.slice(0, path.lastIndexOf('/', star));
  path = path.replace(/\/+$/, '');
  // A cookie attribute's value: visible characters but ";" (anything else would end or bend the attribute).
  return /^\/[\x21-\x3a\x3c-\x7e]*$/.test(path) ? path : '/';
}

/** The cookie path of the most specific of `destinations` covering `host` and `path`; undefined when none covers them. */
export function coveringCookiePath(destinations: readonly string[], host: string, path: string): string | undefined {
  const request = normalized(host, path);
  let best: { readonly weight: number; readonly text: string } | undefined;
  for (const text of destinations) {
    const d = destination(text);
    if (d === undefined || !d.host.test(request.host) || !d.path.test(request.path)) continue;
    if (best === undefined || d.pathWeight > best.weight) best = { weight: d.pathWeight, text };
  }
  return best === undefined ? undefined : cookiePathOf(best.text);
}

/** The cookie paths of those of `destinations` on `host` (whatever their path). */
export function cookiePathsOnHost(destinations: readonly string[], host: string): string[] {
  const requestHost = normalized(host, '/').host;
  return destinations.filter((text) => destination(text)?.host.test(requestHost) === true).map(cookiePathOf);
}

/** The candidate with the most specific destination covering `host` and `path`, if any (the first of equally specific ones). */
export function matchDestination<T>(candidates: readonly Candidate<T>[], host: string, path: string): T | undefined {
  const request = normalized(host, path);
  let best: { value: T; hostWeight: number; pathWeight: number } | undefined;
  for (const candidate of candidates) {
    for (const text of candidate.destinations) {
      const d = destination(text);
      if (d === undefined || !d.host.test(request.host) || !d.path.test(request.path)) continue;
      if (best === undefined || d.hostWeight > best.hostWeight || (d.hostWeight === best.hostWeight && d.pathWeight > best.pathWeight)) {
        best = { value: candidate.value, hostWeight: d.hostWeight, pathWeight: d.pathWeight };
      }
    }
  }
  return best?.value;
}

/** The candidates with a destination on `host`, whatever its path, in their order. */
export function candidatesOnHost<C extends Candidate<unknown>>(candidates: readonly C[], host: string): C[] {
  const requestHost = normalized(host, '/').host;
  return candidates.filter((candidate) => candidate.destinations.some((text) => destination(text)?.host.test(requestHost) === true));
}

/**
 * Every candidate with a destination covering `host` and `path` as specifically as the most
 * specific one, in their order (empty when none covers it): where candidates of different owners
 * (accounts) tie, no owner can be told apart from the others.
 */
export function bestMatches<T>(candidates: readonly Candidate<T>[], host: string, path: string): T[] {
  const request = normalized(host, path);
  let best: T[] = [];
  let hostWeight = -1;
  let pathWeight = -1;
  for (const candidate of candidates) {
    for (const text of candidate.destinations) {
      const d = destination(text);
      if (d === undefined || !d.host.test(request.host) || !d.path.test(request.path)) continue;
      if (d.hostWeight > hostWeight || (d.hostWeight === hostWeight && d.pathWeight > pathWeight)) {
        best = [candidate.value];
        hostWeight = d.hostWeight;
        pathWeight = d.pathWeight;
      } else if (d.hostWeight === hostWeight && d.pathWeight === pathWeight && best.at(-1) !== candidate.value) {
        best.push(candidate.value);
      }
    }
  }
  return best;
}
