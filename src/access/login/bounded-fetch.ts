// The fetch that OpenID Connect sign-ins use to ask identity providers (discovery, key sets,
// tokens, UserInfo). Whoever may write an identity provider chooses where these requests go, and
// anyone may start a sign-in or a test of it: an answer read without a bound (a discovery
// document that never ends) would grow this process's memory, and every account's sign-ins with
// it, until the process died. Such answers are a few kilobytes; a longer one is refused as soon
// as it passes the bound, unread past it.

/** The longest answer read from an identity provider. */
export const MAX_IDP_ANSWER_BYTES = 1024 * 1024;

/** Statuses whose Response cannot carry a body (the Fetch standard's "null body status"). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * A TypeError, as a fetch that fails is: openid-client passes those on as they are (its own
 * message, which the sign-in page shows), and wraps any other error as "something went wrong".
 */
export class IdpAnswerTooLarge extends TypeError {
  constructor(url: string, maxBytes: number) {
    super(`the answer of ${originOf(url)} is larger than ${maxBytes} bytes, more than any identity provider's answer needs`);
    this.name = 'IdpAnswerTooLarge';
  }
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'the identity provider';
  }
}

/** A fetch whose answers are read whole, up to `maxBytes` (after content decoding), and refused past it. */
export function boundedFetch(maxBytes = MAX_IDP_ANSWER_BYTES): (url: string, init?: object) => Promise<Response> {
  // `init` is what openid-client and jose hand their custom fetch: fetch's own options (their
  // types name a body fetch takes as it is, a Uint8Array, more narrowly than RequestInit).
  return async (url, init) => {
    const response = await fetch(url, init as RequestInit | undefined);
    const body = response.body;
    if (body === null) return response;
    const declared = Number(response.headers.get('content-length') ?? '');
    // A compressed body's length says nothing of what it decodes to; a plain one that says too much is refused unread.
    if (response.headers.get('content-encoding') === null && declared > maxBytes) {
      await body.cancel().catch(() => undefined);
      throw new IdpAnswerTooLarge(url, maxBytes);
    }
    const reader = body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new IdpAnswerTooLarge(url, maxBytes);
      }
      chunks.push(value);
    }
    const read = NULL_BODY_STATUSES.has(response.status) ? null : Buffer.concat(chunks);
    return new Response(read, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}
