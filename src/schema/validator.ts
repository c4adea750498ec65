// Request validation with Ajv against the routes' JSON Schemas, reported in the same
// vocabulary as the engine's validation issues (code, message, JSON pointer).

import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { jsonType, quote } from '../engine/index.js';
import type { ApiValidationCode, RequestIssue } from './issues.js';
import type { Static, TObject, TSchema } from './json-schema.js';

// ajv-formats is CommonJS; its default export arrives wrapped under NodeNext resolution.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

function makeAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    verbose: true,
    strict: false,
    coerceTypes: coerce,
    useDefaults: coerce,
    removeAdditional: false,
    // Infinity and NaN are no JSON numbers: a query's page=1e400 is not an integer.
    strictNumbers: true,
  });
  addFormats(ajv);
  return ajv;
}

/** Bodies are checked as sent; query strings are coerced ("2" → 2) and get their defaults. */
const bodyAjv = makeAjv(false);
const queryAjv = makeAjv(true);

export type Validator = (value: unknown) => RequestIssue[];

const FORMAT_CODES: Record<string, ApiValidationCode> = {
  email: 'invalid_email',
  uri: 'invalid_url',
  ipv4: 'invalid_ip',
  ipv6: 'invalid_ip',
};

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

function issueFor(error: ErrorObject): RequestIssue {
  const at = error.instancePath;
  const p = error.params as Record<string, unknown>;
  const schema = error.parentSchema as Record<string, unknown> | undefined;
  switch (error.keyword) {
    case 'type': {
      const expected = String(p.type).split(',').map((t) => TYPE_WORDS[t] ?? t).join(' or ');
      return { code: 'invalid_type', pointer: at, message: `Expected ${expected}, got ${jsonType(error.data)}.` };
    }
    case 'required':
      return { code: 'required', pointer: `${at}/${String(p.missingProperty)}`, message: `Missing required field "${String(p.missingProperty)}".` };
    case 'additionalProperties':
      return { code: 'unknown_field', pointer: `${at}/${String(p.additionalProperty)}`, message: `Unknown field ${quote(p.additionalProperty)}.` };
    case 'enum':
    case 'const': {
      const allowed = (p.allowedValues as unknown[] | undefined) ?? [p.allowedValue];
      return { code: 'invalid_enum', pointer: at, message: `Expected one of ${allowed.map((v) => String(v)).join(', ')}, got ${quote(error.data)}.` };
    }
    case 'minLength':
      return Number(p.limit) === 1
        ? { code: 'empty_string', pointer: at, message: 'Must not be empty.' }
        : { code: 'invalid_format', pointer: at, message: `Must be at least ${String(p.limit)} characters long.` };
    case 'maxLength':
      return { code: 'too_long', pointer: at, message: `Must be at most ${String(p.limit)} characters long.` };
    case 'minimum':
    case 'exclusiveMinimum':
      return { code: 'min_value', pointer: at, message: `Must be ${error.keyword === 'minimum' ? 'at least' : 'more than'} ${String(p.limit)}, got ${quote(error.data)}.` };
    case 'maximum':
    case 'exclusiveMaximum':
      return { code: 'max_value', pointer: at, message: `Must be ${error.keyword === 'maximum' ? 'at most' : 'less than'} ${String(p.limit)}, got ${quote(error.data)}.` };
    case 'minItems':
      return { code: 'min_items', pointer: at, message: `Needs at least ${String(p.limit)} item${Number(p.limit) === 1 ? '' : 's'}.` };
    case 'maxItems':
      return { code: 'max_items', pointer: at, message: `Holds at most ${String(p.limit)} items.` };
    case 'uniqueItems':
      return { code: 'duplicate_entry', pointer: `${at}/${String(p.i)}`, message: `Item ${String(p.i)} repeats item ${String(p.j)}.` };
    case 'format': {
      const format = String(p.format);
      return { code: FORMAT_CODES[format] ?? 'invalid_format', pointer: at, message: `Expected ${format === 'date-time' ? 'an RFC 3339 date-time' : `a valid ${format}`}, got ${quote(error.data)}.` };
    }
    case 'pattern': {
      const hint = schema?.['x-pattern-hint'];
      return { code: 'invalid_format', pointer: at, message: `Expected ${typeof hint === 'string' ? hint : `a value matching ${String(p.pattern)}`}, got ${quote(error.data)}.` };
    }
    case 'anyOf':
    case 'oneOf': {
      const description = schema?.description;
      return { code: 'invalid_type', pointer: at, message: `Expected ${typeof description === 'string' ? description.charAt(0).toLowerCase() + description.slice(1) : 'one of the allowed shapes'}` };
    }
    case 'minProperties':
      return { code: 'required', pointer: at, message: `Needs at least ${String(p.limit)} field${Number(p.limit) === 1 ? '' : 's'}.` };
    default:
      return { code: 'invalid_format', pointer: at, message: `Invalid value: ${error.message ?? error.keyword}.` };
  }
}

