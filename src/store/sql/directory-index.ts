// What a list of an account's users needs that costs a pass over the whole directory — the
// number of users, and where every 10,000th user sits — kept with the account version it was
// read at. At 10,000,000 users a count takes about a second and a page at a deep offset as long
// again; with this, both are paid once after the account changed, not on every page
// (docs/operations.md "Large directories").

/** Users between two anchors: a page at any offset reads at most this many rows it skips. */
export const ANCHOR_STEP = 10_000;

interface Kept {
  readonly version: number;
  users?: number;
  /** anchors[k] is the seq of the user at position (k + 1) × ANCHOR_STEP (1-based), in seq order. */
  anchors: number[];
}

/** Accounts are few; the bound only keeps a server with very many from growing without end. */
const MAX_ACCOUNTS = 1_000;

export class DirectoryIndex {
  private readonly accounts = new Map<string, Kept>();

  /**
   * What is kept for the account at `version`, made empty when what was kept is of another
   * version. Callers read the version before anything they keep here, so what they keep is never
   * older than the version it is kept at: a write after the version was read moves it on, and the
   * next reader starts over.
   */
  at(accountId: string, version: number): Kept {
    let kept = this.accounts.get(accountId);
    if (kept?.version !== version) {
      if (kept === undefined && this.accounts.size >= MAX_ACCOUNTS) this.accounts.delete(this.accounts.keys().next().value!);
      kept = { version, anchors: [] };
      this.accounts.set(accountId, kept);
    }
    return kept;
  }
}
