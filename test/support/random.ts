// A small seeded pseudo-random generator (mulberry32), so that generated data, benchmarks and
// chaos runs can be replayed from their seed: the same seed gives the same sequence anywhere.

export function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SeededRandom {
  /** A number in [0, 1). */
  next(): number;
  /** One of `xs`, uniformly. */
  pick<T>(xs: readonly T[]): T;
}

export function seededRandom(seed: number): SeededRandom {
  const next = mulberry32(seed);
  return { next, pick: (xs) => xs[Math.floor(next() * xs.length)] };
}
