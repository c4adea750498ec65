// Which Access application covers a request, by its host and path. An application names what
// it protects as `domain` and `self_hosted_domains` (docs/enforcement.md "Which application"):
// a hostname, optionally followed by a path; `*` stands for any run of characters within the
// hostname (`*.example.com`: every subdomain, not the apex) or the path. A path covers itself
// and everything below it. The most specific destination wins: more literal characters in the
// hostname first, then in the path.

export interface Destination {
  readonly host: RegExp;
  readonly path: RegExp;
  /** Literal (non-wildcard) characters of the hostname and of the path: the more, the more specific. */
  readonly hostWeight: number;
  readonly pathWeight: number;
}

const escape = (text: string): string => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** A destination from its text ("app.example.com", "*.example.com/admin", "example.com/docs/*"); undefined when it has no hostname. */
export function parseDestination(text: string): Destination | undefined {
  const trimmed = text.trim().toLowerCase().replace(/^https?:\/\//, '');
  const slash = trimmed.indexOf('/');
  const host = slash < 0 ? trimmed : trimmed.slice(0, slash);
  let path = slash < 0 ? '' : trimmed.slice(slash).replace(/\/+$/, '');
  if (host === '' || /\s/.test(host)) return undefined;
  // "/docs/*" covers what is below /docs, as "/docs" does.
  if (path.endsWith('/*')) path = path.slice(0, -2);
  const hostPattern = host.split('*').map(escape).join('[^/]+');
  const pathPattern = path.split('*').map(escape).join('.*');
  return {
    host: new RegExp(`^${hostPattern}$`),
    path: new RegExp(`^${pathPattern}(/.*)?$`),
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

/** The host and path as destinations are compared with them: lower case, no port, no trailing dot or slash, the root as the empty path. */
function normalized(host: string, path: string): { readonly host: string; readonly path: string } {
  const requestHost = host.toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
  const rawPath = (path.split('?')[0] ?? '/').toLowerCase() || '/';
  return { host: requestHost, path: rawPath === '/' ? '' : rawPath.replace(/\/+$/, '') };
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
