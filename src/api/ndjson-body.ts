// An NDJSON body is not read into one string: the route that accepts it (the user import) takes
// it as the chunks that arrived, each line parsed on its own, so a body of hundreds of megabytes
// never becomes one JavaScript string (nor one object graph). The route's body limit, which
// fastify applies only to bodies it reads itself, is applied here.

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

  /**
   * Every chunk, once the body has arrived: the import checks and writes its entries in one go
   * after that, so a slow client never keeps a transaction (SQLite's one writer) waiting.
   */
  async chunks(): Promise<Buffer[]> {
    const chunks: Buffer[] = [];
    for await (const chunk of this) chunks.push(chunk);
    return chunks;
  }
}
