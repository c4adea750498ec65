// The mutation layer of the API fuzzer: from a (mostly valid) JSON value to one that is wrong
// in one place (a wrong type, a missing or extra field, a huge string, deep nesting, odd
// unicode, odd numbers), and from JSON text to bytes that are wrong as a whole (truncated,
// invalid UTF-8, not an object, garbage). Deep nesting and numbers JSON.stringify cannot write
// (1e400) are spliced into the text, so building them never recurses on the fuzzer's side.

import fc from 'fast-check';

/** A JSON value plus raw JSON texts to splice in where a placeholder string stands. */
export interface MutatedValue {
  readonly value: unknown;
  readonly splices: ReadonlyMap<string, string>;
  /** What was done where, for the failure report. */
  readonly label: string;
}

/** The body limit the fuzzer aims huge strings at (near and over it); the server's default. */
export const FUZZ_BODY_LIMIT = 1024 * 1024;

const PLACEHOLDER_PREFIX = '\u0000splice:';

/** Strings that break naive code: lone surrogates, NUL, bidi overrides, emoji, combining marks, case folding oddities. */
export const UNICODE_ODDITIES: readonly string[] = [
  '\uD800',
  'x\uDC00y',
  'a\u0000b',
  '\u0000',
  '\u202Egnp.exe',
  '\u200F\u05E9\u05DC\u05D5\u05DD',
  '😀👍🏽👩‍👩‍👧',
  'e\u0301\u0301\u0301',
  '\uFEFFname',
  'line\u2028sep\u2029',
  'İstanbul',
  'STRASSE ß ﬀ',
  'Ａｄａ＠ｅｘａｍｐｌｅ．ｃｏｍ',
  'ada@exämple.com',
  '\u001b[31mred',
  '%00%2e%2e%2f',
  '../../etc/passwd',
  "'; DROP TABLE resources; --",
  '{"json":"in a string"}',
  '\\u0000',
  ' ',
  '',
];

/** Numbers at the edges, written as JSON text (some are beyond what a double holds). */
const ODD_NUMBER_TEXTS: readonly string[] = ['1e400', '-1e400', '123456789012345678901234567890', '9007199254740993', '-0', '1.0', '1e-400', '0.1', '-1', '2147483648', '-9223372036854775809', '1E2'];

type Segment = string | number;

/** Every location in a JSON value (the root included), as paths of keys and indexes. */
function locations(value: unknown, path: Segment[] = [], out: Segment[][] = []): Segment[][] {
  out.push(path);
  if (Array.isArray(value)) value.forEach((item, i) => locations(item, [...path, i], out));
  else if (typeof value === 'object' && value !== null) for (const [key, item] of Object.entries(value)) locations(item, [...path, key], out);
  return out;
}

const clone = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

/** Set an own property even for keys like __proto__ (a plain assignment would change the prototype). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Replace the value at `path` (the root when empty) and return the new root. */
function replaceAt(root: unknown, path: readonly Segment[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const parent = path.slice(0, -1).reduce<any>((node, key) => node[key], root);
  const last = path[path.length - 1];
  if (Array.isArray(parent)) parent[last as number] = replacement;
  else setOwn(parent, String(last), replacement);
  return root;
}

function removeAt(root: unknown, path: readonly Segment[]): unknown {
  if (path.length === 0) return undefined;
  const parent = path.slice(0, -1).reduce<any>((node, key) => node[key], root);
  const last = path[path.length - 1];
  if (Array.isArray(parent)) parent.splice(last as number, 1);
  else delete parent[last];
  return root;
}

const pointer = (path: readonly Segment[]): string => (path.length === 0 ? '(root)' : '/' + path.join('/'));

/** What to put somewhere: a value, or raw JSON text spliced in. */
type Payload = { readonly kind: 'value'; readonly value: unknown; readonly what: string } | { readonly kind: 'raw'; readonly text: string; readonly what: string };

/** A string of `length` characters made of `unit` (multi-byte units make it longer in bytes). */
const longString = (unit: string, length: number): string => unit.repeat(Math.ceil(length / unit.length)).slice(0, length);

/** Nested arrays or objects `depth` levels deep, as JSON text. */
export function deepJson(depth: number, style: 'array' | 'object'): string {
  return style === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

const wrongTypePayload: fc.Arbitrary<Payload> = fc
  .oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.double({ noNaN: true }), fc.string({ maxLength: 8 }), fc.array(fc.integer(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 2 }))
  .map((value) => ({ kind: 'value', value, what: `wrong type (${JSON.stringify(value)})` }));

/** Sizes around the body limit, and a few merely large ones. */
const hugeLength: fc.Arbitrary<number> = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 5_000, max: 100_000 }) },
  { weight: 2, arbitrary: fc.constantFrom(FUZZ_BODY_LIMIT - 200, FUZZ_BODY_LIMIT - 1, FUZZ_BODY_LIMIT + 1, FUZZ_BODY_LIMIT + 200) },
  { weight: 1, arbitrary: fc.constant(2 * FUZZ_BODY_LIMIT) },
);

