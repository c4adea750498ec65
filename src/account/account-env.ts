// What evaluation needs from an account besides identities: the Access groups reachable from
// a policy set (parsed), the Gateway lists they use (indexed), and the existence of IdPs,
// service tokens (with expiry), posture rules and apps. Loaded once per evaluation run.

import { buildListIndex, type EvalEnv, type Group, type ListIndex, type Policy, type ServiceTokenInfo } from '../engine/index.js';
import type { StoreReader } from '../store/store.js';
import { loadGroupClosure, ruleSetReferences } from './rule-references.js';

export interface AccountEnv {
  readonly env: EvalEnv;
  readonly groups: ReadonlyMap<string, Group>;
}

export async function loadAccountEnv(store: StoreReader, accountId: string, policies: readonly Policy[], now = Date.now()): Promise<AccountEnv> {
  const direct = ruleSetReferences(policies);
  const groups = await loadGroupClosure(store, accountId, direct.filter((r) => r.kind === 'group').map((r) => r.id));
  const refs = ruleSetReferences([...policies, ...groups.values()]);
  const idsOf = (kind: string) => refs.filter((r) => r.kind === kind).map((r) => r.id);

  const [listRecords, idps, postures, apps, tokens] = await Promise.all([
    store.getResources(accountId, 'list', idsOf('list')),
    store.getResources(accountId, 'identity_provider', idsOf('identity_provider')),
    store.getResources(accountId, 'posture_rule', idsOf('posture_rule')),
    store.getResources(accountId, 'app', idsOf('app')),
    // any_valid_service_token accepts any token of the account, so all of them are needed.
    store.allResources(accountId, 'service_token'),
  ]);
  const lists = new Map<string, ListIndex>();
  for (const record of listRecords) {
    lists.set(record.id, buildListIndex(record.id, String(record.body.type), await store.listItemValues(accountId, record.id)));
  }
  // A disabled token is treated as expired: it exists, but no rule accepts it.
  const serviceTokens = new Map<string, ServiceTokenInfo>(
    tokens.map((t) => [t.id, { expiresAt: t.body.enabled === false ? 0 : typeof t.body.expires_at === 'string' ? Date.parse(t.body.expires_at) : null }]),
  );
  const idpIds = new Set(idps.map((r) => r.id));
  const postureIds = new Set(postures.map((r) => r.id));
  const appIds = new Set(apps.map((r) => r.id));
  return {
    groups,
    env: {
      group: (id) => groups.get(id),
      list: (id) => lists.get(id),
      identityProviderExists: (id) => idpIds.has(id),
      serviceToken: (id) => serviceTokens.get(id),
      postureRuleExists: (id) => postureIds.has(id),
      appExists: (id) => appIds.has(id),
      accountId,
      now,
    },
  };
}
