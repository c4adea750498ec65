// What evaluation needs from an account besides identities: the Access groups reachable from
// a policy set (parsed), the Gateway lists they use (indexed), and the existence of IdPs,
// service tokens (with expiry), posture rules and apps. Read once per evaluation run, as plain
// data (an AccountSnapshot) that a policy test stores when it starts, so that every chunk,
// whichever process runs it and however late, decides against the account as it was then.

import { buildListIndex, type EvalEnv, type Group, type ListIndex, type NamedKind, type Policy, type ServiceTokenInfo } from '../engine/index.js';
import type { StoreReader } from '../store/store.js';
import { loadGroupRecords, ruleSetReferences, storedGroup } from './rule-references.js';

export interface AccountEnv {
  readonly env: EvalEnv;
  readonly groups: ReadonlyMap<string, Group>;
}

/** What an evaluation of some policies reads from an account, as JSON-safe data. */
export interface AccountSnapshot {
  readonly accountId: string;
  /** When it was read (ms since the epoch): service tokens expire relative to this. */
  readonly now: number;
  /** The Access groups reachable from the policies, as stored. */
  readonly groups: readonly { readonly id: string; readonly body: Record<string, unknown> }[];
  readonly lists: readonly { readonly id: string; readonly type: string; readonly values: readonly string[] }[];
  readonly identityProviders: readonly string[];
  readonly postureRules: readonly string[];
  readonly apps: readonly string[];
  /** Every service token of the account (any_valid_service_token accepts any); expiry 0 = disabled. */
  readonly serviceTokens: readonly { readonly id: string; readonly expiresAt: number | null }[];
  /** Names of the objects read, by kind and id, for explanations (absent from older snapshots). */
  readonly names?: Partial<Record<NamedKind, Readonly<Record<string, string>>>>;
}

export async function readAccountSnapshot(store: StoreReader, accountId: string, policies: readonly Policy[], now = Date.now()): Promise<AccountSnapshot> {
  const direct = ruleSetReferences(policies);
  const groups = await loadGroupRecords(store, accountId, direct.filter((r) => r.kind === 'group').map((r) => r.id));
  const refs = ruleSetReferences([...policies, ...[...groups.values()].map((g) => g.group)]);
  const idsOf = (kind: string) => refs.filter((r) => r.kind === kind).map((r) => r.id);

  const [listRecords, idps, postures, apps, tokens] = await Promise.all([
    store.getResources(accountId, 'list', idsOf('list')),
    store.getResources(accountId, 'identity_provider', idsOf('identity_provider')),
    store.getResources(accountId, 'posture_rule', idsOf('posture_rule')),
    store.getResources(accountId, 'app', idsOf('app')),
    store.allResources(accountId, 'service_token'),
  ]);
  const lists: { id: string; type: string; values: string[] }[] = [];
  for (const record of listRecords) {
    lists.push({ id: record.id, type: String(record.body.type), values: await store.listItemValues(accountId, record.id) });
  }
  return {
    accountId,
    now,
    groups: [...groups].map(([id, g]) => ({ id, body: g.body })),
    lists,
    identityProviders: idps.map((r) => r.id),
    postureRules: postures.map((r) => r.id),
    apps: apps.map((r) => r.id),
    serviceTokens: tokens.map((t) => ({ id: t.id, expiresAt: serviceTokenExpiry(t.body) })),
    names: {
      list: namesOf(listRecords),
      identity_provider: namesOf(idps),
      posture_rule: namesOf(postures),
      app: namesOf(apps),
      service_token: namesOf(tokens),
    },
  };
}

const namesOf = (records: readonly { readonly id: string; readonly name: string }[]): Record<string, string> =>
  Object.fromEntries(records.map((r) => [r.id, r.name]));

/**
 * A service token's expiry (ms since the epoch; null: never). A disabled token is treated as
 * expired: it exists, but no rule accepts it. An expires_at that cannot be read counts as passed
 * (NaN would compare as "not expired", and would become null, "never", in a stored snapshot).
 */
function serviceTokenExpiry(body: Readonly<Record<string, unknown>>): number | null {
  if (body.enabled === false) return 0;
  if (body.expires_at === undefined || body.expires_at === null) return null;
  const ms = typeof body.expires_at === 'string' ? Date.parse(body.expires_at) : Number.NaN;
  return Number.isNaN(ms) ? 0 : ms;
}

/** The engine's view of a snapshot. */
export function accountEnvOf(snapshot: AccountSnapshot): AccountEnv {
  const groups = new Map<string, Group>();
  for (const { id, body } of snapshot.groups) {
    const group = storedGroup(id, body);
    if (group !== undefined) groups.set(id, group);
  }
  const lists = new Map<string, ListIndex>(snapshot.lists.map((l) => [l.id, buildListIndex(l.id, l.type, l.values)]));
  const serviceTokens = new Map<string, ServiceTokenInfo>(snapshot.serviceTokens.map((t) => [t.id, { expiresAt: t.expiresAt }]));
  const idpIds = new Set(snapshot.identityProviders);
  const postureIds = new Set(snapshot.postureRules);
  const appIds = new Set(snapshot.apps);
  return {
    groups,
    env: {
      group: (id) => groups.get(id),
      list: (id) => lists.get(id),
      identityProviderExists: (id) => idpIds.has(id),
      serviceToken: (id) => serviceTokens.get(id),
      postureRuleExists: (id) => postureIds.has(id),
      appExists: (id) => appIds.has(id),
      accountId: snapshot.accountId,
      now: snapshot.now,
      nameOf: (kind, id) => snapshot.names?.[kind]?.[id],
    },
  };
}

export async function loadAccountEnv(store: StoreReader, accountId: string, policies: readonly Policy[], now = Date.now()): Promise<AccountEnv> {
  return accountEnvOf(await readAccountSnapshot(store, accountId, policies, now));
}
