// What every page needs: the account's API, the objects rules can name (for the pickers),
// and the policy draft the rule builder is editing (which the tester and what-if can use).

import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Credentials } from './api/client.js';
import type { AccountApi } from './api/resources.js';
import type { App, GatewayList, Group, IdentityProvider, PostureRule, ServiceToken } from './api/operations.js';
import type { PolicyDraft } from './rules/model.js';

/** Account objects that rules reference, by the catalog's reference kinds. */
export interface References {
  readonly group: readonly Group[];
  readonly list: readonly GatewayList[];
  readonly identity_provider: readonly IdentityProvider[];
  readonly service_token: readonly ServiceToken[];
  readonly posture_rule: readonly PostureRule[];
  readonly app: readonly App[];
}

export const NO_REFERENCES: References = { group: [], list: [], identity_provider: [], service_token: [], posture_rule: [], app: [] };

export interface AppState {
  readonly credentials: Credentials;
  readonly api: AccountApi;
  readonly references: References;
  /** Reload the pickers' objects (after a page created or deleted one). */
  refreshReferences(): void;
  /** The rule builder's current policy, kept when the user moves to the tester. */
  readonly draft: PolicyDraft | undefined;
  setDraft(draft: PolicyDraft | undefined): void;
  signOut(message?: string): void;
}

export const AppContext = createContext<AppState | undefined>(undefined);

export function useApp(): AppState {
  const state = useContext(AppContext);
  if (state === undefined) throw new Error('useApp() outside the signed-in app');
  return state;
}

export async function loadReferences(api: AccountApi): Promise<References> {
  const [group, list, identity_provider, service_token, posture_rule, app] = await Promise.all([
    api.groups.all(),
    api.lists.all(),
    api.identityProviders.all(),
    api.serviceTokens.all(),
    api.postureRules.all(),
    api.apps.all(),
  ]);
  return { group, list, identity_provider, service_token, posture_rule, app };
}
