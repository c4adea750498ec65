// A temporary file of output text, for listings too long to hold in memory (every user of a
// million-user test as JSON). Appended in large synchronous batches; copied to stdout at the
// end as raw bytes. Spools are removed on exit however the process ends (a closed pipe, Ctrl-C).

import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const FLUSH_CHARS = 1 << 20;

const live = new Set<Spool>();
let hooked = false;

/** Remove every spool when the process ends, also on a signal (which skips `finally` blocks). */
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const spool of live) spool.dispose();
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => process.exit(128 + (signal === 'SIGINT' ? 2 : 15)));
  }
}

export class Spool {
  private readonly dir = mkdtempSync(join(tmpdir(), 'portcullis-'));
  private readonly file = join(this.dir, 'spool');
  private readonly fd = openSync(this.file, 'w');
  private pending: string[] = [];
  private pendingChars = 0;
  private closed = false;
  /** Whether nothing has been appended yet. */
  empty = true;

  constructor() {
    live.add(this);
    hookExit();
  }

  append(text: string): void {
    if (text === '') return;
    this.empty = false;
    this.pending.push(text);
    this.pendingChars += text.length;
    if (this.pendingChars >= FLUSH_CHARS) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    writeSync(this.fd, this.pending.join(''));
    this.pending = [];
    this.pendingChars = 0;
  }

  /** Everything appended, as it was appended, in chunks of bytes. */
  async *chunks(): AsyncGenerator<Buffer> {
    this.flush();
    this.close();
    yield* createReadStream(this.file, { highWaterMark: FLUSH_CHARS }) as AsyncIterable<Buffer>;
  }

  private close(): void {
    if (!this.closed) closeSync(this.fd);
    this.closed = true;
  }

  dispose(): void {
    this.close();
    rmSync(this.dir, { recursive: true, force: true });
    live.delete(this);
  }
}