const hugeStringPayload: fc.Arbitrary<Payload> = fc
  .tuple(fc.constantFrom('x', 'é', '😀', '\u0000', 'a@', '\\'), hugeLength)
  .map(([unit, length]) => ({ kind: 'value', value: longString(unit, length), what: `huge string (${length} × ${JSON.stringify(unit)})` }));

const deepPayload: fc.Arbitrary<Payload> = fc
  .tuple(fc.constantFrom(64, 1_000, 5_000, 20_000, 100_000), fc.constantFrom<'array' | 'object'>('array', 'object'))
  .map(([depth, style]) => ({ kind: 'raw', text: deepJson(depth, style), what: `${style}s nested ${depth} deep` }));

const unicodePayload: fc.Arbitrary<Payload> = fc
  .tuple(fc.constantFrom(...UNICODE_ODDITIES), fc.constantFrom('alone', 'prefix', 'suffix'))
  .map(([odd, where]) => ({ kind: 'value', value: odd, what: `unicode oddity ${JSON.stringify(odd)} (${where})` }));

const numberPayload: fc.Arbitrary<Payload> = fc.oneof(
  fc.constantFrom(...ODD_NUMBER_TEXTS).map((text): Payload => ({ kind: 'raw', text, what: `number ${text}` })),
  fc.constantFrom(Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, Number.MAX_SAFE_INTEGER + 2, 0.5, -1).map((value): Payload => ({ kind: 'value', value, what: `number ${value}` })),
);

const manyItemsPayload: fc.Arbitrary<Payload> = fc
  .tuple(fc.constantFrom(1_000, 10_000, 50_000), fc.constantFrom<unknown>(1, 'x', {}, { id: 'x' }, null))
  .map(([count, item]) => ({ kind: 'value', value: new Array(count).fill(item), what: `${count} items of ${JSON.stringify(item)}` }));

const emptyPayload: fc.Arbitrary<Payload> = fc.constantFrom<unknown>('', [], {}, 0).map((value) => ({ kind: 'value', value, what: `empty ${JSON.stringify(value)}` }));

/** Keys worth adding: prototype-polluting ones, ones the server sets itself, empty, long. */
const extraKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'id', 'created_at', 'account_id', '', ' ', 'k'.repeat(2_000), '\u0000', 'é'),
  fc.string({ minLength: 1, maxLength: 10 }),
);

type MutationKind = 'wrong_type' | 'drop_field' | 'extra_field' | 'huge_string' | 'deep_nesting' | 'unicode' | 'odd_number' | 'many_items' | 'empty';

const mutationArbitrary: fc.Arbitrary<{ kind: MutationKind; payload?: Payload; key?: string }> = fc.oneof(
  { weight: 4, arbitrary: wrongTypePayload.map((payload) => ({ kind: 'wrong_type' as const, payload })) },
  { weight: 4, arbitrary: fc.constant({ kind: 'drop_field' as const }) },
  { weight: 3, arbitrary: fc.tuple(extraKey, fc.jsonValue({ maxDepth: 2 })).map(([key, value]) => ({ kind: 'extra_field' as const, key, payload: { kind: 'value', value, what: '' } as Payload })) },
  { weight: 1, arbitrary: hugeStringPayload.map((payload) => ({ kind: 'huge_string' as const, payload })) },
  { weight: 1, arbitrary: deepPayload.map((payload) => ({ kind: 'deep_nesting' as const, payload })) },
  { weight: 3, arbitrary: unicodePayload.map((payload) => ({ kind: 'unicode' as const, payload })) },
  { weight: 2, arbitrary: numberPayload.map((payload) => ({ kind: 'odd_number' as const, payload })) },
  { weight: 1, arbitrary: manyItemsPayload.map((payload) => ({ kind: 'many_items' as const, payload })) },
  { weight: 1, arbitrary: emptyPayload.map((payload) => ({ kind: 'empty' as const, payload })) },
);

/** `valid` with one mutation applied at one of its locations. */
export function mutatedValue(valid: fc.Arbitrary<unknown>): fc.Arbitrary<MutatedValue> {
  return fc.tuple(valid, fc.nat(), mutationArbitrary).map(([original, pick, mutation]) => applyMutation(clone(original), pick, mutation));
}

