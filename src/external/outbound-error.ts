// Why an outbound call was refused or failed, and how a caller's abort signal ends one.

export type OutboundErrorCode =
  /** Not http(s), has credentials, or not a URL. */
  | 'forbidden_url'
  /** The host is or resolves to an address that is not public and not allowlisted. */
  | 'forbidden_address'
  /** The host name did not resolve. */
  | 'dns_failed'
  /** Connection or protocol failure. */
  | 'network'
  /** The response body exceeded the size limit. */
  | 'too_large'
  /** The caller's signal aborted the request. */
  | 'aborted';

export class OutboundRequestError extends Error {
  readonly code: OutboundErrorCode;
  constructor(code: OutboundErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OutboundRequestError';
    this.code = code;
  }
}

/** Reject when `signal` aborts, even if `promise` never settles (dns.lookup cannot be cancelled). */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new OutboundRequestError('aborted', 'The request was aborted.', { cause: reason });
}
