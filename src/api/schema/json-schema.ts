// Small builders for the JSON Schemas that validate requests and describe them in the served
// OpenAPI document: one definition serves both, so the document cannot drift from the checks.

export type JsonSchema = { readonly [key: string]: unknown };

export interface StringOptions {
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly format?: 'email' | 'date-time' | 'uri' | 'ipv4' | 'ipv6';
  readonly pattern?: string;
  /** How a pattern reads in an error message ("a 32-character hexadecimal id"). */
  readonly patternHint?: string;
  readonly description?: string;
  readonly example?: string;
  readonly enum?: readonly string[];
  readonly default?: string;
}

export const str = (o: StringOptions = {}): JsonSchema => {
  const { patternHint, ...rest } = o;
  return { type: 'string', ...rest, ...(patternHint !== undefined ? { 'x-pattern-hint': patternHint } : {}) };
};

export const enumOf = (values: readonly string[], description?: string): JsonSchema => ({
  type: 'string',
  enum: values,
  ...(description !== undefined ? { description } : {}),
});

export const int = (o: { minimum?: number; maximum?: number; default?: number; description?: string } = {}): JsonSchema => ({ type: 'integer', ...o });
export const num = (o: { minimum?: number; maximum?: number; description?: string } = {}): JsonSchema => ({ type: 'number', ...o });
export const bool = (description?: string, defaultValue?: boolean): JsonSchema => ({
  type: 'boolean',
  ...(description !== undefined ? { description } : {}),
  ...(defaultValue !== undefined ? { default: defaultValue } : {}),
});

export const arr = (items: JsonSchema, o: { minItems?: number; maxItems?: number; uniqueItems?: boolean; description?: string } = {}): JsonSchema => ({
  type: 'array',
  items,
  ...o,
});

export interface ObjectOptions {
  readonly required?: readonly string[];
  /** Unknown fields: refused (false, the default) or kept. */
  readonly additional?: boolean | JsonSchema;
  readonly description?: string;
  readonly minProperties?: number;
}

export const obj = (properties: Record<string, JsonSchema>, o: ObjectOptions = {}): JsonSchema => ({
  type: 'object',
  properties,
  ...(o.required !== undefined && o.required.length > 0 ? { required: o.required } : {}),
  additionalProperties: o.additional ?? false,
  ...(o.description !== undefined ? { description: o.description } : {}),
  ...(o.minProperties !== undefined ? { minProperties: o.minProperties } : {}),
});

/** A value that may also be null. */
export const nullable = (schema: JsonSchema): JsonSchema => ({ ...schema, nullable: true });

/** Any JSON object (its fields are not described). */
export const anyObject = (description?: string): JsonSchema => ({
  type: 'object',
  additionalProperties: true,
  ...(description !== undefined ? { description } : {}),
});
