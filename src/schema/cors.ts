// An Access application's CORS settings (Cloudflare's `cors_headers` and
// `options_preflight_bypass`): their JSON Schema, and what counts as set. Here, below the API
// and the enforcement point, so that the check of a request and the answer to a preflight
// (src/access/cors.ts) read the settings the same way (docs/enforcement.md "CORS").

import { arr, bool, enumOf, int, obj, str, type Static } from './json-schema.js';

/** The methods Cloudflare's `allowed_methods` accepts. */
export const CORS_METHODS = ['GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'] as const;

/** Cloudflare's range of `max_age`, in seconds (-1 asks browsers not to cache the preflight). */
export const CORS_MAX_AGE = { minimum: -1, maximum: 86400 } as const;

/**
 * A header name (an HTTP token). The values are sent as response headers: one that is not a
 * token could not be, so it is refused when written rather than at the first preflight.
 */
const HEADER_NAME = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$";
/** An origin as browsers send it (https://app.example.com, with a port when not the default): visible ASCII but the comma. */
const ORIGIN = '^[\\x21-\\x2b\\x2d-\\x7e]+$';

export const CORS_HEADERS = obj(
  {
    allow_all_headers: bool('Allows all HTTP request headers: a preflight is answered with the headers it asks for.'),
    allow_all_methods: bool('Allows all HTTP request methods: a preflight is answered with the method it asks for.'),
    allow_all_origins: bool('Allows all origins.'),
    allow_credentials: bool('When true, browsers include credentials (cookies, authorization headers or TLS client certificates) with requests.'),
    allowed_headers: arr(str({ pattern: HEADER_NAME, patternHint: 'a header name (letters, digits and !#$%&\'*+.^_`|~-)' }), { description: 'Allowed HTTP request headers.' }),
    allowed_methods: arr(enumOf(CORS_METHODS), { description: 'Allowed HTTP request methods.' }),
    allowed_origins: arr(str({ pattern: ORIGIN, patternHint: 'an origin such as https://app.example.com (no spaces or commas)' }), { description: 'Allowed origins.' }),
    max_age: int({ ...CORS_MAX_AGE, description: 'The maximum number of seconds the results of a preflight request can be cached (-1: not cached).' }),
  },
  { description: 'How Access answers CORS preflight requests itself (they never reach the origin). Cannot be set together with options_preflight_bypass.' },
);

export type CorsHeaders = Static<typeof CORS_HEADERS>;

export const HEADER_NAME_PATTERN = new RegExp(HEADER_NAME);
export const ORIGIN_PATTERN = new RegExp(ORIGIN);

/**
 * The application's `cors_headers` when they are set: an object with at least one field (an
 * empty object configures nothing, and is what clients that always send the field send).
 */
export function corsHeadersOf(app: { readonly cors_headers?: unknown }): Readonly<Record<string, unknown>> | undefined {
  const value = app.cors_headers;
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0 ? (value as Record<string, unknown>) : undefined;
}
