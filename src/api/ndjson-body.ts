// An NDJSON body is not read into one string: the route that accepts it (the user import) takes
// it as the chunks that arrived, each line parsed on its own, so a body of hundreds of megabytes
// never becomes one JavaScript string (nor one object graph). The route's body limit, which
// fastify applies only to bodies it reads itself, is applied here. While the import cannot yet
// use what arrives, a body is held in memory only up to SPOOL_AFTER_BYTES: the rest waits in a
// temporary file (unlinked at once, so nothing is left behind even by a crash).

import { randomUUID } from 'node:crypto';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { apiError } from './errors.js';

/** Bytes of a body held in memory, not yet read, before the rest goes to a temporary file. */
export const SPOOL_AFTER_BYTES = 16 * 1024 * 1024;
/** Bytes read back from the file at a time. */
const SPOOL_READ_BYTES = 1024 * 1024;

export interface SpoolOptions {
  /** Where the temporary file is made (the server's data directory; the OS's by default). */
  readonly dir?: string;
  readonly afterBytes?: number;
}

export class NdjsonBody implements AsyncIterable<Buffer> {
  constructor(
    private readonly stream: Readable,
    private readonly limitBytes: number,
    private readonly spool: SpoolOptions = {},
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
    return new ReceivedBody(this, this.spool);
  }
}

/** The part of a body written to its temporary file, and how much of it has been read back. */
interface Spooled {
  readonly file: FileHandle;
  written: number;
  read: number;
}

/**
 * A body being read to its end, its chunks handed to one reader as they come and let go once
 * handed; past `afterBytes` held and unread, the rest goes through a temporary file, in order.
 * `discard()` lets go of what is left (the file included) once the body is no longer wanted.
 */
export class ReceivedBody implements AsyncIterable<Buffer> {
  /** Settles when the whole body is here (or failed: too large, the client went away, the file could not be written). */
  readonly arrived: Promise<void>;
  private readonly chunks: (Buffer | undefined)[] = [];
  private next = 0;
  /** Bytes in `chunks` not yet handed on. */
  private held = 0;
  private spooled: Spooled | undefined;
  private ended = false;
  private discarded = false;
  private failure: unknown;
  private wake: (() => void) | undefined;
  private iterated = false;

  constructor(source: AsyncIterable<Buffer>, spool: SpoolOptions = {}) {
    const afterBytes = spool.afterBytes ?? SPOOL_AFTER_BYTES;
    this.arrived = (async () => {
      try {
        for await (const chunk of source) {
          // No longer wanted: read to its end (as Node would), kept nowhere.
          if (this.discarded) continue;
          if (this.spooled === undefined && this.held + chunk.length > afterBytes) this.spooled = await spoolFile(spool.dir ?? tmpdir());
          if (this.spooled !== undefined) {
            // Awaited before the next chunk is read: the client is held back by TCP meanwhile.
            await writeAll(this.spooled.file, chunk, this.spooled.written);
            this.spooled.written += chunk.length;
          } else {
            this.chunks.push(chunk);
            this.held += chunk.length;
          }
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
        this.held -= chunk.length;
        yield chunk;
      } else if (this.spooled !== undefined && this.spooled.read < this.spooled.written) {
        const spooled = this.spooled;
        const buffer = Buffer.allocUnsafe(Math.min(SPOOL_READ_BYTES, spooled.written - spooled.read));
        const bytesRead = await readAt(spooled.file, buffer, spooled.read);
        spooled.read += bytesRead;
        yield bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
      } else if (this.failure !== undefined) {
        throw this.failure;
      } else if (this.ended) {
        return;
      } else {
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    }
  }

  /** Bytes of the body that went through its temporary file (0: all of it was held in memory). */
  get spooledBytes(): number {
    return this.spooled?.written ?? 0;
  }

  /** Lets go of the body: chunks held, and once it has arrived (or failed), its temporary file. */
  async discard(): Promise<void> {
    this.discarded = true;
    this.chunks.length = 0;
    this.held = 0;
    await this.arrived.catch(() => undefined);
    await this.spooled?.file.close().catch(() => undefined);
  }

  private wakeReader(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/** A new temporary file, readable and writable by this process alone, already unlinked. */
async function spoolFile(dir: string): Promise<Spooled> {
  const path = join(dir, `.import-body-${randomUUID()}`);
  let file: FileHandle;
  try {
    file = await open(path, 'wx+', 0o600);
  } catch (err) {
    throw notKept(err);
  }
  try {
    await unlink(path);
  } catch (err) {
    await file.close().catch(() => undefined);
    throw notKept(err);
  }
  return { file, written: 0, read: 0 };
}

/** The error code alone (ENOSPC, EACCES...): the message would name the server's directories. */
const notKept = (err: unknown) => apiError('body_not_kept', { detail: String((err as NodeJS.ErrnoException).code ?? 'unknown error') });

/** Bytes read into `buffer` from `position` (a file that ends early, or fails, is a body not kept). */
async function readAt(file: FileHandle, buffer: Buffer, position: number): Promise<number> {
  let bytesRead: number;
  try {
    ({ bytesRead } = await file.read(buffer, 0, buffer.length, position));
  } catch (err) {
    throw notKept(err);
  }
  if (bytesRead === 0) throw notKept({ code: 'EOF' });
  return bytesRead;
}

async function writeAll(file: FileHandle, chunk: Buffer, position: number): Promise<void> {
  let done = 0;
  try {
    while (done < chunk.length) done += (await file.write(chunk, done, chunk.length - done, position + done)).bytesWritten;
  } catch (err) {
    throw notKept(err);
  }
}
