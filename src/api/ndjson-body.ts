// An NDJSON body is not read into one string: the route that accepts it (the user import) reads
// it chunk by chunk as it arrives, so a body of hundreds of megabytes is never held whole. The
// route's body limit, which fastify applies only to bodies it reads itself, is applied here.

import type { Readable } from 'node:stream';
import { apiError } from './errors.js';

export class NdjsonBody implements AsyncIterable<Buffer> {
  constructor(
    private readonly stream: Readable,
    private readonly limitBytes: number,
  ) {}

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    let received = 0;
    for await (const chunk of this.stream) {
      received += (chunk as Buffer).length;
      // Node discards the rest of the body once the answer is sent, as with fastify's own limit.
      if (received > this.limitBytes) throw apiError('body_too_large', { limit: this.limitBytes });
      yield chunk as Buffer;
    }
  }
}
