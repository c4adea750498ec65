// Reading an account through the API into a snapshot: its identity providers, Gateway lists
// with their entries, Access groups, reusable policies, and (when asked) its users with their
// last seen identities, which are read later, as they are consumed.

import type { AccountApi } from './account-api.js';
import { STEP_WORDS, type ProgressSink } from './apply.js';
import { calling } from './api-failures.js';
import { KIND_WORDS, sourceObject, type ObjectKind, type Snapshot, type SourceObject, type WireObject } from './snapshot.js';
import { accountUsers } from './users.js';

export interface ReadOptions {
  readonly users: boolean;
  /** How problems name this account ("source", the URL, ...). */
  readonly origin: string;
  readonly onProgress?: ProgressSink;
}

async function readObjects(api: AccountApi, kind: ObjectKind, origin: string): Promise<SourceObject[]> {
  const values = await calling(api.endpoint, `listing the ${STEP_WORDS[kind].toLowerCase()}`, () => api.list(kind));
  return values.map((value) => {
    const label = `${origin} ${KIND_WORDS[kind]} ${JSON.stringify(value.name)}`;
    return sourceObject(kind, value, (pointer, code, message) => ({ file: label, pointer, code, message }));
  });
}

/** Each list with its entries, which the lists endpoint leaves out. */
async function readLists(api: AccountApi, origin: string, onProgress: ProgressSink): Promise<SourceObject[]> {
  const lists = await calling(api.endpoint, 'listing the Gateway lists', () => api.list('list'));
  const out: SourceObject[] = [];
  for (const [i, list] of lists.entries()) {
    const entries = await calling(api.endpoint, `reading the entries of the Gateway list ${JSON.stringify(list.name)}`, () => api.listEntries(String(list.id)));
    const value: WireObject = { ...list, items: entries };
    const label = `${origin} Gateway list ${JSON.stringify(list.name)}`;
    out.push(sourceObject('list', value, (pointer, code, message) => ({ file: label, pointer, code, message })));
    onProgress('Gateway lists', i + 1, lists.length);
  }
  return out;
}

export async function readAccount(api: AccountApi, options: ReadOptions): Promise<Snapshot> {
  const onProgress = options.onProgress ?? (() => {});
  const identityProviders = await readObjects(api, 'identity_provider', options.origin);
  const lists = await readLists(api, options.origin, onProgress);
  const groups = await readObjects(api, 'group', options.origin);
  const policies = await readObjects(api, 'policy', options.origin);
  return { identityProviders, lists, groups, policies, ...(options.users ? { users: await accountUsers(api) } : {}) };
}
