// Top-level fields a request body does not know. Cloudflare's clients read a resource, change
// it and send the whole `result` back, so a field the resource answers with (id, created_at,
// client_id, count, ...) is dropped without comment; any other unknown top-level field is
// dropped too, kept out of storage and reported as a warning in `messages`. Inside a rule an
// unknown key changes the meaning, so nested objects stay strict (the validator refuses them).

import type { TSchema } from '../schema/json-schema.js';
import { requestNote, type EnvelopeMessage } from './errors.js';

/** Which top-level fields a body schema describes, and which its answer holds besides. */
export interface TopLevelFields {
  readonly known: ReadonlySet<string>;
  readonly answered: ReadonlySet<string>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The fields of a closed object schema (or of every alternative of a union of them); undefined when any part is open. */
function closedFields(schema: unknown): Set<string> | undefined {
  if (!isRecord(schema)) return undefined;
  const alternatives = (schema.anyOf ?? schema.oneOf) as unknown;
  if (Array.isArray(alternatives)) {
    const all = new Set<string>();
    for (const alternative of alternatives) {
      const fields = closedFields(alternative);
      if (fields === undefined) return undefined;
      for (const field of fields) all.add(field);
    }
    return all;
  }
  if (schema.type !== 'object' || schema.additionalProperties !== false || !isRecord(schema.properties)) return undefined;
  return new Set(Object.keys(schema.properties));
}

/** The top-level fields of a route's body; undefined when the body is not a closed object. */
export function topLevelFields(body: TSchema | undefined, result: TSchema | undefined): TopLevelFields | undefined {
  const known = closedFields(body);
  if (known === undefined) return undefined;
  const resultItem = isRecord(result) && result.type === 'array' ? result.items : result;
  const answered = isRecord(resultItem) && isRecord(resultItem.properties) ? new Set(Object.keys(resultItem.properties)) : new Set<string>();
  return { known, answered };
}

/** The body without its unknown top-level fields, and a warning for each one that is not a read-only field of the answer. */
export function setAsideUnknownFields(body: unknown, fields: TopLevelFields): { body: unknown; messages: EnvelopeMessage[] } {
  if (!isRecord(body)) return { body, messages: [] };
  const unknown = Object.keys(body).filter((key) => !fields.known.has(key));
  if (unknown.length === 0) return { body, messages: [] };
  const kept = Object.fromEntries(Object.entries(body).filter(([key]) => fields.known.has(key)));
  const messages = unknown.filter((key) => !fields.answered.has(key)).map((key) => requestNote('unknown_field_ignored', key));
  return { body: kept, messages };
}
