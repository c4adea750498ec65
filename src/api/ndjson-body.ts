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
   * Reads the whole body from now on, whoever reads the chunks and however slowly: the import
   * checks entries as they arrive but writes only once all have (`arrived`), so a slow client
   * never keeps a transaction (SQLite's one writer) waiting.
   */
  receive(): ReceivedBody {
    return new ReceivedBody(this);
  }
}

/** A body being read to its end, its chunks handed to one reader as they come and let go once handed. */
export class ReceivedBody implements AsyncIterable<Buffer> {
  /** Settles when the whole body is here (or failed: too large, or the client went away). */
  readonly arrived: Promise<void>;
  private readonly chunks: (Buffer | undefined)[] = [];
  private next = 0;
  private ended = false;
  private failure: unknown;
  private wake: (() => void) | undefined;
  private iterated = false;

  constructor(source: AsyncIterable<Buffer>) {
    this.arrived = (async () => {
      try {
        for await (const chunk of source) {
          this.chunks.push(chunk);
          this.wakeReader();
        }
      } catch (err) {
        this.failure = err;
        throw err;
      } finally {
        this.ended = true;
        this.wakeReader();
      }
    })();
    // Seen by the reader as its chunks' error; unobserved here it must not crash the process.
    this.arrived.catch(() => undefined);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    if (this.iterated) throw new Error('a received body is read once');
    this.iterated = true;
    for (;;) {
      if (this.next < this.chunks.length) {
        const chunk = this.chunks[this.next]!;
        // Handed on: the reader keeps what it needs of it.
        this.chunks[this.next++] = undefined;
        yield chunk;
      } else if (this.failure !== undefined) {
        throw this.failure;
      } else if (this.ended) {
        return;
      } else {
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    }
  }

  private wakeReader(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
