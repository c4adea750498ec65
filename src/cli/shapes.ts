// The shapes a policies, groups, lists or IdPs file may have: a bare JSON array, an export file
// (an object holding the array under its own key, e.g. "policies"), or a Cloudflare API list
// response ({"result": [...]}). Pointers of problems are relative to the file, so they keep
// the "/policies" or "/result" prefix.

import type { JsonDocument } from './json-source.js';
import type { Problems } from '../transfer/problems.js';
import { isObject } from '../engine/is-object.js';

export { isObject };

export interface Items {
  readonly doc: JsonDocument;
  readonly values: readonly unknown[];
  /** Pointer of the array in the file: "", "/policies", "/result", ... */
  readonly base: string;
}

/** The array under one of `keys` (or the document itself when it is an array), if any. */
export function findItems(doc: JsonDocument, keys: readonly string[]): Items | undefined {
  if (Array.isArray(doc.value)) return { doc, values: doc.value, base: '' };
  if (!isObject(doc.value)) return undefined;
  for (const key of keys) {
    const v = doc.value[key];
    if (Array.isArray(v)) return { doc, values: v, base: `/${key}` };
  }
  return undefined;
}

/** Like findItems, but a problem naming the accepted shapes when there is no such array. */
export function itemsOf(doc: JsonDocument, key: string, what: string, problems: Problems): Items | undefined {
  const items = findItems(doc, [key, 'result']);
  if (items === undefined) {
    problems.add(doc.problem('', 'invalid_shape', `Expected a JSON array of ${what}, or an object with a "${key}" or "result" array.`));
  }
  return items;
}
