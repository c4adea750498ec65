// Limits and knobs of the API server, with their defaults (documented in docs/operations.md).

export interface ServerSettings {
  /** Largest JSON body accepted, in bytes. */
  readonly bodyLimitBytes: number;
  /**
   * Largest body of a user import, in bytes. NDJSON is read as it arrives, at most 16 MiB of it
   * held in memory (ndjson-body.ts); a JSON import is read into one string first, so it is held
   * to JSON_IMPORT_LIMIT_BYTES too.
   */
  readonly importBodyLimitBytes: number;
  /** Most users one import request may carry. */
  readonly importMaxUsers: number;
  /** User imports this server runs at once; more wait their turn, an NDJSON body unread meanwhile (import-slots.ts). */
  readonly importConcurrency: number;
  /** Users per chunk of a policy test (the unit leased to a runner and stored as one result). */
  readonly testChunkSize: number;
  /** A policy test still running after this long stops as "exceeded time", keeping its results. */
  readonly testTimeBudgetMs: number;
  /** A directory larger than this cannot be tested: the test is "blocked". */
  readonly testMaxUsers: number;
  /** Policy tests one account may have processing at once; more are refused with 429. */
  readonly testsPerAccount: number;
  /** Requests one API token may make per rate window (0: no limit). */
  readonly rateLimit: number;
  readonly rateWindowMs: number;
  /** Whether the root credentials are rate limited too. */
  readonly rateLimitRoot: boolean;
  /** Requests with bad credentials one client IP may make per minute before it gets 429s. */
  readonly failedAuthPerMinute: number;
  /** A request whose body has not arrived in full after this long is answered 408 and closed. */
  readonly requestTimeoutMs: number;
  /**
   * Any well-formed account id is served, as if it existed (a local stand-in whose callers pick
   * their own account ids, such as an SDK test suite). Off by default: only created accounts exist.
   */
  readonly openAccounts: boolean;
}

/** Past about 512 MiB a body no longer fits in one JavaScript string: a JSON import stops well short. */
export const JSON_IMPORT_LIMIT_BYTES = 256 * 1024 * 1024;

export const DEFAULT_SETTINGS: ServerSettings = {
  bodyLimitBytes: 1024 * 1024,
  // A million users with rich identities is about 400 MiB of NDJSON.
  importBodyLimitBytes: 1024 * 1024 * 1024,
  importMaxUsers: 1_000_000,
  // Two: one import can check its entries while another writes, and two million-user imports
  // stay within a couple of gigabytes (each body past 16 MiB waits in a file).
  importConcurrency: 2,
  // A chunk's results are stored as one JSON string of about 85 bytes a user. Past V8's
  // large-object size (128 KiB) each such string goes straight to the old generation, which
  // only a full collection frees: at 2,000 users a chunk a million-user test left about 200 MiB
  // of them behind, when no full collection happened to run during the test.
  testChunkSize: 1_000,
  testTimeBudgetMs: 10 * 60_000,
  testMaxUsers: 10_000_000,
  testsPerAccount: 3,
  rateLimit: 1200,
  rateWindowMs: 5 * 60_000,
  rateLimitRoot: false,
  failedAuthPerMinute: 60,
  requestTimeoutMs: 120_000,
  openAccounts: false,
};
