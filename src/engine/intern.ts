// A bounded pool of canonical strings for low-cardinality values (domains, countries, IdP ids,
// risk levels). Rules and identities that share a value then share one string object, so the
// hot path's `===` is usually a pointer comparison and the compared bytes stay in cache.
// Bounded so that hostile input cannot grow it without limit; past the bound, values are
// simply not interned (still correct, only slower).

const MAX_POOL = 100_000;
const pool = new Map<string, string>();

export function intern(value: string): string {
  const canonical = pool.get(value);
  if (canonical !== undefined) return canonical;
  if (pool.size < MAX_POOL) pool.set(value, value);
  return value;
}
