// The records rebuild: policy tests decide users from their identity records (engine/
// identity-record.ts), and a user whose record is missing (stored before records existed) or
// of another layout (an engine that reads identities differently) is decided from its identity
// instead: right, but at about twice the cost. So when the database's users were not yet all
// brought to this engine's record version, every process walks them once in the background,
// a slice at a time with a pause between slices, writing the records that are missing or old,
// and notes the version when it reaches the last user. Walks of several processes (PostgreSQL)
// write the same records; each write only replaces a record made from the identity it read.

import { IDENTITY_RECORD_VERSION } from '../engine/index.js';
import type { PolicyTestStore } from '../store/store.js';

export interface RecordRebuildOptions {
  /** Users looked at per slice. */
  readonly sliceUsers?: number;
  /** Pause between slices, so tests and API writes keep the database first. */
  readonly pauseMs?: number;
  /** How often progress is reported while a walk lasts. */
  readonly progressMs?: number;
  /** Progress and the end of a walk. */
  readonly info?: (message: string, fields: RecordRebuildProgress) => void;
  /** Why a walk stopped early (it starts again with the next process). */
  readonly log?: (message: string, error?: unknown) => void;
}

export interface RecordRebuildProgress {
  readonly usersLookedAt: number;
  readonly recordsWritten: number;
  readonly usersPerSecond: number;
  readonly elapsedMs: number;
}

export type RecordRebuildOutcome = 'current' | 'rebuilt' | 'stopped' | 'failed';

export class RecordRebuild {
  private stopping = false;
  private walk: Promise<RecordRebuildOutcome> | undefined;
  private wakeFromPause: (() => void) | undefined;

  constructor(
    private readonly store: PolicyTestStore,
    private readonly options: RecordRebuildOptions = {},
  ) {}

  /** Start the walk unless one was started (a stopped rebuild stays stopped); resolves with how it ended. */
  start(): Promise<RecordRebuildOutcome> {
    this.walk ??= this.run().catch((err: unknown) => {
      this.options.log?.('identity-record rebuild stopped', err);
      return 'failed' as const;
    });
    return this.walk;
  }

  /** End the walk after the slice in hand (what it wrote stays written). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeFromPause?.();
    await this.walk;
  }

  private async run(): Promise<RecordRebuildOutcome> {
    if ((await this.store.recordsVersion()) === IDENTITY_RECORD_VERSION) return 'current';
    const sliceUsers = this.options.sliceUsers ?? 500;
    const progressMs = this.options.progressMs ?? 10_000;
    const started = Date.now();
    let lastReport = started;
    let usersLookedAt = 0;
    let recordsWritten = 0;
    const progress = (): RecordRebuildProgress => {
      const elapsedMs = Date.now() - started;
      return { usersLookedAt, recordsWritten, usersPerSecond: elapsedMs > 0 ? Math.round((usersLookedAt * 1000) / elapsedMs) : 0, elapsedMs };
    };
    let afterSeq = 0;
    for (;;) {
      if (this.stopping) return 'stopped';
      const slice = await this.store.rebuildRecords(afterSeq, sliceUsers);
      if (slice.lastSeq === null) break;
      usersLookedAt += slice.usersLookedAt;
      recordsWritten += slice.rewritten;
      afterSeq = slice.lastSeq;
      if (Date.now() - lastReport >= progressMs) {
        lastReport = Date.now();
        this.options.info?.('rebuilding identity records', progress());
      }
      await this.pause();
    }
    await this.store.markRecordsVersion(IDENTITY_RECORD_VERSION);
    if (usersLookedAt > 0) this.options.info?.(`identity records are of version ${IDENTITY_RECORD_VERSION}`, progress());
    return 'rebuilt';
  }

  private pause(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.options.pauseMs ?? 10);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeFromPause = done;
    });
  }
}
