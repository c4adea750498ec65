// Small builders over TypeBox for the JSON Schemas that validate requests, describe them in the
// served OpenAPI document and type them in TypeScript: one declaration serves all three, so the
// document, the checks and the handlers' types cannot drift apart. The builders keep the
// project's JSON conventions where TypeBox's own differ: enums as `enum` (not anyOf of consts,
// so error messages list the allowed values), OpenAPI 3.0's `nullable`, `x-pattern-hint`.

import { OptionalKind, Type, type Static, type TArray, type TBoolean, type TInteger, type TNumber, type TObject, type TOptional, type TOptionalWithFlag, type TSchema, type TString, type TUnsafe } from '@sinclair/typebox';

export type { Static, TObject, TSchema };

/** The properties of an object schema. */
export type Properties = Record<string, TSchema>;

export interface StringOptions {
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly format?: 'email' | 'date-time' | 'uri' | 'ipv4' | 'ipv6';
  readonly pattern?: string;
  /** How a pattern reads in an error message ("a 32-character hexadecimal id"). */
  readonly patternHint?: string;
  readonly description?: string;
  readonly example?: string;
  readonly default?: string;
  /** Accepted in requests, never in answers (a secret: see secret-fields.ts). */
  readonly writeOnly?: boolean;
  /** Answered, never taken from a request (one sent back is ignored). */
  readonly readOnly?: boolean;
}

export const str = (o: StringOptions = {}): TString => {
  const { patternHint, ...rest } = o;
  return Type.String({ ...rest, ...(patternHint !== undefined ? { 'x-pattern-hint': patternHint } : {}) });
};

/** One of a few strings, as `{"type": "string", "enum": [...]}`; typed as their union. */
export const enumOf = <const T extends readonly string[]>(values: T, description?: string): TUnsafe<T[number]> =>
  Type.Unsafe<T[number]>({ type: 'string', enum: values, ...(description !== undefined ? { description } : {}) });

export const int = (o: { minimum?: number; maximum?: number; default?: number; description?: string } = {}): TInteger => Type.Integer(o);
export const num = (o: { minimum?: number; maximum?: number; description?: string } = {}): TNumber => Type.Number(o);
export const bool = (description?: string, defaultValue?: boolean): TBoolean =>
  Type.Boolean({ ...(description !== undefined ? { description } : {}), ...(defaultValue !== undefined ? { default: defaultValue } : {}) });

export const arr = <T extends TSchema>(items: T, o: { minItems?: number; maxItems?: number; uniqueItems?: boolean; description?: string } = {}): TArray<T> => Type.Array(items, o);

export interface ObjectOptions<R extends string> {
  /** Fields that must be present; the others are optional (in the schema and in the type). */
  readonly required?: readonly R[];
  /** Unknown fields: refused (false, the default) or kept. */
  readonly additional?: boolean;
  readonly description?: string;
  readonly minProperties?: number;
}

/** The properties with those not in R marked optional (and those in R required). */
export type Fields<P extends Properties, R extends keyof P> = { [K in keyof P]: K extends R ? TOptionalWithFlag<P[K], false> : TOptional<P[K]> };

/** An object that keeps fields it does not describe: typed with an index signature too. */
export interface TOpenObject<P extends Properties> extends TObject<P> {
  static: Static<TObject<P>, this['params']> & { [field: string]: unknown };
}

/** An object schema: `required` names the fields that must be present; unknown fields are refused unless `additional`. */
export function obj<P extends Properties, const R extends keyof P & string = never>(properties: P, o?: ObjectOptions<R> & { readonly additional?: false }): TObject<Fields<P, R>>;
export function obj<P extends Properties, const R extends keyof P & string = never>(properties: P, o: ObjectOptions<R> & { readonly additional: true }): TOpenObject<Fields<P, R>>;
export function obj(properties: Properties, o: ObjectOptions<string> = {}): TObject {
  const required = new Set(o.required ?? []);
  const fields = Object.fromEntries(Object.entries(properties).map(([name, schema]) => [name, Type.Optional(schema, !required.has(name))]));
  return Type.Object(fields, {
    additionalProperties: o.additional ?? false,
    ...(o.description !== undefined ? { description: o.description } : {}),
    ...(o.minProperties !== undefined ? { minProperties: o.minProperties } : {}),
  });
}

/** A value that may also be null (OpenAPI 3.0's `nullable`; an enum lists null too, as validators require). */
export const nullable = <T extends TSchema>(schema: T): TUnsafe<Static<T> | null> =>
  Type.Unsafe<Static<T> | null>({ ...withoutOptional(schema), nullable: true, ...(Array.isArray(schema.enum) ? { enum: [...(schema.enum as unknown[]), null] } : {}) });

/** Always null (an answer without a result). */
export const nullOnly = (description?: string): TUnsafe<null> =>
  Type.Unsafe<null>({ type: 'object', nullable: true, enum: [null], ...(description !== undefined ? { description } : {}) });

/** Any JSON object (its fields are not described). */
export const anyObject = (description?: string): TUnsafe<Record<string, unknown>> =>
  Type.Unsafe<Record<string, unknown>>({ type: 'object', additionalProperties: true, ...(description !== undefined ? { description } : {}) });

/** An object whose every field holds a `values` (keys are free): a map. */
export const mapOf = <T extends TSchema>(values: T, o: { description?: string; minProperties?: number } = {}): TUnsafe<Record<string, Static<T>>> =>
  Type.Unsafe<Record<string, Static<T>>>({ type: 'object', ...(o.minProperties !== undefined ? { minProperties: o.minProperties } : {}), additionalProperties: values, ...(o.description !== undefined ? { description: o.description } : {}) });

/** Exactly one of the schemas (JSON Schema's oneOf; TypeBox has only anyOf). */
export const oneOf = <T extends TSchema>(schemas: readonly T[], description: string): TUnsafe<Static<T>> => Type.Unsafe<Static<T>>({ description, oneOf: schemas });

/** Any of the schemas (JSON Schema's anyOf). */
export const anyOf = <T extends TSchema[]>(schemas: [...T], description?: string) => Type.Union(schemas, description !== undefined ? { description } : {});

/** Any JSON value (an undescribed `{}`). */
export const anyValue = () => Type.Unknown();

/**
 * Where a schema's TypeScript type is declared by name (in the engine), so that types generated
 * from the schemas (the dashboard's) refer to it instead of spelling it out. A symbol: JSON
 * Schema and the served document never see it.
 */
export const TYPE_NAME = Symbol.for('portcullis.schema.type-name');

export interface TypeName {
  readonly name: string;
  /** The module that exports it, from the repository root ("src/engine/wire.ts"). */
  readonly module: string;
}

/** The schema, typed as T, the type declared at `where`. */
export const declaredAs = <T>(schema: TSchema, where: TypeName): TUnsafe<T> => Type.Unsafe<T>({ ...withoutOptional(schema), [TYPE_NAME]: where });

/** The same schema with another description. */
export const described = <T extends TSchema>(schema: T, description: string): T => ({ ...schema, description });

function withoutOptional<T extends TSchema>(schema: T): T {
  const { [OptionalKind]: _optional, ...rest } = schema as T & { [OptionalKind]?: string };
  return rest as T;
}
