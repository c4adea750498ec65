// What every page needs: the account's API, the objects rules can name (for the pickers),
// and the policy draft the rule builder is editing (which the tester and what-if can use).

import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { ApiFailure, type Credentials } from './api/client.js';
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

export type ReferenceKind = keyof References;

/** Each kind the last load could not read, with why. A token may lack some read permissions. */
export type ReferenceFailures = Partial<Record<ReferenceKind, unknown>>;

/** What the kinds are called in sentences. */
export const REFERENCE_NAMES: Readonly<Record<ReferenceKind, string>> = {
  group: 'Access groups',
  list: 'Lists',
  identity_provider: 'Identity providers',
  service_token: 'Service tokens',
  posture_rule: 'Device posture rules',
  app: 'Applications',
};

export interface AppState {
  readonly credentials: Credentials;
  readonly api: AccountApi;
  readonly references: References;
  /** Whether the first load of the references has finished (until then the pickers are empty). */
  readonly referencesLoaded: boolean;
  readonly referenceFailures: ReferenceFailures;
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

/**
 * Every kind independently: one the token cannot read (or that failed) keeps what `previous`
 * held of it and is reported in `failures`; the others load as usual.
 */
export async function loadReferences(api: AccountApi, previous: References): Promise<{ references: References; failures: ReferenceFailures }> {
  const loads: { readonly [K in ReferenceKind]: () => Promise<References[K]> } = {
    group: () => api.groups.all(),
    list: () => api.lists.all(),
    identity_provider: () => api.identityProviders.all(),
    service_token: () => api.serviceTokens.all(),
    posture_rule: () => api.postureRules.all(),
    app: () => api.apps.all(),
  };
  const kinds = Object.keys(loads) as ReferenceKind[];
  const settled = await Promise.allSettled(kinds.map((kind) => loads[kind]()));
  const references: Record<string, unknown> = {};
  const failures: ReferenceFailures = {};
  settled.forEach((outcome, i) => {
    const kind = kinds[i]!;
    if (outcome.status === 'fulfilled') references[kind] = outcome.value;
    else {
      references[kind] = previous[kind];
      failures[kind] = outcome.reason;
    }
  });
  return { references: references as unknown as References, failures };
}

/** A failure that may pass by itself (rate limit, server or network trouble), unlike a missing permission. */
export function isTransient(err: unknown): boolean {
  return err instanceof ApiFailure && (err.kind === 'network' || err.status === 429 || err.status >= 500);
}

/** How long to wait before trying again after transient `failures`, in ms: the server's Retry-After when it gave a longer one, else `backoffMs`. */
export function retryWaitMs(failures: readonly unknown[], backoffMs: number): number {
  const told = Math.max(0, ...failures.map((f) => (f instanceof ApiFailure ? (f.retryAfterSeconds ?? 0) : 0)));
  return Math.max(told * 1000, backoffMs);
}

/** A failure because the token lacks the permission (not because the objects are missing). */
export const isForbidden = (err: unknown): boolean => err instanceof ApiFailure && err.status === 403;
