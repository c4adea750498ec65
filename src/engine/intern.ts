// Bounded tables of canonical strings for low-cardinality values (domains, countries, IdP ids,
// risk levels, group names). Rules and identities that share a value then share one string
// object, and each canonical value also has a small integer *key*, so the compiled hot path
// compares integers held in the identity object instead of following pointers to strings.
//
// Bounded so that hostile input cannot grow them without limit; past the bound, new values
// get no key and are not interned (still correct, only slower: callers fall back to strings).
//
// The invariant every user of keys relies on: a table never forgets or renumbers a value, and
// a value gets a key on first sight unless the table is full. So if a rule's value has a key,
// every identity value equal to it has that same key, whether it was prepared before or after
// the rule was compiled; an identity value without a key equals no keyed rule value.

/** The key of a value that is absent or could not be interned. Never equal to a real key. */
export const NO_KEY = -1;

/** Values each table holds at most. */
export const INTERN_LIMIT = 100_000;

export class Interner {
  private readonly keys = new Map<string, number>();
  private readonly values: string[] = [];

  constructor(readonly limit: number) {}

  /** The value's key, adding the value when there is room; NO_KEY when the table is full. */
  key(value: string): number {
    const known = this.keys.get(value);
    if (known !== undefined) return known;
    if (this.values.length >= this.limit) return NO_KEY;
    const key = this.values.length;
    this.keys.set(value, key);
    this.values.push(value);
    return key;
  }

  /** The canonical string equal to value (value itself when the table is full). */
  intern(value: string): string {
    return this.canonical(value, this.key(value));
  }

  /** The canonical string of a value whose key was just looked up (saves a second lookup). */
  canonical(value: string, key: number): string {
    return key === NO_KEY ? value : this.values[key];
  }

  get size(): number {
    return this.values.length;
  }
}

/** Domains, countries, IdP ids, risk levels and the strings of validated rules. */
export const VALUES = new Interner(INTERN_LIMIT);

/**
 * IdP group names, group emails (lower-cased) and group object ids, kept apart from VALUES so
 * that a directory with very many groups cannot crowd out domains and countries.
 */
export const GROUP_NAMES = new Interner(INTERN_LIMIT);

export function intern(value: string): string {
  return VALUES.intern(value);
}