/** A value checked against a schema: the value, typed as the schema says, or every issue. */
export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issues: RequestIssue[] };

function compile<T extends TSchema>(ajv: Ajv, schema: T): (value: unknown) => Checked<Static<T>> {
  const validate: ValidateFunction<Static<T>> = ajv.compile<Static<T>>(schema);
  return (value) => {
    if (validate(value)) return { ok: true, value };
    const errors = validate.errors ?? [];
    // A failed anyOf/oneOf is one problem, not one per alternative that did not fit.
    const alternatives = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => `${e.schemaPath}/`);
    const seen = new Set<string>();
    const issues: RequestIssue[] = [];
    for (const error of errors) {
      if (alternatives.some((prefix) => error.schemaPath.startsWith(prefix))) continue;
      const issue = issueFor(error);
      const key = `${issue.pointer}\n${issue.code}`;
      if (!seen.has(key)) {
        seen.add(key);
        issues.push(issue);
      }
    }
    return { ok: false, issues };
  };
}

const issuesOf = (checked: Checked<unknown>): RequestIssue[] => (checked.ok ? [] : checked.issues);

/** Checks a request body as sent, typing it as the schema says when it holds. */
export const bodyChecker = <T extends TSchema>(schema: T): ((value: unknown) => Checked<Static<T>>) => compile(bodyAjv, schema);

/** The issues of a request body (none when it holds). */
export function bodyValidator(schema: TSchema): Validator {
  const check = bodyChecker(schema);
  return (value) => issuesOf(check(value));
}

/**
 * The spellings of a boolean query parameter Cloudflare's API (Go: strconv.ParseBool) reads. Python
 * clients send True/False (requests writes a Python bool so), which Ajv alone would refuse.
 */
const QUERY_BOOLEANS: Readonly<Record<string, boolean>> = {
  true: true, True: true, TRUE: true, t: true, T: true, 1: true,
  false: false, False: false, FALSE: false, f: false, F: false, 0: false,
};

/** Validates (and coerces, in place) a parsed query string. */
export function queryValidator(schema: TObject): Validator {
  const check = compile(queryAjv, schema);
  const properties = schema.properties;
  const numeric = Object.keys(properties).filter((name) => properties[name].type === 'integer' || properties[name].type === 'number');
  const repeatable = Object.keys(properties).filter((name) => properties[name].type === 'array');
  const booleans = Object.keys(properties).filter((name) => properties[name].type === 'boolean');
  return (value) => {
    // A parameter given once arrives as a string, repeated as an array: an array parameter is either.
    if (typeof value === 'object' && value !== null) {
      const values = value as Record<string, unknown>;
      for (const name of repeatable) if (typeof values[name] === 'string') values[name] = [values[name]];
      for (const name of booleans) {
        const spelled = values[name];
        if (typeof spelled === 'string' && Object.hasOwn(QUERY_BOOLEANS, spelled)) values[name] = QUERY_BOOLEANS[spelled];
      }
    }
    // Ajv coerces "1e400" to Infinity and lets it through every numeric check.
    const overflows = nonFiniteNumbers(value, numeric);
    return overflows.length > 0 ? overflows : issuesOf(check(value));
  };
}

function nonFiniteNumbers(query: unknown, numeric: readonly string[]): RequestIssue[] {
  if (typeof query !== 'object' || query === null) return [];
  const values = query as Record<string, unknown>;
  return numeric.flatMap((name) =>
    [values[name]]
      .flat()
      .filter((v): v is string => typeof v === 'string' && v.trim() !== '' && Number.isNaN(Number(v)) === false && !Number.isFinite(Number(v)))
      .map((v) => ({ code: 'max_value' as const, pointer: `/${name}`, message: `Must be a finite number, got ${quote(v)}.` })),
  );
}
