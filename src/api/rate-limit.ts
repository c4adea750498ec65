// Per-credential rate limiting: a token bucket per API token (and per client IP for requests
// whose credentials fail), refilled continuously so that `limit` requests per `windowMs` are
// allowed on average with bursts up to `limit`. Counted per server process: N instances
// behind a load balancer allow up to N times the limit (docs/operations.md says so).

import ipaddr from 'ipaddr.js';
import { LRU_MOVE_MS } from './lru-move.js';

/**
 * The bucket a client address is counted in: an IPv4 address as it is (and an IPv4-mapped IPv6
 * address as its IPv4 one), an IPv6 address by its /64. Every IPv6 client is given a /64 (RFC
 * 6177): counted per address, one client would have 2^64 fresh buckets to try credentials from.
 * Anything that is not an address is its own bucket.
 */
export function clientBucket(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const address = ipaddr.process(ip);
  if (address.kind() === 'ipv4') return address.toString();
  return `${(address as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16)).join(':')}::/64`;
}

export interface RateLimitOptions {
  /** Requests allowed per window; 0 switches limiting off. */
  readonly limit: number;
  readonly windowMs: number;
  /** Buckets kept at most; the least recently used are dropped beyond this. */
  readonly maxKeys?: number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
  /** When it last moved to the recently used end of the map (at most once a second: see take). */
  movedMs: number;
}

export interface RateDecision {
  readonly allowed: boolean;
  /** Seconds until a request would be allowed again (when refused). */
  readonly retryAfterS: number;
}

/** The answer to every request let through (one object, not one per request). */
const ALLOWED: RateDecision = Object.freeze({ allowed: true, retryAfterS: 0 });

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;
  private readonly maxKeys: number;

  constructor(private readonly options: RateLimitOptions) {
    this.perMs = options.limit / options.windowMs;
    this.maxKeys = options.maxKeys ?? 100_000;
  }

  get enabled(): boolean {
    return this.options.limit > 0;
  }

  /** Take one request (or `cost` of them: outbound calls made for the caller) from `key`'s bucket. */
  take(key: string, nowMs = Date.now(), cost = 1): RateDecision {
    if (!this.enabled) return ALLOWED;
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: this.options.limit, updatedMs: nowMs, movedMs: nowMs };
      if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
      this.buckets.set(key, bucket);
    } else {
      bucket.tokens = Math.min(this.options.limit, bucket.tokens + (nowMs - bucket.updatedMs) * this.perMs);
      bucket.updatedMs = nowMs;
      // The map's order is the LRU order (the first key is dropped when full). Re-inserting on
      // every request cost a delete and an insert each; once a second keeps a busy key far from
      // the front all the same.
      if (nowMs - bucket.movedMs >= LRU_MOVE_MS) {
        bucket.movedMs = nowMs;
        this.buckets.delete(key);
        this.buckets.set(key, bucket);
      }
    }
    if (bucket.tokens >= cost) {
      bucket.tokens -= cost;
      return ALLOWED;
    }
    // A cost larger than the whole bucket can never be paid: it waits for a full bucket, then is refused again.
    return { allowed: false, retryAfterS: Math.max(1, Math.ceil((Math.min(cost, this.options.limit) - bucket.tokens) / this.perMs / 1000)) };
  }
}