function applyMutation(root: unknown, pick: number, mutation: { kind: MutationKind; payload?: Payload; key?: string }): MutatedValue {
  const all = locations(root);
  const path = all[pick % all.length];
  const node = path.reduce<any>((n, key) => n[key], root);
  const splices = new Map<string, string>();
  const at = pointer(path);
  switch (mutation.kind) {
    case 'drop_field':
      return { value: removeAt(root, path), splices, label: `removed ${at}` };
    case 'extra_field': {
      const target = typeof node === 'object' && node !== null && !Array.isArray(node) ? node : undefined;
      const key = mutation.key!;
      const value = (mutation.payload as { value: unknown }).value;
      if (target === undefined) return { value: replaceAt(root, path, { [key]: value }), splices, label: `object with field ${JSON.stringify(key.slice(0, 40))} at ${at}` };
      setOwn(target, key, value);
      return { value: root, splices, label: `extra field ${JSON.stringify(key.slice(0, 40))} at ${at}` };
    }
    default: {
      const payload = mutation.payload!;
      let replacement: unknown;
      if (payload.kind === 'raw') {
        const token = `${PLACEHOLDER_PREFIX}${splices.size}`;
        splices.set(token, payload.text);
        replacement = token;
      } else if (mutation.kind === 'unicode' && typeof node === 'string' && typeof payload.value === 'string') {
        replacement = payload.what.endsWith('(prefix)') ? payload.value + node : payload.what.endsWith('(suffix)') ? node + payload.value : payload.value;
      } else {
        replacement = payload.value;
      }
      return { value: replaceAt(root, path, replacement), splices, label: `${payload.what} at ${at}` };
    }
  }
}

/** The JSON text of a mutated value, with its raw splices in place. */
export function mutatedJsonText(mutated: MutatedValue): string {
  if (mutated.value === undefined) return '';
  let text = JSON.stringify(mutated.value);
  for (const [token, raw] of mutated.splices) text = text.replace(JSON.stringify(token), () => raw);
  return text;
}

// ------------------------------------------------------------------ bytes

/** A body that is wrong as a whole, from the JSON text a request would have had. */
export interface RawBody {
  readonly bytes: Buffer;
  readonly label: string;
}

/** Byte sequences that are not UTF-8: a lone continuation byte, an overlong slash, a UTF-16 surrogate, 0xFF, a cut sequence. */
const INVALID_UTF8: readonly number[][] = [[0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xff], [0xfe, 0xff], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc3, 0x28]];

const NOT_OBJECTS: readonly string[] = ['null', 'true', '0', '-1.5e3', '"a string"', '[]', '[{}]', '[null]', '""', '{}', '1e400'];

/** The ways a body can be broken as a whole, given its JSON text. */
export function rawBodyArbitrary(text: string): fc.Arbitrary<RawBody> {
  const bytes = Buffer.from(text, 'utf8');
  return fc.oneof(
    fc.nat({ max: Math.max(0, bytes.length - 1) }).map((cut) => ({ bytes: bytes.subarray(0, cut), label: `truncated at byte ${cut} of ${bytes.length}` })),
    fc.tuple(fc.nat({ max: bytes.length }), fc.constantFrom(...INVALID_UTF8)).map(([at, bad]) => ({
      bytes: Buffer.concat([bytes.subarray(0, at), Buffer.from(bad), bytes.subarray(at)]),
      label: `invalid UTF-8 ${Buffer.from(bad).toString('hex')} at byte ${at}`,
    })),
    fc.tuple(fc.constantFrom(...INVALID_UTF8), fc.constantFrom('name', 'email', 'value')).map(([bad, field]) => ({
      bytes: Buffer.concat([Buffer.from(`{"${field}":"`), Buffer.from(bad), Buffer.from('"}')]),
      label: `invalid UTF-8 ${Buffer.from(bad).toString('hex')} inside a string`,
    })),
    fc.constantFrom(...NOT_OBJECTS).map((json) => ({ bytes: Buffer.from(json), label: `JSON that is not an object: ${json}` })),
    fc.uint8Array({ maxLength: 64 }).map((garbage) => ({ bytes: Buffer.from(garbage), label: `garbage bytes ${Buffer.from(garbage).toString('hex')}` })),
    fc.constantFrom('', ' ', '\n\t ', '\uFEFF' + text, text + '}', text + ',', text + '\n' + text, '{"name":"a",' + text.slice(1)).map((t) => ({ bytes: Buffer.from(t), label: `reshaped text ${JSON.stringify(t.slice(0, 40))}` })),
    fc.constantFrom('{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"polluted":true}}}', '{"a":{"__proto__":{"polluted":true}}}').map((t) => ({ bytes: Buffer.from(t), label: `prototype pollution ${t}` })),
    fc.constantFrom(deepJson(100_000, 'array'), deepJson(50_000, 'object'), '['.repeat(200_000)).map((t) => ({ bytes: Buffer.from(t), label: `raw nesting of ${t.length} bytes` })),
  );
}
