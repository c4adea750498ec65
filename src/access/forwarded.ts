// What the enforcement point knows of the request a reverse proxy asks about: the original host,
// path, scheme and client address from the proxy's X-Forwarded-* headers, believed only from
// trusted peers (docs/enforcement.md "Trust and forwarded headers"), and the cookie it carries.

import type { FastifyRequest } from 'fastify';
import { clientAddress, type TrustedProxies } from '../api/trusted-proxies.js';

export const first = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim() || undefined;

/** Whether an auth domain (an issuer URL) is served over https: its cookies can then be Secure and `__Host-`. */
export const servedOverHttps = (issuer: string): boolean => issuer.startsWith('https:');

/** A cookie's value, read in place (every forward-auth request carries a kilobyte-long one). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (let start = 0; start < header.length; ) {
    const semicolon = header.indexOf(';', start);
    const end = semicolon < 0 ? header.length : semicolon;
    const eq = header.indexOf('=', start);
    if (eq > start && eq < end && header.slice(start, eq).trim() === name) {
      const value = header.slice(eq + 1, end).trim();
      if (!value.includes('%')) return value;
      try {
        return decodeURIComponent(value);
      } catch {
        return value; // malformed escapes: a token that will not verify, not an error
      }
    }
    start = end + 1;
  }
  return undefined;
}

/**
 * Every value of a cookie the header carries under `name`: a browser sends one per path that
 * matches (the App Launcher's own session and the global session on the auth domain share a name).
 */
export function cookieValues(header: string | undefined, name: string): string[] {
  const values: string[] = [];
  for (const part of header?.split(';') ?? []) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const value = cookieValue(part, name);
      if (value !== undefined) values.push(value);
    }
  }
  return values;
}

export interface OriginalRequest {
  /** The original method: X-Forwarded-Method (nginx, Caddy and Traefik ask with GET), else the asking request's own (Envoy asks with the original). */
  readonly method: string;
  readonly host: string;
  readonly path: string;
  readonly proto: string;
  readonly ip: string | undefined;
}

/** Where Envoy's ext_authz (path_prefix) puts the original path: after the authorize path. */
const AUTHORIZE_PREFIX = '/cdn-cgi/access/authorize/';

/**
 * The scheme a forwarded protocol stands for: http or https (Traefik forwards a WebSocket's as
 * ws or wss); anything else is not believed, since it ends up in URLs portcullis builds.
 */
function schemeOf(proto: string | undefined): 'http' | 'https' | undefined {
  const lower = proto?.toLowerCase();
  return lower === 'https' || lower === 'wss' ? 'https' : lower === 'http' || lower === 'ws' ? 'http' : undefined;
}

/** A forwarded request portcullis will not decide on: answered 400 (fail closed), whatever asked. */
function malformed(message: string): Error {
  return Object.assign(new Error(message), { statusCode: 400 });
}

/**
 * A header that holds one value (a URI, a host, a method), read whole: a comma is an ordinary
 * character of a path, so splitting it as a list would decide on part of the path while the
 * proxy sends the whole of it upstream. Sent more than once, it is refused: which copy the
 * proxy acted on cannot be known.
 */
function single(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  if (value === undefined) return undefined;
  // Node joins repeated lines of such a header with ", ": only then are the raw lines counted
  // (forward auth answers every request of every application, so the common case stays a read).
  if (typeof value !== 'string' || (value.includes(', ') && linesOf(request.raw.rawHeaders, name) > 1)) throw malformed(`The request carries ${name} more than once.`);
  return value.trim() || undefined;
}

/** How many lines of the raw headers (name, value, name, value, ...) carry `name` (lower case). */
function linesOf(rawHeaders: readonly string[], name: string): number {
  let lines = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]!.length === name.length && rawHeaders[i]!.toLowerCase() === name) lines++;
  return lines;
}

/**
 * The request the proxy asks about, from its forwarded headers when the peer is trusted. Throws
 * a 400 for one that cannot be decided on safely: a single-valued header sent twice, a client
 * address that is not one (clientAddress), or a path with a raw `#` (a request never carries a fragment: an application behind the proxy may read
 * the path up to it or past it, so neither reading is safe to decide on).
 */
