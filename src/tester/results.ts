// Per-user results of a policy test, stored per chunk as one JSON array of rows, and the
// filters the users endpoint offers. Chunks also store how many of their rows match each
// filter, so a page is found by adding up counts and decoding at most a couple of chunks.

import { BLOCKED, GRANTED, UNKNOWN_ACCESS } from '../engine/index.js';

/** One user's result: id, email, name, access code (engine BLOCKED/GRANTED/UNKNOWN), deciding policy index, baseline access code or null. */
export type ResultRow = [id: string, email: string, name: string, access: number, deciding: number, baseline: number | null];

export type TestUserStatus = 'approved' | 'blocked' | 'error';

export const STATUS_OF_ACCESS: Readonly<Record<number, TestUserStatus>> = { [GRANTED]: 'approved', [BLOCKED]: 'blocked', [UNKNOWN_ACCESS]: 'error' };

/**
 * A policy test's percentage of `part` among the `processed` users, as Cloudflare reports it: a
 * whole number, rounded to the nearest, halves up (0 when nothing was processed). The API's
 * progress and the CLI's `test --json` both use it, so they agree to the digit. The product
 * comes first: `part * 100` is exact, so a half stays a half (23 of 40 is 57.5, which
 * `23 / 40 * 100` makes 57.49999999999999).
 */
export function percentOf(part: number, processed: number): number {
  return processed === 0 ? 0 : Math.round((part * 100) / processed);
}

/** How much of the directory a test has processed, in whole percent rounded down (so 100 means done; 100 for an empty directory). */
export function percentProcessed(processed: number, total: number): number {
  return total === 0 ? 100 : Math.floor((processed * 100) / total);
}

/** Cloudflare's users filter (`status=success|fail|error`) in our terms. */
export const FILTER_OF_QUERY: Readonly<Record<string, TestUserStatus>> = { success: 'approved', fail: 'blocked', error: 'error' };

/** The counter key of a filter: a status, "all", "changed", or "changed:<status>". */
export function filterKey(status: TestUserStatus | undefined, changedOnly: boolean): string {
  if (changedOnly) return status === undefined ? 'changed' : `changed:${status}`;
  return status ?? 'all';
}

export function rowMatches(row: ResultRow, status: TestUserStatus | undefined, changedOnly: boolean): boolean {
  if (status !== undefined && STATUS_OF_ACCESS[row[3]] !== status) return false;
  return !changedOnly || (row[5] !== null && row[5] !== row[3]);
}

/** Every counter key a row adds to. */
export function rowKeys(row: ResultRow): string[] {
  const status = STATUS_OF_ACCESS[row[3]];
  const keys = ['all', status];
  if (row[5] !== null && row[5] !== row[3]) keys.push('changed', `changed:${status}`);
  return keys;
}

export interface ChunkSlice {
  readonly chunkNo: number;
  /** Skip this many matching rows of the chunk, then take up to `take`. */
  readonly skip: number;
  readonly take: number;
}

/** Which chunks (and which of their matching rows) make up rows [offset, offset + limit). */
export function locatePage(chunks: readonly { chunkNo: number; counts: Record<string, number> | null }[], key: string, offset: number, limit: number): ChunkSlice[] {
  const slices: ChunkSlice[] = [];
  let skip = offset;
  let wanted = limit;
  for (const chunk of chunks) {
    if (wanted === 0) break;
    const n = chunk.counts?.[key] ?? 0;
    if (skip >= n) {
      skip -= n;
      continue;
    }
    const take = Math.min(n - skip, wanted);
    slices.push({ chunkNo: chunk.chunkNo, skip, take });
    wanted -= take;
    skip = 0;
  }
  return slices;
}

/**
 * The row of `userId` in a chunk's results text, found without decoding the whole chunk (a
 * chunk of a large test is megabytes). A row is `[id, email, name, ...]` with no nested
 * arrays, and inside a JSON string every `"` is escaped, so `["<id>",` can only be the start
 * of that user's row; it ends at the first `]` outside a string.
 */
export function findResultRow(text: string, userId: string): ResultRow | undefined {
  const start = text.indexOf(`[${JSON.stringify(userId)},`);
  if (start < 0) return undefined;
  let inString = false;
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5d) {
      return JSON.parse(text.slice(start, i + 1)) as ResultRow;
    }
  }
  return undefined;
}
