// UUIDs of version 7 (RFC 9562): 48 bits of Unix time in milliseconds, then random bits. New
// ids sort after older ones, so the primary-key and unique indexes they go into grow at their
// end instead of at random places: fewer pages touched per commit, on SQLite and PostgreSQL.
// They are ordinary UUIDs to every client (Cloudflare's SDK only carries them as strings).

import { randomFillSync } from 'node:crypto';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const bytes = new Uint8Array(16);

// Random bytes fetched 10 ids' worth at a time would still be one system call per id; an import
// of a million users made them its largest cost. A pool refilled every 6,553 ids is not.
const POOL = new Uint8Array(65_530);
let poolAt = POOL.length;

export function timeOrderedUuid(now = Date.now()): string {
  if (poolAt === POOL.length) {
    randomFillSync(POOL);
    poolAt = 0;
  }
  bytes.set(POOL.subarray(poolAt, poolAt + 10), 6);
  poolAt += 10;
  // 48-bit big-endian timestamp (Date.now() fits in 48 bits until the year 10889).
  let t = now;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = t % 256;
    t = Math.floor(t / 256);
  }
  bytes[6] = (bytes[6] & 0x0f) | 0x70; // version 7
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 9562 variant
  const h = Array.from(bytes, (b) => HEX[b]);
  return `${h[0]}${h[1]}${h[2]}${h[3]}-${h[4]}${h[5]}-${h[6]}${h[7]}-${h[8]}${h[9]}-${h[10]}${h[11]}${h[12]}${h[13]}${h[14]}${h[15]}`;
}
