// Failures talking to an API, turned into one line each that says what was being done, where,
// and what to check, in place of the SDK's stack traces. A write the server refuses because of
// the object itself (400, 409, 422) is not among them: it is a problem with that object and is
// reported at the object's place in its source (see apply.ts).

import Cloudflare from 'cloudflare';
import type { Endpoint } from './account-api.js';
import { RemoteError } from './remote-error.js';

/** An error the API answered with (a status and the envelope's errors). */
export type ApiError = InstanceType<typeof Cloudflare.APIError>;

/** The server's error messages with their codes, as it sent them. */
function serverMessages(err: ApiError): string {
  const errors = (err.errors ?? []) as { code?: unknown; message?: unknown }[];
  const texts = errors.map((e) => (typeof e.message === 'string' ? e.message : JSON.stringify(e)) + (e.code !== undefined ? ` (code ${String(e.code)})` : ''));
  return texts.length > 0 ? texts.join('; ') : err.message;
}

/** The innermost cause of a failed connection ("connect ECONNREFUSED 127.0.0.1:1"). */
function rootCause(err: unknown): string {
  let cause: unknown = err;
  while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause;
  return cause instanceof Error ? cause.message : String(cause);
}

/** Whether a failed write is the server refusing the object itself, rather than the request failing. */
export function isRefusal(err: unknown): err is ApiError {
  return err instanceof Cloudflare.BadRequestError || err instanceof Cloudflare.ConflictError || err instanceof Cloudflare.UnprocessableEntityError;
}

/**
 * The RemoteError for `err`, raised while `doing` ("listing the policies") against `endpoint`;
 * errors that are not the API's (bugs) are returned unchanged.
 */
export function remoteFailure(err: unknown, endpoint: Endpoint, doing: string): unknown {
  const at = endpoint.url;
  const check = endpoint.sources ?? { url: '--url', token: '--token', account: '--account' };
  if (err instanceof Cloudflare.APIConnectionTimeoutError) return new RemoteError([`${at} did not answer in time while ${doing}.`]);
  if (err instanceof Cloudflare.APIConnectionError) {
    return new RemoteError([`Cannot reach ${at} while ${doing}: ${rootCause(err)}. Check ${check.url} (the API base, e.g. http://127.0.0.1:8787/client/v4) and that the server runs.`]);
  }
  if (err instanceof Cloudflare.AuthenticationError) {
    return new RemoteError([`${at} refused the API token (AuthenticationError, 401: ${serverMessages(err)}) while ${doing}. Check ${check.token}.`]);
  }
  if (err instanceof Cloudflare.PermissionDeniedError) {
    return new RemoteError([
      `${at} does not let this token act on account ${endpoint.account} (PermissionDeniedError, 403: ${serverMessages(err)}) while ${doing}. Check ${check.account} and the token's permissions.`,
    ]);
  }
  if (err instanceof Cloudflare.NotFoundError) {
    return new RemoteError([
      `${at} answered 404 (NotFoundError: ${serverMessages(err)}) while ${doing}. Check that ${check.url} is the API base (ending in /client/v4) and ${check.account} the account id.`,
    ]);
  }
  if (err instanceof Cloudflare.RateLimitError) {
    // Reached only once the waits of AccountApi.connect (and the SDK's retries) are used up.
    const after = Number(err.headers?.get('retry-after'));
    const asked = Number.isFinite(after) && after > 0 ? ` (it last asked for ${after} s more)` : '';
    return new RemoteError([
      `${at} kept answering 429 (rate limited: too many requests for this token) while ${doing}, and portcullis gave up after waiting as it asked several times${asked}.`,
      'Wait a few minutes for the rate limit to reset, or use a token with a higher limit, and run the same command again.',
    ]);
  }
  if (err instanceof Cloudflare.APIError) {
    const status = err.status === undefined ? '' : `${err.status}, `;
    return new RemoteError([`${at} failed while ${doing} (${err.constructor.name}, ${status}${serverMessages(err)}).`]);
  }
  return err;
}

/** Run `call`, turning API failures into RemoteErrors that say what was being done. */
export async function calling<T>(endpoint: Endpoint, doing: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw remoteFailure(err, endpoint, doing);
  }
}
