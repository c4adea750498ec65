// An application's `read_service_tokens_from_header` (docs/enforcement.md "Who is asking"): the
// one request header in which a service token's credentials may come, as a JSON object
// {"cf-access-client-id": ..., "cf-access-client-secret": ...}, for callers that can send only
// one custom header. Here, below the API and the enforcement point, which both read it.

/** An HTTP header name (RFC 9110's token). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Names that cannot carry the credentials: the ones Access reads for other things (the session
 * cookie and token, the pair of service-token headers), the host the request is decided by,
 * and hop-by-hop headers, which a proxy does not pass on.
 */
const REFUSED: ReadonlySet<string> = new Set([
  'cookie',
  'host',
  'cf-access-client-id',
  'cf-access-client-secret',
  'cf-access-token',
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
]);

/** What is wrong with a header name sent as `read_service_tokens_from_header`; undefined when it is fine. */
export function serviceTokenHeaderProblem(name: string): string | undefined {
  if (!TOKEN.test(name)) return 'is not an HTTP header name (letters, digits and !#$%&\'*+-.^_`|~ only, no spaces or colon)';
  if (REFUSED.has(name.toLowerCase())) return 'cannot carry service-token credentials: Access or the proxy reads that header for something else';
  return undefined;
}

/** The header an application reads service-token credentials from, lower-cased; undefined when it reads none. */
export function serviceTokenHeaderOf(body: Readonly<Record<string, unknown>>): string | undefined {
  const name = body.read_service_tokens_from_header;
  return typeof name === 'string' && name !== '' ? name.toLowerCase() : undefined;
}

/**
 * The credentials in such a header's value; undefined (no credentials: fail closed) unless it is
 * a JSON object whose "cf-access-client-id" and "cf-access-client-secret" are non-empty strings.
 */
export function serviceTokenCredentialsIn(value: string | undefined): { readonly clientId: string; readonly clientSecret: string } | undefined {
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const clientId = (parsed as Record<string, unknown>)['cf-access-client-id'];
  const clientSecret = (parsed as Record<string, unknown>)['cf-access-client-secret'];
  if (typeof clientId !== 'string' || typeof clientSecret !== 'string' || clientId === '' || clientSecret === '') return undefined;
  return { clientId, clientSecret };
}
