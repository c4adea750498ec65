// Answers of cacheable reads (routes with `keep: 'account'`), kept as the text sent, with the
// account's change stamp they were read at (change-stamps.ts): answered again only while that
// stamp has not moved, so any write to the account, in any instance, is seen by the next read.
// Bounded by bytes, least recently used first out; an answer larger than a share of the bound
// is not kept. An answer is read again after MAX_AGE_MS whatever the stamp says: on PostgreSQL a
// change made by hand in SQL moves no version.

import { LRU_MOVE_MS } from './lru-move.js';

export interface KeptAnswer {
  readonly status: number;
  /** The envelope, serialised. */
  readonly text: string;
  readonly headers: Readonly<Record<string, string>> | undefined;
}

interface Entry {
  readonly stamp: string;
  readonly keptAt: number;
  readonly answer: KeptAnswer;
  readonly bytes: number;
  /** When it last moved to the recently used end of the map (at most once a second: see get). */
  movedAt: number;
}

/** Bytes of answers kept at most (strings count two bytes a character). */
const MAX_BYTES = 32 * 1024 * 1024;
const MAX_AGE_MS = 60_000;

export class KeptAnswers {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(private readonly maxBytes = MAX_BYTES) {}

  /** The answer kept under `key` if it was read at `stamp`. */
  get(key: string, stamp: string, now = Date.now()): KeptAnswer | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.stamp !== stamp || now - entry.keptAt >= MAX_AGE_MS) {
      this.entries.delete(key);
      this.bytes -= entry.bytes;
      return undefined;
    }
    // The map's order is the LRU order; moving a busy answer once a second keeps it as far from
    // the front as moving it on every read, without a delete and an insert per request.
    if (now - entry.movedAt >= LRU_MOVE_MS) {
      entry.movedAt = now;
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry.answer;
  }

  set(key: string, stamp: string, answer: KeptAnswer, now = Date.now()): void {
    const bytes = 2 * (key.length + answer.text.length);
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.entries.delete(key);
      this.bytes -= old.bytes;
    }
    if (bytes > this.maxBytes / 16) return;
    this.entries.set(key, { stamp, keptAt: now, answer, bytes, movedAt: now });
    this.bytes += bytes;
    while (this.bytes > this.maxBytes) {
      const [oldest, entry] = this.entries.entries().next().value!;
      this.entries.delete(oldest);
      this.bytes -= entry.bytes;
    }
  }
}
