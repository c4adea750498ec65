// Errors found before a request reaches a route: malformed HTTP, oversized request lines and
// headers and slow bodies (node's HTTP parser, the 'clientError' event), and paths the router
// cannot decode or whose parameters are too long (fastify's framework errors). Both answer in
// the envelope, like every other failure, instead of fastify's own JSON. A client that hangs
// up in the middle of its body is its own business, not a failure of the server.

import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError } from 'fastify';
import { failure } from './envelope.js';
import { apiError, shouldRetry, type ApiError } from './errors.js';
import type { ServerSettings } from './settings.js';

/** Fastify's router errors as API errors. */
export function frameworkError(error: FastifyError, maxParamLength: number): ApiError {
  switch (error.code) {
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return apiError('uri_too_long', { limit: maxParamLength });
    case 'FST_ERR_BAD_URL':
      return apiError('bad_request', { detail: 'the request path is not valid percent-encoded UTF-8' });
    default:
      return apiError('bad_request', { detail: error.message });
  }
}

const CLIENT_GONE = Symbol('the client hung up');

/**
 * The error for a request whose client hung up while the server held it back (an import waiting
 * for its slot): a client abort however much of its body had arrived (a JSON body has all of it).
 */
export function clientGone(): Error {
  return Object.assign(new Error('aborted'), { code: 'ECONNRESET', [CLIENT_GONE]: true });
}

/**
 * Whether `error` is the client going away before its request arrived in full (node's
 * "aborted" ECONNRESET on the request's body stream): nobody is left to answer, and it says
 * nothing about the server or the database (a store's ECONNRESET would be a 503).
 */
export function isClientAbort(error: Error & { code?: string }, request: http.IncomingMessage): boolean {
  if (request.errored === error || (error as { [CLIENT_GONE]?: boolean })[CLIENT_GONE] === true) return true;
  return request.destroyed && !request.complete && (error.code === 'ECONNRESET' || error.message === 'aborted');
}

/** How another protocol served by the same server (SCIM) writes an error answer: its media type and body. */
export type ErrorBodyRenderer = (error: ApiError) => { readonly contentType: string; readonly body: string };

/**
 * The request-target of the request line the parser was reading, when the packet it refused
 * begins with one (a request line split over packets, or a later request's, gives none).
 */
function requestTargetOf(rawPacket: unknown): string | undefined {
  if (!Buffer.isBuffer(rawPacket)) return undefined;
  return /^[A-Z]{1,16} (\/[^ \r\n]*) HTTP\/1\.[01]\r?\n/.exec(rawPacket.subarray(0, 8192).toString('latin1'))?.[1];
}

/** The error for a request node's HTTP parser refused or gave up on. */
export function clientError(error: Error & { code?: string }, settings: ServerSettings): ApiError {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return apiError('request_timeout', { seconds: settings.requestTimeoutMs / 1000 });
    case 'HPE_HEADER_OVERFLOW':
      return apiError('headers_too_large', { limit: http.maxHeaderSize });
    default:
      return apiError('bad_request', { detail: `the request is not valid HTTP/1.1 (${error.code ?? error.message})` });
  }
}

/**
 * Answer on the raw socket (there is no request object yet) and close it: the parser's state
 * is lost, so the connection cannot carry another request, and the answer says so.
 */
export function answerClientError(error: Error & { code?: string; rawPacket?: unknown }, socket: Duplex, settings: ServerSettings, rendererFor: (path: string) => ErrorBodyRenderer | undefined = () => undefined): void {
  // A reset connection has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const answer = clientError(error, settings);
    // Another protocol's paths (SCIM) answer in its own shape, when the request line is at hand.
    const target = requestTargetOf(error.rawPacket);
    const rendered = (target === undefined ? undefined : rendererFor(target))?.(answer) ?? { contentType: 'application/json; charset=utf-8', body: JSON.stringify(failure(answer.errors)) };
    const body = rendered.body;
    // An answer to HEAD has no body (the client would read it as the start of another answer).
    const head = Buffer.isBuffer(error.rawPacket) && error.rawPacket.subarray(0, 5).toString('latin1') === 'HEAD ';
    const headers = [
      `HTTP/1.1 ${answer.status} ${http.STATUS_CODES[answer.status] ?? 'Error'}`,
      `content-type: ${rendered.contentType}`,
      `content-length: ${Buffer.byteLength(body)}`,
      'connection: close',
      'x-content-type-options: nosniff',
      ...(shouldRetry(answer.status) ? [] : ['x-should-retry: false']),
    ];
    socket.write(`${headers.join('\r\n')}\r\n\r\n${head ? '' : body}`);
  }
  socket.destroy(error);
}