export function forwarded(request: FastifyRequest, trusted: TrustedProxies): OriginalRequest {
  const peer = request.socket.remoteAddress ?? '';
  const path = request.url.startsWith(AUTHORIZE_PREFIX) ? request.url.slice(AUTHORIZE_PREFIX.length - 1) : request.url;
  const own = { method: request.method, host: request.headers.host ?? '', path, proto: 'http', ip: peer || undefined };
  if (!trusted.covers(peer)) return withoutFragment(own);
  const h = request.headers;
  return withoutFragment({
    method: single(request, 'x-forwarded-method') ?? own.method,
    host: single(request, 'x-forwarded-host') ?? own.host,
    path: single(request, 'x-forwarded-uri') ?? single(request, 'x-original-uri') ?? own.path,
    proto: schemeOf(first(h['x-forwarded-proto'])) ?? own.proto,
    ip: clientAddress(request, trusted),
  });
}

/** The headers in which a proxy names the request it asks about (not the client's address or scheme, which a client's own forward proxy may add). */
const NAMING_HEADERS = ['x-forwarded-host', 'x-forwarded-uri', 'x-original-uri', 'x-forwarded-method'] as const;

/**
 * The request forward auth decides on (forwarded()), refusing (400) a peer that is not a trusted
 * proxy yet names another request in those headers: a proxy missing from
 * PORTCULLIS_TRUSTED_PROXIES. Decided on itself, its request would be about its own Host and
 * path, which for Caddy's forward_auth are the application's host and portcullis's endpoint: a
 * bypass on the whole host would let through every path asked about (docs/enforcement.md "How a
 * request is decided"). A peer naming none (Envoy's check request) is decided on itself.
 */
export function forwardAuthRequest(request: FastifyRequest, trusted: TrustedProxies): OriginalRequest {
  const peer = request.socket.remoteAddress ?? '';
  if (!trusted.covers(peer) && NAMING_HEADERS.some((name) => request.headers[name] !== undefined)) {
    throw malformed(`This forward-auth request names the request it asks about (X-Forwarded-Host, X-Forwarded-Uri, X-Original-URI or X-Forwarded-Method) but comes from ${peer || 'an unknown address'}, which is not a trusted proxy: add the proxy's address to PORTCULLIS_TRUSTED_PROXIES.`);
  }
  return forwarded(request, trusted);
}

/**
 * Whether a trusted proxy names the host it asks about but not the path (neither X-Forwarded-Uri
 * nor X-Original-URI, nor a path under /cdn-cgi/access/authorize/): the request is then decided
 * on the endpoint's own path, which is right only for a host whose applications all cover it
 * whole (routes.ts refuses it on a host with applications on paths).
 */
export function namesHostWithoutPath(request: FastifyRequest, trusted: TrustedProxies): boolean {
  const h = request.headers;
  return h['x-forwarded-host'] !== undefined && h['x-forwarded-uri'] === undefined && h['x-original-uri'] === undefined && !request.url.startsWith(AUTHORIZE_PREFIX) && trusted.covers(request.socket.remoteAddress ?? '');
}

/** The 400 for such a request on a host with applications on paths: which of them it is for cannot be told. */
export const pathNotNamed = (host: string): Error =>
  malformed(`This forward-auth request names the host ${host}, which has Access applications on paths, but not the path it asks about: send it in X-Forwarded-Uri (or X-Original-URI).`);

function withoutFragment(original: OriginalRequest): OriginalRequest {
  if (original.path.includes('#')) throw malformed("The request's path holds a raw '#', which no request path may.");
  return original;
}

/** `target` when it is an http(s) URL on `host` (no open redirect), else undefined. */
export function urlOnHost(target: string | undefined, host: string): URL | undefined {
  if (target === undefined) return undefined;
  try {
    const url = new URL(target);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host.toLowerCase() === host.toLowerCase() ? url : undefined;
  } catch {
    return undefined;
  }
}

/** A Host header that is only a host name or address, with an optional port (no user, path or spaces). */
const PLAIN_HOST = /^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*\.?|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/** `target` when it is a URL on `host`, else the host's root; undefined when `host` is not a plain host a URL can have. */
export function sameHostUrl(target: string | undefined, host: string, proto: string): URL | undefined {
  const onHost = urlOnHost(target, host);
  if (onHost !== undefined || !PLAIN_HOST.test(host)) return onHost;
  try {
    return new URL(`${proto}://${host}/`);
  } catch {
    return undefined; // a port past 65535, say
  }
}
