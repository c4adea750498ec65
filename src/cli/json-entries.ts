// The entries of a long JSON array (every user of a run), kept in memory or, when there may be a
// million of them, in a spool on disk; joined as they will be printed (json-output.ts), so
// worker threads can do the joining and the spool is copied to stdout byte for byte.

import { Spool } from './spool.js';

/** Between two entries of the array: each entry on its own line, indented as JSON.stringify(_, null, 2) would. */
export const ENTRY_SEPARATOR = ',\n    ';

/** Entries of a JSON array, as JSON texts already joined by ENTRY_SEPARATOR, kept in memory or in a spool. */
export class JsonEntries {
  private readonly memory: string[] = [];
  private readonly spool: Spool | undefined;

  constructor(onDisk: boolean) {
    this.spool = onDisk ? new Spool() : undefined;
  }

  /** Append entries: one JSON text, or several joined by ENTRY_SEPARATOR. */
  add(joined: string): void {
    if (joined === '') return;
    if (this.spool === undefined) this.memory.push(joined);
    else {
      if (!this.spool.empty) this.spool.append(ENTRY_SEPARATOR);
      this.spool.append(joined);
    }
  }

  get empty(): boolean {
    return this.spool === undefined ? this.memory.length === 0 : this.spool.empty;
  }

  async *chunks(): AsyncGenerator<string | Buffer> {
    if (this.spool === undefined) yield this.memory.join(ENTRY_SEPARATOR);
    else yield* this.spool.chunks();
  }

  dispose(): void {
    this.spool?.dispose();
  }
}
