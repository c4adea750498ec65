// Whether anything was committed to the store since a given commit stamp, asked for many
// forward-auth decisions at once: the stamp is read once per turn of the event loop, after
// every request that asked in that turn had arrived. So one read of SQLite's data_version
// (two file-lock system calls) serves a whole batch of requests, and each answer still
// rests on a read made after its request arrived: a write acknowledged before a request came
// in has always moved the stamp by then (docs/enforcement.md "Sessions and caching").

import type { Store } from '../store/store.js';

interface Waiting {
  readonly stamp: number;
  readonly then: (unchanged: boolean) => void;
}

export class CommitStampCheck {
  private waiting: Waiting[] = [];

  constructor(private readonly store: Store) {}

  /** Calls `then(true)` if the store's commit stamp is still `stamp` once this turn's requests are in, else `then(false)`. */
  unchangedSince(stamp: number, then: (unchanged: boolean) => void): void {
    // setImmediate runs after the poll phase, in which this turn's requests were read.
    if (this.waiting.length === 0) setImmediate(() => this.check());
    this.waiting.push({ stamp, then });
  }

  private check(): void {
    const batch = this.waiting;
    this.waiting = [];
    let current: number | undefined;
    try {
      current = this.store.commitStamp();
    } catch {
      current = undefined; // unreadable: everyone takes the path that reads the store (fails closed there)
    }
    for (const { stamp, then } of batch) then(current !== undefined && current === stamp);
  }
}
