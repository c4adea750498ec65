// fast-check arbitraries from the JSON Schemas of the served OpenAPI document: values that
// mostly pass validation (so requests reach the handlers, not only the validator). Generic over
// the schema keywords the document uses; anything domain-specific (real ids of the account,
// plausible IPs and durations) comes in through `stringFor`, keyed by property name.

import fc from 'fast-check';

export type Schema = { readonly [key: string]: unknown };

export interface SchemaArbitraryOptions {
  /** Strings for a property of this name (real ids, domains, ...), or undefined to use the schema alone. */
  readonly stringFor?: (property: string) => fc.Arbitrary<string> | undefined;
  /** Longest generated string when the schema allows more (huge strings are the mutation layer's job). */
  readonly maxStringLength?: number;
  /** Most items of a generated array beyond its minItems. */
  readonly extraItems?: number;
}

const DEFAULT_MAX_STRING = 24;
const DEFAULT_EXTRA_ITEMS = 3;
/** Bounds for numbers whose schema gives none: large enough to matter, small enough to be plausible. */
const DEFAULT_NUMBER_BOUND = 1_000_000;

/** Mostly plain characters (readable names), now and then any grapheme. */
const STRING_UNIT = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-_.@ ') },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
);

const isSchema = (value: unknown): value is Schema => typeof value === 'object' && value !== null && !Array.isArray(value);

/** An arbitrary of values valid against `schema` (nearly always: patterns and formats are honoured too). */
export function schemaArbitrary(schema: unknown, options: SchemaArbitraryOptions = {}, property = ''): fc.Arbitrary<unknown> {
  if (!isSchema(schema)) return fc.jsonValue({ maxDepth: 2 });
  const value = nonNullArbitrary(schema, options, property);
  return schema.nullable === true ? fc.oneof({ weight: 9, arbitrary: value }, { weight: 1, arbitrary: fc.constant(null) }) : value;
}

function nonNullArbitrary(schema: Schema, options: SchemaArbitraryOptions, property: string): fc.Arbitrary<unknown> {
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return fc.constantFrom(...(schema.enum as unknown[]));
  const alternatives = (schema.oneOf ?? schema.anyOf) as unknown[] | undefined;
  if (Array.isArray(alternatives) && alternatives.length > 0) return fc.oneof(...alternatives.map((a) => schemaArbitrary(a, options, property)));
  switch (schema.type) {
    case 'object':
      return objectArbitrary(schema, options);
    case 'array':
      return arrayArbitrary(schema, options, property);
    case 'string':
      return stringArbitrary(schema, options, property);
    case 'integer':
      return fc.integer(bounds(schema, -DEFAULT_NUMBER_BOUND, DEFAULT_NUMBER_BOUND));
    case 'number':
      return fc.double({ ...bounds(schema, -DEFAULT_NUMBER_BOUND, DEFAULT_NUMBER_BOUND), noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function bounds(schema: Schema, min: number, max: number): { min: number; max: number } {
  const lo = typeof schema.minimum === 'number' ? schema.minimum : Math.min(min, typeof schema.maximum === 'number' ? schema.maximum : min);
  const hi = typeof schema.maximum === 'number' ? schema.maximum : Math.max(max, lo);
  return { min: lo, max: hi };
}

function objectArbitrary(schema: Schema, options: SchemaArbitraryOptions): fc.Arbitrary<unknown> {
  const properties = isSchema(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, sub] of Object.entries(properties)) model[name] = schemaArbitrary(sub, options, name);
  const known = fc.record(model, { requiredKeys: Object.keys(properties).filter((name) => required.has(name)) });
  const additional = schema.additionalProperties;
  if (additional === undefined || additional === false) return known;
  // Free-form parts (an IdP's config, an identity's claims) get a few fields of their own.
  const extraValue = isSchema(additional) ? schemaArbitrary(additional, options) : fc.jsonValue({ maxDepth: 2 });
  const minKeys = Math.max(0, (typeof schema.minProperties === 'number' ? schema.minProperties : 0) - required.size);
  const extras = fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), extraValue, { minKeys, maxKeys: minKeys + 3 });
  return fc.tuple(known, extras).map(([k, e]) => ({ ...e, ...(k as object) }));
}

function arrayArbitrary(schema: Schema, options: SchemaArbitraryOptions, property: string): fc.Arbitrary<unknown> {
  const minLength = typeof schema.minItems === 'number' ? schema.minItems : 0;
  const cap = minLength + (options.extraItems ?? DEFAULT_EXTRA_ITEMS);
  const maxLength = typeof schema.maxItems === 'number' ? Math.min(schema.maxItems, cap) : cap;
  const items = schemaArbitrary(schema.items, options, property);
  return schema.uniqueItems === true ? fc.uniqueArray(items, { minLength, maxLength, selector: (v) => JSON.stringify(v) }) : fc.array(items, { minLength, maxLength });
}

function stringArbitrary(schema: Schema, options: SchemaArbitraryOptions, property: string): fc.Arbitrary<unknown> {
  const hinted = options.stringFor?.(property);
  const plain = plainString(schema, options);
  // A hint is what a real client would send; the schema's own strings keep the validator busy.
  return hinted === undefined ? plain : fc.oneof({ weight: 4, arbitrary: hinted }, { weight: 1, arbitrary: plain });
}

function plainString(schema: Schema, options: SchemaArbitraryOptions): fc.Arbitrary<string> {
  switch (schema.format) {
    case 'email':
      return fc.emailAddress();
    case 'uri':
      return fc.webUrl();
    case 'date-time':
      return fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
    case 'ipv4':
      return fc.ipV4();
    case 'ipv6':
      return fc.ipV6();
  }
  if (typeof schema.pattern === 'string') return fc.stringMatching(new RegExp(schema.pattern));
  const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const limit = Math.max(minLength, options.maxStringLength ?? DEFAULT_MAX_STRING);
  const maxLength = typeof schema.maxLength === 'number' ? Math.min(schema.maxLength, limit) : limit;
  return fc.string({ minLength, maxLength, unit: STRING_UNIT });
}
