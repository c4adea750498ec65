// Authentication method references (RFC 8176), as a bit mask: an identity's `amr` list becomes
// one small integer, so an `auth_method` rule is a mask test, not a scan of a string array.
// Values outside the registry get no bit; rules naming one compare against the list itself.

const REGISTERED = [
  'face', 'fpt', 'geo', 'hwk', 'iris', 'kba', 'mca', 'mfa', 'otp', 'pin', 'pop',
  'pwd', 'rba', 'retina', 'sc', 'sms', 'swk', 'tel', 'user', 'vbm', 'wia',
] as const;

// 21 bits: the mask stays a small integer in every engine.
const BITS = new Map<string, number>(REGISTERED.map((value, i) => [value, 1 << i]));

/** The bit of a registered value (exact, case-sensitive, as `amr` values are); 0 otherwise. */
export function amrBit(method: string): number {
  return BITS.get(method) ?? 0;
}

/** The bits of the registered values among `methods`. */
export function amrMask(methods: readonly string[]): number {
  let mask = 0;
  for (const m of methods) mask |= amrBit(m);
  return mask;
}
