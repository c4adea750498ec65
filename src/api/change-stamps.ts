// Change stamps: what lets the API keep things it read from the store (verified API tokens,
// answers of cacheable reads) and still act on every committed change from the next request on,
// in this instance or another. A stamp of a scope (an account, or TOKENS_SCOPE) is equal to an
// earlier one only if nothing in that scope was committed between the two reads.
//
// Where the store has a commit stamp (SQLite: a counter every commit moves, by any connection
// or process), that is every scope's stamp; elsewhere (PostgreSQL) it is the scope's version,
// which every write transaction in the scope moves (Store.accountVersion). Either way the stamp
// is read once per turn of the event loop, after every request that asked in that turn had
// arrived, and shared by them: one read serves a batch of requests, and each answer still rests
// on a read made after its request arrived, so a write acknowledged before a request came in
// has always moved it (the same reasoning as the enforcement point's, docs/enforcement.md
// "Sessions and caching").

import type { Store } from '../store/store.js';

/** A scope's stamp, or undefined when it cannot be read (then nothing kept may be used). */
export type ChangeStamp = string | undefined;

interface Waiting {
  readonly scope: string;
  readonly resolve: (stamp: ChangeStamp) => void;
}

export class ChangeStamps {
  private waiting: Waiting[] = [];

  constructor(private readonly store: Store) {}

  /** The scope's stamp, read after this turn's requests are in. Never rejects. */
  read(scope: string): Promise<ChangeStamp> {
    return new Promise((resolve) => {
      // setImmediate runs after the poll phase, in which this turn's requests were read.
      if (this.waiting.length === 0) setImmediate(() => void this.readBatch());
      this.waiting.push({ scope, resolve });
    });
  }

  private async readBatch(): Promise<void> {
    const batch = this.waiting;
    this.waiting = [];
    let commit: number | undefined;
    try {
      commit = this.store.commitStamp();
    } catch {
      for (const { resolve } of batch) resolve(undefined);
      return;
    }
    if (commit !== undefined) {
      for (const { resolve } of batch) resolve(`c${commit}`);
      return;
    }
    // One read for every scope asked in this turn (a kept read asks for the tokens' and its account's).
    let versions: ReadonlyMap<string, number> | undefined;
    try {
      versions = await this.store.read.scopeVersions([...new Set(batch.map((waiting) => waiting.scope))]);
    } catch {
      versions = undefined;
    }
    for (const { scope, resolve } of batch) {
      const version = versions?.get(scope);
      resolve(version === undefined ? undefined : `v${version}`);
    }
  }
}
