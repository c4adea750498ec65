// What a test or diff run decides users against: every policy of a policies file in file order,
// or (--app) one application's policies by precedence, as the server's tester and enforcement
// point take them. The application comes from an applications file (apps.json of an export
// directory, the "apps" of an export file, an API list response, or one application such as
// examples/application.json); its reusable policies are links resolved in the policies file (so
// a changed policies file changes the application, as a changed reusable policy does), its
// application-scoped policies are whole in the applications file. Order of execution within the
// set (bypass and Service Auth first) is the engine's, as on the server.

import type { Policy } from '../engine/index.js';
import type { Catalog, Located } from './catalog.js';
import { loadJson, type JsonDocument } from './json-source.js';
import { checkPolicyReferences, parsePolicyAt, readPolicyFile } from './policy-file.js';
import type { Problems } from '../transfer/problems.js';
import { findItems, isObject, type Items } from './shapes.js';

/** --app: an application, by name or id, of an applications file. */
export interface AppSelection {
  /** Its name or its id. */
  readonly name: string;
  /** The applications file; it may be the policies file itself (an export file holding "apps"). */
  readonly appsFile: string;
}

/** A policy set of a run (plain data: worker threads load it again). */
export interface PolicySource {
  readonly file: string;
  readonly app?: AppSelection;
}

/** The application a set came from, for headings and --json. */
export interface AppRef {
  readonly id?: string;
  readonly name: string;
  readonly domain?: string;
}

export interface LoadedPolicySet {
  readonly policies: Policy[];
  readonly app?: AppRef;
}

/** Read a policy set; every problem goes to `problems`. */
export function loadPolicySource(source: PolicySource, catalog: Catalog, problems: Problems): LoadedPolicySet {
  const located = readPolicyFile(source.file, catalog, problems);
  if (source.app === undefined) return { policies: located.map((p) => p.value) };
  return appPolicySet(located, source, source.app, catalog, problems);
}

interface AppEntry {
  readonly value: unknown;
  /** Its place in the applications file. */
  readonly pointer: string;
}

/**
 * The applications of an applications file, in any of the shapes it may have; of a policies file
 * standing in for one (no --apps), only an export file's "apps".
 */
function applicationsOf(doc: JsonDocument, policiesFile: boolean, problems: Problems): AppEntry[] | undefined {
  if (policiesFile) {
    const apps = isObject(doc.value) ? doc.value.apps : undefined;
    if (Array.isArray(apps)) return apps.map((value, i) => ({ value, pointer: `/apps/${i}` }));
    problems.add({ file: doc.file, code: 'invalid_shape', message: 'This policies file holds no applications (an export file has them under "apps"): name the applications file with --apps, e.g. apps.json of an export directory.' });
    return undefined;
  }
  const items = findItems(doc, ['apps', 'result']);
  if (items !== undefined) return items.values.map((value, i) => ({ value, pointer: `${items.base}/${i}` }));
  // One application, as examples/application.json, or an API answer {"result": {...}}.
  if (isObject(doc.value) && Array.isArray(doc.value.policies)) return [{ value: doc.value, pointer: '' }];
  if (isObject(doc.value) && isObject(doc.value.result)) return [{ value: doc.value.result, pointer: '/result' }];
  problems.add(
    doc.problem(
      '',
      'invalid_shape',
      'Expected applications: a JSON array of applications (apps.json of an export directory), an export file with an "apps" array, an API list response {"result": [...]}, or one application with "policies". Name the applications file with --apps.',
    ),
  );
  return undefined;
}

type App = { readonly value: Record<string, unknown>; readonly pointer: string };

/** The one application named (or with the id) `wanted`; a problem when there is none or several. */
function pickApplication(file: string, entries: readonly AppEntry[], wanted: string, problems: Problems): App | undefined {
  const apps = entries.filter((a): a is App => isObject(a.value));
  const byId = apps.filter((a) => a.value.id === wanted);
  const matches = byId.length > 0 ? byId : apps.filter((a) => a.value.name === wanted);
  if (matches.length === 1) return matches[0];
  if (matches.length === 0) {
    const names = apps.map((a) => JSON.stringify(a.value.name ?? a.value.id)).join(', ');
    problems.add({ file, code: 'unknown_application', message: `No application named ${JSON.stringify(wanted)} (or with that id) in this file (--app); it has ${apps.length === 0 ? 'none' : names}.` });
  } else {
    const ids = matches.map((a) => JSON.stringify(a.value.id ?? '(no id)')).join(', ');
    problems.add({ file, code: 'unknown_application', message: `${matches.length} applications are named ${JSON.stringify(wanted)} (ids ${ids}): give --app one of their ids.` });
  }
  return undefined;
}

