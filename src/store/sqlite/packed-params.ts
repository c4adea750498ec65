// Parameter sets sent to a statement worker as one text rather than as many small values:
// postMessage clones each string on its own, which for an import's hundreds of thousands of
// values costs both threads far more than one join and one split.

/**
 * Parameter sets of equal width holding only strings and nulls (an import's rows) as one text:
 * the width, then every value, each after a U+0000 (which no stored text holds: imports refuse
 * it), a null as a lone U+0001. Undefined when some value cannot be said so (a number, a string
 * holding U+0000 or starting with U+0001): those go as JSON.
 */
export function packedParams(paramSets: readonly (readonly unknown[])[]): string | undefined {
  const width = paramSets[0]?.length ?? 0;
  if (width === 0) return undefined;
  // Joined a set at a time: far cheaper than pushing every value onto one array.
  const joined: string[] = [String(width)];
  for (const params of paramSets) {
    if (params.length !== width) return undefined;
    let hasNull = false;
    for (const value of params) {
      if (value === null) hasNull = true;
      else if (typeof value !== 'string' || value.charCodeAt(0) === 1 || value.includes('\u0000')) return undefined;
    }
    // join() would write a null as "".
    joined.push((hasNull ? params.map((value) => value ?? PACKED_NULL) : params).join('\u0000'));
  }
  return joined.join('\u0000');
}

/** The first parameter of a runEach whose second is packedParams' text. */
export const PACKED = '\u0000packed';
const PACKED_NULL = '\u0001';

/** packedParams' text as its parameter sets. */
export function unpackParams(text: string): (string | null)[][] {
  const parts = text.split('\u0000');
  const width = Number(parts[0]);
  if (!(Number.isInteger(width) && width > 0) || (parts.length - 1) % width !== 0) throw new Error(`packed parameters of width ${parts[0]} do not divide ${parts.length - 1} values`);
  const sets: (string | null)[][] = [];
  for (let start = 1; start + width <= parts.length; start += width) {
    const params: (string | null)[] = parts.slice(start, start + width);
    for (let i = 0; i < width; i++) if (params[i] === PACKED_NULL) params[i] = null;
    sets.push(params);
  }
  return sets;
}
