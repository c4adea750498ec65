// UUIDs of version 7 (RFC 9562): 48 bits of Unix time in milliseconds, then random bits. New
// ids sort after older ones, so the primary-key and unique indexes they go into grow at their
// end instead of at random places: fewer pages touched per commit, on SQLite and PostgreSQL.
// They are ordinary UUIDs to every client (Cloudflare's SDK only carries them as strings).

import { randomFillSync } from 'node:crypto';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

// Random bytes fetched 10 ids' worth at a time would still be one system call per id; an import
// of a million users made them its largest cost. A pool refilled every 6,553 ids is not.
const POOL = new Uint8Array(65_530);
let poolAt = POOL.length;

/** The id's first 12 hex digits, for the millisecond they were last made for. */
let stampAt = -1;
let stampHex = '';

function timeHex(now: number): string {
  if (now !== stampAt) {
    // 48-bit big-endian timestamp (Date.now() fits in 48 bits until the year 10889).
    let hex = '';
    let t = now;
    for (let i = 5; i >= 0; i--) {
      hex = HEX[t % 256] + hex;
      t = Math.floor(t / 256);
    }
    stampAt = now;
    stampHex = `${hex.slice(0, 8)}-${hex.slice(8)}`;
  }
  return stampHex;
}

export function timeOrderedUuid(now = Date.now()): string {
  if (poolAt === POOL.length) {
    randomFillSync(POOL);
    poolAt = 0;
  }
  const r = POOL.subarray(poolAt, poolAt + 10);
  poolAt += 10;
  // Version 7 in the first nibble of byte 6, RFC 9562's variant in the top bits of byte 8.
  return (
    `${timeHex(now)}-${HEX[(r[0]! & 0x0f) | 0x70]}${HEX[r[1]!]}-${HEX[(r[2]! & 0x3f) | 0x80]}${HEX[r[3]!]}-` +
    `${HEX[r[4]!]}${HEX[r[5]!]}${HEX[r[6]!]}${HEX[r[7]!]}${HEX[r[8]!]}${HEX[r[9]!]}`
  );
}
