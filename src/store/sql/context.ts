// What every SQL repository works with: the executor (the reader connection or an open
// transaction), the dialect's SQL fragments, and where writes note their changes for the audit
// log.

import type { AuditChange } from '../audit.js';
import type { DialectSql } from '../dialect.js';
import type { Executor } from '../driver.js';
import type { SecretSealer } from '../secret-sealer.js';

export interface SqlContext {
  readonly ex: Executor;
  /** Where reads that may take long run: the driver's scanner outside a transaction, else `ex`. */
  readonly scan: Executor;
  readonly sql: DialectSql;
  /** Whether writes are audited: only then do they read the value before a change. */
  readonly audited: boolean;
  /** Note what a write changed, for the audit log (nothing happens when not audited). */
  note(change: AuditChange): void;
  /** Seals secret fields as bodies are written and opens them as they are read. */
  readonly secrets: SecretSealer;
}

/** `changes`: where writes note what they changed (absent: not audited). */
export function sqlContext(ex: Executor, sql: DialectSql, secrets: SecretSealer, changes?: AuditChange[], scan: Executor = ex): SqlContext {
  return { ex, scan, sql, secrets, audited: changes !== undefined, note: (change) => changes?.push(change) };
}

/** Escape a user's search text for LIKE ... ESCAPE '\'. */
export function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => '\\' + c)}%`;
}

export const now = (): string => new Date().toISOString();
