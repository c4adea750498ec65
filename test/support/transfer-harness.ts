// Test support for import, export and sync (not a test file itself): the environment that points
// the CLI at a test server, and an account described by names rather than ids, so that two
// accounts holding the same objects under different ids compare equal.

import type Cloudflare from 'cloudflare';
import { rewriteIdentityIdp, rewriteReferences } from '../../src/transfer/references.js';
import type { WireObject } from '../../src/transfer/snapshot.js';
import { example } from './cli-harness.js';

/** The example files as import options. */
export const EXAMPLE_FILES = [
  '--policies',
  example('policies.json'),
  '--groups',
  example('groups.json'),
  '--lists',
  example('lists.json'),
  '--idps',
  example('idps.json'),
  '--users',
  example('users.ndjson'),
];

export interface ServerLike {
  readonly apiUrl: string;
  readonly rootToken: string;
  readonly accountId: string;
}

/** PORTCULLIS_URL, _TOKEN and _ACCOUNT for `server` (and an account of it other than its own). */
export function serverEnv(server: ServerLike, accountId = server.accountId): NodeJS.ProcessEnv {
  return { PORTCULLIS_URL: server.apiUrl, PORTCULLIS_TOKEN: server.rootToken, PORTCULLIS_ACCOUNT: accountId };
}

const DROPPED = new Set(['id', 'uid', 'created_at', 'updated_at', 'app_count', 'reusable', 'count', 'seat_uid', 'last_successful_login', 'aud']);
const withoutIds = (o: WireObject): WireObject => Object.fromEntries(Object.entries(o).filter(([k]) => !DROPPED.has(k)));
const byName = (a: WireObject, b: WireObject) => String(a.name ?? a.email).localeCompare(String(b.name ?? b.email));

export interface AccountByName {
  readonly identity_providers: WireObject[];
  readonly lists: WireObject[];
  readonly groups: WireObject[];
  readonly policies: WireObject[];
  readonly users: WireObject[];
}

async function all<T>(pages: AsyncIterable<T>): Promise<WireObject[]> {
  const out: WireObject[] = [];
  for await (const item of pages) out.push(item as unknown as WireObject);
  return out;
}

/** Everything import, export and sync move, with every reference replaced by "kind:name". */
export async function describeAccount(sdk: Cloudflare, account_id: string): Promise<AccountByName> {
  const zt = sdk.zeroTrust;
  const [idps, lists, groups, policies, users] = await Promise.all([
    all(zt.identityProviders.list({ account_id })),
    all(zt.gateway.lists.list({ account_id })),
    all(zt.access.groups.list({ account_id })),
    all(zt.access.policies.list({ account_id })),
    all(zt.access.users.list({ account_id, per_page: 1000 })),
  ]);
  const names = new Map<string, string>();
  for (const [kind, objects] of [['identity_provider', idps], ['list', lists], ['group', groups]] as const) for (const o of objects) names.set(`${kind}:${String(o.id)}`, `${kind}:${String(o.name)}`);
  const named = (o: WireObject) => withoutIds(rewriteReferences(o, (kind, id) => names.get(`${kind}:${id}`) ?? `${kind}:?${id}`));
  const listsWithItems = await Promise.all(
    lists.map(async (l) => ({ ...withoutIds(l), items: (await all(zt.gateway.lists.items.list(String(l.id), { account_id }))).map((i) => i.value) })),
  );
  const usersWithIdentities = await Promise.all(
    users.map(async (u) => {
      const identity = await zt.access.users.lastSeenIdentity.get(String(u.id), { account_id }).then(
        (i) => rewriteIdentityIdp(i as unknown as WireObject, (id) => names.get(`identity_provider:${id}`)),
        () => null,
      );
      return { email: u.email, name: u.name, identity };
    }),
  );
  return {
    identity_providers: idps.map(withoutIds).sort(byName),
    lists: listsWithItems.sort(byName),
    groups: groups.map(named).sort(byName),
    policies: policies.map(named).sort(byName),
    users: usersWithIdentities.sort(byName),
  };
}
