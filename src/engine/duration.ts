// Go's time.ParseDuration grammar: an optional sign, then one or more decimal numbers each
// followed by a unit (ns, us, µs, μs, ms, s, m, h); "0" alone is also valid.

const UNIT_NS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3, // U+00B5 micro sign
  'μs': 1e3, // U+03BC Greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

const TERM = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

export interface ParsedDuration {
  /** Total length in nanoseconds (a float: exact enough for session lengths). */
  readonly ns: number;
  /** The units used, in order, e.g. ["h", "m"] for "2h45m". */
  readonly units: readonly string[];
}

export function parseGoDuration(text: string): ParsedDuration | undefined {
  if (text === '0' || text === '+0' || text === '-0') return { ns: 0, units: [] };
  let i = 0;
  let sign = 1;
  if (text[0] === '-' || text[0] === '+') {
    sign = text[0] === '-' ? -1 : 1;
    i = 1;
  }
  if (i >= text.length) return undefined;
  let total = 0;
  const units: string[] = [];
  while (i < text.length) {
    TERM.lastIndex = i;
    const m = TERM.exec(text);
    if (m === null) return undefined;
    total += Number(m[1]) * UNIT_NS[m[2]];
    units.push(m[2]);
    i = TERM.lastIndex;
  }
  // Go's Duration is an int64 of nanoseconds (about 292 years); longer is an overflow error.
  // (Compared as a float, so exact only to within a rounding step of the limit.)
  if (total > MAX_DURATION_NS) return undefined;
  return { ns: sign * total, units };
}

const MAX_DURATION_NS = 2 ** 63;

export const HOUR_NS = 3600e9;