/** The reusable policy an application links: by id, or (for a plain string, as examples/application.json has) by name. */
function linkedPolicy(policies: readonly Located<Policy>[], ref: string, byName: boolean): Located<Policy> | 'none' | 'several' {
  const byId = policies.filter((p) => p.value.id === ref);
  if (byId.length > 0) return byId[0];
  if (!byName) return 'none';
  const named = policies.filter((p) => p.value.name === ref);
  return named.length === 1 ? named[0] : named.length === 0 ? 'none' : 'several';
}

function appPolicySet(located: readonly Located<Policy>[], source: PolicySource, selection: AppSelection, catalog: Catalog, problems: Problems): LoadedPolicySet {
  const doc = loadJson(selection.appsFile, problems);
  const entries = doc && applicationsOf(doc, selection.appsFile === source.file, problems);
  const app = entries && pickApplication(selection.appsFile, entries, selection.name, problems);
  if (doc === undefined || app === undefined) return { policies: [] };
  const ref: AppRef = {
    ...(typeof app.value.id === 'string' ? { id: app.value.id } : {}),
    name: typeof app.value.name === 'string' ? app.value.name : selection.name,
    ...(typeof app.value.domain === 'string' ? { domain: app.value.domain } : {}),
  };
  const policies = app.value.policies ?? [];
  if (!Array.isArray(policies)) {
    problems.add(doc.problem(`${app.pointer}/policies`, 'invalid_shape', "An application's \"policies\" is an array of its policies (links to reusable ones, or whole application-scoped ones)."));
    return { policies: [], app: ref };
  }
  const base = `${app.pointer}/policies`;
  const ownItems: Items = { doc, values: policies, base };
  const chosen: { policy: Located<Policy>; precedence: number; pointer: string }[] = [];
  const own: Located<Policy>[] = [];
  policies.forEach((entry: unknown, j) => {
    const pointer = `${base}/${j}`;
    const object = isObject(entry) ? entry : undefined;
    const precedence = object?.precedence ?? j + 1;
    if (typeof precedence !== 'number' || !Number.isInteger(precedence) || precedence < 1) {
      problems.add(doc.problem(`${pointer}/precedence`, 'invalid_type', `A precedence is a whole number from 1, got ${JSON.stringify(precedence)}.`));
      return;
    }
    const link = typeof entry === 'string' ? entry : object !== undefined && (object.reusable === true || !('decision' in object)) ? object.id : undefined;
    if (object !== undefined && link === undefined && 'decision' in object) {
      // An application-scoped policy: whole here, and nowhere else.
      const parsed = parsePolicyAt(ownItems, j, problems);
      if (parsed !== undefined) {
        own.push(parsed);
        chosen.push({ policy: parsed, precedence, pointer });
      }
      return;
    }
    if (typeof link !== 'string') {
      problems.add(doc.problem(pointer, 'invalid_shape', 'Each policy of an application is a reusable policy\'s id (or name), {"id", "precedence", "reusable": true}, or a whole application-scoped policy with its "decision".'));
      return;
    }
    const found = linkedPolicy(located, link, typeof entry === 'string');
    if (found === 'none') {
      problems.add(doc.problem(pointer, 'unknown_policy', `Application ${JSON.stringify(ref.name)} uses the reusable policy ${JSON.stringify(link)}, which is not in ${source.file}${typeof entry === 'string' ? ' (by id or name)' : ''}.`));
    } else if (found === 'several') {
      problems.add(doc.problem(pointer, 'ambiguous_name', `Several policies of ${source.file} are named ${JSON.stringify(link)}: link the one application ${JSON.stringify(ref.name)} uses by its id.`));
    } else {
      chosen.push({ policy: found, precedence, pointer });
    }
  });
  checkPolicyReferences(own, catalog, 'evaluate', problems);
  const taken = new Map<number, string>();
  for (const c of chosen) {
    const other = taken.get(c.precedence);
    if (other !== undefined) {
      problems.add(doc.problem(c.pointer, 'duplicate_entry', `Precedence ${c.precedence} is taken twice in application ${JSON.stringify(ref.name)} (${other} and ${c.pointer}); each policy needs its own.`));
    } else taken.set(c.precedence, c.pointer);
  }
  const ordered = chosen.map((c, i) => ({ ...c, i })).sort((a, b) => a.precedence - b.precedence || a.i - b.i);
  return { policies: ordered.map((c) => c.policy.value), app: ref };
}
