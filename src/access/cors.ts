// CORS preflights at the enforcement point (docs/enforcement.md "CORS"). Browsers never send
// cookies with a preflight, so deciding one like any request refuses it. As at Cloudflare, an
// application may instead send preflights to the origin unauthenticated
// (`options_preflight_bypass`), or have Access answer them itself with its `cors_headers`
// (the origin never sees them). Anything else, an OPTIONS request that is no preflight
// included, is decided as every request is.

import { corsHeadersOf, HEADER_NAME_PATTERN, ORIGIN_PATTERN } from '../schema/cors.js';

/** What a CORS preflight asks: its Origin, Access-Control-Request-Method and -Headers. */
export interface Preflight {
  readonly origin: string;
  readonly method: string;
  readonly headers: string | undefined;
}

/** The preflight a request is: an OPTIONS request with both an Origin and an Access-Control-Request-Method header. */
export function preflightOf(method: string, origin: string | undefined, requestMethod: string | undefined, requestHeaders: string | undefined): Preflight | undefined {
  if (method.toUpperCase() !== 'OPTIONS' || origin === undefined || origin === '' || requestMethod === undefined || requestMethod === '') return undefined;
  return { origin, method: requestMethod, headers: requestHeaders === undefined || requestHeaders.trim() === '' ? undefined : requestHeaders };
}

/** How an application has preflights handled: answered by Access, sent to the origin, or decided like any request. */
export type PreflightHandling = { readonly kind: 'answer'; readonly headers: readonly (readonly [string, string])[] } | { readonly kind: 'bypass' } | undefined;

const strings = (value: unknown, pattern: RegExp): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && pattern.test(v)) : []);
/** Origins compare without case and without a trailing slash (https://App.example.com/ is https://app.example.com). */
const originKey = (origin: string): string => origin.trim().replace(/\/+$/, '').toLowerCase();
const METHOD = /^[A-Za-z]+$/;

/**
 * The Access-Control-* headers that answer a preflight with these settings. An origin that is not
 * allowed gets none of them, so the browser refuses the request; `*` only where credentials are
 * not allowed (browsers refuse `*` with credentials, so then the origin is echoed).
 */
export function preflightAnswer(settings: Readonly<Record<string, unknown>>, preflight: Preflight): [string, string][] {
  const vary: [string, string] = ['vary', 'Origin'];
  const credentials = settings.allow_credentials === true;
  const allowed = settings.allow_all_origins === true || strings(settings.allowed_origins, ORIGIN_PATTERN).some((o) => originKey(o) === originKey(preflight.origin));
  if (!allowed) return [vary];
  const headers: [string, string][] = [['access-control-allow-origin', settings.allow_all_origins === true && !credentials ? '*' : preflight.origin], vary];
  if (credentials) headers.push(['access-control-allow-credentials', 'true']);
  const methods = settings.allow_all_methods === true ? (METHOD.test(preflight.method) ? [preflight.method] : []) : strings(settings.allowed_methods, METHOD);
  if (methods.length > 0) headers.push(['access-control-allow-methods', methods.join(', ')]);
  const requested = preflight.headers;
  const allowHeaders = settings.allow_all_headers === true ? (requested !== undefined ? [requested] : []) : strings(settings.allowed_headers, HEADER_NAME_PATTERN);
  if (allowHeaders.length > 0) headers.push(['access-control-allow-headers', allowHeaders.join(', ')]);
  if (typeof settings.max_age === 'number' && Number.isInteger(settings.max_age)) headers.push(['access-control-max-age', String(settings.max_age)]);
  return headers;
}

/**
 * What the application does with this preflight. `cors_headers` wins over a bypass stored
 * before the two were refused together: the origin then sees nothing unauthenticated.
 */
export function preflightHandling(app: { readonly body: Readonly<Record<string, unknown>> }, preflight: Preflight | undefined): PreflightHandling {
  if (preflight === undefined) return undefined;
  const settings = corsHeadersOf(app.body);
  if (settings !== undefined) return { kind: 'answer', headers: preflightAnswer(settings, preflight) };
  return app.body.options_preflight_bypass === true ? { kind: 'bypass' } : undefined;
}
