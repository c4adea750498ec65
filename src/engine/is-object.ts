/**
 * Whether a parsed JSON value is an object with fields: not null and not an array. Every layer
 * reads untrusted JSON (request bodies, SCIM payloads, stored records, remote API answers), so the
 * check lives here, in the layer all others may import.
 */
export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
