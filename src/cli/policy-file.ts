// Policies files: a JSON array of policies in Cloudflare's request shape (optionally with "id"),
// an export file ({"policies": [...]}) or an API list response ({"result": [...]}).

import { checkReferences, parsePolicy, type Policy } from '../engine/index.js';
import type { Catalog, Located, ReferenceMode } from './catalog.js';
import { loadJson } from './json-source.js';
import type { Problems } from '../transfer/problems.js';
import { isObject, itemsOf, type Items } from './shapes.js';

/** Fields of policies as the API returns them for an application, accepted and ignored here. */
const EXTRA_FIELDS = ['precedence'];

/** Validate the policy at `items.values[i]`; undefined when it is invalid (every issue goes to `sink`). */
export function parsePolicyAt(items: Items, i: number, sink: Problems): Located<Policy> | undefined {
  const value = items.values[i];
  const pointer = `${items.base}/${i}`;
  const id = isObject(value) && typeof value.id === 'string' ? value.id : undefined;
  const r = parsePolicy(value, { pointer, extraFields: EXTRA_FIELDS, ...(id !== undefined ? { id } : {}) });
  if (r.ok) return { value: r.value, items, pointer };
  for (const issue of r.issues) sink.add(items.doc.problem(issue.pointer, issue.code, issue.message));
  return undefined;
}

/** Validate every policy; the valid ones are returned, every issue goes to `sink`. */
export function parsePolicyItems(items: Items, sink: Problems): Located<Policy>[] {
  return items.values.map((_, i) => parsePolicyAt(items, i, sink)).filter((p): p is Located<Policy> => p !== undefined);
}

/** Check what each policy refers to (groups, lists, IdPs; identity selectors reached by bypass policies through groups). */
export function checkPolicyReferences(policies: readonly Located<Policy>[], catalog: Catalog, mode: ReferenceMode, sink: Problems): void {
  const refs = catalog.references(mode);
  for (const { value, items, pointer } of policies) {
    for (const issue of checkReferences(value, refs, { pointer, decision: value.decision })) {
      sink.add(items.doc.problem(issue.pointer, issue.code, issue.message + catalog.referenceHint(issue.code)));
    }
  }
}

/** Read, validate and reference-check the policies of a test, diff or check run. */
export function readPolicyFile(file: string, catalog: Catalog, problems: Problems): Located<Policy>[] {
  const doc = loadJson(file, problems);
  const items = doc && itemsOf(doc, 'policies', 'policies', problems);
  if (items === undefined) return [];
  const located = parsePolicyItems(items, problems);
  checkPolicyReferences(located, catalog, 'evaluate', problems);
  return located;
}
